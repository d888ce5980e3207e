"""Driving the console in tmux, a real terminal emulator, as a person types.

``TmuxConsole`` starts ``python -m pyex --no-startup`` in a detached tmux
session on a private server (``tmux -L <unique socket>``), with its home
folder and history file in a temporary folder. Keys go in with
``send-keys`` (text literally, key names such as ``Enter`` or ``C-c`` as
tmux names them; several in one call arrive in the same instant), and
``capture-pane -p`` gives the screen a person reads. tmux answers the
cursor-position requests prompt_toolkit makes, as a person's terminal does.

Nothing here sleeps for a fixed time: ``wait_for`` polls the screen until
what is looked for is there, bounded by a timeout.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Callable

import pytest

# Generous: other engineers run tests on the same 2 cores.
TIMEOUT = 20.0
ROWS, COLUMNS = 40, 100
POLL = 0.02


def tmux_or_skip() -> str:
    """The tmux binary (``make test`` installs it); the test is skipped, saying why, without it."""
    found = shutil.which("tmux")
    if found is None:
        pytest.skip("tmux is not installed and `make test` could not install it (needs root and apt-get)")
    return found


class TmuxConsole:
    """One ``pyex`` console in a tmux pane of its own tmux server."""

    def __init__(
        self,
        home: Path,
        args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
        rows: int = ROWS,
        columns: int = COLUMNS,
        command: list[str] | None = None,
        startup: bool = False,
    ) -> None:
        self.tmux = tmux_or_skip()
        self.socket = f"pyex-console-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.home = home
        environment = {
            "HOME": str(home),
            "PYEX_HISTORY": str(home / "history"),
            "TERM": "xterm-256color",
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
        }
        environment.update(env or {})
        argv = command or [
            sys.executable, "-m", "pyex", *([] if startup else ["--no-startup"]), *args
        ]
        exports = " ".join(f"{key}={_quote(value)}" for key, value in environment.items())
        status = home / f"exit-status-{self.socket}"
        self.status_file = status
        # The pane stays after pyex exits (remain-on-exit), so its last screen can be read.
        shell_command = (
            f"cd {_quote(str(home))} && env -i {exports} "
            + " ".join(_quote(part) for part in argv)
            + f"; echo $? > {_quote(str(status))}"
        )
        self._tmux(
            "-f", "/dev/null", "new-session", "-d", "-x", str(columns), "-y", str(rows),
            "-s", "pyex", shell_command,
        )
        self._tmux("set-option", "-t", "pyex", "remain-on-exit", "on")
        self._tmux("set-option", "-t", "pyex", "history-limit", "5000")

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(
            [self.tmux, "-L", self.socket, *args], capture_output=True, text=True, timeout=30
        )
        if done.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    # -- the screen -----------------------------------------------------------

    def screen(self) -> str:
        """What the pane shows now (trailing blank lines left out)."""
        return self._tmux("capture-pane", "-p", "-t", "pyex").rstrip("\n")

    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.screen().split("\n")]

    def scrollback(self) -> str:
        """The whole pane's history: scrolled-off lines, then the screen."""
        return self._tmux("capture-pane", "-p", "-S", "-", "-t", "pyex").rstrip("\n")

    def cursor(self) -> tuple[int, int]:
        """(row, column) of the cursor, from 0."""
        out = self._tmux("display-message", "-p", "-t", "pyex", "#{cursor_y} #{cursor_x}")
        row, column = out.split()
        return int(row), int(column)

    def wait_for(
        self,
        check: str | Callable[[str], bool],
        timeout: float = TIMEOUT,
        what: str | None = None,
        whole: bool = False,
    ) -> str:
        """Poll the screen until ``check`` (a regex, or a predicate) holds; returns the screen."""
        if isinstance(check, str):
            regex = re.compile(check, re.M)
            predicate: Callable[[str], bool] = lambda screen: regex.search(screen) is not None
            what = what or repr(check)
        else:
            predicate = check
            what = what or "condition"
        deadline = time.monotonic() + timeout
        while True:
            screen = self.scrollback() if whole else self.screen()
            if predicate(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{what}: not seen within {timeout} s; the screen:\n{screen}")
            time.sleep(POLL)

    def wait_prompt(self, n: int, timeout: float = TIMEOUT) -> str:
        """Wait until the last non-blank line is the empty prompt ``pyex(n)>``."""

        def ready(screen: str) -> bool:
            lines = [line for line in screen.split("\n") if line.strip()]
            return bool(lines) and lines[-1].rstrip() == f"pyex({n})>"

        return self.wait_for(ready, timeout, what=f"prompt pyex({n})>")

    # -- typing ---------------------------------------------------------------

    def type(self, text: str) -> None:
        """Type ``text`` as is (no key names)."""
        self._tmux("send-keys", "-t", "pyex", "-l", text)

    def keys(self, *names: str) -> None:
        """Press keys by tmux's names (``Enter``, ``C-c``, ``C-r``, ``BSpace``), in one instant."""
        self._tmux("send-keys", "-t", "pyex", *names)

    def line(self, text: str) -> None:
        """Type a line and press Enter."""
        self.type(text)
        self.keys("Enter")

    def run(self, command: str, prompt: int) -> str:
        """Type ``command`` and Enter, wait for prompt ``pyex(prompt)>`` after it; returns the screen.

        The command's own line (``)> command``) must have appeared once more
        than before, then the empty prompt below it: so a prompt of the same
        number (after an error) is not mistaken for the answer.
        """
        typed = ")> " + command.split("\n")[-1]
        count = _count_lines(self.scrollback(), typed)
        self.line(command)

        def answered(screen: str) -> bool:
            lines = [line for line in screen.split("\n") if line.strip()]
            return (
                _count_lines(screen, typed) > count
                and lines[-1].rstrip() == f"pyex({prompt})>"
                and typed not in lines[-1]
            )

        self.wait_for(answered, what=f"{command!r} answered, then pyex({prompt})>", whole=True)
        return self.screen()

    def after(self, screen: str, marker: str) -> list[str]:
        """The lines of ``screen`` after the last line that holds ``marker``."""
        lines = [line.rstrip() for line in screen.split("\n")]
        index = max(i for i, line in enumerate(lines) if marker in line)
        return lines[index + 1 :]

    # -- ending -----------------------------------------------------------------

    def exit_status(self, timeout: float = TIMEOUT) -> int:
        """Wait for pyex to exit; its exit status."""
        deadline = time.monotonic() + timeout
        while not self.status_file.exists() or not self.status_file.read_text().strip():
            if time.monotonic() > deadline:
                raise AssertionError(f"pyex did not exit within {timeout} s:\n{self.screen()}")
            time.sleep(POLL)
        return int(self.status_file.read_text().strip())

    def close(self) -> None:
        subprocess.run(
            [self.tmux, "-L", self.socket, "kill-server"], capture_output=True, timeout=30
        )


def _count_lines(screen: str, typed: str) -> int:
    return sum(1 for line in screen.split("\n") if line.rstrip().endswith(typed.rstrip()))


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"
