"""The request/reply protocol every behaviour's calls use (Erlang's ``gen:call``).

A call monitors the server, makes the monitor's reference an alias of the
caller, sends ``(tag, (caller_pid, ref), request)`` and waits for ``(ref, reply)``
or the monitor's DOWN. The reply is sent to the alias, so once the caller gives
up (a timeout) and deactivates the alias, a late reply is dropped on arrival and
never lands in its mailbox.

This is the hot path of the OTP layer: it does the monitor and alias
bookkeeping itself, each step under the same locks and in the same order as
``pyex.runtime.links`` does, in one critical section instead of four.
"""

from __future__ import annotations

from typing import Any, Callable

from ..runtime import registry, table
from ..runtime.copying import ATOMIC_TYPES, copy_message
from ..runtime.errors import Exit
from ..runtime.mailbox import check_timeout, receive_matching
from ..runtime.process import ALIVE, SHIELDED, Process, current
from ..runtime.values import Pid, Ref, make_ref

__all__ = ["whereis", "call", "reply", "check_call_timeout", "NO_REPLY", "From"]

From = tuple  # (caller pid, reference): what handle_call receives as ``from_``


class _NoReply:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<no reply>"


NO_REPLY: Any = _NoReply()
_INFINITY = float("inf")


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
    """A call's timeout in seconds; None or ``'infinity'`` wait forever."""
    if timeout.__class__ is float and 0.0 <= timeout < _INFINITY:
        return timeout
    if timeout == "infinity":
        return None
    return check_timeout(timeout)


def _matcher(ref: Ref) -> Callable[[Any], bool]:
    def match(message: Any) -> bool:
        # (ref, reply) or ('DOWN', ref, 'process', pid, reason)
        return message.__class__ is tuple and len(message) > 1 and (
            message[0] is ref or (message[1] is ref and message[0] == "DOWN")
        )

    return match


def _monitor(me: Process, pid: Pid) -> tuple[Ref, Process | None]:
    """Monitor ``pid`` and make the monitor's reference an alias of ``me``."""
    ref = make_ref()
    other = table.lookup(pid)
    me.enter(SHIELDED)  # no signal lands half-way through (see runtime.process)
    try:
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
    finally:
        me.leave()
    return ref, other


def _demonitor(me: Process, ref: Ref, other: Process | None, flush_all: bool) -> None:
    """Undo ``_monitor``; removes the DOWN (and, if ``flush_all``, a reply) that slipped in."""
    me.enter(SHIELDED)
    try:
        with me.lock:
            me.aliases.discard(ref)
            watching = me.monitors.pop(ref, None) is not None
        if watching and other is not None:
            other.forget_watcher(ref)
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
    if pid == me.pid:
        raise Exit(("calling_self", _what(describe, server, request, timeout)))
    ref, other = _monitor(me, pid)
    if other is not None:
        other.put(
            (tag, (me.pid, ref), request if request.__class__ in ATOMIC_TYPES
             else copy_message(request))
        )
    message = receive_matching(_matcher(ref), wait, NO_REPLY)
    if message is NO_REPLY:
        _demonitor(me, ref, other, True)
        raise Exit(("timeout", _what(describe, server, request, timeout)))
    if message[0] is ref:
        _demonitor(me, ref, other, False)
        return message[1]
    # DOWN: the server is gone (the monitor went with the DOWN; drop the alias).
    with me.lock:
        me.aliases.discard(ref)
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
        message = (ref, value)
        if value.__class__ not in ATOMIC_TYPES:
            message = copy_message(message)
        proc.deliver_alias(ref, message)
    return "ok"
