"""Registered names: a name (a string, Erlang's atom) names at most one live process.

The node's one registry is ``NODE.registry`` (node_state.py).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from .errors import NotRegisteredError
from .states import ALIVE

if TYPE_CHECKING:
    from .record import ProcessRecord

__all__ = ["Registry", "check_name"]


def check_name(name: object) -> str:
    """Return ``name`` if it can be registered, else raise TypeError/ValueError."""
    if not isinstance(name, str):
        raise TypeError(
            f"a registered name must be a string, got {name!r} ({type(name).__name__})"
        )
    if not name:
        raise ValueError("a registered name cannot be empty")
    return name


class Registry:
    """Every registered name of this node, and the process it names.

    Lock order: this lock may be held while taking a process's lock, never
    the other way round.
    """

    __slots__ = ("_lock", "_names")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._names: dict[str, ProcessRecord] = {}

    def register(self, proc: ProcessRecord, name: str) -> None:
        """Register ``proc`` under ``name``; ValueError if either is taken or proc is dead."""
        check_name(name)
        with self._lock:
            holder = self._names.get(name)
            # A holder that is exiting has as good as let go (whereis says None).
            if holder is not None and holder.lifecycle is ALIVE:
                raise ValueError(f"the name {name!r} is already registered to {holder.pid}")
            with proc.lock:
                if proc.lifecycle is not ALIVE:
                    raise ValueError(f"cannot register {name!r}: {proc.pid} is not alive")
                if proc.name is not None:
                    raise ValueError(
                        f"cannot register {name!r}: {proc.pid} is already registered "
                        f"as {proc.name!r}"
                    )
                proc.name = name
            self._names[name] = proc

    def unregister(self, name: str) -> None:
        """Remove the registration of ``name``; NotRegisteredError if there is none."""
        check_name(name)
        with self._lock:
            proc = self._names.get(name)
            if proc is None or proc.lifecycle is not ALIVE:
                raise NotRegisteredError(f"no process is registered as {name!r}")
            del self._names[name]
            with proc.lock:
                if proc.name == name:
                    proc.name = None

    def whereis(self, name: str) -> ProcessRecord | None:
        """The live process registered as ``name``, or None.

        A process lets go of its name as it starts exiting, as in Erlang: from
        then on sending to the name fails and the name can be registered anew.
        """
        proc = self._names.get(name)
        if proc is None or proc.lifecycle is not ALIVE:
            return None
        return proc

    def registered(self) -> list[str]:
        """Every name registered to a live process, sorted."""
        with self._lock:
            return sorted(name for name, proc in self._names.items() if proc.lifecycle is ALIVE)

    def release(self, name: str, proc: ProcessRecord) -> None:
        """Drop ``name`` if it still names ``proc`` (called as ``proc`` exits)."""
        with self._lock:
            if self._names.get(name) is proc:
                del self._names[name]
