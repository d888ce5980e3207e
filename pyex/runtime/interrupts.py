"""Interrupting a process: KeyboardInterrupt raised in its code (the console's Ctrl+C)."""

from __future__ import annotations

import threading
from typing import Callable

from .async_exc import raise_safely
from .delivery import wake
from .record import ProcessRecord
from .states import ALIVE, RUNNING

__all__ = ["interrupt", "clear_interrupt"]


def interrupt(proc: ProcessRecord) -> bool:
    """Raise KeyboardInterrupt in ``proc``; False if it is not running.

    Running its own code, it gets the exception at its next safe point (see
    safe_points); in a runtime section, as soon as the section is over.
    """
    with proc.lock:
        if proc.lifecycle is not ALIVE or proc.ident is None:
            return False
        proc.interrupt_pending = True  # whoever raises it first takes it (see _claim)
        if proc.activity is RUNNING:
            if proc.ident == threading.get_ident():
                proc.interrupt_pending = False
                raise KeyboardInterrupt
            proc.raised_into = True
            # At its code's next safe point, unless it enters a runtime
            # section first: that raises it (the token wakes its wait).
            if not raise_safely(proc.ident, KeyboardInterrupt, _claim(proc)):
                proc.interrupt_pending = False  # raised at once: nothing to claim
        wake(proc)
    return True


def _claim(proc: ProcessRecord) -> Callable[[], bool | None]:
    """The verdict of an interrupt raised at a safe point: it takes the pending interrupt.

    Asked in the process's thread: False if a section raised the interrupt
    already (or the process is ending); None inside a section, or if the lock
    is busy (the thread itself may hold it); True, and the interrupt is taken.
    """

    def claim() -> bool | None:
        if not proc.lock.acquire(False):
            return None
        try:
            if proc.settled or proc.lifecycle is not ALIVE or not proc.interrupt_pending:
                return False
            if proc.activity is not RUNNING:
                return None
            proc.interrupt_pending = False
            return True
        finally:
            proc.lock.release()

    return claim


def clear_interrupt(proc: ProcessRecord) -> None:
    """Forget an interrupt requested of ``proc`` that its sections have not raised yet."""
    with proc.lock:
        proc.interrupt_pending = False
