"""This node's runtime state in one object: its identity, process table, names, timers, refs.

``NODE`` is the one ``NodeState`` of this runtime, created at import and never
replaced, so the runtime's modules reach it as a plain global
(``NODE.table.lookup(pid)``, ``NODE.registry.whereis(name)``). Its parts:

- ``name`` and ``creation``: who this node is. ``nonode@nohost`` and 0 until a
  distribution layer makes the runtime a node (``become``) and after it stops;
- ``table``: every process by pid (table.py);
- ``registry``: registered names (registry.py);
- ``timers``: ``Process.send_after``'s timer service and the clock it counts
  on (timers.py, clock.py);
- the reference counter behind ``make_ref()``.

A test harness starts the next test on a fresh state with
``internal.reset_node()`` (node_reset.py), which ends every process left and
drops every timer. Pids and refs are never reused within one OS process (a
pid remembers the record it names), so the counters carry on across a reset.
"""

from __future__ import annotations

import threading

from .clock import SYSTEM_CLOCK, Clock
from .registry import Registry
from .table import ProcessTable
from .timers import TimerService
from .values import Ref

__all__ = ["NodeState", "NODE", "NO_NODE", "make_ref"]

NO_NODE = "nonode@nohost"  # the name of a runtime that is not a distributed node


class NodeState:
    """A runtime's state: identity (``name``, ``creation``), ``table``, ``registry``, ``timers``."""

    __slots__ = ("name", "creation", "table", "registry", "timers", "_ref_lock", "_last_ref")

    def __init__(self, clock: Clock = SYSTEM_CLOCK) -> None:
        self.name = NO_NODE
        self.creation = 0
        self.table = ProcessTable()
        self.registry = Registry()
        self._ref_lock = threading.Lock()
        self._last_ref = 0  # make_ref's counter, under _ref_lock
        self.timers = TimerService(make_ref, clock)

    def become(self, name: str, creation: int) -> None:
        """Take the identity ``name``/``creation`` (a distribution layer's start; ``NO_NODE``, 0 at its stop)."""
        self.name = name
        self.creation = creation

    def __repr__(self) -> str:
        return (
            f"<NodeState {self.name} creation={self.creation}: {self.table.count()} processes, "
            f"{self.timers.pending()} timers>"
        )



def make_ref() -> Ref:
    """Return a new reference, unique in this runtime."""
    state = NODE
    with state._ref_lock:
        state._last_ref += 1
        number = state._last_ref
    return Ref(number)


NODE = NodeState()
