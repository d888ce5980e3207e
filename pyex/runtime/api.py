"""The runtime's public face: ``self()`` and the ``Process`` namespace."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any, ContextManager, Iterable

from . import links, registry, timeouts, tracing
from .binding import bound
from .copying import copy_message
from .current import current
from .delivery import named_pid
from .introspection import alive, info, processes
from .mailbox import send, sleep
from .node_state import NODE
from .sections import shielded
from .spawning import spawn, spawn_link, spawn_monitor
from .states import ALIVE
from .values import Pid, Ref

__all__ = ["self", "Process", "put", "get", "delete", "register", "unregister", "registered", "whereis"]


def _section() -> ContextManager[Any]:
    """Shield a runtime section from signals if the caller is a process (no adopting)."""
    proc = bound()
    return shielded(proc) if proc is not None else nullcontext()


def self() -> Pid:
    """The calling process's pid (a plain thread becomes a process on first use)."""
    return current().pid


def register(pid: Pid, name: str) -> bool:
    """Register ``pid`` under ``name`` (a string); sending to ``name`` then reaches it."""
    links.require_pid(pid, "register()")
    registry.check_name(name)
    proc = NODE.table.lookup(pid)
    if proc is None:
        raise ValueError(f"cannot register {name!r}: {pid} is not alive")
    with _section():  # a kill half-way through would leave the name half-given
        NODE.registry.register(proc, name)
    return True


def unregister(name: str) -> bool:
    """Remove the registered name ``name``."""
    with _section():
        NODE.registry.unregister(name)
    return True


def registered() -> list[str]:
    """Every name registered to a live process, sorted."""
    return NODE.registry.registered()


def whereis(name: str) -> Pid | None:
    """The pid registered as ``name``, or None."""
    return named_pid(registry.check_name(name))


def put(key: Any, value: Any) -> Any:
    """Store ``value`` under ``key`` in the process dictionary; returns the old value or None."""
    me = current()
    with me.lock:
        old = me.dictionary.get(key)
        me.dictionary[key] = value
    return old


def get(key: Any, default: Any = None) -> Any:
    """The value stored under ``key`` in the process dictionary, or ``default``."""
    return current().dictionary.get(key, default)


def delete(key: Any) -> Any:
    """Remove ``key`` from the process dictionary; returns its value or None."""
    me = current()
    with me.lock:
        return me.dictionary.pop(key, None)


def set_label(label: Any) -> str:
    """Label the calling process with any term (info() and top() show it); returns 'ok'.

    Erlang's ``proc_lib:set_label/1``: a name for people, not for sending to.
    """
    from .copying import copy_message

    current().label = copy_message(label)
    return "ok"


def get_label(pid: Pid) -> Any:
    """The label of process ``pid`` (set with Process.set_label), or None."""
    links.require_pid(pid, "get_label()")
    proc = NODE.table.lookup(pid)
    if proc is None or proc.lifecycle is not ALIVE:
        return None
    return proc.label


def flag(name: str, value: bool) -> bool:
    """Set a process flag; only ``'trap_exit'`` exists. Returns the old value."""
    if name != "trap_exit":
        raise ValueError(f"unknown process flag {name!r}: the only flag is 'trap_exit'")
    return links.set_trap_exit(value)


def send_after(dest: Any, message: Any, seconds: float) -> Ref:
    """Send ``message`` to ``dest`` (pid or name) after ``seconds``; returns a timer ref.

    The message is copied now. A name is looked up when the timer fires.
    """
    delay = timeouts.delay(seconds, "send_after delay")  # beyond the clock: math.inf
    if not isinstance(dest, (Pid, str)):
        raise TypeError(
            f"a message must go to a pid or a registered name, got {dest!r} "
            f"({type(dest).__name__})"
        )
    frozen = copy_message(message)
    with _section():  # a kill half-way through could lose the timer thread
        return NODE.timers.schedule(delay, lambda: send(dest, frozen))


def trace(
    pid: Pid, on: bool, events: Iterable[str] = ("send", "receive"), tracer: Pid | None = None
) -> str:
    """Turn tracing of ``pid``'s ``events`` on or off (Erlang's ``:erlang.trace/3``); returns 'ok'.

    While on, ``tracer`` (default: the caller) gets ``('trace', pid, event,
    ...)`` messages: ``'send'`` (message, to), ``'receive'`` (message),
    ``'spawn'`` (child), ``'exit'`` (reason), ``'link'`` (other; also
    ``'unlink'``), ``'call'`` (request, from_; then ``'return'``, reply).
    Turning on adds ``events`` to those already traced (and sets the
    tracer); turning off removes them. Raises ValueError for a pid that is
    not alive or an unknown event.
    """
    if on and tracer is None:
        tracer = current().pid
    return tracing.trace(pid, on, events, tracer)


def cancel_timer(ref: Ref) -> float | bool:
    """Cancel a send_after timer: the seconds it had left, or False if it already fired."""
    if ref.__class__ is not Ref:
        raise TypeError(f"cancel_timer() needs a timer reference, got {ref!r}")
    with _section():
        return NODE.timers.cancel(ref)


class Process:
    """Elixir's ``Process`` module: ``Process.exit(pid, reason)``, ``Process.monitor(pid)``...

    Every function here is also documented on its own: ``h(Process.monitor)``.
    """

    exit = staticmethod(links.exit)
    link = staticmethod(links.link)
    unlink = staticmethod(links.unlink)
    monitor = staticmethod(links.monitor)
    demonitor = staticmethod(links.demonitor)
    register = staticmethod(register)
    unregister = staticmethod(unregister)
    whereis = staticmethod(whereis)
    registered = staticmethod(registered)
    flag = staticmethod(flag)
    sleep = staticmethod(sleep)
    send_after = staticmethod(send_after)
    cancel_timer = staticmethod(cancel_timer)
    list = staticmethod(processes)
    alive = staticmethod(alive)
    info = staticmethod(info)
    put = staticmethod(put)
    get = staticmethod(get)
    delete = staticmethod(delete)
    send = staticmethod(send)
    spawn = staticmethod(spawn)
    spawn_link = staticmethod(spawn_link)
    spawn_monitor = staticmethod(spawn_monitor)
    self = staticmethod(self)
    set_label = staticmethod(set_label)
    get_label = staticmethod(get_label)
    trace = staticmethod(trace)

    def __init__(self) -> None:
        raise TypeError("Process is a namespace of functions, not a class to instantiate")
