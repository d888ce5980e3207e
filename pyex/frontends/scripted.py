"""Scripted sessions: commands piped through standard input, shown as iex shows them.

Each command is preceded by its prompt (``pyex(N)> ``, ``...(N)> `` for each
further line), then comes what it printed and its result; input is not echoed,
exactly like ``iex < script.exs``. Code is read as a ``.py`` file is: a block
ends where the next line is not indented, so it may hold blank lines. Errors do
not stop the session; end of input ends it.
"""

from __future__ import annotations

import threading
from typing import Iterator, TextIO

from ..shell import Evaluation, Session, banner
from ..shell.source import continues_block, is_complete, may_continue

__all__ = ["StreamDisplay", "run_scripted", "read_commands"]


class StreamDisplay:
    """Writes everything to one text stream, as it arrives, whole writes at a time."""

    def __init__(self, stream: TextIO, width: int = 80) -> None:
        self._stream = stream
        self._width = width
        self._lock = threading.Lock()
        self.at_line_start = True
        self.after_prompt = False  # nothing written since the last prompt

    def write(self, text: str) -> None:
        if not text:
            return
        with self._lock:
            self._stream.write(text)
            self._stream.flush()
            self.at_line_start = text.endswith("\n")
            self.after_prompt = False

    def write_prompt(self, text: str) -> None:
        self.write(text)
        self.after_prompt = True

    def command_output(self, text: str) -> None:
        self.write(text)

    def background_output(self, text: str) -> None:
        self.write(text)

    def shell_down(self) -> None:
        pass  # reported before the next prompt

    def clear_screen(self) -> None:
        pass

    def width(self) -> int:
        return self._width

    def end_line(self) -> None:
        """Finish the current line (a prompt with nothing after it counts as one)."""
        with self._lock:
            if not self.at_line_start or self.after_prompt:
                self._stream.write("\n")
                self._stream.flush()
                self.at_line_start = True
                self.after_prompt = False

    def start_result(self) -> None:
        """Put a result right after its prompt, or on a line of its own after output."""
        with self._lock:
            if not self.at_line_start and not self.after_prompt:
                self._stream.write("\n")
                self.at_line_start = True


class _Lines:
    """Lines of a stream, with look-ahead."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._ahead: list[str] = []

    def next(self) -> str | None:
        if self._ahead:
            return self._ahead.pop(0)
        line = self._stream.readline()
        if not line:
            return None
        return line.rstrip("\n").rstrip("\r")

    def peek(self, index: int = 0) -> str | None:
        while len(self._ahead) <= index:
            line = self._stream.readline()
            if not line:
                return None
            self._ahead.append(line.rstrip("\n").rstrip("\r"))
        return self._ahead[index]


def _block_goes_on(lines: _Lines) -> bool:
    """After a complete compound statement: does the next non-blank line continue it?"""
    index = 0
    while True:
        line = lines.peek(index)
        if line is None:
            return False
        if line.strip():
            return continues_block(line)
        index += 1


def read_commands(stream: TextIO) -> Iterator[list[str]]:
    """Split a stream into commands (lists of lines), as Python reads a file."""
    lines = _Lines(stream)
    while True:
        line = lines.next()
        if line is None:
            return
        if not line.strip():
            continue
        block = [line]
        while True:
            source = "\n".join(block)
            try:
                complete = is_complete(source)
            except SyntaxError:
                break  # the evaluator shows the error
            if complete and not (may_continue(source) and _block_goes_on(lines)):
                break
            following = lines.next()
            if following is None:
                break
            block.append(following)
        while block and not block[-1].strip():
            block.pop()
        yield block


def run_scripted(
    session: Session,
    display: StreamDisplay,
    stream: TextIO,
    show_banner: bool = True,
    echo: bool = False,
) -> int:
    """Run the commands of ``stream``; returns the exit status (0 at end of input).

    With ``echo``, each command is shown after its prompt, as a console would
    show it as typed: the output is then a transcript of the session.
    """
    if show_banner:
        display.write(banner() + "\n")
    for block in read_commands(stream):
        _report_recovery(session, display)
        prompt = session.prompt()
        continuation = session.continuation_prompt()
        if echo:
            shown = [prompt + block[0]] + [continuation + line for line in block[1:]]
            display.write("".join(line.rstrip() + "\n" for line in shown))
        else:
            display.write_prompt(prompt + continuation * (len(block) - 1))
        evaluation = session.eval("\n".join(block))
        _show(evaluation, display)
        if evaluation.exit_code is not None:
            return evaluation.exit_code
    _report_recovery(session, display)
    display.write_prompt(session.prompt().rstrip() if echo else session.prompt())
    display.end_line()
    return 0


def _report_recovery(session: Session, display: StreamDisplay) -> None:
    notice = session.recover()
    if notice is not None:
        display.end_line()
        display.write(notice + "\n\n" + banner() + "\n")


def _show(evaluation: Evaluation, display: StreamDisplay) -> None:
    if evaluation.result_text:
        display.start_result()
        display.write(evaluation.result_text + "\n")
    display.end_line()
    if evaluation.restarted:
        display.write("\n" + banner() + "\n")
