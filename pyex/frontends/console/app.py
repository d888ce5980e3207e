"""The interactive console: prompt_toolkit in front of a shell Session.

The console is iex's server side: it reads a command (highlighted, completed,
with history), hands it to the session, and shows what comes back. Ctrl+C at
the prompt clears the line; during a command it interrupts the command (three
times kills the shell process, which is then replaced). Ctrl+D leaves at once.

Ctrl+C during a command comes as SIGINT. Nothing is raised in the console's
thread for it: the signal's wake-up file (``signal.set_wakeup_fd``) tells an
interrupter thread, which interrupts the running command. So a press that
comes as a command ends, or as the prompt comes and goes, lands in neither the
console's nor prompt_toolkit's own work (it used to end pyex); and a press is
not lost when the kernel hands the signal to another thread than the
console's, which waits for the command's result unwoken by it.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
from typing import Any

from prompt_toolkit import PromptSession
from prompt_toolkit.application import get_app_or_none
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

# Ctrl+C this many times during one command kills the shell process.
INTERRUPTS_BEFORE_KILL = 3

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
        self._command = 0  # the command Ctrl+C counts towards; 0 while none runs
        self._commands = 0
        self._wakeup: tuple[int, int] | None = None  # the signals' wake-up pipe

    def _columns(self) -> int:
        return shutil.get_terminal_size((80, 24)).columns

    # -- Ctrl+C during a command -------------------------------------------

    @staticmethod
    def _on_sigint(signum: int, frame: Any) -> None:
        """Nothing: a Python handler must be set for the wake-up file to be written."""

    def _interrupt_loop(self, wakeup: int) -> None:
        counted, presses = 0, 0
        while True:
            try:
                signals = os.read(wakeup, 512)
            except OSError:
                signals = b""
            if not signals:  # the console is done
                os.close(wakeup)
                return
            for number in signals:
                command = self._command
                if number != signal.SIGINT or command == 0:
                    continue  # another signal, or no command runs: nothing to interrupt
                presses = presses + 1 if command == counted else 1
                counted = command
                if presses >= INTERRUPTS_BEFORE_KILL:
                    self.session.kill_shell()
                else:
                    self.session.interrupt()

    def _eval(self, source: str | None, filename: str | None = None) -> Evaluation:
        """Run a command (a file when ``source`` is None); Ctrl+C meanwhile interrupts it."""
        if self._wakeup is not None:
            # The prompt's event loop took the wake-up file for its own signals.
            signal.set_wakeup_fd(self._wakeup[1], warn_on_full_buffer=False)
        self._commands += 1
        self._command = self._commands
        try:
            if source is None:
                assert filename is not None
                return self.session.run_file(filename)
            return self.session.eval(source, filename=filename)
        finally:
            self._command = 0

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
        # After what other processes printed before it; the prompt, drawn
        # again after it, starts again at pyex(1).
        self.display.write_above_prompt(self._error(notice) + "\n\n" + banner() + "\n")

    # -- the loop ----------------------------------------------------------

    def _prompt_started(self) -> None:
        self.display.prompt_started(get_app_or_none())

    def run(self, startup: str | None = None, first: tuple[str, str | None] | None = None) -> int:
        """Run until Ctrl+D or exit(); returns the exit status."""
        if threading.current_thread() is not threading.main_thread():
            return self._run(startup, first)
        read, write = os.pipe()
        os.set_blocking(write, False)
        self._wakeup = (read, write)
        previous = signal.signal(signal.SIGINT, self._on_sigint)
        previous_wakeup = signal.set_wakeup_fd(write, warn_on_full_buffer=False)
        threading.Thread(
            target=self._interrupt_loop, args=(read,), name="pyex-console-ctrl-c", daemon=True
        ).start()
        try:
            return self._run(startup, first)
        finally:
            signal.set_wakeup_fd(previous_wakeup)
            signal.signal(signal.SIGINT, previous)
            self._wakeup = None
            os.close(write)  # the interrupter thread reads end of file and ends

    def _run(self, startup: str | None, first: tuple[str, str | None] | None) -> int:
        self.display.write(banner() + "\n")
        self.session.start()
        if startup is not None:
            evaluation = self._eval(None, startup)
            if evaluation.error is not None:
                self.display.write(self._error(f"pyex: error in {startup}:\n{evaluation.result_text}") + "\n")
        if first is not None:
            name, code = first
            evaluation = self._eval(code, name)
            self.show(evaluation)
            if evaluation.exit_code is not None:
                return evaluation.exit_code
        while True:
            notice = self.session.recover()
            if notice is not None:
                self._show_notice(notice)
            try:
                # prompt_toolkit's SIGINT handler would replace ours; at the
                # prompt, Ctrl+C is a key anyway (the terminal is in raw mode).
                text = self.prompt_session.prompt(
                    pre_run=self._prompt_started, handle_sigint=False
                )
            except KeyboardInterrupt:
                continue
            except EOFError:
                self.display.write("\n")
                return 0
            finally:
                self.display.prompt_ended()
            if not text.strip():
                continue
            evaluation = self._eval(text)
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

