"""Crash reports in iex's shape, shown by the shell the crashed process belongs to.

The runtime and the OTP layer log crashes through the ``pyex`` logger. The
handler here renders a record as Elixir's Logger does::

    <blank line>
    12:01:02.345 [error] Process #PID<0.90.0> raised an exception
    ** (RuntimeError) boom
        pyex(3):1: in <lambda>

and hands it to the group leader of the process that logged it (its shell).
"""

from __future__ import annotations

import logging
import threading
import time

from ..runtime.internal import bound
from .display import format_exception
from .output import leader_of, original_stream

__all__ = ["ReportHandler", "format_record", "install_report_handler"]

_install_lock = threading.Lock()


def format_record(record: logging.LogRecord) -> str:
    """A log record as iex prints it: time, [level], message, then the exception."""
    stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
    stamp += f".{int(record.msecs):03d}"
    message = record.getMessage()
    first, _, rest = message.partition("\n")
    lines = [f"{stamp} [{record.levelname.lower()}] {first}"]
    if record.exc_info and record.exc_info[1] is not None:
        exc = record.exc_info[1]
        saved = exc.__traceback__
        exc.__traceback__ = record.exc_info[2]
        try:
            lines.append(format_exception(exc))
        finally:
            exc.__traceback__ = saved
    if rest:
        lines.append(rest)
    return "\n" + "\n".join(lines) + "\n"


class ReportHandler(logging.Handler):
    """Sends ``pyex`` log records to the shell of the process that logged them."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = format_record(record)
        except Exception:
            self.handleError(record)
            return
        leader = leader_of(bound())
        report = getattr(leader, "write_report", None)
        if report is not None:
            report(text)
        elif not logging.getLogger().handlers:
            # Nobody else would show it (the root logger is not configured).
            stream = original_stream("stderr")
            stream.write(text)
            stream.flush()


_handler: ReportHandler | None = None


def install_report_handler() -> None:
    """Attach the handler to the ``pyex`` logger (once)."""
    global _handler
    with _install_lock:
        if _handler is None:
            _handler = ReportHandler(logging.ERROR)
            logging.getLogger("pyex").addHandler(_handler)
