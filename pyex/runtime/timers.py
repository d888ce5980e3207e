"""Timers: messages delivered after a delay, from one timer thread, on one clock.

A cancelled timer leaves the queue soon: its entry is dropped at once from the
lookup table, and the heap is compacted whenever cancelled entries make up
half of it, so memory follows the live timers only. A delay too long for the
clock (``math.inf``, see timeouts) is a timer that never fires but can still
be cancelled. Deadlines are read on the service's clock (clock.py): the
system's, or a ``ManualClock`` that a test moves by hand.

The node's one service is ``NODE.timers`` (node_state.py).
"""

from __future__ import annotations

import heapq
import itertools
import threading
from typing import Callable

from .clock import SYSTEM_CLOCK, Clock
from .services import Service
from .values import Ref

__all__ = ["TimerService", "COMPACT_AT"]

COMPACT_AT = 64  # never compact a heap smaller than this


class _Timer:
    __slots__ = ("deadline", "seq", "ref", "fire")

    def __init__(self, deadline: float, seq: int, ref: Ref, fire: Callable[[], None]) -> None:
        self.deadline = deadline
        self.seq = seq
        self.ref = ref
        self.fire = fire

    def __lt__(self, other: _Timer) -> bool:
        return (self.deadline, self.seq) < (other.deadline, other.seq)


def _nothing() -> None:
    pass


class TimerService:
    """Calls functions after a delay, in deadline order, from one thread started on first use.

    ``new_ref`` makes each timer's ref (the node's ``make_ref``). Everything
    here is guarded by one condition; the thread calls a timer's function
    without holding it.
    """

    def __init__(self, new_ref: Callable[[], Ref], clock: Clock = SYSTEM_CLOCK) -> None:
        self._new_ref = new_ref
        self._cond = threading.Condition(threading.Lock())
        self._heap: list[_Timer] = []
        self._by_ref: dict[Ref, _Timer] = {}
        self._seq = itertools.count()
        self._cancelled = 0  # entries of _heap whose timer was cancelled
        self._firing = False  # the thread is calling a timer's function now
        self._clock = clock
        clock.subscribe(self._moved)
        self._service = Service("pyex-timers", self._loop)

    @property
    def clock(self) -> Clock:
        """The clock deadlines are read on."""
        return self._clock

    def schedule(self, seconds: float, fire: Callable[[], None]) -> Ref:
        """Call ``fire()`` from the timer thread in ``seconds``; returns the timer's ref."""
        self._service.ensure()
        ref = self._new_ref()
        with self._cond:
            timer = _Timer(self._clock.now() + seconds, next(self._seq), ref, fire)
            heapq.heappush(self._heap, timer)
            self._by_ref[ref] = timer
            if self._heap[0] is timer:
                self._cond.notify_all()
        return ref

    def cancel(self, ref: Ref) -> float | bool:
        """Cancel a timer: the seconds it had left, or False if it already fired or never was."""
        with self._cond:
            timer = self._by_ref.pop(ref, None)
            if timer is None:
                return False
            timer.fire = _nothing  # also lets go of the message at once
            self._cancelled += 1
            if self._cancelled >= COMPACT_AT and 2 * self._cancelled >= len(self._heap):
                self._heap = [entry for entry in self._heap if entry.fire is not _nothing]
                heapq.heapify(self._heap)
                self._cancelled = 0
            return max(0.0, timer.deadline - self._clock.now())

    def pending(self) -> int:
        """How many timers have not fired yet."""
        return len(self._by_ref)

    def clear(self, clock: Clock | None = None) -> int:
        """Drop every pending timer (none of them fires); count on ``clock`` from now on if given.

        Returns how many timers were dropped. A timer being fired right now
        still completes.
        """
        old = self._clock
        with self._cond:
            dropped = len(self._by_ref)
            for timer in self._heap:
                timer.fire = _nothing
            self._heap = []
            self._by_ref.clear()
            self._cancelled = 0
            if clock is not None:
                self._clock = clock
            self._cond.notify_all()
        if clock is not None and clock is not old:
            old.unsubscribe(self._moved)
            clock.subscribe(self._moved)
        return dropped

    def _settled(self) -> bool:
        """Nothing due is left to fire (called under the condition)."""
        return not self._firing and not (self._heap and self._heap[0].deadline <= self._clock.now())

    def _moved(self) -> None:
        """The clock jumped: wake the thread, and return once it has fired what is now due."""
        with self._cond:
            self._cond.notify_all()
            while not self._settled():
                self._cond.wait()

    def _loop(self) -> None:
        cond = self._cond
        while True:
            with cond:
                self._firing = False
                while True:
                    now = self._clock.now()
                    heap = self._heap
                    if heap and heap[0].deadline <= now:
                        timer = heapq.heappop(heap)
                        if timer.fire is _nothing:
                            self._cancelled -= 1
                            continue
                        if self._by_ref.get(timer.ref) is timer:
                            del self._by_ref[timer.ref]
                        self._firing = True
                        break
                    cond.notify_all()  # nothing due is left: a clock's advance() waits for this
                    # At most timeouts.LONGEST at a time: no deadline can stop the thread.
                    cond.wait(self._clock.wait_for(heap[0].deadline - now) if heap else None)
            try:
                timer.fire()
            except Exception:  # delivery to a vanished name is silently dropped
                pass
            del timer  # let go of the message now
