"""Links, monitors, aliases and exit signals between processes.

Each operation changes the caller's side first, under the caller's lock, then
the other side, under its lock, checking that it is still alive. A process that
exits takes its links and monitors under its own lock and tells each other side
afterwards, so whichever of the two runs first, the link or monitor is honoured
exactly once.
"""

from __future__ import annotations

from typing import Any

from . import registry, table
from .errors import ProcessExit
from .process import ALIVE, Process, current, shielded
from .values import Pid, Ref, make_ref

__all__ = [
    "link",
    "unlink",
    "monitor",
    "demonitor",
    "exit",
    "set_trap_exit",
    "alias",
    "unalias",
    "send_alias",
    "require_pid",
]


def require_pid(value: Any, what: str) -> Pid:
    """Return ``value`` if it is a Pid, else raise a TypeError naming ``what`` needs one."""
    if value.__class__ is not Pid:
        raise TypeError(f"{what} needs a pid, got {value!r} ({type(value).__name__})")
    return value


def link(pid: Pid) -> bool:
    """Link the calling process to ``pid``: if either exits abnormally, so does the other.

    Linking to a process that is not alive delivers a ``'noproc'`` exit signal
    to the caller: an ('EXIT', pid, 'noproc') message if it traps exits, else
    the caller exits.
    """
    require_pid(pid, "link()")
    me = current()
    if pid == me.pid:
        return True
    with shielded(me):
        with me.lock:
            me.links.add(pid)
        other = table.lookup(pid)
        linked = other is not None and _add_link(other, me.pid)
        if not linked:
            with me.lock:
                me.links.discard(pid)
    if not linked:
        me.signal_exit(pid, "noproc")
    return True


def _add_link(other: Process, pid: Pid) -> bool:
    with other.lock:
        if other.state is not ALIVE:
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
        other = table.lookup(pid)
        if other is not None:
            with other.lock:
                other.links.discard(me.pid)
    return True


def monitor(target: Any) -> Ref:
    """Monitor a pid or registered name: a ('DOWN', ref, 'process', pid, reason)
    message arrives exactly once when it exits ('noproc' at once if it is not alive).
    """
    me = current()
    ref = make_ref()
    if isinstance(target, str):
        registry.check_name(target)
        other = registry.whereis(target)
        watched: Pid | Any = other.pid if other is not None else target
    else:
        watched = require_pid(target, "monitor()")
        other = table.lookup(watched)
    with shielded(me):
        with me.lock:
            me.monitors[ref] = watched
        if other is not None:
            with other.lock:
                watching = other.state is ALIVE
                if watching:
                    other.monitored_by[ref] = me.pid
        else:
            watching = False
        if not watching:
            me.deliver_down(ref, watched, "noproc")
    return ref


def demonitor(ref: Ref, flush: bool = False) -> bool:
    """Turn off the monitor ``ref``; no DOWN for it arrives afterwards.

    With ``flush=True`` a DOWN message for it already in the mailbox is removed too.
    """
    if ref.__class__ is not Ref:
        raise TypeError(f"demonitor() needs a reference, got {ref!r} ({type(ref).__name__})")
    me = current()
    with shielded(me):
        with me.lock:
            watched = me.monitors.pop(ref, None)
        if isinstance(watched, Pid):
            other = table.lookup(watched)
            if other is not None:
                other.forget_watcher(ref)
    if flush:
        _flush_ref(me, ref)
    return True


def _flush_ref(me: Process, ref: Ref) -> None:
    """Remove every message of the mailbox that is tagged with ``ref``."""
    from .mailbox import receive_matching

    def tagged(message: Any) -> bool:
        return (
            message.__class__ is tuple
            and len(message) >= 2
            and (message[0] is ref or message[1] is ref or message[0] == ref or message[1] == ref)
        )

    while receive_matching(tagged, 0, None) is not None:
        pass


def exit(pid: Pid, reason: Any) -> bool:
    """Send an exit signal with ``reason`` to ``pid`` (Erlang's ``exit/2``).

    ``'kill'`` ends the target whatever it is doing (its links see ``'killed'``);
    ``'normal'`` is ignored unless the target traps exits or is the caller;
    any other reason ends a target that does not trap exits, and reaches one
    that does as an ('EXIT', caller, reason) message.
    """
    require_pid(pid, "Process.exit()")
    me = current()
    other = table.lookup(pid)
    if other is not None:
        other.signal_exit(me.pid, reason)
    return True


def set_trap_exit(value: bool) -> bool:
    """Turn exit trapping on or off for the caller; returns the old value."""
    if not isinstance(value, bool):
        raise TypeError(f"trap_exit must be True or False, got {value!r}")
    me = current()
    with me.lock:
        if me.state is not ALIVE:
            raise ProcessExit(me.exit_reason)
        old = me.trap_exit
        me.trap_exit = value
    return old


def alias() -> Ref:
    """A new reference that, while active, lets send_alias() reach the caller."""
    me = current()
    ref = make_ref()
    with me.lock:
        me.aliases.add(ref)
    return ref


def activate_alias(ref: Ref) -> None:
    """Make an existing reference (a monitor's, say) an alias of the caller."""
    me = current()
    with me.lock:
        me.aliases.add(ref)


def unalias(ref: Ref) -> bool:
    """Deactivate an alias: messages sent to it afterwards are dropped."""
    me = current()
    with me.lock:
        if ref in me.aliases:
            me.aliases.discard(ref)
            return True
    return False


def send_alias(pid: Pid, ref: Ref, message: Any) -> bool:
    """Send ``message`` to ``pid`` only if ``ref`` is still one of its aliases."""
    from .copying import copy_message

    other = table.lookup(pid)
    if other is None:
        return False
    return other.deliver_alias(ref, copy_message(message))
