"""The shell process: a receive loop that evaluates commands (iex's IEx.Evaluator).

Each command arrives as a message ``(session_tag, request_id, source, filename)``; the
evaluator runs it in the session's namespace, captures what it prints, formats
its value or error, and hands the Evaluation back to the session. The prompt
counter and the results ``v(n)`` returns belong to the evaluator: a new shell
process starts again at ``pyex(1)``.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..runtime import ProcessExit
from ..runtime.internal import clear_interrupt, clear_pending, current, receive_matching
from .awaiting import COMPILE_FLAGS
from .display import format_exception, format_value
from .hidden import hidden_helper_hint
from .source import command_filename, compile_source

if TYPE_CHECKING:
    from .session import Session

__all__ = ["Evaluation", "Evaluator"]


@dataclass
class Evaluation:
    """What one command did: its value, what it printed, its error, and the text shown."""

    source: str
    value: Any = None
    output: str = ""
    error: BaseException | None = None
    text: str = ""
    result_text: str = ""  # what the console prints after the command's own output
    counter: int = 0  # the prompt number the command ran at
    shell_exited: bool = False  # the shell process died running it (text holds the EXIT line)
    restarted: bool = False  # a new shell process took over after it (respawn or EXIT)
    exit_code: int | None = None  # exit() or quit() was called
    extra: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Evaluation(source={self.source!r}, text={self.text!r})"


def join_text(output: str, result: str) -> str:
    """The text the console shows: the command's output, then its result."""
    if output and result:
        return output.rstrip("\n") + "\n" + result
    return (output + result).rstrip("\n")


class Evaluator:
    """One shell process's state: the prompt counter and the results so far."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.counter = 1
        self.results: dict[int, Any] = {}
        self.respawn_requested = False

    # -- the process -------------------------------------------------------

    def main(self) -> None:
        """The shell process's body: evaluate commands until asked to respawn."""
        session = self.session
        tag = session.tag

        def is_request(message: Any) -> bool:
            return message.__class__ is tuple and len(message) == 4 and message[0] == tag

        while not self.respawn_requested:
            try:
                _, request_id, source, filename = receive_matching(is_request)
            except KeyboardInterrupt:
                continue  # Ctrl+C between commands: nothing to interrupt
            if not session.claim(request_id):
                continue  # given up before it started (eval's timeout): never run it
            try:
                evaluation = self.evaluate(request_id, source, filename)
            except KeyboardInterrupt as exc:  # landed in the evaluator's own code
                evaluation = Evaluation(source, error=exc, counter=self.counter)
                evaluation.text = evaluation.result_text = format_exception(exc)
            session.reply(request_id, evaluation)

    # -- one command -------------------------------------------------------

    def evaluate(self, request_id: int, source: str, path: str | None = None) -> Evaluation:
        """Run ``source`` in the namespace; never raises but for an exit signal.

        A command's last expression is shown and counted (``v(n)``); a file
        (``path`` given) runs as a whole and is neither shown nor counted.
        """
        session = self.session
        proc = current()
        evaluation = Evaluation(source, counter=self.counter)
        filename = path or command_filename(self.counter, source, session.command_names)
        captured: list[str] = []
        value: Any = None
        error: BaseException | None = None
        shown = ""
        try:
            session.begin_command(proc, captured, request_id)
            compiled = compile_source(source, filename, path is None, COMPILE_FLAGS)
            namespace = session.namespace
            if compiled.body is not None:
                session.loop.run(compiled.body, namespace)  # awaits on the session's loop
            if compiled.last_expression is not None:
                value = session.loop.run(compiled.last_expression, namespace)
            config = session.config
            shown = format_value(
                value, session.width(), config.get("inspect_limit"), config.get("printable_limit")
            )
            _flush_streams()
            session.end_command()
        except ProcessExit:
            raise
        except SystemExit as exc:
            evaluation.exit_code = _exit_code(exc.code)
        except BaseException as exc:  # every error is shown, the shell lives on
            error = exc
        _flush_streams()
        self._quiesce(proc)
        evaluation.output = "".join(captured)
        if error is not None:
            evaluation.error = error
            shown = format_exception(error, skip_top_level=filename)
            hint = hidden_helper_hint(error, source, session.namespace)
            if hint is not None:
                shown += "\n" + hint
        elif evaluation.exit_code is None and path is None:
            evaluation.value = value
            if source.strip():
                self.results[self.counter] = value
                self._forget_old_results()
                if value is not None:
                    session.namespace["_"] = value
                self.counter += 1
        evaluation.result_text = shown
        evaluation.text = join_text(evaluation.output, shown)
        return evaluation

    def _forget_old_results(self) -> None:
        """Keep the results of the last ``history_size`` commands only (iex's rule)."""
        keep = self.session.config.get("history_size")
        if keep < 0:
            return
        oldest = self.counter - keep
        for number in [number for number in self.results if number <= oldest]:
            del self.results[number]

    def _quiesce(self, proc: Any) -> None:
        """Stop interrupts aimed at the finished command, including one in flight."""
        while True:
            try:
                self.session.end_command()
                clear_interrupt(proc)
                clear_pending(threading.get_ident())
                return
            except KeyboardInterrupt:
                continue


def _flush_streams() -> None:
    """Pass on a partial line the command printed (routers hold it until a newline)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def _exit_code(code: Any) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    return 1

