"""Tracing, Erlang's ``:erlang.trace/3``: a process's events as messages to a tracer.

``Process.trace(pid, True, events, tracer)`` makes the runtime tell
``tracer`` (default: the caller) of ``pid``'s events, one message each:

- ``('trace', pid, 'send', message, to)`` — it sent ``message`` to ``to``;
- ``('trace', pid, 'receive', message)`` — ``message`` arrived in its mailbox;
- ``('trace', pid, 'spawn', child)`` — it started ``child``;
- ``('trace', pid, 'exit', reason)`` — it exited;
- ``('trace', pid, 'link', other)`` / ``('trace', pid, 'unlink', other)``;
- ``('trace', pid, 'call', request, from_)`` and ``('trace', pid, 'return', reply)``
  — a GenServer took a call and replied (the event ``'call'`` asks for both).

The hot paths (send, delivery, a server's loop) look at one global guard,
``GUARD[0]``, which is True only while some process is traced: with nothing
traced, tracing costs one list lookup a message. A trace message is a copy,
and is never itself traced. Tracing of a process ends when it exits, and
everything a tracer traces ends once the tracer is gone.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Iterable

from . import hooks
from .binding import local
from .copying import copy_message
from .node_state import NODE
from .states import ALIVE
from .values import Pid, require_pid

if TYPE_CHECKING:
    from .record import ProcessRecord

__all__ = [
    "GUARD",
    "EVENTS",
    "trace",
    "traced_by",
    "tracer_of",
    "emit",
    "delivered",
    "exited",
    "forget",
]

EVENTS = ("send", "receive", "spawn", "exit", "link", "call")

# The events that come with another's flag.
_FLAG = {"return": "call", "unlink": "link"}

# True while any process is traced: the only thing the hot paths look at.
GUARD = [False]


class Trace:
    """How one process is traced: by whom, for which events."""

    __slots__ = ("tracer", "events")

    def __init__(self, tracer: Pid, events: frozenset[str]) -> None:
        self.tracer = tracer
        self.events = events


_lock = threading.Lock()
# Replaced whole under _lock, read without it (one reference read): proc -> Trace.
_traced: dict[ProcessRecord, Trace] = {}


_local = local()


def _publish(traced: dict[ProcessRecord, Trace]) -> None:
    global _traced
    _traced = traced
    GUARD[0] = bool(traced)
    # While anything is traced, every message passes deliver (no inline fast path).
    hooks.need("tracing", bool(traced))


def _check_events(events: Any) -> frozenset[str]:
    if isinstance(events, str):
        events = (events,)
    try:
        chosen = frozenset(events)
    except TypeError:
        raise TypeError(f"trace events must be a list of names, got {events!r}") from None
    unknown = sorted(str(event) for event in chosen - set(EVENTS))
    if unknown:
        raise ValueError(
            f"unknown trace event(s) {', '.join(unknown)}: the events are {', '.join(EVENTS)}"
        )
    return chosen


def trace(pid: Pid, on: bool, events: Iterable[str], tracer: Pid | None) -> str:
    """Turn tracing of ``pid``'s ``events`` on (to ``tracer``) or off; returns 'ok'.

    What ``Process.trace`` does once it knows the tracer (api.py: default, the
    caller). Raises ValueError for a pid that is not alive or an unknown event.
    """
    require_pid(pid, "Process.trace()")
    chosen = _check_events(events)
    proc = NODE.table.lookup(pid)
    if proc is None or proc.lifecycle is not ALIVE:
        if not on:
            return "ok"  # nothing to turn off
        raise ValueError(f"cannot trace {pid}: it is not alive")
    if on:
        tracer = require_pid(tracer, "Process.trace() tracer")
        holder = NODE.table.lookup(tracer)
        if holder is None or holder.lifecycle is not ALIVE:
            raise ValueError(f"cannot trace to {tracer}: it is not alive")
    with _lock:
        traced = dict(_traced)
        existing = traced.get(proc)
        if on:
            assert tracer is not None
            traced[proc] = Trace(tracer, chosen | (existing.events if existing else frozenset()))
        elif existing is not None:
            left = existing.events - chosen
            if left:
                traced[proc] = Trace(existing.tracer, left)
            else:
                del traced[proc]
        _publish(traced)
    return "ok"


def traced_by(tracer: Pid) -> list[Pid]:
    """The pids ``tracer`` traces now."""
    return sorted(proc.pid for proc, how in _traced.items() if how.tracer == tracer)


def tracer_of(proc: ProcessRecord) -> Trace | None:
    """How ``proc`` is traced, or None."""
    return _traced.get(proc)


def forget(proc: ProcessRecord) -> None:
    """``proc`` exited: it is traced no more."""
    if proc in _traced:
        with _lock:
            traced = dict(_traced)
            traced.pop(proc, None)
            _publish(traced)


def _drop_tracer(tracer: Pid) -> None:
    with _lock:
        _publish({proc: how for proc, how in _traced.items() if how.tracer != tracer})


def emit(proc: ProcessRecord, event: str, *details: Any) -> None:
    """Tell ``proc``'s tracer of ``event`` if it traces that event (``'return'`` goes with ``'call'``)."""
    how = _traced.get(proc)
    if how is None or _FLAG.get(event, event) not in how.events:
        return
    receiver = NODE.table.lookup(how.tracer)
    if receiver is None or receiver.lifecycle is not ALIVE:
        _drop_tracer(how.tracer)  # the tracer is gone: so is all it traced
        return
    # A copy (the traced process may change what it holds), delivered as is:
    # a trace message is never traced itself.
    receiver.put(("trace", proc.pid, event, *copy_message(details)))


def delivered(proc: ProcessRecord, message: Any) -> None:
    """``message`` went into ``proc``'s mailbox: its 'receive', and the sender's 'send'."""
    traced = _traced
    sender = getattr(_local, "proc", None)
    if sender is not None and sender in traced:
        emit(sender, "send", message, proc.pid)
    if proc in traced:
        emit(proc, "receive", message)


def exited(proc: ProcessRecord, reason: Any) -> None:
    """``proc`` exited: its 'exit', and it is traced no more."""
    if proc in _traced:
        emit(proc, "exit", reason)
        forget(proc)


def linked(proc: ProcessRecord, other: ProcessRecord, event: str) -> None:
    """``proc`` linked to (or unlinked from) ``other``: a 'link' event for each side traced."""
    emit(proc, event, other.pid)
    emit(other, event, proc.pid)
