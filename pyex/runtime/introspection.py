"""What a process is doing: alive(), info(), processes()."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from types import FrameType
from typing import Any

from . import table
from .links import require_pid
from .record import ProcessRecord
from .states import ALIVE, DEAD, EXITING, WAITING
from .spawning import call_tuple
from .values import Pid

__all__ = ["alive", "info", "processes", "current_function", "snapshot", "ProcessSnapshot"]

_RUNTIME_DIR = os.path.dirname(os.path.abspath(__file__))


def alive(pid: Pid) -> bool:
    """True while the process ``pid`` is alive (False once it is exiting)."""
    require_pid(pid, "alive()")
    proc = table.lookup(pid)
    return proc is not None and proc.lifecycle is ALIVE


def processes() -> list[Pid]:
    """Every live process's pid, oldest first."""
    return [proc.pid for proc in table.live() if proc.lifecycle is ALIVE]


def _describe_frame(frame: FrameType) -> tuple[str, str, int]:
    code = frame.f_code
    qualname = getattr(code, "co_qualname", code.co_name)
    arity = code.co_argcount + code.co_kwonlyargcount
    return call_tuple(frame.f_globals.get("__name__", "?"), qualname, arity)


def current_function(proc: ProcessRecord) -> tuple[str, str, int]:
    """The innermost function of the user's code that ``proc`` is executing."""
    ident = proc.ident
    frame = sys._current_frames().get(ident) if ident is not None else None
    while frame is not None:
        if not frame.f_code.co_filename.startswith(_RUNTIME_DIR):
            return _describe_frame(frame)
        frame = frame.f_back
    return proc.initial_call


@dataclass(frozen=True)
class ProcessSnapshot:
    """A process as it was at one instant, for the layers that observe processes.

    ``status`` is what info() shows ('running', 'waiting' or 'exiting');
    ``monitors`` maps each monitor the process holds to what it watches (a pid,
    or ``(name, node)`` for a monitor by name); ``monitored_by`` maps each
    monitor held on it to its watcher; ``thread_ident`` is its thread's (None
    before it starts).
    """

    pid: Pid
    status: str
    registered_name: str | None
    initial_call: tuple[str, str, int]
    links: list[Pid]
    monitors: dict[Any, Any]
    monitored_by: dict[Any, Pid]
    trap_exit: bool
    dictionary: dict[Any, Any]
    message_queue_len: int
    thread_ident: int | None
    group_leader: Any


def _snapshot(proc: ProcessRecord) -> ProcessSnapshot | None:
    with proc.lock:
        lifecycle = proc.lifecycle
        if lifecycle is DEAD:
            return None
        status = "exiting" if lifecycle is EXITING else (
            "waiting" if proc.activity is WAITING else "running"
        )
        names = proc.monitor_names or {}
        return ProcessSnapshot(
            pid=proc.pid,
            status=status,
            registered_name=proc.name,
            initial_call=proc.initial_call,
            links=sorted(proc.links),
            monitors={ref: names.get(ref, watched) for ref, watched in proc.monitors.items()},
            monitored_by=dict(proc.monitored_by),
            trap_exit=proc.trap_exit,
            dictionary=dict(proc.dictionary),
            message_queue_len=proc.inbox.qsize() + len(proc.saved),
            thread_ident=proc.ident,
            group_leader=proc.group_leader,
        )


def snapshot(pid: Pid) -> ProcessSnapshot | None:
    """A snapshot of the process ``pid``, or None if it is dead."""
    proc = table.lookup(pid)
    return _snapshot(proc) if proc is not None else None


def info(pid: Pid) -> dict[str, Any] | None:
    """A dict describing the process ``pid``, or None if it is not alive.

    None exactly when ``alive(pid)`` is False: a process whose exit has begun
    is not described any more. Keys: current_function, initial_call, status
    ('running' or 'waiting'), message_queue_len, links, monitors,
    monitored_by, trap_exit, registered_name, dictionary.
    """
    require_pid(pid, "info()")
    proc = table.lookup(pid)
    if proc is None:
        return None
    shot = _snapshot(proc)
    if shot is None or shot.status == "exiting":  # alive() is False from then on
        return None
    # A monitor by name shows as ('process', (name, node)), as in Erlang.
    return {
        "current_function": (
            proc.initial_call if shot.status == "exiting" else current_function(proc)
        ),
        "initial_call": shot.initial_call,
        "status": shot.status,
        "message_queue_len": shot.message_queue_len,
        "links": shot.links,
        "dictionary": shot.dictionary,
        "trap_exit": shot.trap_exit,
        "registered_name": shot.registered_name,
        "monitors": [("process", watched) for watched in shot.monitors.values()],
        "monitored_by": sorted(set(shot.monitored_by.values())),
    }
