"""Starting this node afresh: what a test harness calls between tests (``reset_node``).

It ends every process the runtime started that is still there (exit reason
``'kill'``, each waited for by monitor), drops every pending timer, and sets
the clock timers count on. What is left is a fresh state: no process but the
processes of threads the runtime did not start (adopted ones: a test's own
thread, a front end's), no registered name but theirs, no timer. The node's
identity (``NODE.name``, ``NODE.creation``) stays, and so do the pid and ref
counters: a pid is never reused, so one kept from before names a dead process.
"""

from __future__ import annotations

import time

from .clock import SYSTEM_CLOCK, Clock
from .current import current, retire_current
from .exits import signal_exit
from .links import down_of, monitor
from .mailbox import receive_matching
from .node_state import NODE
from .record import ProcessRecord
from .states import DEAD

__all__ = ["reset_node", "leftovers"]

_MISSING = object()


def leftovers() -> list[ProcessRecord]:
    """The processes a reset would end: every one not dead and not an adopted thread's."""
    return [proc for proc in NODE.table.live() if proc.lifecycle is not DEAD and not proc.adopted]


def reset_node(clock: Clock = SYSTEM_CLOCK, timeout: float = 10.0) -> None:
    """Give this node a fresh state: end every process left, drop every timer, count on ``clock``.

    For test harnesses (tests/conftest.py calls it around every test; a test
    of timers passes a ``ManualClock``). The calling thread's own process is
    retired first, and its next use of the runtime makes it a new one. A
    process that another ends and restarts meanwhile (a supervisor's child)
    is ended too, until none is left. Raises RuntimeError naming the
    processes still there after ``timeout`` seconds.
    """
    retire_current()
    try:
        me = current()  # a process of its own, to monitor the others with
        deadline = time.monotonic() + timeout
        while True:
            procs = leftovers()
            if not procs:
                break
            refs = []
            for proc in procs:
                refs.append(monitor(proc.pid))
                signal_exit(proc, me.pid, "kill")
            for ref in refs:
                left = max(0.0, deadline - time.monotonic())
                if receive_matching(down_of(ref), left, _MISSING) is _MISSING:
                    stuck = [str(proc.pid) for proc in leftovers()]
                    raise RuntimeError(f"reset_node: still alive after {timeout} s: {', '.join(stuck)}")
        NODE.timers.clear(clock)
    finally:
        retire_current()
