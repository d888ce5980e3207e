"""Where a process's print() goes: to its group leader, as in Erlang.

``sys.stdout`` and ``sys.stderr`` are replaced (once) by routers. A write from a
process whose group leader is a shell session goes to that session, which tells
the shell process's own output (captured as the command's output) from every
other process's (shown in the background). Writes from anywhere else go to the
stream that was there before.
"""

from __future__ import annotations

import sys
import threading
from typing import Any, TextIO

from ..runtime.internal import bound, group_leader_of, schedule_timer

__all__ = [
    "StreamRouter",
    "install_stream_routers",
    "original_stream",
    "set_fallback_leader",
    "leader_of",
    "current_leader",
]

_install_lock = threading.Lock()
_fallback: Any = None

# How long a partial line (no newline yet) is held before it is shown anyway.
PARTIAL_LINE_SECONDS = 0.1


def set_fallback_leader(leader: Any) -> None:
    """Where output goes that has no group leader (threads that are not processes).

    A console whose terminal belongs to another process sets it; otherwise such
    output goes to the real stream.
    """
    global _fallback
    _fallback = leader


def current_leader() -> Any:
    """The group leader the calling thread's output goes to, or None."""
    return leader_of(bound())


def leader_of(proc: Any) -> Any:
    """The group leader output of ``proc`` (a process record or None) goes to, or None."""
    leader = group_leader_of(proc)
    return leader if leader is not None else _fallback


class StreamRouter:
    """A text stream that sends each write to the writing process's group leader.

    A process's output is passed on a whole line at a time (print() writes a
    line in pieces), so lines of different processes never interleave; a
    partial line goes on at the next newline, at flush(), or after
    ``PARTIAL_LINE_SECONDS``, whichever comes first.
    """

    def __init__(self, original: TextIO, name: str) -> None:
        self.original = original
        self.name = name
        self._lock = threading.Lock()
        self._held: dict[Any, tuple[Any, str]] = {}  # writer -> (process, partial line)
        self._timed: set[Any] = set()  # writers whose partial line a timer will pass on

    def write(self, text: str) -> int:
        proc = bound()
        leader = leader_of(proc)
        if leader is None:
            return self.original.write(text)
        key = proc if proc is not None else threading.get_ident()
        with self._lock:
            held = self._held.pop(key, None)
            if held is not None:
                text = held[1] + text
            end = text.rfind("\n") + 1
            # Held before passing on: a KeyboardInterrupt raised into the
            # writer while its line is written must not leave the line held,
            # to be written again.
            start_timer = False
            if end < len(text):
                self._held[key] = (proc, text[end:])
                start_timer = key not in self._timed
                self._timed.add(key)
        if end:
            leader.write_output(text[:end], self.name, proc)
        if start_timer:
            schedule_timer(PARTIAL_LINE_SECONDS, lambda: self._pass_on(key))
        return len(text)

    def _pass_on(self, key: Any) -> None:
        with self._lock:
            self._timed.discard(key)
            held = self._held.pop(key, None)
        if held is not None:
            proc, text = held
            leader = leader_of(proc)
            if text and leader is not None:
                leader.write_output(text, self.name, proc)

    def take_partial(self) -> str:
        """Take back the calling process's partial line, not passed on yet (an input prompt)."""
        proc = bound()
        key = proc if proc is not None else threading.get_ident()
        with self._lock:
            held = self._held.pop(key, None)
        return held[1] if held is not None else ""

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        proc = bound()
        self._pass_on(proc if proc is not None else threading.get_ident())
        try:
            self.original.flush()
        except (OSError, ValueError):
            pass

    def __getattr__(self, name: str) -> Any:
        # fileno, isatty, encoding, errors, buffer...: those of the real stream.
        return getattr(self.original, name)


def install_stream_routers() -> None:
    """Route sys.stdout and sys.stderr through group leaders (idempotent)."""
    with _install_lock:
        if not isinstance(sys.stdout, StreamRouter):
            sys.stdout = StreamRouter(sys.stdout, "stdout")  # type: ignore[assignment]
        if not isinstance(sys.stderr, StreamRouter):
            sys.stderr = StreamRouter(sys.stderr, "stderr")  # type: ignore[assignment]


def original_stream(name: str) -> TextIO:
    """The stream a router stands in front of (or the current one, if none)."""
    stream = getattr(sys, name)
    while isinstance(stream, StreamRouter):
        stream = stream.original
    return stream
