"""The runtime's one door to other nodes: where a destination that is not local goes.

The runtime knows nothing of distribution. A pid whose ``node`` is not 0, or a
``(name, node)`` pair naming another node, is handed to the *remote handler*
that a distribution layer installs with ``install()``; with none installed,
such a destination is unreachable (a send is dropped, a link or monitor fails
with ``'noconnection'``). The handler calls back into the runtime through the
functions below to act on local processes for a remote peer (its links,
monitors and exit signals), with the same rules as between local processes.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol

from . import table
from .states import ALIVE
from .values import Pid, Ref

# exits.py (a process's end) imports this module: what this module needs of
# exits.py and delivery.py is imported inside the functions.

__all__ = [
    "RemoteHandler",
    "install",
    "uninstall",
    "handler",
    "local_node",
    "is_remote",
    "add_link",
    "remove_link",
    "exit_signal",
    "add_watcher",
    "remove_watcher",
    "down",
    "tell_exit",
]


class RemoteHandler(Protocol):
    """What a distribution layer does for the runtime (every method must not block long)."""

    def node_name(self) -> str:
        """This node's name (``nonode@nohost`` when not distributed)."""

    def send(self, sender: Pid | None, dest: Any, message: Any) -> None:
        """Send ``message`` to a remote pid or ``(name, node)``; raises TypeError if unencodable."""

    def link(self, local: Pid, remote: Pid) -> None:
        """``local`` linked itself to ``remote`` (already in its links)."""

    def unlink(self, local: Pid, remote: Pid) -> None:
        """``local`` removed its link to ``remote``."""

    def monitor(self, local: Pid, target: Any, ref: Ref) -> None:
        """``local`` monitors ``target`` (remote pid or ``(name, node)``) with ``ref``."""

    def demonitor(self, local: Pid, target: Any, ref: Ref) -> None:
        """``local`` turned off its monitor ``ref`` of ``target``."""

    def exit(self, local: Pid, remote: Pid, reason: Any) -> None:
        """``local`` sends an exit signal (``Process.exit``) to ``remote``."""

    def exited(self, pid: Pid, reason: Any, links: list[Pid],
               watchers: dict[Ref, Pid], monitors: dict[Ref, Any]) -> None:
        """Local ``pid`` exited: tell its remote links and watchers; drop its remote monitors."""


_handler: RemoteHandler | None = None


def install(new: RemoteHandler) -> None:
    """Make ``new`` the handler of every destination that is not local."""
    global _handler
    _handler = new


def uninstall(old: RemoteHandler) -> None:
    """Remove ``old`` if it is the installed handler."""
    global _handler
    if _handler is old:
        _handler = None


def handler() -> RemoteHandler | None:
    """The installed handler, or None."""
    return _handler


def local_node() -> str:
    """This node's name."""
    return _handler.node_name() if _handler is not None else "nonode@nohost"


def is_remote(dest: Any) -> bool:
    """True for a pid of another node or a ``(name, node)`` pair naming another node."""
    if dest.__class__ is Pid:
        return dest.node != 0
    if dest.__class__ is tuple and len(dest) == 2:
        return isinstance(dest[0], str) and isinstance(dest[1], str) and dest[1] != local_node()
    return False


def node_of(dest: Any) -> str:
    """The node name of a pid or ``(name, node)`` pair."""
    if dest.__class__ is tuple:
        return str(dest[1])
    name = getattr(_handler, "node_name_of", None)
    return str(name(dest)) if name is not None else "nonode@nohost"


def local_name(dest: Any) -> Any:
    """``(name, this_node)`` is just ``name``; anything else as it is."""
    if dest.__class__ is tuple and len(dest) == 2 and dest[1] == local_node() and isinstance(dest[0], str):
        return dest[0]
    return dest


def tell_exit(pid: Pid, reason: Any, links: set[Pid], watchers: dict[Ref, Pid],
              monitors: dict[Ref, Any]) -> None:
    """Called as local ``pid`` exits: the handler tells the remote ones among these."""
    current = _handler
    if current is None:
        return
    far_links = [p for p in links if p.node != 0]
    far_watchers = {r: p for r, p in watchers.items() if p.node != 0}
    far_monitors = {r: t for r, t in monitors.items() if is_remote(t)}
    if far_links or far_watchers or far_monitors:
        current.exited(pid, reason, sorted(far_links), far_watchers, far_monitors)


# -- called by the handler, for a remote peer ----------------------------------


def add_link(local: Pid, remote: Pid) -> bool:
    """A remote process linked to ``local``; False if ``local`` is not alive."""
    proc = table.lookup(local)
    if proc is None:
        return False
    with proc.lock:
        if proc.lifecycle is not ALIVE:
            return False
        proc.links.add(remote)
        return True


def remove_link(local: Pid, remote: Pid) -> None:
    """A remote process unlinked from ``local``."""
    proc = table.lookup(local)
    if proc is not None:
        with proc.lock:
            proc.links.discard(remote)


def exit_signal(local: Pid, sender: Pid, reason: Any, linked: bool) -> None:
    """An exit signal from remote ``sender`` reaches ``local`` (a link's when ``linked``)."""
    from .exits import signal_exit

    proc = table.lookup(local)
    if proc is not None:
        signal_exit(proc, sender, reason, linked=linked)


def add_watcher(target: Any, ref: Ref, remote: Pid) -> Pid | None:
    """Remote ``remote`` monitors local ``target`` (pid or name); its pid, or None if not alive."""
    from . import registry  # (registry imports process, which imports this module)

    proc = registry.whereis(target) if isinstance(target, str) else table.lookup(target)
    if proc is None:
        return None
    with proc.lock:
        if proc.lifecycle is not ALIVE:
            return None
        proc.monitored_by[ref] = remote
        return proc.pid


def remove_watcher(target: Any, ref: Ref) -> None:
    """Remote monitor ``ref`` of local ``target`` (pid or name) is off."""
    from . import registry  # (registry imports process, which imports this module)
    from .exits import forget_watcher

    proc = registry.whereis(target) if isinstance(target, str) else table.lookup(target)
    if proc is not None:
        forget_watcher(proc, ref)


def down(local: Pid, ref: Ref, watched: Any, reason: Any) -> None:
    """The remote process that ``local`` monitors with ``ref`` exited (or its node went)."""
    from .delivery import deliver_down

    proc = table.lookup(local)
    if proc is not None:
        deliver_down(proc, ref, watched, reason)


def deliver(local: Pid, message: Any) -> bool:
    """Put ``message``, fresh from another node (no copy needed), in local ``local``'s mailbox."""
    from .delivery import deliver as deliver_message

    proc = table.lookup(local)
    if proc is None:
        return False
    deliver_message(proc, message)
    return True


def deliver_named(name: str, message: Any) -> bool:
    """Put ``message`` in the mailbox of the local process registered as ``name``."""
    from . import registry
    from .delivery import deliver as deliver_message

    proc = registry.whereis(name)
    if proc is None:
        return False
    deliver_message(proc, message)
    return True


def deliver_alias(ref: Ref, message: Any) -> bool:
    """Deliver to whichever local process has ``ref`` as an active alias."""
    from .delivery import deliver_alias as deliver_to_alias

    for proc in table.live():
        if ref in proc.aliases:
            return deliver_to_alias(proc, ref, message)
    return False


def group_leader_of(local: Pid) -> Any:
    """The group leader of local ``local`` (None if it has none or is not alive)."""
    proc = table.lookup(local)
    return proc.group_leader if proc is not None else None


def set_group_leader(local: Pid, leader: Any) -> None:
    """Make ``leader`` the group leader of local ``local`` (where its output goes)."""
    proc = table.lookup(local)
    if proc is not None:
        proc.group_leader = leader


def add_monitor(local: Pid, ref: Ref, target: Any) -> bool:
    """Record that local ``local`` monitors remote ``target`` with ``ref`` (a DOWN may follow)."""
    proc = table.lookup(local)
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
    from . import workers
    from .record import ProcessRecord
    from .spawning import describe_call

    proc = ProcessRecord((fun, args, {}), describe_call(fun, len(args)), group_leader)
    if link is not None:
        proc.links.add(link)
    if watcher is not None:
        proc.monitored_by[watcher[0]] = watcher[1]
    pid = table.add(proc)
    if prepare is not None:
        prepare(pid)
    workers.start(proc)
    return pid
