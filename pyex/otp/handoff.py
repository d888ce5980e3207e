"""Handing the CPU and the GIL over to the process a message has just woken up.

A message put in the inbox of a process blocked in ``receive`` wakes its
thread, which then waits for the GIL until the sender lets go of it: when the
sender blocks in turn (after the woken thread has been scheduled, found the GIL
taken and gone back to sleep), or at the end of a GIL time slice. A sender
that has nothing better to do than wait -- a caller that has just sent its
request, a server with an empty mailbox that has just replied -- lets go at
once instead: ``os.sched_yield()`` releases the GIL and yields the CPU, so the
other side runs now. Request/reply round trips go two to three times faster,
on one core as across cores, and neither side ever sleeps between them.

It only pays while the two sides have the GIL to themselves. When other
threads compete for it (a process in a busy loop, say), the GIL given away
often goes to one of them for a whole time slice, and calls get a hundred
times slower. So each thread keeps a moving average of what its handoffs
cost (how long until it had the GIL back); once that passes a tenth of a GIL
time slice, the thread makes none for ``QUIET_SECONDS``, then tries again. A
single slow one -- a busy machine, a garbage collection -- changes nothing.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Callable

from ..runtime.internal import keep_thread_local as keep

__all__ = ["hand_over", "hand_over_until", "QUIET_SECONDS", "SPIN_SECONDS", "WEIGHT"]

QUIET_SECONDS = 0.5  # no handoffs for this long once they stopped paying
WEIGHT = 1 / 32  # of the last handoff in the moving average of their cost
SPIN_SECONDS = 0.0002  # how long a caller keeps yielding for its reply before it blocks

_yield = getattr(os, "sched_yield", None)
_monotonic = time.monotonic


class _Thread(threading.local):
    quiet_until = 0.0
    cost = 0.0  # moving average of a handoff's duration, in seconds


_thread = _Thread()
keep(_thread)  # measures the thread, not a process: kept across the processes it runs


def hand_over_until(empty: Callable[[], bool]) -> None:
    """``hand_over``, then keep yielding while ``empty()`` (no answer yet), for a little while.

    For a caller whose server runs on another core: its core stays busy
    instead of going idle and being woken by the reply, which on a VM costs
    as much as the round trip itself. At most ``SPIN_SECONDS``, and never
    while handoffs do not pay (see the module's docstring).
    """
    if _yield is None:
        return
    start = _monotonic()
    if start < _thread.quiet_until:
        return
    hand_over()
    if empty() and start >= _thread.quiet_until:  # (it may have just found handoffs costly)
        deadline = start + SPIN_SECONDS
        while empty() and _monotonic() < deadline:
            _yield()


def hand_over() -> None:
    """Let the process just sent a message run now (see the module's docstring)."""
    if _yield is None:  # no sched_yield on this system: nothing to hand over with
        return
    state = _thread
    start = _monotonic()
    if start < state.quiet_until:
        return
    _yield()
    cost = state.cost
    cost += (_monotonic() - start - cost) * WEIGHT
    if cost > 0.00005 and cost > sys.getswitchinterval() / 10:
        state.quiet_until = start + QUIET_SECONDS
        cost /= 2  # after the quiet, a few slow ones are enough to stop again
    state.cost = cost

