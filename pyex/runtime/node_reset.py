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
from .exits import finish, signal_exit
from .links import down_of, monitor
from .mailbox import receive_matching, sleep
from .node_state import NODE
from .record import ProcessRecord
from .states import ALIVE, DEAD

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
    is ended too, until none is left. A process still there after
    ``timeout`` seconds (blocked for good where no signal enters) is finished
    on its behalf, and RuntimeError names it.
    """
    retire_current()
    try:
        me = current()  # a process of its own, to monitor the others with
        deadline = time.monotonic() + timeout
        while True:
            procs = leftovers()
            if not procs:
                break
            if time.monotonic() >= deadline:
                # Stuck (blocked for good in a section no signal enters): finish
                # them on their behalf, as the reaper does, so the node is fresh.
                for proc in procs:
                    finish(proc)
                stuck = ", ".join(f"{proc.pid} ({proc.lifecycle}, {proc.activity})" for proc in procs)
                raise RuntimeError(f"reset_node: still there after {timeout} s, finished: {stuck}")
            refs = []
            exiting = False
            for proc in procs:
                if proc.lifecycle is ALIVE:
                    refs.append(monitor(proc.pid))
                    signal_exit(proc, me.pid, "kill")
                else:
                    exiting = True  # its exit is under way: a monitor would say 'noproc' at once
            for ref in refs:
                left = max(0.0, deadline - time.monotonic())
                receive_matching(down_of(ref), left, _MISSING)
            if exiting and not refs:
                # Only exits under way are left: look again shortly (a monitor
                # cannot wait for them), until they end or the deadline passes.
                sleep(min(0.01, max(0.0, deadline - time.monotonic())))
        NODE.timers.clear(clock)
    finally:
        retire_current()
