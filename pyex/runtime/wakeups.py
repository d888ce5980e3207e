"""Waking processes that a signal ended while they were blocked, a few at a time.

A process blocked in the runtime's wait must be woken to run its exit. Waking
thousands at once (a supervisor's children, a kill loop) would leave thousands
of threads waiting for the interpreter lock, and CPython's lock hand-off slows
down with every waiter: 20,000 at once take minutes. So one waker thread wakes
them ``MAX_IN_FLIGHT`` at a time, each slot freed as a woken process finishes
(or after ``SLOT_SECONDS``, should one take long to unwind).
"""

from __future__ import annotations

import threading
from queue import SimpleQueue
from typing import TYPE_CHECKING

from .delivery import wake
from .services import Service
from .states import DEAD

if TYPE_CHECKING:
    from .record import ProcessRecord

__all__ = ["wake_to_exit", "release_slot", "MAX_IN_FLIGHT"]

MAX_IN_FLIGHT = 16
SLOT_SECONDS = 0.05

_queue: SimpleQueue[ProcessRecord] = SimpleQueue()
_slots = threading.Semaphore(MAX_IN_FLIGHT)


def wake_to_exit(proc: ProcessRecord) -> None:
    """Wake ``proc`` (blocked in its wait, already marked exiting) soon, so it exits."""
    _queue.put(proc)  # first: should the thread fail to start now, a later call starts it
    _service.ensure()


def release_slot() -> None:
    """Called by a woken process that held a slot, once it has finished its exit."""
    _slots.release()


def _loop() -> None:
    while True:
        proc = _queue.get()
        acquired = _slots.acquire(timeout=SLOT_SECONDS)
        with proc.lock:
            # Something else (a message) may have woken it and it is gone.
            if proc.lifecycle is not DEAD:
                proc.wake_slot = acquired
                acquired = False
                wake(proc)
        if acquired:
            _slots.release()


_service = Service("pyex-waker", _loop)
