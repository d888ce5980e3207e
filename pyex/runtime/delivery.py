"""Putting messages into mailboxes: ``deliver``, the one way in.

Every message that lands in a mailbox goes through ``deliver``: a send, an
``('EXIT', pid, reason)`` of a trapped exit signal, a monitor's DOWN, a reply
to an alias, a behaviour's system message, a timer's message. (``wake`` puts
the runtime's WAKE token, which is not a message, to wake a blocked owner.)

Where hooks go:

- a tracer: at the top of ``deliver``, behind a guard (``_tracing[0]``,
  ``tracing.GUARD``) so that it costs one list lookup while nothing
  is traced. ``deliver`` may run with the receiver's lock held (a DOWN, an
  EXIT, an alias reply are decided under it), so a hook must not take any
  process's lock; it may hand the event to a queue.
- zombies: a sender the reaper finished while its code runs on is refused
  (``hooks.zombies`` guards the check, so it costs nothing while there are none).

Other nodes are not delivered to here: ``mailbox.send`` hands a destination
that is not local to the remote handler (remote.py) before resolving it.
"""

from __future__ import annotations

from typing import Any

from . import hooks, reaper, tracing
from .binding import bound, local
from .errors import NotRegisteredError
from .node_state import NODE
from .record import ProcessRecord
from .states import WAKE
from .values import Pid

_local = local()
_tracing = tracing.GUARD  # True while anything is traced: one list lookup a message

__all__ = [
    "deliver",
    "deliver_to",
    "deliver_down",
    "deliver_alias",
    "deliver_to_alias",
    "wake",
    "lookup",
    "named_pid",
    "resolve",
]


def deliver(proc: ProcessRecord, message: Any) -> None:
    """Put ``message`` (already copied) at the end of ``proc``'s mailbox.

    A dead process's mailbox drops it. The one place every message goes in:
    the sender's ``messages_sent`` counts here, and the tracer hears of it.
    Nothing arrives from a process after its DOWN: a zombie (finished by the
    reaper while its code runs on) sending is made to raise its exit again.
    """
    if hooks.zombies:
        sender = bound()
        if sender is not None and sender.zombie:
            raise reaper.zombie_exit(sender)
    if _tracing[0]:
        # Before it lands: the tracer hears of it before anything the receiver does with it.
        tracing.delivered(proc, message)
    proc.put(message)
    try:
        _local.proc.sent += 1  # only the sender's thread counts its sends
    except AttributeError:
        pass  # a thread that is not a process (a timer, a front end)


def lookup(dest: Any) -> ProcessRecord | None:
    """The process ``dest`` (a pid or a registered name) names, or None (a free name).

    A pid's record is found even after its exit (``NODE.table.lookup``): check its
    life. Raises TypeError for anything but a pid or a name.
    """
    if dest.__class__ is Pid:
        return NODE.table.lookup(dest)
    if isinstance(dest, str):
        return NODE.registry.whereis(dest)
    raise TypeError(
        f"a message must go to a pid or a registered name, got {dest!r} "
        f"({type(dest).__name__})"
    )


def named_pid(dest: Any, what: str = "a destination") -> Pid | None:
    """The pid ``dest`` (a pid or a registered name) stands for: a pid as it is, a name's holder.

    None for a name no live process holds. Raises TypeError, naming ``what``,
    for anything else. Every "pid or name" of pyex is read here (or by
    ``lookup``, which wants the process itself).
    """
    if dest.__class__ is Pid:
        return dest
    if isinstance(dest, str):
        proc = NODE.registry.whereis(dest)
        return proc.pid if proc is not None else None
    raise TypeError(
        f"{what} must be a pid or a registered name, got {dest!r} ({type(dest).__name__})"
    )


def resolve(dest: Any) -> ProcessRecord | None:
    """``lookup``, for a send: None for a dead pid, NotRegisteredError for a free name."""
    proc = lookup(dest)
    if proc is None and dest.__class__ is not Pid:
        raise NotRegisteredError(f"no process is registered as {dest!r}")
    return proc


def deliver_to(dest: Any, message: Any) -> bool:
    """``deliver`` to the process ``dest`` names; False if it names none (a dead one drops it)."""
    proc = resolve(dest)
    if proc is None:
        return False
    deliver(proc, message)
    return True


def deliver_down(proc: ProcessRecord, ref: Any, watched: Any, reason: Any) -> None:
    """Deliver the DOWN message of ``proc``'s monitor ``ref``, unless it was demonitored."""
    with proc.lock:
        if proc.monitors.pop(ref, None) is None:
            return
        names = proc.monitor_names
        if names is not None and ref in names:
            watched = names.pop(ref)  # a monitor by name: DOWN names (name, node)
        deliver(proc, ("DOWN", ref, "process", watched, reason))


def deliver_alias(proc: ProcessRecord, ref: Any, message: Any) -> bool:
    """Deliver ``message`` only while ``ref`` is an active alias of ``proc``."""
    with proc.lock:
        if ref not in proc.aliases:
            return False
        deliver(proc, message)
        return True


def deliver_to_alias(pid: Pid, ref: Any, message: Any) -> bool:
    """``deliver_alias`` to the process of ``pid``; False if it is gone or the alias is."""
    proc = NODE.table.lookup(pid)
    return proc is not None and deliver_alias(proc, ref, message)


def wake(proc: ProcessRecord) -> None:
    """Put the WAKE token in ``proc``'s inbox: its owner, if blocked, looks at its signals."""
    proc.inbox.put(WAKE)
