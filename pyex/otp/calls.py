"""The request/reply protocol every behaviour's calls use (Erlang's ``gen:call``).

A call monitors the server, makes the monitor's reference an alias of the
caller, sends ``(tag, (caller_pid, ref), request)`` and waits for ``(ref, reply)``
or the monitor's DOWN. The reply is sent to the alias, so once the caller gives
up (a timeout) and deactivates the alias, a late reply is dropped on arrival and
never lands in its mailbox.

This is the hot path of the OTP layer: it does the monitor and alias
bookkeeping itself, each step under the same locks and in the same order as
``pyex.runtime.links`` does, and in the usual case -- the server answers
while the caller hands it the GIL (handoff.py) -- monitors, sends, takes the
reply and demonitors in one shielded section.
"""

from __future__ import annotations

import itertools
from queue import Empty
from typing import Any, Callable

from ..runtime import registry, table
from ..runtime.copying import ATOMIC_TYPES, copy_message
from ..runtime.errors import Exit
from ..runtime.mailbox import receive_matching
from ..runtime.process import ALIVE, SHIELDED, WAKE, Process, current
from ..runtime.timeouts import LONGEST, wait_time
from ..runtime.values import Pid
from .handoff import hand_over

__all__ = ["whereis", "call", "reply", "check_call_timeout", "NO_REPLY", "From", "Tag"]

From = tuple  # (caller pid, reference): what handle_call receives as ``from_``


class _NoReply:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<no reply>"


NO_REPLY: Any = _NoReply()

_tags = itertools.count(1)


class Tag:
    """What tags one call: the monitor of its server, the alias its reply goes to.

    It plays the part of a reference (and is shown like one) where the runtime
    keeps monitors and aliases, but costs less on the hot path: it is made
    without a lock and hashed by identity. Messages keep it as it is when they
    are copied, as they keep a Ref.
    """

    __slots__ = ("number",)

    def __init__(self) -> None:
        self.number = next(_tags)

    def __repr__(self) -> str:
        return f"#Reference<0.0.1.{self.number}>"

    def __copy__(self) -> Tag:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Tag:
        return self


def whereis(server: Any) -> Pid | None:
    """The pid ``server`` (a pid or a registered name) stands for; None if nobody."""
    if server.__class__ is Pid:
        return server
    if isinstance(server, str):
        proc = registry.whereis(server)
        if proc is None or proc.state is not ALIVE:
            return None
        return proc.pid
    raise TypeError(
        f"a server is a pid or a registered name, got {server!r} ({type(server).__name__})"
    )


def check_call_timeout(timeout: Any) -> float | None:
    """A call's timeout in seconds; None, ``'infinity'`` or beyond the clock wait forever."""
    if timeout.__class__ is float and 0.0 <= timeout <= LONGEST:
        return timeout
    return wait_time(timeout)


def _matcher(ref: Tag) -> Callable[[Any], bool]:
    def match(message: Any) -> bool:
        # (ref, reply) or ('DOWN', ref, 'process', pid, reason)
        return message.__class__ is tuple and len(message) > 1 and (
            message[0] is ref or (message[1] is ref and message[0] == "DOWN")
        )

    return match


def _monitor(me: Process, pid: Pid, ref: Tag, other: Process | None) -> Process | None:
    """Monitor ``pid`` (whose process is ``other``) with ``ref``, made an alias of ``me``.

    Call it shielded. Returns ``other``, or None if it is not alive (its
    'noproc' DOWN is then in the mailbox).
    """
    with me.lock:
        me.monitors[ref] = pid
        me.aliases.add(ref)
    if other is not None:
        with other.lock:
            if other.state is ALIVE:
                other.monitored_by[ref] = me.pid
            else:
                other = None
    if other is None:
        me.deliver_down(ref, pid, "noproc")
    return other


def _forget(me: Process, ref: Tag, other: Process | None) -> bool:
    """Undo ``_monitor`` (call it shielded); False if its DOWN was delivered meanwhile."""
    with me.lock:
        me.aliases.discard(ref)
        watching = me.monitors.pop(ref, None) is not None
    if watching and other is not None:
        with other.lock:  # Process.forget_watcher, inline
            other.monitored_by.pop(ref, None)
    return watching


def _demonitor(me: Process, ref: Tag, other: Process | None, flush_all: bool) -> None:
    """Undo ``_monitor``; removes the DOWN (and, if ``flush_all``, a reply) that slipped in."""
    me.enter(SHIELDED)
    try:
        watching = _forget(me, ref, other)
    finally:
        me.leave()
    if flush_all or not watching:
        # Its DOWN was delivered (or a late reply landed before the alias went):
        # take out whatever is tagged with ref.
        match = _matcher(ref)
        while receive_matching(match, 0, None) is not None:
            pass


def call(
    server: Any,
    tag: str,
    request: Any,
    timeout: Any,
    describe: Callable[[], tuple[str, str, list[Any]]] | None = None,
) -> Any:
    """Send ``(tag, from_, request)`` to ``server`` and wait for its reply.

    Raises ``Exit((reason, what))`` when the call fails: ``'noproc'`` (no such
    process), ``'timeout'``, ``'calling_self'``, or the server's exit reason if
    it died first. ``what`` is what Elixir puts there, ``describe()`` if given,
    else ``('GenServer', 'call', [server, request, timeout])``.
    """
    pid = server if server.__class__ is Pid else whereis(server)
    wait = check_call_timeout(timeout)
    if pid is None:
        raise Exit(("noproc", _what(describe, server, request, timeout)))
    me = current()
    other = table.lookup(pid)
    if other is me:
        raise Exit(("calling_self", _what(describe, server, request, timeout)))
    # One shielded section (no signal lands half-way through) monitors the
    # server, sends the request and, if the server has answered by the time
    # the handoff gives the GIL back, takes the reply and demonitors.
    ref = Tag()
    copy = request if request.__class__ in ATOMIC_TYPES else copy_message(request)
    message = NO_REPLY
    me.enter(SHIELDED)
    try:
        other = _monitor(me, pid, ref, other)
        if other is not None:
            other.put((tag, (me.pid, ref), copy))
            # The caller waits next: let the server run now (handoff.py).
            hand_over()
            if not me.saved:
                try:
                    first = me.inbox.get_nowait()
                except Empty:
                    pass
                else:
                    if first.__class__ is tuple and first and first[0] is ref:
                        if _forget(me, ref, other):
                            return first[1]
                        message = first  # its DOWN came too: flushed below
                    elif first is not WAKE:  # (leave() acts on what a WAKE stands for)
                        me.saved.append(first)  # the oldest message: saved keeps the order
    finally:
        me.leave()
    if message is NO_REPLY:
        message = receive_matching(_matcher(ref), wait, NO_REPLY)
        if message is NO_REPLY:
            _demonitor(me, ref, other, True)
            raise Exit(("timeout", _what(describe, server, request, timeout)))
    if message[0] is ref:
        _demonitor(me, ref, other, False)
        return message[1]
    # DOWN: the server is gone (the monitor went with the DOWN; drop the alias).
    me.enter(SHIELDED)
    try:
        with me.lock:
            me.aliases.discard(ref)
    finally:
        me.leave()
    raise Exit((message[4], _what(describe, server, request, timeout)))


def _what(
    describe: Callable[[], tuple[str, str, list[Any]]] | None,
    server: Any,
    request: Any,
    timeout: Any,
) -> tuple[str, str, list[Any]]:
    if describe is not None:
        return describe()
    return ("GenServer", "call", [server, request, timeout])


def reply(from_: Any, value: Any) -> str:
    """Send ``value`` as the reply to the call ``from_`` (a handle_call's ``from_``).

    Works from any process. A reply to a caller that gave up is dropped.
    """
    try:
        pid, ref = from_
    except (TypeError, ValueError):
        raise TypeError(
            f"from_ must be the (pid, reference) pair handle_call received, got {from_!r}"
        ) from None
    proc = table.lookup(pid) if pid.__class__ is Pid else None
    if proc is not None:
        # The runtime's deliver_alias: once the caller has dropped the alias
        # (it gave up), no reply lands.
        proc.deliver_alias(
            ref, (ref, value) if value.__class__ in ATOMIC_TYPES else copy_message((ref, value))
        )
    return "ok"
