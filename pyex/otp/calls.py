"""The request/reply protocol every behaviour's calls use (Erlang's ``gen:call``).

A call monitors the server, makes the monitor's reference an alias of the
caller, sends ``(tag, (caller_pid, ref), request)`` and waits for ``(ref, reply)``
or the monitor's DOWN. The reply is sent to the alias, so once the caller gives
up (a timeout) and deactivates the alias, a late reply is dropped on arrival and
never lands in its mailbox.

This is the hot path of the OTP layer. The monitor-with-alias bookkeeping is
the runtime's (``pyex.runtime.requests``): in the usual case -- the server
answers while the caller hands it the GIL (handoff.py) -- it monitors, sends,
takes the reply and demonitors in one shielded section.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable

from ..runtime import Exit, Pid, Ref, send
from ..runtime.internal import (
    ATOMIC_TYPES,
    NOTHING,
    TRACING,
    abandon_request,
    copy_message,
    current,
    deliver_to_alias,
    demonitor,
    drop_alias,
    drop_request,
    find,
    is_down,
    is_remote,
    local_name,
    mark,
    monitor,
    named_pid,
    node_of,
    pid_of,
    reply_or_down,
    send_request,
    take,
    trace_event,
    wait_time,
)
from .handoff import hand_over_until

__all__ = ["call", "reply", "NO_REPLY", "Tag"]


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
    if server.__class__ is not Pid:
        server = local_name(server)
    if is_remote(server):
        return _call_remote(server, tag, request, timeout, describe)
    pid = server if server.__class__ is Pid else named_pid(server, "a server")
    wait = wait_time(timeout)
    if pid is None:
        raise Exit(("noproc", _what(describe, server, request, timeout)))
    me = current()
    other = find(pid)
    if other is me:
        raise Exit(("calling_self", _what(describe, server, request, timeout)))
    # One shielded section (no signal lands half-way through) monitors the
    # server, sends the request and, if the server has answered by the time
    # the handoff gives the GIL back, takes the reply and demonitors.
    ref = Tag()
    copy = request if request.__class__ in ATOMIC_TYPES else copy_message(request)
    message = (tag, (pid_of(me), ref), copy)
    # What is in the mailbox now is older than the request: no reply nor DOWN
    # of this call can be there, so the wait never looks at it (Erlang's
    # receive marker), however many messages wait.
    start = mark(me)
    try:
        other, message, closed = send_request(me, pid, other, ref, message, hand_over_until)
        if closed:
            return message[1]
        match = reply_or_down(ref)
        if message is NOTHING:
            message = take(me, match, wait, NOTHING, after=start)
            if message is NOTHING:
                drop_request(me, ref, other, True, match, start)
                raise Exit(("timeout", _what(describe, server, request, timeout)))
        if message[0] is ref:
            drop_request(me, ref, other, False, match, start)
            return message[1]
        # DOWN: the server is gone (the monitor went with the DOWN; drop the alias).
        drop_alias(me, ref)
        raise Exit((message[4], _what(describe, server, request, timeout)))
    except Exit:
        raise
    except BaseException:
        # Interrupted (the shell's Ctrl+C) wherever it was: clean up as a
        # timeout does -- no monitor left, no late reply in the mailbox.
        abandon_request(me, ref, other, reply_or_down(ref), start)
        raise


def _call_remote(
    server: Any,
    tag: str,
    request: Any,
    timeout: Any,
    describe: Callable[[], tuple[str, str, list[Any]]] | None,
) -> Any:
    """A call to a process on another node (a remote pid or ``(name, node)``): plain steps.

    The reply is tagged with the monitor's reference, as OTP's gen:reply answers
    ``{Tag, Reply}``; a lost connection is ``('nodedown', node)``, as gen:call says.
    """
    wait = wait_time(timeout)
    ref = monitor(server)
    send(server, (tag, (pid_of(current()), ref), request))

    message = take(current(), reply_or_down(ref), wait, NOTHING)
    if message is NOTHING or not is_down(message, ref):
        demonitor(ref, True)
    what = _what(describe, server, request, timeout)
    if message is NOTHING:
        raise Exit(("timeout", what))
    if len(message) == 2:
        return message[1]
    reason = message[4]
    if reason == "noconnection":
        reason = ("nodedown", node_of(server))
    raise Exit((reason, what))


def _what(
    describe: Callable[[], tuple[str, str, list[Any]]] | None,
    server: Any,
    request: Any,
    timeout: Any,
) -> tuple[str, str, list[Any]]:
    if describe is not None:
        return describe()
    return ("GenServer", "call", [server, request, timeout])


def reply(from_: Any, value: Any, strict: bool = True) -> str:
    """Send ``value`` as the reply to the call ``from_`` (a handle_call's ``from_``).

    Works from any process. A reply to a caller that gave up is dropped.
    ``strict=False`` shares what cannot be copied instead of refusing it (for
    introspection: a server's state as ``get_state`` shows it).
    """
    if (
        from_.__class__ is tuple
        and len(from_) == 2
        and from_[0].__class__ is Pid
        and from_[0].node != 0
    ):
        send(from_[0], (from_[1], value))  # a caller on another node (any tag it chose)
        return "ok"
    if not (
        from_.__class__ is tuple
        and len(from_) == 2
        and from_[0].__class__ is Pid
        and from_[1].__class__ in (Tag, Ref)
    ):
        raise TypeError(
            f"from_ must be the (pid, reference) pair handle_call received, got {from_!r}"
        )
    pid, ref = from_
    # Once the caller has dropped the alias (it gave up), no reply lands.
    deliver_to_alias(
        pid,
        ref,
        (ref, value) if value.__class__ in ATOMIC_TYPES else copy_message((ref, value), strict),
    )
    if TRACING[0]:
        trace_event(current(), "return", value)
    return "ok"
