"""The console's two processes talk in JSON lines over a pair of pipes.

The prompt runs in a process of its own (see ui.py), so that typing and
rendering never wait for the interpreter lock that busy pyex processes hold in
the runtime's process (see bridge.py). Messages are dicts with an ``op``:

UI -> runtime: ``eval`` (source, width, cancel: None, or "interrupt" / "eof"
for Ctrl+C / Ctrl+D at a question; interrupt: True when Ctrl+C came with the
Enter that sent it, or after it), ``complete`` (id, word), ``exit`` (status),
and the ``top()`` view's ``top_page``, ``top_detail``, ``top_tree``,
``top_kill``, ``top_close``. (Ctrl+C during a command needs no message: the
terminal sends SIGINT to both processes, and only the runtime's acts on it.)

Runtime -> UI: ``ready`` (the first prompt's fields), ``output`` (text),
``result`` (text, error, interrupted, restarted, banner, exit, colors, view,
and the prompt fields), ``notice`` (text, error, banner, prompt fields),
``completions`` (id, items), ``clear``, ``exit`` (status), ``prompt`` (the
prompt fields: a pry was asked or ended while no command ran), ``ctrl_c``
(Ctrl+C came for a question whose prompt is not up yet: answer it with
Ctrl+C), and the ``top()`` view's answers (``top_page``, ``top_detail``,
``top_tree``, ``top_notice``). The prompt fields are ``prompt``,
``continuation`` and ``question``: the prompt asks (``Allow? [Yn]``, a
process's ``input()``), so an empty answer is sent too.
"""

from __future__ import annotations

import json
import os
import select
import threading
import time
from collections import deque
from typing import Any

__all__ = ["Message", "MessageReader", "MessageWriter"]

Message = dict[str, Any]


class MessageWriter:
    """Writes messages to a pipe, whole messages at a time, from any thread."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._lock = threading.Lock()
        self.closed = False

    def send(self, message: Message) -> bool:
        return self.send_many([message])

    def send_many(self, messages: list[Message]) -> bool:
        data = "".join(json.dumps(message, separators=(",", ":")) + "\n" for message in messages)
        payload = data.encode("utf-8")
        with self._lock:
            if self.closed:
                return False
            try:
                while payload:
                    written = os.write(self._fd, payload)
                    payload = payload[written:]
            except OSError:
                self.closed = True
                return False
        return True


class MessageReader:
    """Reads messages from a pipe: blocking, or whatever is there (for event loops)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._buffer = b""
        self._pending: deque[Message] = deque()
        self.eof = False

    def _take(self, chunk: bytes) -> None:
        if not chunk:
            self.eof = True
            return
        self._buffer += chunk
        while b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            if line.strip():
                self._pending.append(json.loads(line.decode("utf-8")))

    def read_available(self) -> list[Message]:
        """The messages that can be read now without blocking."""
        while not self.eof and select.select([self.fd], [], [], 0)[0]:
            self._take(os.read(self.fd, 65536))
        messages = list(self._pending)
        self._pending.clear()
        return messages

    def read(self, timeout: float | None = None) -> Message | None:
        """The next message, waiting for it (at most ``timeout`` s); None at end of file or timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._pending:
            if self.eof:
                return None
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not select.select([self.fd], [], [], remaining)[0]:
                    return None
            self._take(os.read(self.fd, 65536))
        return self._pending.popleft()
