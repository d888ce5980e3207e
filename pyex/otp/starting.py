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

from ..runtime import Pid, Process, Ref, make_ref, send
from ..runtime.internal import (
    UNSET,
    check_name,
    demonitor,
    down_of,
    exit_signal,
    is_down,
    named_pid,
    receive_matching,
    register,
    start_process,
    unlink,
    update_dictionary,
    wait_time,
)

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
    me = Process.self()
    inherited = Process.get("$ancestors")
    return [me, *inherited] if isinstance(inherited, list) else [me]


def _boot(
    body: Callable[..., Any],
    args: tuple[Any, ...],
    starter: Starter,
    name: str | None,
    dictionary: dict[str, Any],
) -> None:
    update_dictionary(dictionary)
    if name is not None:
        me = Process.self()
        while True:
            try:
                register(me, name)
                break
            except ValueError:
                holder = named_pid(name)
                if holder is None:
                    continue  # the holder exited meanwhile: try again
                starter.ack(("error", ("already_started", holder)))
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
        check_name(name)
    wait = wait_time(timeout, "start timeout")
    tag = make_ref()
    starter = Starter(Process.self(), tag)
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
    assert mref is not None  # monitor=True

    def answer(message: Any) -> bool:
        return (
            message.__class__ is tuple
            and len(message) == 3
            and message[1] is tag
            and message[0] == "$ack"
        ) or is_down(message, mref)

    message = receive_matching(answer, wait, UNSET if wait is None else None)
    if message is None:  # timed out: Erlang kills it and says so
        if link:
            unlink(pid)
        exit_signal(pid, "kill")
        receive_matching(down_of(mref))
        # An acknowledgement sent just before the kill came before the DOWN.
        receive_matching(answer, 0, None)
        return ("error", "timeout")
    if is_down(message, mref):
        return ("error", message[4])
    demonitor(mref, flush=True)
    return message[2]

