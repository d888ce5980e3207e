"""GenServer: a process that keeps a state and answers calls, casts and messages.

Write a subclass with the callbacks you need; the class is instantiated (with
no arguments) inside the server process, and the state travels OTP-style:
each callback receives it and returns it, inside one of OTP's return shapes::

    class Stack(GenServer):
        def init(self, items):
            return ('ok', items)

        def handle_call(self, request, from_, state):
            if request == 'pop':
                head, *tail = state
                return ('reply', head, tail)

        def handle_cast(self, request, state):
            kind, item = request
            return ('noreply', [item, *state])

    status, pid = GenServer.start_link(Stack, ['hello'], name='stack')  # ('ok', pid)
    GenServer.call('stack', 'pop')          # -> 'hello'
    GenServer.cast('stack', ('push', 'world'))

The server loop lives here too: it takes messages in arrival order, calls the
matching callback, checks what it returned and, when the server stops, calls
``terminate`` and logs Elixir's crash report for an abnormal reason.
"""

from __future__ import annotations

from typing import Any, NoReturn

from ..runtime import Exit, Pid, Process, alive, send
from ..runtime.internal import (
    ATOMIC_TYPES,
    TRACING,
    class_owner,
    copy_message,
    current,
    deliver_to_alias,
    has_messages,
    hold_state,
    is_exit,
    is_remote,
    named_pid,
    receive_matching,
    snapshot,
    take,
    trace_event,
)
from . import calls, child_spec, crash_reports, starting, system
from .handoff import hand_over

__all__ = ["GenServer"]

CALL = "$gen_call"
CAST = "$gen_cast"
_REPLY = "reply"
_NOREPLY = "noreply"
_STOP = "stop"
_CONTINUE = "continue"


class _Timeout:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<timeout>"


_TIMED_OUT: Any = _Timeout()


class _Stopping(Exception):
    """Internal: a callback asked to stop (or returned something invalid)."""

    def __init__(self, reason: Any, state: Any, reply: Any = calls.NO_REPLY) -> None:
        super().__init__(reason)
        self.reason = reason
        self.state = state
        self.reply = reply


class GenServer:
    """Elixir's GenServer: subclass it, write callbacks, start it with ``GenServer.start_link``.

    Callbacks and what they return (strings stand for Elixir's atoms):

    - ``init(self, arg)`` -> ``('ok', state)`` | ``('ok', state, extra)`` |
      ``('stop', reason)`` | ``'ignore'``
    - ``handle_call(self, request, from_, state)`` -> ``('reply', reply, state)`` |
      ``('noreply', state)`` (answer later with ``GenServer.reply(from_, x)``) |
      ``('stop', reason, reply, state)`` | ``('stop', reason, state)``
    - ``handle_cast(self, request, state)``, ``handle_info(self, message, state)``,
      ``handle_continue(self, arg, state)`` -> ``('noreply', state)`` |
      ``('stop', reason, state)``
    - ``terminate(self, reason, state)`` -> anything; called when the server stops.

    ``extra``, as a last element of an ``'ok'``, ``'reply'`` or ``'noreply'``
    shape, is a timeout in seconds (``handle_info('timeout', state)`` runs if no
    message comes by then), ``('continue', arg)`` (``handle_continue`` runs
    first), ``'hibernate'`` or ``'infinity'``. Any other shape stops the server
    with reason ``('bad_return_value', value)``.

    The defaults are Elixir's ``use GenServer``: ``handle_info`` logs the
    unexpected message and goes on; ``handle_call`` and ``handle_cast`` raise.
    """

    # -- callbacks --------------------------------------------------------

    def init(self, arg: Any) -> Any:
        """Set up the server's state: return ``('ok', state)``."""
        raise NotImplementedError(
            f"{type(self).__qualname__} must define init(self, arg) returning ('ok', state)"
        )

    def handle_call(self, request: Any, from_: Any, state: Any) -> Any:
        """Answer ``GenServer.call(server, request)``: return ``('reply', reply, state)``."""
        raise RuntimeError(
            f"attempted to call GenServer {_me_label()} but {type(self).__qualname__} "
            f"defines no handle_call(self, request, from_, state)"
        )

    def handle_cast(self, request: Any, state: Any) -> Any:
        """Handle ``GenServer.cast(server, request)``: return ``('noreply', state)``."""
        raise RuntimeError(
            f"attempted to cast GenServer {_me_label()} but {type(self).__qualname__} "
            f"defines no handle_cast(self, request, state)"
        )

    def handle_info(self, message: Any, state: Any) -> Any:
        """Handle any other message; by default log it as unexpected and go on."""
        pid, name = _me()
        crash_reports.unexpected_message(pid, name, type(self), message)
        return ("noreply", state)

    def handle_continue(self, arg: Any, state: Any) -> Any:
        """Run the work a callback deferred with ``('continue', arg)``."""
        raise RuntimeError(
            f"GenServer {_me_label()} returned ('continue', ...) but "
            f"{type(self).__qualname__} defines no handle_continue(self, arg, state)"
        )

    def terminate(self, reason: Any, state: Any) -> Any:
        """Clean up as the server stops (on a stop, a crash, or its parent's exit if trapping)."""
        return "ok"

    @classmethod
    def child_spec(cls, arg: Any) -> dict[str, Any]:
        """The child spec that ``(cls, arg)`` stands for in a supervisor's children.

        ``{'id': cls, 'start': (GenServer.start_link, [cls, arg])}``; override it
        to change the id, the restart type or the shutdown.
        """
        return {"id": cls, "start": (GenServer.start_link, [cls, arg])}

    # -- client API -------------------------------------------------------

    @staticmethod
    def start_link(
        cls: type[GenServer], arg: Any, name: str | None = None, timeout: Any = None
    ) -> Any:
        """Start a server running ``cls``, linked to the caller; wait for its ``init``.

        Returns ``('ok', pid)``, ``('error', reason)`` or ``'ignore'``; with a
        ``name`` that is taken, ``('error', ('already_started', pid))``. If
        ``init`` returns ``('stop', reason)`` the server exits with ``reason``,
        which takes a linked caller that does not trap exits down with it.
        ``timeout`` (seconds) bounds ``init``: ``('error', 'timeout')`` after it.
        """
        return _start(cls, arg, name, True, timeout)

    @staticmethod
    def start(
        cls: type[GenServer], arg: Any, name: str | None = None, timeout: Any = None
    ) -> Any:
        """``start_link`` without the link."""
        return _start(cls, arg, name, False, timeout)

    @staticmethod
    def call(server: Any, request: Any, timeout: Any = 5.0) -> Any:
        """Send ``request`` to ``server`` (pid or name) and wait for its reply.

        ``timeout`` is in seconds (None or ``'infinity'``: wait forever). On
        failure raises ``Exit`` whose reason is ``(why, ('GenServer', 'call',
        [server, request, timeout]))``, ``why`` being ``'timeout'``, ``'noproc'``
        or the server's exit reason. A reply that comes after a timeout is
        dropped: it never lands in the caller's mailbox.
        """
        return calls.call(server, CALL, request, timeout)

    @staticmethod
    def cast(server: Any, request: Any) -> str:
        """Send ``request`` to ``server`` without waiting; always returns ``'ok'``."""
        pid = server if is_remote(server) else named_pid(server, "a server")
        if pid is not None:
            send(pid, (CAST, request))
        return "ok"

    @staticmethod
    def reply(from_: Any, reply: Any) -> str:
        """Answer the call ``from_`` (from any process); returns ``'ok'``."""
        return calls.reply(from_, reply)

    @staticmethod
    def stop(server: Any, reason: Any = "normal", timeout: Any = None) -> str:
        """Stop ``server`` with ``reason``: it runs ``terminate`` and exits; returns ``'ok'``.

        Raises ``Exit`` with ``(why, ('GenServer', 'stop', [server, reason,
        timeout]))`` if there is no such process (``'noproc'``), it outlives
        ``timeout`` seconds, or it exited with another reason.
        """
        return system.stop(server, reason, timeout, "GenServer")

    @staticmethod
    def whereis(server: Any) -> Pid | None:
        """The pid of ``server`` (a pid or a registered name), or None if it is not alive."""
        pid = named_pid(server, "a server")
        if pid is not None and not is_remote(pid) and not alive(pid):
            return None
        return pid


child_spec.CLASS_STARTS.update({GenServer.start_link, GenServer.start})


def _me() -> tuple[Pid, str | None]:
    """The calling process's pid and registered name."""
    pid = Process.self()
    shot = snapshot(pid)
    return pid, shot.registered_name if shot is not None else None


def _me_label() -> str:
    return crash_reports.label(*_me())


# -- starting ---------------------------------------------------------------


def _start(
    cls: Any,
    arg: Any,
    name: str | None,
    link: bool,
    timeout: Any,
    behaviour: str = "GenServer",
    dictionary: dict[str, Any] | None = None,
) -> Any:
    if not (isinstance(cls, type) and issubclass(cls, GenServer)):
        raise TypeError(
            f"GenServer.start{'_link' if link else ''} needs a GenServer subclass, "
            f"got {cls!r} ({type(cls).__name__})"
        )
    parent = Process.self() if link else None
    if dictionary is None:
        dictionary = {
            "$initial_call": (class_owner(cls), "init", 1),
            "$behaviour": behaviour,
            "$module": cls,
        }
    return starting.start(
        _main,
        (cls, arg, parent),
        link=link,
        name=name,
        dictionary=dictionary,
        timeout=timeout,
    )


def start_server(
    cls: type[GenServer],
    arg: Any,
    *,
    name: str | None,
    link: bool,
    behaviour: str,
    dictionary: dict[str, Any],
    timeout: Any = None,
) -> Any:
    """Start a GenServer for another behaviour (Supervisor, Agent...) under its own name."""
    return _start(cls, arg, name, link, timeout, behaviour, dictionary)


def _main(starter: starting.Starter, cls: type[GenServer], arg: Any, parent: Pid | None) -> None:
    me = Process.self()
    try:
        inst = cls()
        result = inst.init(arg)
    except Exit as exc:
        starter.ack(("error", exc.reason))
        raise
    except Exception as exc:
        # Report first: whoever started it learns of the error after the report.
        crash_reports.start_failed(
            me,
            exc,
            Process.get("$initial_call", (class_owner(cls), "init", 1)),
            Process.get("$ancestors", []),
        )
        starter.ack(("error", exc))
        raise Exit(exc) from None
    extra: Any = None
    if result.__class__ is tuple and len(result) in (2, 3) and _is(result[0], "ok") and (
        len(result) == 2 or _valid_extra(result[2])
    ):
        state = result[1]
        if len(result) == 3:
            extra = _normal_extra(result[2])
    elif result.__class__ is tuple and len(result) == 2 and _is(result[0], _STOP):
        starter.ack(("error", result[1]))
        raise Exit(result[1])
    elif _is(result, "ignore"):
        starter.ack("ignore")
        return
    else:
        reason = ("bad_return_value", result)
        starter.ack(("error", reason))
        raise Exit(reason)
    starter.ack(("ok", me))
    _Loop(inst, parent).run(state, extra)


# -- the loop ---------------------------------------------------------------


def _is(value: Any, atom: str) -> bool:
    """``value == atom`` for a value of any type (a numpy array included)."""
    return value is atom or (value.__class__ is str and value == atom)


def _valid_extra(extra: Any) -> bool:
    if extra.__class__ in (int, float):
        return extra >= 0
    if extra.__class__ is str:
        return extra in ("hibernate", "infinity")
    return extra.__class__ is tuple and len(extra) == 2 and _is(extra[0], _CONTINUE)


class _Loop:
    """One server's receive loop (its attributes are what a crash report needs)."""

    __slots__ = ("inst", "parent", "last")

    def __init__(self, inst: GenServer, parent: Pid | None) -> None:
        self.inst = inst
        self.parent = parent  # who started it linked: its exit stops the server
        self.last: Any = None  # the message being handled, for the crash report

    def run(self, state: Any, extra: Any) -> NoReturn:
        inst = self.inst
        handle_call = inst.handle_call
        handle_cast = inst.handle_cast
        handle_info = inst.handle_info
        parent = self.parent
        atomic = ATOMIC_TYPES
        me = current()
        try:
            while True:
                if extra is None:
                    # This is where the server waits (take's fast path).
                    message = take(me)
                else:
                    message, state, extra = self._extra(state, extra)
                    if message is _TIMED_OUT:
                        continue
                if message.__class__ is tuple and message:
                    tag = message[0]
                    if tag.__class__ is str or isinstance(tag, str):  # an atom from another node too
                        if tag == CALL and len(message) == 3:
                            self.last = message
                            from_ = message[1]
                            if TRACING[0]:
                                trace_event(me, "call", message[2], from_)
                            result = handle_call(message[2], from_, state)
                            if (
                                result.__class__ is tuple
                                and len(result) == 3
                                and result[0] is _REPLY
                            ):
                                # The fast path: reply and take the next message.
                                state = result[2]
                                value = result[1]
                                client, ref = from_
                                if deliver_to_alias(
                                    client,
                                    ref,
                                    (ref, value) if value.__class__ in atomic
                                    else copy_message((ref, value)),
                                ) and not has_messages(me):
                                    hand_over()  # nothing else to do: let the caller run now
                                elif client.node != 0:
                                    calls.reply(from_, value)  # a caller on another node
                                if TRACING[0]:
                                    trace_event(me, "return", value)
                                continue
                            state, extra = self._after_call(result, from_, state)
                            continue
                        if tag == CAST and len(message) == 2:
                            self.last = message
                            state, extra = self._after(handle_cast(message[1], state), state)
                            continue
                        if tag == system.SYSTEM and len(message) == 3:
                            self._system(message[1], message[2], state)
                            continue
                        if parent is not None and is_exit(message, parent):
                            self.last = message
                            raise _Stopping(message[2], state)
                self.last = message
                state, extra = self._after(handle_info(message, state), state)
        except _Stopping as stop:
            self._terminate(stop.reason, stop.state, stop.reply)
        except Exit as exc:
            self._terminate(exc.reason, state)
        except Exception as exc:
            self._terminate(exc, state)

    # -- the slow paths ---------------------------------------------------

    def _extra(self, state: Any, extra: Any) -> tuple[Any, Any, Any]:
        """Act on a return's extra element; returns (message, state, extra)."""
        if extra.__class__ is tuple:  # ('continue', arg)
            self.last = extra
            state, extra = self._after(self.inst.handle_continue(extra[1], state), state)
            return _TIMED_OUT, state, extra
        if extra.__class__ is str:  # 'hibernate', 'infinity'
            return receive_matching(None), state, None
        message = receive_matching(None, extra, _TIMED_OUT)
        if message is _TIMED_OUT:
            self.last = "timeout"
            state, extra = self._after(self.inst.handle_info("timeout", state), state)
            return _TIMED_OUT, state, extra
        return message, state, None

    def _after(self, result: Any, state: Any) -> tuple[Any, Any]:
        """Check a cast/info/continue result: (state, extra), or raise _Stopping."""
        if result.__class__ is tuple:
            size = len(result)
            kind = result[0] if size else None
            if _is(kind, _NOREPLY):
                if size == 2:
                    return result[1], None
                if size == 3 and _valid_extra(result[2]):
                    return result[1], _normal_extra(result[2])
            elif _is(kind, _STOP) and size == 3:
                raise _Stopping(result[1], result[2])
        raise _Stopping(("bad_return_value", result), state)

    def _after_call(self, result: Any, from_: Any, state: Any) -> tuple[Any, Any]:
        """Check a handle_call result other than the plain reply."""
        if result.__class__ is tuple:
            size = len(result)
            kind = result[0] if size else None
            if _is(kind, _REPLY):
                if size == 3:
                    calls.reply(from_, result[1])
                    return result[2], None
                if size == 4 and _valid_extra(result[3]):
                    calls.reply(from_, result[1])
                    return result[2], _normal_extra(result[3])
            elif _is(kind, _NOREPLY):
                if size == 2:
                    return result[1], None
                if size == 3 and _valid_extra(result[2]):
                    return result[1], _normal_extra(result[2])
            elif _is(kind, _STOP):
                if size == 4:
                    raise _Stopping(result[1], result[3], (from_, result[2]))
                if size == 3:
                    raise _Stopping(result[1], result[2])
        raise _Stopping(("bad_return_value", result), state)

    def _system(self, from_: Any, request: Any, state: Any) -> None:
        if _is(request, system.GET_STATE):
            calls.reply(from_, state, strict=False)  # a state may hold a socket: show it
        elif request.__class__ is tuple and len(request) == 2 and _is(
            request[0], system.TERMINATE
        ):
            self.last = None
            raise _Stopping(request[1], state)
        else:
            calls.reply(from_, ("error", ("unknown_system_message", request)))

    def _terminate(self, reason: Any, state: Any, reply: Any = calls.NO_REPLY) -> NoReturn:
        """Run ``terminate``, report an abnormal end, send a pending stop reply, exit."""
        try:
            self.inst.terminate(reason, state)
        except Exit as exc:
            reason = exc.reason
        except Exception as exc:
            reason = exc
        if not crash_reports.is_normal_exit(reason):
            self._report(reason, state)
        if reply is not calls.NO_REPLY:
            calls.reply(reply[0], reply[1])
        raise Exit(reason)

    def _report(self, reason: Any, state: Any) -> None:
        last = self.last
        client: Pid | None = None
        if (
            last.__class__ is tuple
            and len(last) == 3
            and _is(last[0], CALL)
            and last[1].__class__ is tuple
            and len(last[1]) == 2
            and last[1][0].__class__ is Pid
        ):
            client = last[1][0]
            last = last[2]
        client_alive = client is not None and alive(client)
        pid, name = _me()
        crash_reports.server_terminating(
            pid,
            name,
            reason,
            last,
            state,
            client=client,
            client_alive=client_alive,
        )


def _normal_extra(extra: Any) -> Any:
    """The extra element as the loop keeps it: None, a timeout, or ('continue', arg)."""
    if extra.__class__ is str:
        return None
    return extra


# info()'s memory estimate and the observer read a server's state from its loop.
hold_state(_Loop.run.__code__, "state")
