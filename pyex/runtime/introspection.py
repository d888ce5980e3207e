"""What a process is doing: alive(), info(), processes()."""

from __future__ import annotations

import os
import sys
from types import FrameType
from typing import Any

from . import table
from .links import require_pid
from .process import ALIVE, DEAD, EXITING, WAITING, Process
from .spawning import call_tuple
from .values import Pid

__all__ = ["alive", "info", "processes", "current_function"]

_RUNTIME_DIR = os.path.dirname(os.path.abspath(__file__))


def alive(pid: Pid) -> bool:
    """True while the process ``pid`` is alive (False once it is exiting)."""
    require_pid(pid, "alive()")
    proc = table.lookup(pid)
    return proc is not None and proc.state is ALIVE


def processes() -> list[Pid]:
    """Every live process's pid, oldest first."""
    return [proc.pid for proc in table.live() if proc.state is ALIVE]


def _describe_frame(frame: FrameType) -> tuple[str, str, int]:
    code = frame.f_code
    qualname = getattr(code, "co_qualname", code.co_name)
    arity = code.co_argcount + code.co_kwonlyargcount
    return call_tuple(frame.f_globals.get("__name__", "?"), qualname, arity)


def current_function(proc: Process) -> tuple[str, str, int]:
    """The innermost function of the user's code that ``proc`` is executing."""
    ident = proc.ident
    frame = sys._current_frames().get(ident) if ident is not None else None
    while frame is not None:
        if not frame.f_code.co_filename.startswith(_RUNTIME_DIR):
            return _describe_frame(frame)
        frame = frame.f_back
    return proc.initial_call


def info(pid: Pid) -> dict[str, Any] | None:
    """A dict describing the process ``pid``, or None if it is dead.

    Keys: current_function, initial_call, status ('running', 'waiting' or
    'exiting'), message_queue_len, links, monitors, monitored_by, trap_exit,
    registered_name, dictionary.
    """
    require_pid(pid, "info()")
    proc = table.lookup(pid)
    if proc is None:
        return None
    with proc.lock:
        state = proc.state
        if state is DEAD:
            return None
        status = "exiting" if state is EXITING else (
            "waiting" if proc.status is WAITING else "running"
        )
        links = sorted(proc.links)
        # A monitor by name shows as ('process', (name, node)), as in Erlang.
        names = proc.monitor_names or {}
        monitors = [("process", names.get(ref, watched)) for ref, watched in proc.monitors.items()]
        monitored_by = sorted(set(proc.monitored_by.values()))
        trap_exit = proc.trap_exit
        name = proc.name
        dictionary = dict(proc.dictionary)
        queue_len = proc.inbox.qsize() + len(proc.saved)
    return {
        "current_function": current_function(proc) if state is ALIVE else proc.initial_call,
        "initial_call": proc.initial_call,
        "status": status,
        "message_queue_len": queue_len,
        "links": links,
        "dictionary": dictionary,
        "trap_exit": trap_exit,
        "registered_name": name,
        "monitors": monitors,
        "monitored_by": monitored_by,
    }
