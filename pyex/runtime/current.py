"""The current process: the calling thread's record, adopting a plain thread on first use."""

from __future__ import annotations

import threading

from .binding import bind, local, unbind
from .exits import exit_now, finish
from .node_state import NODE
from .record import ProcessRecord
from .safe_points import register_thread
from .states import DEAD

__all__ = ["current", "adopt", "retire_current"]

_local = local()


class _ThreadEndGuard:
    """Lives in an adopted thread's local storage; ends its process with the thread."""

    __slots__ = ("proc",)

    def __init__(self, proc: ProcessRecord) -> None:
        self.proc = proc

    def __del__(self) -> None:
        try:
            finish(self.proc)
        except Exception:  # interpreter shutdown: nothing left to tell
            pass


def adopt() -> ProcessRecord:
    """Make the calling thread (not started by the runtime) a process."""
    name = threading.current_thread().name
    proc = ProcessRecord(None, ("thread", name, 0), adopted=True)
    NODE.table.add(proc)
    bind(proc)
    _local.guard = _ThreadEndGuard(proc)
    register_thread(adopted=True)  # exits raised into it land at safe points too
    return proc


def current() -> ProcessRecord:
    """The calling thread's process, making the thread one if it is not yet."""
    try:
        proc: ProcessRecord = _local.proc
    except AttributeError:
        return adopt()
    if proc.lifecycle is DEAD:
        if proc.adopted:
            return adopt()
        if proc.zombie:
            # Declared dead while its code runs on: it may not act (spawn,
            # link, register, call...) -- its exit, again.
            raise exit_now(proc)
    return proc


def retire_current() -> None:
    """End the calling thread's adopted process (exit reason 'normal').

    The thread's next use of the runtime makes it a fresh process, with a new
    pid and an empty mailbox: what a test harness wants between tests.
    """
    proc = getattr(_local, "proc", None)
    if proc is None or not proc.adopted:
        return
    finish(proc)
    unbind()
    _local.guard = None
