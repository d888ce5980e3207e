"""Raising an exception inside another thread: how a signal reaches busy code.

``raise_safely`` raises at the thread's next safe point (safe_points), which
the thread finds for itself. Where that cannot be done, and for
``raise_in_thread``: CPython checks for a pending asynchronous exception between bytecodes, so one
raised with ``PyThreadState_SetAsyncExc`` ends even a pure-Python
``while True: pass``. It cannot interrupt a blocking C call; the runtime's own
blocking waits are woken through the process's mailbox instead.

A pending exception is never cleared with ``PyThreadState_SetAsyncExc(id,
NULL)``: in CPython 3.11 that leaves the interpreter's "pending" flag set with
nothing to deliver, and a traced thread (a debugger, coverage) then spins for
ever at its next function call. ``clear_pending`` swaps the pending exception
for one of its own and takes that one at once, which clears the flag.
"""

from __future__ import annotations

import ctypes
import sys
import threading
from typing import Any

from .errors import ProcessExit
from .safe_points import Verdict, cancel_safe_point, raise_at_safe_point

__all__ = ["raise_in_thread", "raise_safely", "clear_pending"]

_set = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.py_object)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi)
)


def raise_in_thread(ident: int, exc_type: type[BaseException]) -> bool:
    """Make the thread ``ident`` raise ``exc_type`` at its next bytecode boundary."""
    if not _filtering and issubclass(exc_type, ProcessExit):
        _filter_unraisable()
    with _direct_lock:
        _direct.add(ident)
    return _set(ident, exc_type) == 1


def raise_safely(ident: int, exc_type: type[BaseException], verdict: Verdict) -> bool:
    """Make thread ``ident`` raise ``exc_type`` at its next safe point (see safe_points).

    ``verdict()``, asked in the thread there: True raises, None waits for a
    later safe point, False drops the raise. Call it holding the lock that
    keeps the thread's process from settling. Returns False if it could only
    raise at once, with ``raise_in_thread`` (``verdict`` not asked).
    """
    if not _filtering and issubclass(exc_type, ProcessExit):
        _filter_unraisable()
    if raise_at_safe_point(ident, exc_type, verdict):
        return True
    raise_in_thread(ident, exc_type)
    return False


# Threads an asynchronous exception was set for: only they may need clear_pending's walk.
_direct: set[int] = set()
_direct_lock = threading.Lock()

_filtering = False


def _filter_unraisable() -> None:
    """Keep exits that land in a finalizer out of ``sys.unraisablehook``.

    An exception raised into a thread may land while it runs a ``__del__`` or
    a weakref callback, where Python prints "Exception ignored in ..." and
    drops it. For an exit signal that is noise: the reaper raises it again.
    Installed on first use, in front of whatever hook is current then.
    """
    global _filtering
    _filtering = True
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        exc_type = unraisable.exc_type
        if exc_type is not None and issubclass(exc_type, ProcessExit):
            return
        previous(unraisable)

    sys.unraisablehook = hook


class _Cleared(BaseException):
    """Takes the place of a pending exception that clear_pending() drops."""


def _tick() -> None:
    pass


def clear_pending(ident: int | None = None) -> None:
    """Forget an asynchronous exception set for the calling thread and not yet raised.

    ``ident``, if given, must be the calling thread's: only a thread itself can
    take its pending exception.
    """
    own = threading.get_ident()
    if ident is not None and ident != own:
        raise ValueError("clear_pending() clears the calling thread's pending exception only")
    cancel_safe_point()  # one still waiting for a safe point
    with _direct_lock:
        if own not in _direct:
            return
        _direct.discard(own)
    try:
        # Setting it signals the interpreter, so the next function call takes
        # it; the loop guards against another thread clearing that signal
        # first (CPython's signal is shared by all threads). The whole loop is
        # inside the try, so it can be taken nowhere else.
        while True:
            _set(own, _Cleared)
            _tick()
            _tick()
    except _Cleared:
        pass
