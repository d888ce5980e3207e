"""Registered names: a name (a string, Erlang's atom) names at most one live process."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from .errors import NotRegisteredError
from .states import ALIVE
from .values import Pid

if TYPE_CHECKING:
    from .record import ProcessRecord

__all__ = [
    "register",
    "unregister",
    "whereis",
    "named_pid",
    "registered",
    "release",
    "check_name",
]

# Lock order: this lock may be held while taking a process's lock, never the
# other way round.
_lock = threading.Lock()
_names: dict[str, ProcessRecord] = {}


def check_name(name: object) -> str:
    """Return ``name`` if it can be registered, else raise TypeError/ValueError."""
    if not isinstance(name, str):
        raise TypeError(
            f"a registered name must be a string, got {name!r} ({type(name).__name__})"
        )
    if not name:
        raise ValueError("a registered name cannot be empty")
    return name


def register(proc: ProcessRecord, name: str) -> None:
    """Register ``proc`` under ``name``; ValueError if either is taken or proc is dead."""
    check_name(name)
    with _lock:
        holder = _names.get(name)
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
        _names[name] = proc


def unregister(name: str) -> None:
    """Remove the registration of ``name``; NotRegisteredError if there is none."""
    check_name(name)
    with _lock:
        proc = _names.get(name)
        if proc is None or proc.lifecycle is not ALIVE:
            raise NotRegisteredError(f"no process is registered as {name!r}")
        del _names[name]
        with proc.lock:
            if proc.name == name:
                proc.name = None


def whereis(name: str) -> ProcessRecord | None:
    """The live process registered as ``name``, or None.

    A process lets go of its name as it starts exiting, as in Erlang: from
    then on sending to the name fails and the name can be registered anew.
    """
    proc = _names.get(name)
    if proc is None or proc.lifecycle is not ALIVE:
        return None
    return proc


def named_pid(dest: Any, what: str = "a destination") -> Pid | None:
    """The pid ``dest`` (a pid or a registered name) stands for: a pid as it is, a name's holder.

    None for a name no live process holds. Raises TypeError, naming ``what``,
    for anything else. Every "pid or name" of pyex is read here (or by
    ``delivery.lookup``, which wants the process itself).
    """
    if dest.__class__ is Pid:
        return dest
    if isinstance(dest, str):
        proc = whereis(dest)
        return proc.pid if proc is not None else None
    raise TypeError(
        f"{what} must be a pid or a registered name, got {dest!r} ({type(dest).__name__})"
    )


def registered() -> list[str]:
    """Every name registered to a live process, sorted."""
    with _lock:
        return sorted(name for name, proc in _names.items() if proc.lifecycle is ALIVE)


def release(name: str, proc: ProcessRecord) -> None:
    """Drop ``name`` if it still names ``proc`` (called as ``proc`` exits)."""
    with _lock:
        if _names.get(name) is proc:
            del _names[name]
