"""What a remote peer does to local processes, through the distribution layer.

The remote handler (remote.py) calls these for another node: its links,
monitors, exit signals and messages reach local processes with the same rules
as between local processes, and a spawn request starts a process here.
"""

from __future__ import annotations

from typing import Any, Callable

from . import workers
from .delivery import deliver as deliver_message
from .delivery import deliver_alias as deliver_to_alias
from .delivery import deliver_down, lookup
from .exits import forget_watcher, signal_exit
from .node_state import NODE
from .record import ProcessRecord
from .spawning import describe_call
from .states import ALIVE
from .values import Pid, Ref

__all__ = [
    "add_link",
    "remove_link",
    "exit_signal",
    "add_watcher",
    "remove_watcher",
    "down",
    "deliver",
    "deliver_named",
    "deliver_alias",
    "group_leader_of",
    "set_group_leader",
    "add_monitor",
    "spawn_for",
]


def add_link(local: Pid, remote: Pid) -> bool:
    """A remote process linked to ``local``; False if ``local`` is not alive."""
    proc = NODE.table.lookup(local)
    if proc is None:
        return False
    with proc.lock:
        if proc.lifecycle is not ALIVE:
            return False
        proc.links.add(remote)
        return True


def remove_link(local: Pid, remote: Pid) -> None:
    """A remote process unlinked from ``local``."""
    proc = NODE.table.lookup(local)
    if proc is not None:
        with proc.lock:
            proc.links.discard(remote)


def exit_signal(local: Pid, sender: Pid, reason: Any, linked: bool) -> None:
    """An exit signal from remote ``sender`` reaches ``local`` (a link's when ``linked``)."""
    proc = NODE.table.lookup(local)
    if proc is not None:
        signal_exit(proc, sender, reason, linked=linked)


def add_watcher(target: Any, ref: Ref, remote: Pid) -> Pid | None:
    """Remote ``remote`` monitors local ``target`` (pid or name); its pid, or None if not alive."""
    proc = lookup(target)
    if proc is None:
        return None
    with proc.lock:
        if proc.lifecycle is not ALIVE:
            return None
        proc.monitored_by[ref] = remote
        return proc.pid


def remove_watcher(target: Any, ref: Ref) -> None:
    """Remote monitor ``ref`` of local ``target`` (pid or name) is off."""
    proc = lookup(target)
    if proc is not None:
        forget_watcher(proc, ref)


def down(local: Pid, ref: Ref, watched: Any, reason: Any) -> None:
    """The remote process that ``local`` monitors with ``ref`` exited (or its node went)."""
    proc = NODE.table.lookup(local)
    if proc is not None:
        deliver_down(proc, ref, watched, reason)


def deliver(local: Pid, message: Any) -> bool:
    """Put ``message``, fresh from another node (no copy needed), in local ``local``'s mailbox."""
    return _put(NODE.table.lookup(local), message)


def deliver_named(name: str, message: Any) -> bool:
    """Put ``message`` in the mailbox of the local process registered as ``name``."""
    return _put(NODE.registry.whereis(name), message)


def _put(proc: ProcessRecord | None, message: Any) -> bool:
    if proc is None:
        return False
    deliver_message(proc, message)
    return True


def deliver_alias(ref: Ref, message: Any) -> bool:
    """Deliver to whichever local process has ``ref`` as an active alias."""
    for proc in NODE.table.live():
        with proc.lock:
            holds = ref in proc.aliases
        if holds:
            return deliver_to_alias(proc, ref, message)
    return False


def group_leader_of(local: Pid) -> Any:
    """The group leader of local ``local`` (None if it has none or is not alive)."""
    proc = NODE.table.lookup(local)
    return proc.group_leader if proc is not None else None


def set_group_leader(local: Pid, leader: Any) -> None:
    """Make ``leader`` the group leader of local ``local`` (where its output goes)."""
    proc = NODE.table.lookup(local)
    if proc is not None:
        with proc.lock:
            proc.group_leader = leader


def add_monitor(local: Pid, ref: Ref, target: Any) -> bool:
    """Record that local ``local`` monitors remote ``target`` with ``ref`` (a DOWN may follow)."""
    proc = NODE.table.lookup(local)
    if proc is None:
        return False
    with proc.lock:
        if proc.lifecycle is not ALIVE:
            return False
        proc.monitors[ref] = target
        return True


def spawn_for(fun: Any, args: tuple[Any, ...] = (), group_leader: Any = None,
              link: Pid | None = None, watcher: tuple[Ref, Pid] | None = None,
              prepare: Callable[[Pid], None] | None = None) -> Pid:
    """Start a process on behalf of another node: no local parent (the caller may be any thread).

    ``link`` (a remote pid) is linked and ``watcher`` (``(ref, remote pid)``)
    monitors it before it runs, as Erlang's spawn_request does; ``prepare(pid)``
    is called before it runs too.
    """
    proc = ProcessRecord((fun, args, {}), describe_call(fun, len(args)), group_leader)
    if link is not None:
        proc.links.add(link)
    if watcher is not None:
        proc.monitored_by[watcher[0]] = watcher[1]
    pid = NODE.table.add(proc)
    if prepare is not None:
        prepare(pid)
    workers.start(proc)
    return pid
