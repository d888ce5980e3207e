"""The process table: hands out pids in order and finds a process by its pid.

The node's one table is ``NODE.table`` (node_state.py).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from .values import Pid

if TYPE_CHECKING:
    from .record import ProcessRecord

__all__ = ["FIRST_SERIAL", "ProcessTable"]

# The first pid a fresh runtime hands out is #PID<0.83.0>, so that a console
# (whose front end takes the first pid) runs its shell process as
# #PID<0.84.0>, the pid of the article pyex was born from.
FIRST_SERIAL = 83


class ProcessTable:
    """Every process of this node by serial; serials are never reused."""

    __slots__ = ("_lock", "_next_serial", "_processes")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next_serial = FIRST_SERIAL
        self._processes: dict[int, ProcessRecord] = {}

    def add(self, proc: ProcessRecord) -> Pid:
        """Give ``proc`` the next pid and make it findable."""
        with self._lock:
            serial = self._next_serial
            self._next_serial += 1
            new_pid = Pid(0, serial, 0)
            object.__setattr__(new_pid, "_proc", proc)
            proc.pid = new_pid
            self._processes[serial] = proc
        return new_pid

    def lookup(self, pid: Pid) -> ProcessRecord | None:
        """The process ``pid`` names, None if it names none here.

        A pid once found remembers its record: after the process's exit this is
        still that (``DEAD``) record, so a caller that cares checks its lifecycle.
        """
        proc = pid._proc
        if proc is not None:
            return proc
        if pid.node != 0 or pid.creation != 0:
            return None
        proc = self._processes.get(pid.serial)
        if proc is not None:
            # Serials are never reused, so the answer can be remembered for good.
            object.__setattr__(pid, "_proc", proc)
        return proc

    def remove(self, proc: ProcessRecord) -> None:
        """Forget ``proc``: its pid now names a dead process."""
        with self._lock:
            if self._processes.get(proc.pid.serial) is proc:
                del self._processes[proc.pid.serial]

    def live(self) -> list[ProcessRecord]:
        """Every process in the table, oldest first."""
        with self._lock:
            return list(self._processes.values())

    def count(self) -> int:
        """How many processes are in the table."""
        return len(self._processes)
