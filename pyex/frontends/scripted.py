"""Scripted sessions: commands piped through standard input, shown as iex shows them.

Each command is preceded by its prompt (``pyex(N)> ``, ``...(N)> `` for each
further line), then comes what it printed and its result; input is not echoed,
exactly like ``iex < script.exs``. Code is read as a ``.py`` file is: a block
ends where the next line of code is not indented, so it may hold blank lines
and comments at any column; a UTF-8 byte-order mark is ignored. Errors do not
stop the session, not even bytes that are not UTF-8 (that command fails with
``** (UnicodeDecodeError) ...``); end of input ends it. What a command writes
to ``sys.stderr`` goes to standard error.
"""

from __future__ import annotations

import threading
from typing import IO, Iterator, TextIO

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

    def error_output(self, text: str) -> None:
        """What a command wrote to sys.stderr: to standard error, after what came before."""
        with self._lock:
            self._stream.flush()
        stream = _real_stderr()
        stream.write(text)
        stream.flush()

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


def _real_stderr() -> TextIO:
    from ..shell.output import original_stream

    return original_stream("stderr")


class _Lines:
    """Lines of a stream, with look-ahead.

    A binary stream is decoded a line at a time: a line that is not UTF-8 is
    kept with its bytes as surrogates (``surrogateescape``), for the command
    holding it to fail alone (see ``undecodable``).
    """

    def __init__(self, stream: IO[str] | IO[bytes]) -> None:
        self._stream = stream
        self._ahead: list[str] = []
        self._first = True

    def _read(self) -> str | None:
        line = self._stream.readline()
        if not line:
            return None
        if isinstance(line, bytes):
            line = line.decode("utf-8", "surrogateescape")
        if self._first:
            self._first = False
            line = line.removeprefix("\ufeff")  # a byte-order mark
        return line.rstrip("\n").rstrip("\r")

    def next(self) -> str | None:
        if self._ahead:
            return self._ahead.pop(0)
        return self._read()

    def peek(self, index: int = 0) -> str | None:
        while len(self._ahead) <= index:
            line = self._read()
            if line is None:
                return None
            self._ahead.append(line)
        return self._ahead[index]


def undecodable(source: str) -> UnicodeDecodeError | None:
    """The error of decoding ``source``'s bytes, if a line of it was not UTF-8."""
    try:
        source.encode("utf-8")
        return None
    except UnicodeEncodeError:
        pass
    try:
        source.encode("utf-8", "surrogateescape").decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc
    return None


def _block_goes_on(lines: _Lines) -> bool:
    """After a complete compound statement: does the next non-blank line continue it?"""
    index = 0
    while True:
        line = lines.peek(index)
        if line is None:
            return False
        if line.strip() and not line.lstrip().startswith("#"):
            return continues_block(line)
        index += 1  # blank lines and comments, at any column, do not end a block


def read_commands(stream: IO[str] | IO[bytes]) -> Iterator[list[str]]:
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
            except (SyntaxError, ValueError, UnicodeError, MemoryError, RecursionError):
                break  # the evaluator (or run_scripted, for bytes not UTF-8) shows the error
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
    stream: IO[str] | IO[bytes],
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
        source = "\n".join(block)
        bad_bytes = undecodable(source)
        if bad_bytes is not None:
            display.start_result()
            display.write(f"** (UnicodeDecodeError) {bad_bytes}\n")
            continue
        evaluation = session.eval(source)
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
