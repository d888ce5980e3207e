"""Driving the console in a real pseudo-terminal, as a person types.

``PtyConsole`` spawns ``python -m pyex --no-startup`` in a pty (pexpect) with
its home folder and history file in a temporary folder. Everything the console
writes is kept twice: ``raw`` is the byte stream as the terminal got it
(escape codes and all), ``text`` is the same with escape codes and carriage
returns taken out, for looking for what a person would read. ``expect``
waits for a regular expression in ``text`` after the point reached so far and
moves past it, so a test reads the session in order.

prompt_toolkit draws with cursor-movement escapes: a prompt is matched as
``pyex\\(2\\)>`` without its trailing space, and the text a person typed comes
back re-drawn (once per key for some keys), so a test looks for the answer
to a command, not for the command.
"""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path
from typing import Callable

import pexpect

# Generous: other engineers run tests on the same 2 cores.
TIMEOUT = 20.0

ROWS, COLUMNS = 40, 120

ENTER = "\r"
TAB = "\t"
CTRL_C = "\x03"
CTRL_D = "\x04"
BACKSPACE = "\x7f"
UP = "\x1b[A"
RIGHT = "\x1b[C"
PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"

# CSI sequences, OSC strings, and two-character escapes (ESC =, ESC >, ESC ( B...).
ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
    r"|\x1b[()*+][0-9A-Za-z]"
    r"|\x1b[@-Z\\-_=>78]"
)
# An escape sequence cut off at the end of what has been read so far.
_PARTIAL = re.compile(r"\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*|[()*+])?$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

# A colour in an SGR sequence: 30-37/90-97 (foreground), 40-47/100-107
# (background), 38;... and 48;... (256 colours and RGB).
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def strip_ansi(raw: str) -> str:
    """What a person reads in ``raw``: no escape codes, no carriage returns or bells."""
    return _CONTROL.sub("", ANSI.sub("", raw))


def colour_codes(raw: str) -> list[str]:
    """The SGR sequences in ``raw`` that set a colour (a reset or bold is not a colour)."""
    found = []
    for match in SGR.finditer(raw):
        params = [p for p in match.group(1).split(";") if p]
        for p in params:
            n = int(p)
            if 30 <= n <= 38 or 40 <= n <= 48 or 90 <= n <= 97 or 100 <= n <= 107:
                found.append(match.group())
                break
    return found


class Screen:
    """A small terminal emulator: what a person sees once ``raw`` is drawn.

    It knows what prompt_toolkit and pyex write: printable text, CR, LF,
    backspace, cursor moves (CSI A B C D G H), erasing (CSI J K) and
    autowrap on or off (CSI ?7h / ?7l); colours and other modes are ignored.
    Lines scrolled off the top are kept in ``scrolled``.
    """

    _TOKEN = re.compile(
        r"(?P<csi>\x1b\[(?P<params>[0-?]*)[ -/]*(?P<final>[@-~]))"
        r"|(?P<osc>\x1b\][^\x07\x1b]*(?:\x07|\x1b\\))"
        r"|(?P<esc>\x1b[()*+]?.)"
        r"|(?P<ctl>[\x00-\x1f\x7f])"
        r"|(?P<text>[^\x00-\x1f\x7f\x1b]+)",
        re.S,
    )

    def __init__(self, rows: int = ROWS, columns: int = COLUMNS) -> None:
        self.rows, self.columns = rows, columns
        self.cells = [[" "] * columns for _ in range(rows)]
        self.row = self.column = 0
        self.autowrap = True
        self.scrolled: list[str] = []

    def feed(self, raw: str) -> Screen:
        for match in self._TOKEN.finditer(raw):
            if match.group("text") is not None:
                for char in match.group("text"):
                    self._put(char)
            elif match.group("ctl") is not None:
                char = match.group("ctl")
                if char == "\r":
                    self.column = 0
                elif char == "\n":
                    self._line_feed()
                elif char == "\b":
                    self.column = max(0, self.column - 1)
            elif match.group("csi") is not None:
                self._csi(match.group("params"), match.group("final"))
        return self

    def _put(self, char: str) -> None:
        if self.column >= self.columns:
            if self.autowrap:
                self.column = 0
                self._line_feed()
            else:
                self.column = self.columns - 1
        self.cells[self.row][self.column] = char
        self.column += 1

    def _line_feed(self) -> None:
        if self.row == self.rows - 1:
            self.scrolled.append("".join(self.cells.pop(0)).rstrip())
            self.cells.append([" "] * self.columns)
        else:
            self.row += 1

    def _csi(self, params: str, final: str) -> None:
        if params.startswith("?"):
            if params == "?7" and final in "hl":
                self.autowrap = final == "h"
            return
        numbers = [int(p) if p else 0 for p in params.split(";")] if params else []
        n = numbers[0] if numbers and numbers[0] else 1
        if final == "A":
            self.row = max(0, self.row - n)
        elif final == "B":
            self.row = min(self.rows - 1, self.row + n)
        elif final == "C":
            self.column = min(self.columns - 1, self.column + n)
        elif final == "D":
            self.column = max(0, min(self.column, self.columns) - n)
        elif final == "G":
            self.column = min(self.columns - 1, n - 1)
        elif final in "Hf":
            row = numbers[0] if numbers and numbers[0] else 1
            column = numbers[1] if len(numbers) > 1 and numbers[1] else 1
            self.row, self.column = min(self.rows, row) - 1, min(self.columns, column) - 1
        elif final == "J":
            mode = numbers[0] if numbers else 0
            if mode == 0:
                self._erase_line(self.row, self.column, self.columns)
                for row in range(self.row + 1, self.rows):
                    self._erase_line(row, 0, self.columns)
            elif mode in (2, 3):
                for row in range(self.rows):
                    self._erase_line(row, 0, self.columns)
        elif final == "K":
            mode = numbers[0] if numbers else 0
            start, end = {0: (self.column, self.columns), 1: (0, self.column + 1)}.get(
                mode, (0, self.columns)
            )
            self._erase_line(self.row, start, end)

    def _erase_line(self, row: int, start: int, end: int) -> None:
        for column in range(max(0, start), min(end, self.columns)):
            self.cells[row][column] = " "

    def lines(self) -> list[str]:
        """The screen's lines, trailing blanks and blank lines at the bottom left out."""
        lines = ["".join(row).rstrip() for row in self.cells]
        while lines and not lines[-1]:
            lines.pop()
        return lines

    def history(self) -> list[str]:
        """Every line drawn: those scrolled off the top, then the screen's."""
        return self.scrolled + self.lines()


class PtyConsole:
    """One ``pyex`` console in a pseudo-terminal."""

    def __init__(
        self,
        home: Path,
        args: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
        history: Path | None = None,
        startup: bool = False,
    ) -> None:
        environment = {
            key: value
            for key, value in os.environ.items()
            if key not in ("NO_COLOR", "PYEX_HISTORY", "COLUMNS", "LINES", "PYTEST_CURRENT_TEST")
        }
        environment.update(
            HOME=str(home),
            PYEX_HISTORY=str(history or home / "history"),
            TERM="xterm",
            PROMPT_TOOLKIT_NO_CPR="1",
            PYTHONUNBUFFERED="1",
        )
        environment.update(env or {})
        self.home = home
        self.raw = ""
        self.text = ""
        self.pos = 0  # how far in ``text`` the session has been read
        self._held = ""  # an escape sequence cut in two by a read
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "pyex", *([] if startup else ["--no-startup"]), *args],
            env=environment,
            cwd=str(home),
            dimensions=(ROWS, COLUMNS),
            encoding="utf-8",
            codec_errors="replace",
        )
        self.child.delaybeforesend = None
        self.eof = False
        self.prompt_number = 0  # the last prompt waited for

    # -- reading ------------------------------------------------------------

    def _read(self, timeout: float) -> bool:
        """Read what the console wrote, waiting at most ``timeout``; False at end of file."""
        if self.eof:
            return False
        try:
            chunk = self.child.read_nonblocking(size=1 << 16, timeout=timeout)
        except pexpect.TIMEOUT:
            return True
        except pexpect.EOF:
            self.eof = True
            chunk = ""
        self.raw += chunk
        data = self._held + chunk
        partial = _PARTIAL.search(data) if not self.eof else None
        # A lone ESC far from the end is no sequence; only the tail may be cut.
        if partial is not None and len(data) - partial.start() < 64:
            self._held = data[partial.start() :]
            data = data[: partial.start()]
        else:
            self._held = ""
        self.text += strip_ansi(data)
        return not self.eof

    def wait_until(
        self, check: Callable[[], bool], timeout: float = TIMEOUT, what: str = "condition"
    ) -> None:
        """Read until ``check()`` holds; fail after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while not check():
            remaining = deadline - time.monotonic()
            if remaining <= 0 or (self.eof and not check()):
                raise AssertionError(
                    f"{what}: not seen within {timeout} s"
                    + (" (the console exited)" if self.eof else "")
                    + f"\n--- the console showed after the last match:\n{self.text[self.pos:][-3000:]}"
                )
            self._read(min(remaining, 0.2))

    def expect(self, pattern: str, timeout: float = TIMEOUT) -> re.Match[str]:
        """Wait for ``pattern`` (a regex) in the text after the last match; move past it."""
        regex = re.compile(pattern)
        found: list[re.Match[str]] = []

        def check() -> bool:
            match = regex.search(self.text, self.pos)
            if match is not None:
                found.append(match)
            return match is not None

        self.wait_until(check, timeout, what=repr(pattern))
        self.pos = found[-1].end()
        return found[-1]

    def expect_prompt(self, n: int, timeout: float = TIMEOUT) -> str:
        """Wait for the prompt ``pyex(n)>``; returns the text shown before it."""
        start = self.pos
        match = self.expect(rf"pyex\({n}\)>", timeout)
        self.prompt_number = n
        return self.text[start : match.start()]

    def screen(self) -> Screen:
        """The terminal as a person sees it now."""
        return Screen().feed(self.raw)

    def mark(self) -> int:
        """A position in ``raw``, to look at what was written after it."""
        return len(self.raw)

    # -- typing -------------------------------------------------------------

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def line(self, text: str) -> None:
        """Type a line and press Enter."""
        self.send(text + ENTER)

    def run(self, command: str, prompt: int) -> str:
        """Type ``command``, press Enter, and wait for prompt ``pyex(prompt)>``; returns what came between.

        The prompt must be a new number: the current one is drawn again as the
        command is typed. (For a command that does not count, ``line`` it and
        ``expect`` its answer.)
        """
        assert prompt != self.prompt_number, "run() waits for a new prompt number"
        self.line(command)
        return self.expect_prompt(prompt)

    # -- ending -------------------------------------------------------------

    def wait_exit(self, timeout: float = TIMEOUT) -> int:
        """Wait for the console to exit; returns its exit status."""
        self.wait_until(lambda: self.eof, timeout, what="the console's exit")
        self.child.wait()
        status = self.child.exitstatus
        assert status is not None, f"killed by signal {self.child.signalstatus}"
        return status

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)
        self.child.close(force=True)
