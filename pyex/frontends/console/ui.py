"""The prompt process: prompt_toolkit in a process of its own, owning the terminal.

Run by bridge.run_console as ``python -m pyex.frontends.console.ui``. It
reads commands (highlighting, completion, history, suggestions), sends them to
the runtime's process, and shows what comes back: results after a command,
other processes' output above the prompt. Because it has an interpreter lock
of its own, typing and rendering stay quick however busy the runtime is.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import select
import shutil
import signal
import sys
import termios
import time
from typing import Any, Iterator

from prompt_toolkit import PromptSession
from prompt_toolkit.application import get_app_or_none, run_in_terminal
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.filters import Condition
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input.typeahead import get_typeahead, store_typeahead
from prompt_toolkit.input.vt100_parser import Vt100Parser
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent, merge_key_bindings
from prompt_toolkit.keys import Keys
from prompt_toolkit.lexers import PygmentsLexer
from prompt_toolkit.output import ColorDepth
from prompt_toolkit.styles import Style
from pygments import highlight
from pygments.formatters import TerminalFormatter
from pygments.lexers import PythonLexer

from .completer import ShellCompleter
from .keys import key_bindings
from .protocol import Message, MessageReader, MessageWriter
from .terminal import PromptTerminal

__all__ = ["PromptProcess", "history_path", "main"]

_RED = "\x1b[31m"
_RESET = "\x1b[0m"
COMPLETION_TIMEOUT = 2.0
HIGHLIGHT_LIMIT = 20_000  # a result longer than this is shown without colours (pygments is slow)
CHUNK = 65_536  # a long result is written a chunk at a time, so Ctrl+C can stop it


def history_path() -> str:
    """The history file: $PYEX_HISTORY, else ~/.pyex_history."""
    return os.path.expanduser(os.environ.get("PYEX_HISTORY") or "~/.pyex_history")


def _history() -> History:
    path = history_path()
    try:
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError:
        return InMemoryHistory()
    return FileHistory(path)


def _style(color: bool) -> Style:
    """Without colours, a suggestion from history is underlined, unlike what was typed."""
    return Style.from_dict({} if color else {"auto-suggestion": "underline"})


class _RuntimeGone(Exception):
    """The runtime's process closed its end: leave."""


class PromptProcess:
    """The console as its user sees it."""

    def __init__(self, commands_fd: int, events_fd: int, color: bool) -> None:
        self.color = color
        self.writer = MessageWriter(commands_fd)
        self.reader = MessageReader(events_fd)
        self.terminal = PromptTerminal(sys.stdout)
        self.prompt_text = "pyex(1)> "
        self.continuation_text = "...(1)> "
        self.question = False  # the prompt asks (a pry request): an empty answer counts
        self.exit_status: int | None = None
        self._late_ctrl_c = False  # Ctrl+C read after Enter, while the prompt was going
        # SIGINTs the terminal sent this process (both processes get each one): one
        # that comes after the prompt ended, before its command is sent, is that
        # command's; the runtime, not knowing of the command yet, drops its copy.
        self._sigints = 0
        self._question_ctrl_c = False  # the runtime got Ctrl+C for a question not up yet
        self._sigints_at_raw = 0  # when the prompt took the terminal (raw: no SIGINT after)
        self._first_render = False
        self._completion_ids = itertools.count(1)
        self._stashed: list[Message] = []  # read while waiting for completions
        self.prompt_session: PromptSession[str] = PromptSession(
            message=lambda: self.prompt_text,
            prompt_continuation=lambda width, line, wrap: self.continuation_text,
            multiline=True,
            key_bindings=merge_key_bindings([key_bindings(), self._late_ctrl_c_binding()]),
            lexer=PygmentsLexer(PythonLexer) if color else None,
            completer=ShellCompleter(self._complete),
            complete_while_typing=False,
            auto_suggest=AutoSuggestFromHistory(),
            history=_history(),
            style=_style(color),
            include_default_pygments_style=color,
            color_depth=None if color else ColorDepth.DEPTH_1_BIT,
            enable_suspend=True,
            tempfile_suffix=".py",
        )
        self.prompt_session.app.before_render += self._on_render

    def _set_color(self, color: bool) -> None:
        """configure(colors=...): highlighting on or off from the next prompt on."""
        self.color = color
        session = self.prompt_session
        session.lexer = PygmentsLexer(PythonLexer) if color else None
        session.color_depth = None if color else ColorDepth.DEPTH_1_BIT
        session.style = _style(color)

    def _columns(self) -> int:
        return shutil.get_terminal_size((80, 24)).columns

    def _red(self, text: str) -> str:
        return f"{_RED}{text}{_RESET}" if self.color else text

    # -- completion (asked of the runtime, which holds the namespace) --------

    def _complete(self, word: str) -> list[tuple[str, str]]:
        """Ask the runtime for completions of ``word``; waits for the answer.

        Called from the Tab key's handler, in the prompt's event loop: what the
        runtime sends meanwhile is kept and shown right after.
        """
        number = next(self._completion_ids)
        if not self.writer.send({"op": "complete", "id": number, "word": word}):
            return []
        deadline = time.monotonic() + COMPLETION_TIMEOUT
        items: list[tuple[str, str]] = []
        while True:
            message = self.reader.read(timeout=max(0.0, deadline - time.monotonic()))
            if message is None:
                break
            if message["op"] == "completions" and message["id"] == number:
                items = [(text, kind) for text, kind in message["items"]]
                break
            self._stashed.append(message)
        if self._stashed:
            asyncio.get_running_loop().call_soon(self._on_events)
        return items

    # -- messages from the runtime -------------------------------------------

    def _take_prompts(self, message: Message) -> None:
        colors = message.get("colors")
        if colors is not None and colors != self.color:
            self._set_color(bool(colors))
        if "prompt" in message:
            self.prompt_text = message["prompt"]
            self.continuation_text = message["continuation"]
            self.question = bool(message.get("question"))

    def _notice_text(self, message: Message) -> str:
        text = message.get("text", "").rstrip("\n")
        text = (self._red(text) if message.get("error") else text) + "\n"
        if message.get("banner"):
            text += "\n" + message["banner"] + "\n"
        return text

    def _handle_now(self, message: Message) -> Message | None:
        """Handle a message while no prompt is up; returns a result or exit message."""
        op = message["op"]
        if op == "output":
            self.terminal.write(message["text"])
        elif op == "notice":
            self.terminal.end_line()
            self.terminal.write(self._notice_text(message))
            self._take_prompts(message)
        elif op == "clear":
            self.terminal.clear_screen()
        elif op == "ctrl_c":
            self._question_ctrl_c = True
        elif op == "prompt":
            self._take_prompts(message)
        elif op in ("result", "exit", "ready"):
            return message
        return None

    def _wait_for(self) -> Message:
        """Wait for a result, showing output as it comes.

        Ctrl+C meanwhile is the runtime's: the terminal sends it SIGINT too, and
        its session interrupts the command (this process only counts SIGINTs).
        """
        while True:
            message = self.reader.read()
            if message is None:
                raise _RuntimeGone
            final = self._handle_now(message)
            if final is not None:
                return final

    def _on_events(self) -> None:
        """While the prompt is up: what the runtime sent goes above the prompt."""
        app = get_app_or_none()
        messages, self._stashed = self._stashed + self.reader.read_available(), []
        for message in messages:
            op = message["op"]
            if op == "output":
                self.terminal.write_above_prompt(message["text"])
            elif op == "notice":
                self._take_prompts(message)
                self.terminal.write_above_prompt(self._notice_text(message))
                if app is not None:
                    app.invalidate()
            elif op == "clear":
                run_in_terminal(self.terminal.clear_screen, in_executor=False)
            elif op == "ctrl_c" and self.question and app is not None:
                self._interrupt_question(app)
            elif op == "prompt":
                self._take_prompts(message)
                if app is not None:
                    app.invalidate()
            elif op == "exit" and app is not None:
                self.exit_status = int(message.get("status") or 0)
                app.exit(exception=EOFError())
        if self.reader.eof and app is not None:
            app.exit(exception=_RuntimeGone())

    def _prompt_started(self) -> None:
        self._first_render = True
        app = get_app_or_none()
        self.terminal.prompt_started(app)
        loop = asyncio.get_running_loop()
        loop.add_reader(self.reader.fd, self._on_events)
        self._on_events()  # messages read earlier but not shown yet

    # -- showing a result ------------------------------------------------------

    def show(self, result: Message) -> None:
        terminal = self.terminal
        text = result.get("text", "")
        if text:
            terminal.end_line()
            if result.get("error"):
                terminal.write(self._red(text) + "\n")
            elif self.color and len(text) <= HIGHLIGHT_LIMIT:
                terminal.write(highlight(text, PythonLexer(), TerminalFormatter()))
            else:
                self._write_long(text + "\n")
        terminal.end_line()
        if result.get("restarted"):
            terminal.write("\n" + result.get("banner", "") + "\n")
        self._take_prompts(result)

    def _show_view(self, view: Message) -> None:
        """A full-screen view a command asked for (top()); the prompt comes back after it."""
        from .top import TopView

        if view.get("name") == "top":
            TopView(self.writer, self.reader, self._stashed.append, view, self.color).run()
            if self.reader.eof:
                raise _RuntimeGone

    def _write_long(self, text: str) -> None:
        """Write ``text`` a chunk at a time; Ctrl+C (SIGINT: the terminal is cooked) stops it."""
        if len(text) <= CHUNK:
            self.terminal.write(text)
            return
        stopped: list[bool] = []
        previous = signal.signal(signal.SIGINT, lambda signum, frame: stopped.append(True))
        try:
            for start in range(0, len(text), CHUNK):
                if stopped:
                    self.terminal.end_line()
                    self.terminal.write("[pyex: the rest of the result was not shown: Ctrl+C]\n")
                    break
                self.terminal.write(text[start : start + CHUNK])
        finally:
            signal.signal(signal.SIGINT, previous)

    def count_sigint(self, signum: int, frame: Any) -> None:
        """SIGINT: Ctrl+C while the terminal is cooked (no prompt is up)."""
        self._sigints += 1

    def _on_render(self, app: Any) -> None:
        """The prompt's first drawing: the terminal is raw now, Ctrl+C a key until Enter.

        A SIGINT before, since the last result came, is nobody's at a new
        command's prompt (the command had ended); at a question (a process
        waits in input()) the runtime tells us of it (op ``ctrl_c``).
        """
        if not self._first_render:
            return
        self._first_render = False
        self._sigints_at_raw = self._sigints
        pressed, self._question_ctrl_c = self._question_ctrl_c, False
        if self.question and pressed:
            asyncio.get_running_loop().call_soon(self._interrupt_question, app)

    @staticmethod
    def _interrupt_question(app: Any) -> None:
        if app.future is not None and not app.future.done():
            app.exit(exception=KeyboardInterrupt())

    def _late_ctrl_c_binding(self) -> KeyBindings:
        """Ctrl+C read once Enter has ended the prompt: kept for the command, not lost."""
        bindings = KeyBindings()

        @Condition
        def prompt_ending() -> bool:
            app = get_app_or_none()
            return app is not None and (app.is_done or (app.future is not None and app.future.done()))

        @bindings.add("c-c", filter=prompt_ending, eager=True)
        def _late(event: KeyPressEvent) -> None:
            self._late_ctrl_c = True

        return bindings

    def _ctrl_c_typed_ahead(self) -> bool:
        """Whether Ctrl+C came with the Enter that ended the prompt, and is this command's.

        It may have been handled late by the prompt, be read but not handled
        (prompt_toolkit's typeahead), or be still unread in the terminal. Keys
        after it are kept for the next prompt; those before it go, as Ctrl+C
        drops a line.
        """
        pressed, self._late_ctrl_c = self._late_ctrl_c, False
        keys = get_typeahead(self.prompt_session.input) + self._unread_keys()
        presses = [index for index, key in enumerate(keys) if key.key == Keys.ControlC]
        if presses:
            keys = keys[presses[-1] + 1 :]
        store_typeahead(self.prompt_session.input, keys)
        return pressed or bool(presses)

    def _unread_keys(self) -> list[Any]:
        """Keys typed while the prompt went away, before the terminal turned Ctrl+C into SIGINT."""
        try:
            fd = sys.stdin.fileno()
            saved = termios.tcgetattr(fd)
        except (termios.error, OSError, ValueError, AttributeError):
            return []
        data = b""
        try:
            raw = termios.tcgetattr(fd)
            raw[3] &= ~(termios.ICANON | termios.ECHO)
            raw[6][termios.VMIN] = 0
            raw[6][termios.VTIME] = 0
            termios.tcsetattr(fd, termios.TCSANOW, raw)
            while select.select([fd], [], [], 0)[0]:
                chunk = os.read(fd, 4096)
                if not chunk:
                    break
                data += chunk
        except (termios.error, OSError):
            pass
        finally:
            termios.tcsetattr(fd, termios.TCSANOW, saved)
        if not data:
            return []
        keys: list[Any] = []
        Vt100Parser(keys.append).feed_and_flush(data.decode("utf-8", "replace"))
        return keys

    # -- the loop ----------------------------------------------------------

    def run(self) -> int:
        try:
            first = self._wait_for()
            if first["op"] == "exit":
                return int(first.get("status") or 0)
            self._take_prompts(first)
            while True:
                cancel: str | None = None  # Ctrl+C / Ctrl+D at a question: "interrupt" / "eof"
                try:
                    # At the prompt Ctrl+C is a key (the terminal is in raw
                    # mode); during a command it is the runtime's to handle.
                    text = self.prompt_session.prompt(
                        pre_run=self._prompt_started, handle_sigint=False
                    )
                except KeyboardInterrupt:
                    if not self.question:
                        continue
                    # At a question (pry request, a process reading a line): the runtime says no.
                    text, cancel = "", "interrupt"
                except EOFError:
                    if self.exit_status is not None:
                        return self.exit_status
                    if self.question:  # end of input for the reading process, not for pyex
                        text, cancel = "", "eof"
                    else:
                        self.terminal.write("\n")
                        self.writer.send({"op": "exit", "status": 0})
                        return 0
                finally:
                    self.terminal.prompt_ended()
                if cancel is None and not text.strip() and not self.question:
                    continue
                message = {
                    "op": "eval",
                    "source": text,
                    "width": self._columns(),
                    "cancel": cancel,
                }
                typed_ahead = self._ctrl_c_typed_ahead()
                # A SIGINT after Enter, before the command is sent (the runtime dropped its copy).
                pressed_after_enter = self._sigints != self._sigints_at_raw
                if typed_ahead or pressed_after_enter:
                    message["interrupt"] = True  # pressed with Enter: it is this command's
                self.writer.send(message)
                result = self._wait_for()
                if result["op"] == "exit":
                    return int(result.get("status") or 0)
                if not typed_ahead and result.get("interrupted"):
                    # Ctrl+C during the command: the terminal echoed ^C where the cursor was.
                    self.terminal.at_line_start = False
                self.show(result)
                if result.get("exit") is not None:
                    return int(result["exit"])
                if result.get("view"):
                    self._show_view(result["view"])
        except _RuntimeGone:
            return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pyex-prompt")
    parser.add_argument("--commands", type=int, required=True)
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--no-color", action="store_true")
    options = parser.parse_args(argv)
    color = not options.no_color and not os.environ.get("NO_COLOR") and sys.stdout.isatty()
    prompt = PromptProcess(options.commands, options.events, color)
    signal.signal(signal.SIGINT, prompt.count_sigint)
    with _ctrl_d_kept():
        return prompt.run()


@contextlib.contextmanager
def _ctrl_d_kept() -> Iterator[None]:
    """While pyex runs, Ctrl+D typed with no prompt up waits for the next prompt, as a key.

    A cooked terminal turns Ctrl+D into an end of file for whoever reads next
    and keeps nothing: pressed as a question (``input()``) comes up, before
    the prompt reads the terminal, it was lost. With the terminal's EOF
    character disabled it stays in the input as the key, and the prompt gets it.
    """
    try:
        fd = sys.stdin.fileno()
        saved = termios.tcgetattr(fd)
        changed = termios.tcgetattr(fd)
        changed[6][termios.VEOF] = bytes([max(os.fpathconf(fd, "PC_VDISABLE"), 0)])
        termios.tcsetattr(fd, termios.TCSANOW, changed)
    except (termios.error, OSError, ValueError, AttributeError):  # not a terminal
        yield
        return
    try:
        yield
    finally:
        try:
            termios.tcsetattr(fd, termios.TCSANOW, saved)
        except termios.error:
            pass


if __name__ == "__main__":
    sys.exit(main())
