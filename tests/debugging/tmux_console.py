"""A pyex console in a real terminal: tmux, on a socket of its own, read with capture-pane.

Each ``TmuxConsole`` runs its own tmux server (``tmux -L <unique name>``), so
tests never meet another's sessions; ``close()`` kills that server. Reading
polls ``capture-pane`` until the text looked for is on the screen (or in its
scroll-back), within a timeout: no fixed sleeps.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

TIMEOUT = 30.0  # generous: other engineers' tests share the 2 cores


def tmux_available() -> bool:
    return shutil.which("tmux") is not None


class TmuxConsole:
    """``python -m pyex`` in a 120x40 tmux window, its home and history in ``home``."""

    def __init__(self, home: Path, args: tuple[str, ...] = (), env: dict[str, str] | None = None):
        self.socket = f"pyex-debug-{uuid.uuid4().hex[:12]}"
        environment = {
            "HOME": str(home),
            "PYEX_HISTORY": str(home / "history"),
            "TERM": "xterm-256color",
            "NO_COLOR": "1",
            "PYTHONUNBUFFERED": "1",
            "PATH": os.environ.get("PATH", ""),
        }
        environment.update(env or {})
        command = " ".join(
            ["env", "-i"]
            + [f"{key}={shlex.quote(value)}" for key, value in environment.items()]
            + [shlex.quote(sys.executable), "-m", "pyex", "--no-startup", *map(shlex.quote, args)]
        )
        self._tmux(
            "new-session", "-d", "-x", "120", "-y", "40", "-s", "main", "-c", str(home), command
        )
        self._tmux("set-option", "-t", "main", "remain-on-exit", "on")
        self.seen = 0  # how far the transcript has been read by expect()

    def _tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10
        )
        if result.returncode != 0:
            raise RuntimeError(f"tmux {args[0]}: {result.stderr.strip()}")
        return result.stdout

    def transcript(self) -> str:
        """Everything on the screen and in its scroll-back, blank lines at the end dropped."""
        return self._tmux("capture-pane", "-p", "-J", "-S", "-3000", "-t", "main").rstrip("\n")

    def expect(self, pattern: str, timeout: float = TIMEOUT) -> re.Match[str]:
        """Wait for ``pattern`` in the transcript after what was matched before; move past it."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            text = self.transcript()
            match = regex.search(text, self.seen)
            if match is not None:
                self.seen = match.end()
                return match
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{pattern!r} not seen within {timeout} s; the console shows:\n"
                    + text[-3000:]
                )
            time.sleep(0.05)  # polling interval, bounded by the deadline

    def type(self, text: str) -> None:
        """Type ``text`` (literally) and press Enter."""
        if text:
            self._tmux("send-keys", "-t", "main", "-l", text)
        self._tmux("send-keys", "-t", "main", "Enter")

    def close(self) -> None:
        try:
            self._tmux("kill-server")
        except (RuntimeError, subprocess.TimeoutExpired):
            pass
