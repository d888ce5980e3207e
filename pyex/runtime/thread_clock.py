"""A thread's CPU clock, read from any thread."""

from __future__ import annotations

import time

__all__ = ["thread_cpu_seconds"]


def thread_cpu_seconds(ident: int) -> float | None:
    """The CPU time thread ``ident`` has used; None if it cannot be read (its thread ended)."""
    try:
        return time.clock_gettime(time.pthread_getcpuclockid(ident))
    except (OSError, AttributeError, OverflowError):
        return None
