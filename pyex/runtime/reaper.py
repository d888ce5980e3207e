"""Making sure that a process an exit signal ended does end.

A signal reaches running code as an exception raised at its next safe point
(see safe_points), and user code can catch it: ``except BaseException: pass``
in a loop, a ``finally`` that blocks, a thread stuck in a C call. So every
process that was told to exit while running its own code is watched here
until that code has unwound (``exits.settle``). Until then the exception is
raised into its thread again every ``RETRY_SECONDS``, as ``Insist``, which is
``Repeating``: when a handler has swallowed it, it is raised again at the
next safe point after the handler, one handler per try.

A process still running ``FORCE_AFTER`` seconds after it was told (stuck in a
C call, say) is finished on its behalf: its links and monitors hear of its
exit, its pid and name are freed, and a warning is logged -- unless its
thread has been waiting for a CPU all along (a kill of thousands on a busy
machine: not stuck, only not run yet), which is finished silently. Its thread, which no
longer stands for any process, is still pressed until it unwinds and returns to
the pool: Python has no way to stop a thread blocked in C, nor one that
keeps the exceptions it catches. Such a thread calling the runtime
again is made to idle there, so that it does not burn CPU meanwhile.

So a kill takes effect for every other process within ``FORCE_AFTER`` seconds,
whatever the killed code does. The reaper's thread starts on first use and only
ever takes one process's lock at a time.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections import deque
from queue import Empty, SimpleQueue
from typing import TYPE_CHECKING, Callable

from . import hooks, service_log
from .async_exc import raise_safely
from .errors import ProcessExit
from .record import raise_verdict
from .safe_points import Repeating
from .services import Service
from .states import EXITING, RUNNING
from .thread_clock import thread_cpu_seconds

if TYPE_CHECKING:
    from .record import ProcessRecord

Finisher = Callable[["ProcessRecord"], None]

__all__ = [
    "watch",
    "watched",
    "Insist",
    "RETRY_SECONDS",
    "FORCE_AFTER",
    "GIVE_UP_SECONDS",
    "zombie_exit",
]

RETRY_SECONDS = 0.01  # how often the exit is raised again into code that carries on
FORCE_AFTER = 0.05  # when the runtime finishes the process on its behalf
GIVE_UP_SECONDS = 0.25  # the pace of pressing a thread after its process was finished
STARVED_CPU_SECONDS = 0.001  # less CPU than this since the first press: it never ran

logger = logging.getLogger("pyex")

# Processes to watch, with when they were told: (process, its finisher, told at).
# The reaper's thread is woken for them only when its sleep would end too late
# to press them on time (a kill of thousands would otherwise wake it for each).
_incoming: deque[tuple[ProcessRecord, Finisher, float]] = deque()
_incoming_lock = threading.Lock()  # guards _incoming and _sleeps_until
_sleeps_until = 0.0  # when the reaper's thread next looks at _incoming by itself
_wakeup: SimpleQueue[None] = SimpleQueue()
_count = 0  # processes watched now (read by tests; written by the reaper's thread)


def zombie_exit(proc: ProcessRecord) -> ProcessExit:
    """The exit to raise in a zombie (finished here while its code runs on) that calls the runtime.

    It may not act: it idles a while first, so a loop that keeps catching its
    exit and calling again does not burn CPU.
    """
    time.sleep(GIVE_UP_SECONDS)
    return ProcessExit(proc.exit_reason)

class Insist(ProcessExit, Repeating):
    """The exit, raised again into code that caught it (and again, one handler per try)."""


def watch(proc: ProcessRecord, finish: Finisher) -> None:
    """Watch ``proc``, whose exit was signalled, until its code has unwound.

    If it is still running ``FORCE_AFTER`` seconds later, ``finish(proc)``
    runs its exit on its behalf.
    """
    global _sleeps_until
    now = time.monotonic()
    with _incoming_lock:
        _incoming.append((proc, finish, now))
        wake = _sleeps_until > now + RETRY_SECONDS
        if wake:
            _sleeps_until = now  # one wake-up is enough for every process until it looks
    if wake:
        _wakeup.put(None)
    _service.ensure()  # last: should the thread fail to start now, a later call starts it


def watched() -> int:
    """How many processes the reaper watches now (or is about to)."""
    return _count + len(_incoming)


def _runnable(ident: int) -> bool:
    """True if thread ``ident`` is ready to run but waits for a CPU (Linux; False elsewhere)."""
    active: dict[int, threading.Thread] = getattr(threading, "_active", {})
    thread = active.get(ident)  # (threading's own map: the only one from ident to native id)
    native = getattr(thread, "native_id", None)
    if native is None:
        return False
    try:
        with open(f"/proc/self/task/{native}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return False
    return bool(fields) and fields[0] == b"R"


def _starved(ident: int, cpu_then: float | None) -> bool:
    """A thread that had no CPU since it was first pressed: not stuck, just not run yet.

    Killing thousands of processes at once leaves most of their threads
    waiting for a core; finishing them on their behalf is right (every other
    process hears of the kill on time), warning of each is not.
    """
    if cpu_then is None:
        return False
    now = thread_cpu_seconds(ident)
    return now is not None and now - cpu_then < STARVED_CPU_SECONDS and _runnable(ident)


def _press(
    proc: ProcessRecord, finish: Finisher, age: float, cpu_then: float | None
) -> tuple[float | None, float | None]:
    """One look at ``proc``: (seconds until the next, or None once it has settled; its CPU then)."""
    starved = False
    with proc.lock:
        if proc.settled:
            return None, None
        ident = proc.ident
        running = proc.activity is RUNNING and ident is not None
        if running and ident is not None:
            if cpu_then is None:
                cpu_then = thread_cpu_seconds(ident)  # (its thread lives while the lock is held)
            proc.raised_into = True
            raise_safely(ident, Insist, raise_verdict(proc))
        force = running and proc.lifecycle is EXITING and age >= FORCE_AFTER
        if force:
            assert ident is not None
            starved = _starved(ident, cpu_then)
            proc.zombie = True  # from now on it may not act (see hooks.zombies)
            hooks.zombie_appeared()
    if force:
        if not starved:
            # Queued, never logged here: a handler may be what the process is stuck in.
            service_log.log(
                logging.WARNING,
                "Process %s did not stop within %g s of its exit signal (reason: %r); "
                "it is finished without it and its thread is abandoned until it unwinds",
                proc.pid,
                FORCE_AFTER,
                proc.exit_reason,
            )
        finish(proc)
    if force or age >= 2 * FORCE_AFTER:
        return GIVE_UP_SECONDS, cpu_then
    return RETRY_SECONDS, cpu_then


def _loop() -> None:
    global _count, _sleeps_until
    # (due, seq, process, its finisher, told at, its thread's CPU time at the first press)
    heap: list[tuple[float, int, ProcessRecord, Finisher, float, float | None]] = []
    seq = itertools.count()
    while True:
        with _incoming_lock:
            batch = list(_incoming)
            _incoming.clear()
            if not batch:
                # Told of no process from now on, it looks again at the first due
                # one's time; watch() wakes it if that is too late.
                _sleeps_until = heap[0][0] if heap else float("inf")
        for proc, finish, told in batch:
            heapq.heappush(heap, (told + RETRY_SECONDS, next(seq), proc, finish, told, None))
        _count = len(heap)
        now = time.monotonic()
        if not batch and (not heap or heap[0][0] > now):
            try:
                _wakeup.get(True, heap[0][0] - now if heap else None)
            except Empty:
                pass
            continue
        while heap and heap[0][0] <= now:
            _, _, proc, finish, told, cpu_then = heapq.heappop(heap)
            try:
                delay, cpu_then = _press(proc, finish, now - told, cpu_then)
            except Exception as exc:  # never let one process stop the reaper
                service_log.log(
                    logging.ERROR, "pyex reaper: pressing %s failed", proc, exc_info=exc
                )
                delay = None
            if delay is not None:
                heapq.heappush(heap, (now + delay, next(seq), proc, finish, told, cpu_then))
        _count = len(heap)


_service = Service("pyex-reaper", _loop)
