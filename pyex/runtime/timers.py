"""Timers: messages delivered after a delay, from one timer thread.

A cancelled timer leaves the queue soon: its entry is dropped at once from the
lookup table, and the heap is compacted whenever cancelled entries make up
half of it, so memory follows the live timers only. A delay too long for the
clock (``math.inf``, see timeouts) is a timer that never fires but can still
be cancelled.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from typing import Callable

from .services import Service
from .timeouts import clamp
from .values import Ref, make_ref

__all__ = ["schedule", "cancel", "pending"]


class _Timer:
    __slots__ = ("deadline", "seq", "ref", "fire")

    def __init__(self, deadline: float, seq: int, ref: Ref, fire: Callable[[], None]) -> None:
        self.deadline = deadline
        self.seq = seq
        self.ref = ref
        self.fire = fire

    def __lt__(self, other: _Timer) -> bool:
        return (self.deadline, self.seq) < (other.deadline, other.seq)


_cond = threading.Condition(threading.Lock())
_heap: list[_Timer] = []
_by_ref: dict[Ref, _Timer] = {}
_seq = itertools.count()
_cancelled = 0  # entries of _heap whose timer was cancelled (under _cond)
COMPACT_AT = 64  # never compact a heap smaller than this


def schedule(seconds: float, fire: Callable[[], None]) -> Ref:
    """Call ``fire()`` from the timer thread in ``seconds``; returns the timer's ref."""
    _service.ensure()
    ref = make_ref()
    with _cond:
        timer = _Timer(time.monotonic() + seconds, next(_seq), ref, fire)
        heapq.heappush(_heap, timer)
        _by_ref[ref] = timer
        if _heap[0] is timer:
            _cond.notify()
    return ref


def cancel(ref: Ref) -> float | bool:
    """Cancel a timer: the seconds it had left, or False if it already fired or never was."""
    global _cancelled, _heap
    with _cond:
        timer = _by_ref.pop(ref, None)
        if timer is None:
            return False
        timer.fire = _nothing  # also lets go of the message at once
        _cancelled += 1
        if _cancelled >= COMPACT_AT and 2 * _cancelled >= len(_heap):
            _heap = [entry for entry in _heap if entry.fire is not _nothing]
            heapq.heapify(_heap)
            _cancelled = 0
        return max(0.0, timer.deadline - time.monotonic())


def pending() -> int:
    """How many timers have not fired yet."""
    return len(_by_ref)


def _nothing() -> None:
    pass


def _loop() -> None:
    global _cancelled
    while True:
        with _cond:
            while True:
                now = time.monotonic()
                if _heap and _heap[0].deadline <= now:
                    timer = heapq.heappop(_heap)
                    if timer.fire is _nothing:
                        _cancelled -= 1
                        continue
                    if _by_ref.get(timer.ref) is timer:
                        del _by_ref[timer.ref]
                    break
                # At most timeouts.LONGEST at a time: no deadline can stop the thread.
                _cond.wait(clamp(_heap[0].deadline - now) if _heap else None)
        try:
            timer.fire()
        except Exception:  # delivery to a vanished name is silently dropped
            pass
        del timer  # let go of the message now


_service = Service("pyex-timers", _loop)
