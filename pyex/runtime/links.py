"""Links, monitors and exit signals between processes.

Each operation changes the caller's side first, under the caller's lock, then
the other side, under its lock, checking that it is still alive. A process that
exits takes its links and monitors under its own lock and tells each other side
afterwards, so whichever of the two runs first, the link or monitor is honoured
exactly once.
"""

from __future__ import annotations

from typing import Any

from . import registry, remote, tracing
from .current import current
from .delivery import deliver_down
from .errors import ProcessExit
from .exits import forget_watcher, signal_exit
from .matchers import down_of
from .node_state import NODE, make_ref
from .record import ProcessRecord
from .sections import shielded
from .states import ALIVE
from .taking import take
from .values import Pid, Ref, require_pid

__all__ = [
    "link",
    "unlink",
    "monitor",
    "demonitor",
    "exit",
    "set_trap_exit",
    "require_pid",
]


def link(pid: Pid) -> bool:
    """Link the calling process to ``pid``: if either exits abnormally, so does the other.

    Linking to a process that is not alive is Erlang's ``noproc``: a caller
    that traps exits gets an ('EXIT', pid, 'noproc') message; any other gets
    ProcessLookupError (and stays alive, as in Erlang).
    """
    require_pid(pid, "link()")
    me = current()
    if pid == me.pid:
        return True
    if pid.node != 0:
        return _link_remote(me, pid)
    with shielded(me):
        with me.lock:
            me.links.add(pid)
        other = NODE.table.lookup(pid)
        linked = other is not None and _add_link(other, me.pid)
        if not linked:
            with me.lock:
                me.links.discard(pid)
                trapping = me.trap_exit
    if not linked:
        if not trapping:
            raise ProcessLookupError(f"cannot link to {pid}: no such process (noproc)")
        signal_exit(me, pid, "noproc")
    elif tracing.GUARD[0] and other is not None:
        tracing.linked(me, other, "link")
    return True


def _link_remote(me: ProcessRecord, pid: Pid) -> bool:
    """Link to a pid of another node: its node tells of a 'noproc' or 'noconnection'."""
    handler = remote.handler()
    with shielded(me):
        with me.lock:
            me.links.add(pid)
        if handler is not None:
            handler.link(me.pid, pid)
    if handler is None:
        signal_exit(me, pid, "noconnection", linked=True)
    return True


def _add_link(other: ProcessRecord, pid: Pid) -> bool:
    with other.lock:
        if other.lifecycle is not ALIVE:
            return False
        other.links.add(pid)
        return True


def unlink(pid: Pid) -> bool:
    """Remove the link between the caller and ``pid``; no exit signal of it arrives after."""
    require_pid(pid, "unlink()")
    me = current()
    with shielded(me):
        with me.lock:
            me.links.discard(pid)
        if pid.node != 0:
            handler = remote.handler()
            if handler is not None:
                handler.unlink(me.pid, pid)
            return True
        other = NODE.table.lookup(pid)
        if other is not None:
            with other.lock:
                other.links.discard(me.pid)
    if tracing.GUARD[0] and other is not None:
        tracing.linked(me, other, "unlink")
    return True


def monitor(target: Any) -> Ref:
    """Monitor a pid or registered name: a ('DOWN', ref, 'process', pid, reason)
    message arrives exactly once when it exits ('noproc' at once if it is not alive).

    A monitor by name watches the process that holds the name now; its DOWN
    names ``(name, node)`` instead of a pid, as Erlang's does (``node`` is this
    node's name: ``'nonode@nohost'`` while it is not distributed).
    """
    me = current()
    ref = make_ref()
    label: Any = None
    target = remote.local_name(target)
    if remote.is_remote(target):
        return _monitor_remote(me, ref, target)
    if isinstance(target, str):
        registry.check_name(target)
        label = (target, NODE.name)
        other = NODE.registry.whereis(target)
        watched: Any = other.pid if other is not None else label
    else:
        watched = require_pid(target, "monitor()")
        other = NODE.table.lookup(watched)
    with shielded(me):
        with me.lock:
            me.monitors[ref] = watched
            if label is not None:
                if me.monitor_names is None:
                    me.monitor_names = {}
                me.monitor_names[ref] = label
        if other is not None:
            with other.lock:
                watching = other.lifecycle is ALIVE
                if watching:
                    other.monitored_by[ref] = me.pid
        else:
            watching = False
        if not watching:
            deliver_down(me, ref, watched, "noproc")
    return ref


def _monitor_remote(me: ProcessRecord, ref: Ref, target: Any) -> Ref:
    """Monitor a pid or ``(name, node)`` of another node; 'noconnection' if unreachable."""
    handler = remote.handler()
    with shielded(me):
        with me.lock:
            me.monitors[ref] = target
            if target.__class__ is tuple:
                if me.monitor_names is None:
                    me.monitor_names = {}
                me.monitor_names[ref] = target
        if handler is not None:
            handler.monitor(me.pid, target, ref)
        else:
            deliver_down(me, ref, target, "noconnection")
    return ref


def demonitor(ref: Ref, flush: bool = False) -> bool:
    """Turn off the monitor ``ref``; no DOWN for it arrives afterwards.

    With ``flush=True`` its DOWN message, if already in the mailbox, is removed
    too (Erlang's ``demonitor(ref, [flush])``); other messages stay.
    """
    if ref.__class__ is not Ref:
        raise TypeError(f"demonitor() needs a reference, got {ref!r} ({type(ref).__name__})")
    me = current()
    with shielded(me):
        with me.lock:
            watched = me.monitors.pop(ref, None)
            if me.monitor_names is not None:
                me.monitor_names.pop(ref, None)
        if watched is not None and remote.is_remote(watched):
            handler = remote.handler()
            if handler is not None:
                handler.demonitor(me.pid, watched, ref)
        elif isinstance(watched, Pid):
            other = NODE.table.lookup(watched)
            if other is not None:
                forget_watcher(other, ref)
    if flush:
        _flush_down(ref)
    return True


def _flush_down(ref: Ref) -> None:
    """Remove the DOWN message of monitor ``ref`` from the mailbox, if it is there."""
    take(current(), down_of(ref), 0, None)


def exit(pid: Pid, reason: Any) -> bool:
    """Send an exit signal with ``reason`` to ``pid`` (Erlang's ``exit/2``).

    ``'kill'`` ends the target whatever it is doing (its links see ``'killed'``);
    ``'normal'`` is ignored unless the target traps exits or is the caller;
    any other reason ends a target that does not trap exits, and reaches one
    that does as an ('EXIT', caller, reason) message.
    """
    require_pid(pid, "Process.exit()")
    me = current()
    if pid.node != 0:
        handler = remote.handler()
        if handler is not None:
            handler.exit(me.pid, pid, reason)
        return True
    other = NODE.table.lookup(pid)
    if other is not None:
        # Shielded: a kill of the caller landing half-way through would leave
        # the target marked as exiting but never told.
        with shielded(me):
            signal_exit(other, me.pid, reason)
    return True


def set_trap_exit(value: bool) -> bool:
    """Turn exit trapping on or off for the caller; returns the old value."""
    if not isinstance(value, bool):
        raise TypeError(f"trap_exit must be True or False, got {value!r}")
    me = current()
    with me.lock:
        if me.lifecycle is not ALIVE:
            raise ProcessExit(me.exit_reason)
        old = me.trap_exit
        me.trap_exit = value
    return old
