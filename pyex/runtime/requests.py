"""Monitor-with-alias: the runtime's side of a request/reply call (Erlang's ``gen:call``).

A call monitors the server with a fresh reference that is also made an alias
of the caller; the reply goes to the alias, so once the caller gives up and
drops it, a late reply is dropped on arrival. Each step takes the same locks in
the same order as links.py does (the caller's, then the server's, never both).

``send_request`` is the hot path: in one shielded section it opens the
request, delivers it, lets ``after_send`` run (the OTP layer hands the GIL to
the server there) and, if the reply is by then the first new message, takes it
and closes the request -- one section instead of four.

``abandon_request`` is for a call that an exception ends half-way (the shell's
Ctrl+C): it cleans up as a timeout does, wherever the exception landed.
"""

from __future__ import annotations

from typing import Any, Callable

from .delivery import deliver, deliver_down
from .exits import exit_now
from .record import ProcessRecord
from .sections import enter, leave
from .states import ALIVE, RUNNING, SHIELDED
from .taking import NOTHING, discard, take, take_first_tagged
from .values import Pid

__all__ = [
    "send_request",
    "open_request",
    "close_request",
    "drop_request",
    "abandon_request",
    "drop_alias",
]


def open_request(
    me: ProcessRecord, pid: Pid, ref: Any, other: ProcessRecord | None
) -> ProcessRecord | None:
    """Monitor ``pid`` (whose process is ``other``) with ``ref``, made an alias of ``me``.

    Call it shielded. Returns ``other``, or None if it is not alive (its
    'noproc' DOWN is then in the mailbox).
    """
    with me.lock:
        me.monitors[ref] = pid
        me.aliases.add(ref)
    if other is not None:
        with other.lock:
            if other.lifecycle is ALIVE:
                other.monitored_by[ref] = me.pid
            else:
                other = None
    if other is None:
        deliver_down(me, ref, pid, "noproc")
    return other


def close_request(me: ProcessRecord, ref: Any, other: ProcessRecord | None) -> bool:
    """Undo ``open_request`` (call it shielded); False if its DOWN was delivered meanwhile."""
    with me.lock:
        me.aliases.discard(ref)
        watching = me.monitors.pop(ref, None) is not None
    if watching and other is not None:
        with other.lock:
            other.monitored_by.pop(ref, None)
    return watching


def drop_request(
    me: ProcessRecord,
    ref: Any,
    other: ProcessRecord | None,
    flush_all: bool,
    match: Callable[[Any], bool],
    after: int = 0,
) -> None:
    """Close the request ``ref``; take out its DOWN (and, if ``flush_all``, a late reply).

    ``match`` accepts every message tagged with ``ref``; none is older than
    the mark ``after`` (as for ``take``), so the messages before it are not
    looked at.
    """
    enter(me, SHIELDED)
    try:
        watching = close_request(me, ref, other)
    finally:
        leave(me)
    if flush_all or not watching:
        # Its DOWN was delivered (or a late reply landed before the alias went):
        # take out whatever is tagged with ref.
        while take(me, match, 0, None, after) is not None:
            pass


def abandon_request(
    me: ProcessRecord,
    ref: Any,
    other: ProcessRecord | None,
    match: Callable[[Any], bool],
    after: int = 0,
) -> None:
    """Close the request ``ref`` of a call an exception is ending (an interrupt).

    As a timeout does: the monitor and the alias go, so a late reply is dropped
    on arrival, and a reply or DOWN already delivered (``match`` accepts them;
    none is older than the mark ``after``) is taken out. Idempotent. Call it as
    the exception passes (``except BaseException: abandon_request(...); raise``):
    unlike ``enter``, it does not raise an interrupt that is pending -- one
    pressed again meanwhile is raised later, once the call is cleaned up. A
    process that is exiting is left to its exit, which drops them all.
    """
    shielded = False
    try:
        with me.lock:
            if me.lifecycle is ALIVE:
                me.activity = SHIELDED  # no signal is raised into it now
                shielded = True
        if shielded:
            close_request(me, ref, other)
            discard(me, match, after)
    finally:
        if shielded:
            with me.lock:
                me.activity = RUNNING
                ended = me.lifecycle is not ALIVE
            if ended:
                raise exit_now(me)  # a signal that came meanwhile wins


def drop_alias(me: ProcessRecord, ref: Any) -> None:
    """Deactivate the alias ``ref`` of ``me`` (its monitor went with its DOWN)."""
    enter(me, SHIELDED)
    try:
        with me.lock:
            me.aliases.discard(ref)
    finally:
        leave(me)


def send_request(
    me: ProcessRecord,
    pid: Pid,
    other: ProcessRecord | None,
    ref: Any,
    message: Any,
    after_send: Callable[[Callable[[], bool]], None],
) -> tuple[ProcessRecord | None, Any, bool]:
    """Open the request ``ref`` to ``pid`` (process ``other``), deliver ``message``, peek.

    Returns ``(server, reply, closed)``: ``server`` is the server's record (None
    if it was not alive: its 'noproc' DOWN is in the mailbox); ``reply`` is the
    ``(ref, value)`` reply if it came first, else NOTHING; ``closed`` is True
    when the request is over (the reply taken, the monitor and alias gone).
    """
    reply = NOTHING
    enter(me, SHIELDED)
    try:
        other = open_request(me, pid, ref, other)
        if other is not None:
            deliver(other, message)
            after_send(me.inbox.empty)  # (True while no answer has come)
            first = take_first_tagged(me, ref)
            if first is not NOTHING:
                if close_request(me, ref, other):
                    return other, first, True
                reply = first  # its DOWN came too: the caller flushes it
    finally:
        leave(me)
    return other, reply, False
