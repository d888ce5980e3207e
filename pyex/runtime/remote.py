"""The runtime's one door to other nodes: where a destination that is not local goes.

The runtime knows nothing of distribution. A pid whose ``node`` is not 0, or a
``(name, node)`` pair naming another node, is handed to the *remote handler*
that a distribution layer installs with ``install()``; with none installed,
such a destination is unreachable (a send is dropped, a link or monitor fails
with ``'noconnection'``). The handler calls back into the runtime through inbound.py to act on local
processes for a remote peer (its links, monitors and exit signals), with the
same rules as between local processes. This module is a leaf of the runtime
(it imports only the node's state, for its name): what delivers, links and
exits imports it, and it imports none of them.
"""

from __future__ import annotations

from typing import Any, Protocol

from .node_state import NODE
from .values import Pid, Ref

__all__ = [
    "RemoteHandler",
    "install",
    "uninstall",
    "handler",
    "local_node",
    "is_remote",
    "node_of",
    "local_name",
    "tell_exit",
]


class RemoteHandler(Protocol):
    """What a distribution layer does for the runtime (every method must not block long)."""

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
    """This node's name (``NODE.name``: ``nonode@nohost`` when not distributed)."""
    return NODE.name


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
