"""Crash reports of the OTP behaviours, in Elixir's words, through the ``pyex`` logger.

Every report is one ERROR record on ``logging.getLogger('pyex')``: a multi-line
message (its first line names the process, like Elixir's ``GenServer #PID<0.90.0>
terminating``), ``exc_info`` when an exception ended the process -- with the
traceback cut so that it starts at the user's own frame -- and ``extra`` holding
``pyex_pid`` (the process) and ``pyex_report`` (which kind of report it is).
"""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Any

from ..runtime import Exit, Pid
from ..runtime.internal import is_pyex_file

__all__ = [
    "logger",
    "is_normal_exit",
    "describe_reason",
    "user_traceback",
    "safe_repr",
    "label",
    "server_terminating",
    "start_failed",
    "task_terminating",
    "unexpected_message",
]

logger = logging.getLogger("pyex")

MAX_REPR = 8096  # Elixir's logger truncates reports at about this size too


def is_normal_exit(reason: Any) -> bool:
    """True for the reasons that end a process quietly: normal, shutdown, ('shutdown', x)."""
    if reason.__class__ is str:
        return reason == "normal" or reason == "shutdown"
    return (
        reason.__class__ is tuple
        and len(reason) == 2
        and reason[0].__class__ is str
        and reason[0] == "shutdown"
    )


def safe_repr(value: Any, limit: int = MAX_REPR) -> str:
    """``repr(value)``, cut at ``limit`` characters, never raising."""
    try:
        text = repr(value)
    except Exception as exc:  # a broken __repr__ must not hide the report
        text = f"<unprintable {type(value).__name__}: {type(exc).__name__}>"
    if len(text) > limit:
        text = text[:limit] + " ...(truncated)"
    return text


def describe_reason(reason: Any) -> str:
    """How a non-exception exit reason reads after ``** (stop) ``."""
    if (
        reason.__class__ is tuple
        and len(reason) == 2
        and reason[0].__class__ is str
        and reason[0] == "bad_return_value"
    ):
        return f"bad return value: {safe_repr(reason[1])}"
    return safe_repr(reason)


def user_traceback(tb: TracebackType | None) -> TracebackType | None:
    """Drop the leading frames of pyex's machinery: the traceback starts at the user's frame."""
    start = tb
    while start is not None and is_pyex_file(start.tb_frame.f_code.co_filename):
        start = start.tb_next
    # A traceback made only of pyex frames is pyex's own bug: keep it whole.
    return start if start is not None else tb


def label(pid: Pid, name: str | None) -> str:
    """How a report names a process: its registered name if it has one, else its pid."""
    return repr(name) if name is not None else repr(pid)


def _emit(text: str, pid: Pid, kind: str, error: BaseException | None) -> None:
    exc_info: Any = None
    if error is not None:
        exc_info = (type(error), error, user_traceback(error.__traceback__))
    try:
        logger.error(text, exc_info=exc_info, extra={"pyex_pid": pid, "pyex_report": kind})
    except Exception:  # a broken handler must not break the process's exit
        pass


def _reason_lines(reason: Any) -> tuple[list[str], BaseException | None]:
    """The ``** (stop)`` line for a plain reason, or the exception to log as exc_info."""
    if isinstance(reason, BaseException) and not isinstance(reason, Exit):
        return [], reason
    return [f"** (stop) {describe_reason(reason)}"], None


def server_terminating(
    pid: Pid,
    name: str | None,
    reason: Any,
    last_message: Any,
    state: Any,
    behaviour: str = "GenServer",
    client: Pid | None = None,
    client_alive: bool = False,
) -> None:
    """Log Elixir's ``GenServer ... terminating`` report.

    ``last_message`` is ``(caller_pid, request)`` when ``client`` is given (the
    server was handling a call), else the raw message (or None).
    """
    lines, error = _reason_lines(reason)
    lines.insert(0, f"{behaviour} {label(pid, name)} terminating")
    if client is not None:
        lines.append(f"Last message (from {client!r}): {safe_repr(last_message)}")
    else:
        lines.append(f"Last message: {safe_repr(last_message)}")
    lines.append(f"State: {safe_repr(state)}")
    if client is not None:
        lines.append(f"Client {client!r} is {'alive' if client_alive else 'dead'}")
    _emit("\n".join(lines), pid, "terminating", error)


def start_failed(
    pid: Pid, reason: Any, initial_call: tuple[str, str, int], ancestors: list[Pid]
) -> None:
    """Log the crash of a behaviour process that raised while starting (in ``init``)."""
    lines, error = _reason_lines(reason)
    lines.insert(0, f"Process {pid!r} terminating")
    module, function, arity = initial_call
    lines.append(f"Initial Call: {module}.{function}/{arity}")
    lines.append(f"Ancestors: {safe_repr(ancestors)}")
    _emit("\n".join(lines), pid, "start_failed", error)


def task_terminating(
    pid: Pid, owner: Pid, reason: Any, function: Any, args: tuple[Any, ...]
) -> None:
    """Log Elixir's ``Task ... started from ... terminating`` report."""
    lines, error = _reason_lines(reason)
    lines.insert(0, f"Task {pid!r} started from {owner!r} terminating")
    lines.append(f"Function: {safe_repr(function)}")
    lines.append(f"    Args: {safe_repr(list(args))}")
    _emit("\n".join(lines), pid, "task_terminating", error)


def unexpected_message(pid: Pid, name: str | None, cls: type, message: Any) -> None:
    """Log what the default ``handle_info`` says about a message nobody expected."""
    text = (
        f"{cls.__qualname__} {label(pid, name)} received unexpected message in "
        f"handle_info: {safe_repr(message)}"
    )
    _emit(text, pid, "unexpected_message", None)
