"""Starting a behaviour process synchronously (Erlang's ``proc_lib`` start and ack).

``start`` spawns the process (linked to the caller for ``start_link``), lets it
register its name and run its ``init``, and returns only once the new process
has acknowledged with its start result -- or has died trying. Every behaviour
process gets the process-dictionary keys the shell's ``i()`` reads:
``'$initial_call'``, ``'$ancestors'``, ``'$behaviour'`` and, for GenServers,
``'$module'``.
"""

from __future__ import annotations

from typing import Any, Callable

from ..runtime import registry
from ..runtime.api import register
from ..runtime.links import demonitor, exit as exit_signal, unlink
from ..runtime.mailbox import UNSET, check_timeout, receive_matching, send
from ..runtime.process import current
from ..runtime.spawning import start_process
from ..runtime.values import Pid, Ref, make_ref

__all__ = ["start", "Starter", "ancestors_of_caller"]


class Starter:
    """What a starting process knows of whoever waits for its start result."""

    __slots__ = ("pid", "tag", "acked")

    def __init__(self, pid: Pid, tag: Ref) -> None:
        self.pid = pid
        self.tag = tag
        self.acked = False

    def ack(self, result: Any) -> None:
        """Tell the starter how the start went (once)."""
        if not self.acked:
            self.acked = True
            send(self.pid, ("$ack", self.tag, result))


def ancestors_of_caller() -> list[Pid]:
    """``'$ancestors'`` for a process the caller starts: the caller, then its ancestors."""
    me = current()
    inherited = me.dictionary.get("$ancestors")
    return [me.pid, *inherited] if isinstance(inherited, list) else [me.pid]


def _boot(
    body: Callable[..., Any],
    args: tuple[Any, ...],
    starter: Starter,
    name: str | None,
    dictionary: dict[str, Any],
) -> None:
    me = current()
    with me.lock:
        me.dictionary.update(dictionary)
    if name is not None:
        while True:
            try:
                register(me.pid, name)
                break
            except ValueError:
                holder = registry.whereis(name)
                if holder is None:
                    continue  # the holder exited meanwhile: try again
                starter.ack(("error", ("already_started", holder.pid)))
                return
    body(starter, *args)


def start(
    body: Callable[..., Any],
    args: tuple[Any, ...],
    *,
    link: bool,
    name: str | None,
    dictionary: dict[str, Any],
    timeout: Any = None,
) -> Any:
    """Run ``body(starter, *args)`` in a new process and wait for its ``starter.ack(result)``.

    Returns the acknowledged result, ``('error', reason)`` if the process died
    before acknowledging, or ``('error', 'timeout')`` if ``timeout`` seconds
    passed (the process is then killed).
    """
    if name is not None:
        registry.check_name(name)
    wait = check_timeout(timeout, "start timeout")
    me = current()
    tag = make_ref()
    starter = Starter(me.pid, tag)
    dictionary = {"$ancestors": ancestors_of_caller(), **dictionary}
    # info() shows the behaviour's initial call (Stack.init/1), not this module's.
    pid, mref = start_process(
        _boot,
        (body, args, starter, name, dictionary),
        {},
        link=link,
        monitor=True,
        initial_call=dictionary.get("$initial_call"),
    )

    def answer(message: Any) -> bool:
        return message.__class__ is tuple and len(message) > 2 and (
            (message[1] is tag and message[0] == "$ack")
            or (message[1] is mref and message[0] == "DOWN")
        )

    message = receive_matching(answer, wait, UNSET if wait is None else None)
    if message is None:  # timed out: Erlang kills it and says so
        if link:
            unlink(pid)
        exit_signal(pid, "kill")
        receive_matching(
            lambda m: m.__class__ is tuple and len(m) == 5 and m[1] is mref and m[0] == "DOWN"
        )
        # An acknowledgement sent just before the kill came before the DOWN.
        receive_matching(answer, 0, None)
        return ("error", "timeout")
    if message[0] == "DOWN":
        return ("error", message[4])
    assert mref is not None
    demonitor(mref, flush=True)
    return message[2]

