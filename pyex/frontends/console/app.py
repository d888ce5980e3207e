"""The interactive console: prompt_toolkit in front of a shell Session.

The console is iex's server side: it reads a command (highlighted, completed,
with history), hands it to the session, and shows what comes back. Ctrl+C at
the prompt clears the line; during a command it interrupts the command (three
times kills the shell process, which is then replaced). Ctrl+D leaves at once.
"""

from __future__ import annotations

import os
import shutil
from prompt_toolkit import PromptSession
from prompt_toolkit.application import get_app_or_none, run_in_terminal
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.lexers import PygmentsLexer
from prompt_toolkit.output import ColorDepth, create_output
from prompt_toolkit.styles import Style
from pygments import highlight
from pygments.formatters import TerminalFormatter
from pygments.lexers import PythonLexer

from ...shell import Evaluation, Session, banner
from ...shell.output import original_stream
from .completer import ShellCompleter
from .keys import key_bindings
from .terminal import TerminalDisplay

__all__ = ["Console", "run_console", "history_path"]

_RED = "\x1b[31m"
_RESET = "\x1b[0m"


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


class Console:
    """One interactive session in the terminal."""

    def __init__(self, color: bool = True) -> None:
        self.color = color
        stdout = original_stream("stdout")
        self.display = TerminalDisplay(stdout, self._columns)
        self.display.on_shell_down = self._shell_down_at_prompt
        self.session = Session(self.display, main_module=True)
        self.prompt_session: PromptSession[str] = PromptSession(
            message=lambda: self.session.prompt(),
            prompt_continuation=lambda width, line, wrap: self.session.continuation_prompt(),
            multiline=True,
            key_bindings=key_bindings(),
            lexer=PygmentsLexer(PythonLexer) if color else None,
            completer=ShellCompleter(self.session.namespace),
            complete_while_typing=False,
            auto_suggest=AutoSuggestFromHistory(),
            history=_history(),
            style=Style.from_dict({"prompt": "", "continuation": ""}),
            include_default_pygments_style=color,
            color_depth=None if color else ColorDepth.DEPTH_1_BIT,
            output=create_output(stdout=stdout),
            enable_suspend=True,
            tempfile_suffix=".py",
        )

    def _columns(self) -> int:
        return shutil.get_terminal_size((80, 24)).columns

    # -- showing -----------------------------------------------------------

    def _error(self, text: str) -> str:
        return f"{_RED}{text}{_RESET}" if self.color else text

    def show(self, evaluation: Evaluation) -> None:
        """Write a command's result (its output was written as it came)."""
        display = self.display
        text = evaluation.result_text
        if text:
            display.end_line()
            if evaluation.error is not None or evaluation.shell_exited:
                display.write(self._error(text) + "\n")
            elif self.color:
                display.write(highlight(text, PythonLexer(), TerminalFormatter()))
            else:
                display.write(text + "\n")
        display.end_line()
        if evaluation.restarted:
            display.write("\n" + banner() + "\n")

    def _show_notice(self, notice: str) -> None:
        self.display.end_line()
        self.display.write(self._error(notice) + "\n\n" + banner() + "\n")

    def _shell_down_at_prompt(self) -> None:
        # In the prompt's event loop: the shell process died while the user typed.
        notice = self.session.recover()
        if notice is None:
            return
        text = self._error(notice) + "\n\n" + banner() + "\n"
        run_in_terminal(lambda: self.display.write(text), in_executor=False)
        app = get_app_or_none()
        if app is not None:
            app.invalidate()

    # -- the loop ----------------------------------------------------------

    def _prompt_started(self) -> None:
        self.display.prompt_started(get_app_or_none())

    def run(self, startup: str | None = None, first: tuple[str, str | None] | None = None) -> int:
        """Run until Ctrl+D or exit(); returns the exit status."""
        self.display.write(banner() + "\n")
        self.session.start()
        if startup is not None:
            evaluation = self.session.run_file(startup)
            if evaluation.error is not None:
                self.display.write(self._error(f"pyex: error in {startup}:\n{evaluation.result_text}") + "\n")
        if first is not None:
            name, code = first
            evaluation = (
                self.session.run_file(name)
                if code is None
                else self.session.eval(code, filename=name)
            )
            self.show(evaluation)
            if evaluation.exit_code is not None:
                return evaluation.exit_code
        while True:
            notice = self.session.recover()
            if notice is not None:
                self._show_notice(notice)
            try:
                text = self.prompt_session.prompt(pre_run=self._prompt_started)
            except KeyboardInterrupt:
                continue
            except EOFError:
                self.display.write("\n")
                return 0
            finally:
                self.display.prompt_ended()
            if not text.strip():
                continue
            evaluation = self.session.eval(text)
            self.show(evaluation)
            if evaluation.exit_code is not None:
                return evaluation.exit_code


def run_console(
    color: bool = True,
    startup: str | None = None,
    first: tuple[str, str | None] | None = None,
) -> int:
    """Start the interactive console in this terminal; returns the exit status."""
    return Console(color=color).run(startup=startup, first=first)

