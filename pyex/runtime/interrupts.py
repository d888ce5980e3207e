"""Interrupting a process: KeyboardInterrupt raised in its code (the console's Ctrl+C)."""

from __future__ import annotations

import threading

from .async_exc import raise_safely
from .delivery import wake
from .record import ProcessRecord
from .states import ALIVE, RUNNING

__all__ = ["interrupt", "clear_interrupt"]


def interrupt(proc: ProcessRecord) -> bool:
    """Raise KeyboardInterrupt in ``proc``; False if it is not running.

    Running its own code, it gets the exception at once; in a runtime section,
    as soon as the section is over.
    """
    with proc.lock:
        if proc.lifecycle is not ALIVE or proc.ident is None:
            return False
        if proc.activity is RUNNING:
            if proc.ident == threading.get_ident():
                raise KeyboardInterrupt
            proc.raised_into = True
            raise_safely(proc.ident, KeyboardInterrupt, lambda: not proc.settled)
            # If it blocks in the runtime's wait before the exception is
            # raised, the token wakes it so that the exception can be.
            wake(proc)
        else:
            proc.interrupt_pending = True
            wake(proc)
    return True


def clear_interrupt(proc: ProcessRecord) -> None:
    """Forget an interrupt requested of ``proc`` that its sections have not raised yet."""
    with proc.lock:
        proc.interrupt_pending = False
