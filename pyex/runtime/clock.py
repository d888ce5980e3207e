"""The clock timers count on: the system's monotonic clock, or one a test moves by hand.

The timer service (timers.py) reads ``now()`` for deadlines and blocks for
``wait_for(seconds)`` real seconds at most between looks. A ``ManualClock``
stands still until ``advance()`` moves it, so a test of timers says "0.2 s
later" without waiting 0.2 s and without a bound on how late a thread runs.
Receive timeouts and ``Process.sleep`` are not timers: they keep real time.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Protocol

from .timeouts import clamp

__all__ = ["Clock", "SystemClock", "ManualClock", "SYSTEM_CLOCK"]


class Clock(Protocol):
    """What the timer service needs of a clock."""

    def now(self) -> float:
        """The time now, in seconds (only differences mean anything)."""

    def wait_for(self, seconds: float | None) -> float | None:
        """How many real seconds a waiter may block while ``seconds`` pass on this clock (None: until woken)."""

    def subscribe(self, moved: Callable[[], None]) -> None:
        """Call ``moved()`` after each jump of this clock (the system clock never jumps)."""

    def unsubscribe(self, moved: Callable[[], None]) -> None:
        """Stop calling ``moved``."""


class SystemClock:
    """``time.monotonic``: real time, which no one moves."""

    def now(self) -> float:
        """``time.monotonic()``."""
        return time.monotonic()

    def wait_for(self, seconds: float | None) -> float | None:
        """``seconds``, capped at timeouts.LONGEST."""
        return clamp(seconds)

    def subscribe(self, moved: Callable[[], None]) -> None:
        """Nothing to do: this clock never jumps."""

    def unsubscribe(self, moved: Callable[[], None]) -> None:
        """Nothing to do."""

    def __repr__(self) -> str:
        return "SystemClock()"


SYSTEM_CLOCK = SystemClock()


class ManualClock:
    """A clock that stands still until ``advance()`` moves it: for tests of timers.

    ``advance(seconds)`` returns once every timer due by the new time has
    fired (its message is in the mailbox), so a test needs no wall-clock bound.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._lock = threading.Lock()
        self._now = start
        self._subscribers: list[Callable[[], None]] = []

    def now(self) -> float:
        """The time this clock shows."""
        return self._now

    def wait_for(self, seconds: float | None) -> float | None:
        """None: nothing but ``advance()`` brings a deadline nearer."""
        return None

    def advance(self, seconds: float) -> None:
        """Move the clock on by ``seconds``; returns once every timer then due has fired."""
        if seconds < 0:
            raise ValueError(f"a clock only moves forward, not by {seconds!r}")
        with self._lock:
            self._now += seconds
            subscribers = list(self._subscribers)
        for moved in subscribers:
            moved()

    def subscribe(self, moved: Callable[[], None]) -> None:
        """Call ``moved()`` after each ``advance()``."""
        with self._lock:
            self._subscribers.append(moved)

    def unsubscribe(self, moved: Callable[[], None]) -> None:
        """Stop calling ``moved`` (if it was subscribed)."""
        with self._lock:
            if moved in self._subscribers:
                self._subscribers.remove(moved)

    def __repr__(self) -> str:
        return f"ManualClock(now={self._now!r})"
