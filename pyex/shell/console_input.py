"""``sys.stdin`` in the console: every read goes through the prompt process's one reader.

In the console the terminal belongs to the prompt process; a process that
reads standard input (``input()``, pdb, ``sys.stdin.readline()``) would fight
it for the keys (and get the terminal's replies as input). Instead, a read
asks the shell for a line: the prompt shows what the process printed last
without a newline (``(Pdb) ``, ``name? ``), and the next line typed goes to it.
"""

from __future__ import annotations

import builtins
import io
import sys

from .output import StreamRouter
from .pry import read_line

__all__ = ["ConsoleStdin", "console_input", "install_console_stdin"]


class ConsoleStdin(io.TextIOBase):
    """A text stream whose lines are typed at the console's prompt."""

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def readable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False  # input() then writes its prompt to sys.stdout and calls readline()

    def fileno(self) -> int:
        raise io.UnsupportedOperation("the console's standard input has no file descriptor")

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        stdout = sys.stdout
        prompt = stdout.take_partial() if isinstance(stdout, StreamRouter) else ""
        line = read_line(prompt)
        if size is not None and size >= 0:
            return line[:size]
        return line

    def read(self, size: int | None = -1) -> str:
        if size is not None and size >= 0:
            return self.readline(size)
        return "".join(iter(self.readline, ""))


def console_input(prompt: object = "") -> str:
    """input(), in the console: ``prompt`` becomes the prompt, the line typed is returned."""
    line = read_line(str(prompt))
    if not line:
        raise EOFError
    return line.removesuffix("\n")


def install_console_stdin() -> None:
    """Make sys.stdin (and input()) of this, the runtime's, process read through the console's prompt.

    input() is replaced too: the builtin flushes its prompt to sys.stdout
    before reading, so the prompt would show above the line instead of as it.
    """
    sys.stdin = ConsoleStdin()
    builtins.input = console_input
