"""The exceptions the runtime raises and understands."""

from __future__ import annotations

from typing import Any

__all__ = ["Exit", "ReceiveTimeout", "NotRegisteredError", "ProcessExit"]


class Exit(Exception):
    """Exit the current process with ``reason``, without a crash report.

    ``raise Exit('shutdown')`` in a process ends it with reason ``'shutdown'``.
    A failed ``GenServer.call`` raises it in the caller, with Elixir's reason
    shapes in ``.reason``; catching it is Elixir's ``catch :exit, reason``.
    """

    def __init__(self, reason: Any = "normal") -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return repr(self.reason)

    def __repr__(self) -> str:
        return f"Exit({self.reason!r})"


class ReceiveTimeout(TimeoutError):
    """No matching message arrived within receive()'s timeout (and no default was given)."""


class NotRegisteredError(LookupError):
    """No process is registered under the given name."""


class ProcessExit(BaseException):
    """Raised inside a process's own thread when an exit signal ends it.

    It derives from BaseException so that ``except Exception`` in user code does
    not swallow a kill. Users never need to raise or catch it.
    """
