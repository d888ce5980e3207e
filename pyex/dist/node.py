"""The local node: its name and cookie, its listener, its connections, and its rules.

``LocalNode`` is what ``Node.start`` makes: it listens (on loopback unless told
otherwise), registers with EPMD, accepts and makes connections (the handshake),
and is the runtime's remote handler (runtime/remote.py): every send, link,
monitor and exit signal to another node's process goes through it, and every
control message from another node comes to ``_on_control``. When a connection
drops, every link across it brings ``'noconnection'``, every monitor a DOWN
with ``'noconnection'``, every node monitor a ``('nodedown', node)``.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from typing import Any, Callable

from ..otp.gen_server import CALL, CAST
from ..runtime import Pid, Ref
from ..runtime.internal import NO_NODE, inbound, remote, set_node_identity
from . import epmd_client, handshake, services
from .connection import NO_MESSAGE, Connection, Control
from .terms import Atom, Codec, ImproperList, NodeNames, RemoteRef, TermError, exit_term

__all__ = ["LocalNode", "split_name", "current_node", "DEFAULT_TICKTIME"]

logger = logging.getLogger("pyex.dist")

DEFAULT_TICKTIME = 60.0
PYEX_EXTRA = b"pyex"  # what a pyex node puts in EPMD's extra field
_NOBODY = Atom("")
_OTP_TAGS = frozenset({CALL, CAST})


def split_name(name: str, longnames: bool = False) -> tuple[str, str]:
    """``(alive, host)`` of a node name; a short name gets this machine's short host name."""
    if "@" in name:
        alive, _, host = name.partition("@")
        if not alive or not host:
            raise ValueError(f"malformed node name {name!r}: expected NAME@HOST")
        return alive, host
    if not name:
        raise ValueError("a node name cannot be empty")
    host = socket.getfqdn() if longnames else socket.gethostname().split(".")[0]
    return name, host


def _is_local_host(host: str) -> bool:
    short = socket.gethostname().split(".")[0]
    return host in ("localhost", short, socket.gethostname(), socket.getfqdn()) or host.startswith("127.")


_current: LocalNode | None = None
_current_lock = threading.Lock()


def current_node() -> LocalNode | None:
    """The running local node, or None when distribution is off."""
    return _current


class LocalNode:
    """This node, alive in a cluster (made by ``Node.start``)."""

    def __init__(
        self,
        name: str,
        cookie: str,
        longnames: bool = False,
        hidden: bool = False,
        visible: bool = False,
        listen: str = "127.0.0.1",
        port: int = 0,
        ticktime: float = DEFAULT_TICKTIME,
    ) -> None:
        alive, host = split_name(name, longnames)
        self.alive_name = alive
        self.host = host
        self.name = f"{alive}@{host}"
        self.cookie = cookie
        self.hidden = hidden  # hidden from every peer
        self.visible = visible  # shown to BEAM nodes too (else only to pyex nodes)
        self.listen_address = listen
        self.ticktime = ticktime
        self.nodes = NodeNames(self.name, 0)
        self.codec = Codec(self.nodes)
        self._lock = threading.Lock()
        self._connections: dict[str, Connection] = {}
        self._connecting: dict[str, threading.Event] = {}
        self._node_watchers: dict[str, list[Pid]] = {}
        self._aliases: dict[Ref, Pid] = {}  # refs of remote calls -> the caller
        self._spawns: dict[Ref, Callable[[Any, Any], None]] = {}  # spawn requests we made
        self._unlink_ids = iter(range(1, 2**63))
        self._stopped = threading.Event()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((listen, port))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self._registration = _register(alive, self.port, hidden and not visible)
        self.creation = self._registration.creation
        self.nodes.set_local(self.name, self.creation)
        self.pid = Pid(0, 0, 0)  # the node itself, as sender of what no process sends
        self.services = services.Services(self)
        self._acceptor = threading.Thread(target=self._accept_loop, name="dist-accept",
                                          daemon=True)
        self._ticker = threading.Thread(target=self._tick_loop, name="dist-tick", daemon=True)

    # -- life ------------------------------------------------------------------

    def start(self) -> None:
        """Begin accepting connections and serving remote requests."""
        global _current
        with _current_lock:
            if _current is not None:
                raise RuntimeError(f"this runtime is already node {_current.name}")
            _current = self
        set_node_identity(self.name, self.creation)
        remote.install(self)
        self._acceptor.start()
        self._ticker.start()

    def stop(self) -> None:
        """Close every connection, stop listening, leave EPMD."""
        global _current
        self._stopped.set()
        remote.uninstall(self)
        with _current_lock:
            if _current is self:
                _current = None
                set_node_identity(NO_NODE, 0)
        try:
            self._listener.close()
        except OSError:
            pass
        self._registration.close()
        for conn in self.connections():
            conn.close("node stopped")
        for conn in self.connections():
            conn.wait_closed(5)

    def node_name_of(self, pid: Pid) -> str:
        """The name of the node ``pid`` lives on."""
        return self.nodes.name_of(pid.node)

    def connections(self) -> list[Connection]:
        """Every live connection."""
        with self._lock:
            return list(self._connections.values())

    def connection(self, node: str) -> Connection | None:
        """The live connection to ``node``, if any."""
        return self._connections.get(node)

    # -- connecting ------------------------------------------------------------

    def connect(self, node: str, timeout: float = 10.0) -> Connection | None:
        """The connection to ``node``, made now if need be; None if it cannot be made."""
        if node == self.name:
            return None
        conn = self._connections.get(node)
        if conn is not None and conn.alive:
            return conn
        with self._lock:
            conn = self._connections.get(node)
            if conn is not None and conn.alive:
                return conn
            event = self._connecting.get(node)
            mine = event is None
            if mine:
                event = self._connecting[node] = threading.Event()
        assert event is not None
        if not mine:
            event.wait(timeout)
            return self._connections.get(node)
        try:
            return self._dial(node, timeout)
        except (OSError, ValueError, handshake.HandshakeError) as exc:
            logger.info("cannot connect to %s: %s", node, exc)
            return None
        finally:
            with self._lock:
                self._connecting.pop(node, None)
            event.set()

    def _dial(self, node: str, timeout: float) -> Connection | None:
        alive, host = split_name(node)
        address = "127.0.0.1" if _is_local_host(host) else host
        found = epmd_client.port_please(alive, address, timeout)
        if found is None:
            return None
        hide = self.hidden or not (self.visible or found.extra == PYEX_EXTRA)
        sock = socket.create_connection((address, found.port), timeout=timeout)
        try:
            peer = handshake.initiate(sock, self.name, self.creation, self.cookie, hide, timeout)
        except BaseException:
            sock.close()
            raise
        if peer.name != node:
            sock.close()
            raise handshake.HandshakeError(f"{node} calls itself {peer.name}")
        return self._up(sock, peer)

    def _accept_loop(self) -> None:
        while not self._stopped.is_set():
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._accept_one, args=(sock,), name="dist-handshake",
                             daemon=True).start()

    def _hide_from(self, peer_flags: int) -> bool:
        """Hidden from this peer? A BEAM node (it fragments messages; pyex does not) unless visible."""
        if self.hidden:
            return True
        return not self.visible and bool(peer_flags & handshake.Flags.FRAGMENTS)

    def _allow(self, peer_name: str) -> str:
        with self._lock:
            conn = self._connections.get(peer_name)
            if conn is not None and conn.alive:
                return "nok"
            if peer_name in self._connecting:
                # Both sides dial at once: the greater name's connection wins (Erlang's rule).
                return "nok" if self.name > peer_name else "ok"
        return "ok"

    def _accept_one(self, sock: socket.socket) -> None:
        try:
            peer = handshake.accept(sock, self.name, self.creation, self.cookie, self._hide_from,
                                    self._allow)
        except (OSError, handshake.HandshakeError, struct_error) as exc:
            logger.info("refused an incoming connection: %s", exc)
            sock.close()
            return
        self._up(sock, peer)

    def _up(self, sock: socket.socket, peer: handshake.Peer) -> Connection:
        conn = Connection(sock, peer, self.codec, self._on_control, self._down)
        self.nodes.index(peer.name, peer.creation)
        with self._lock:
            old = self._connections.get(peer.name)
            self._connections[peer.name] = conn
            watchers = list(self._node_watchers.get(peer.name, ()))
        if old is not None:
            old.close("replaced")
        conn.start()
        for pid in watchers:
            remote_deliver(pid, ("nodeup", peer.name))
        return conn

    def _down(self, conn: Connection) -> None:
        with self._lock:
            if self._connections.get(conn.name) is conn:
                del self._connections[conn.name]
            watchers = list(self._node_watchers.get(conn.name, ()))
        with conn.lock:
            links, conn.links = conn.links, set()
            monitors, conn.monitors = conn.monitors, {}
            remote_watchers, conn.watchers = conn.watchers, {}
        for local, far in sorted(links):
            inbound.exit_signal(local, far, "noconnection", linked=True)
        for ref, (local, target) in monitors.items():
            inbound.down(local, ref, target, "noconnection")
        for ref, (target, _far) in remote_watchers.items():
            inbound.remove_watcher(target, ref)
        self.services.connection_down(conn)
        for pid in watchers:
            remote_deliver(pid, ("nodedown", conn.name))

    def _tick_loop(self) -> None:
        interval = self.ticktime / 4
        while not self._stopped.wait(interval):
            for conn in self.connections():
                conn.tick()

    # -- node monitors -----------------------------------------------------------

    def monitor_node(self, pid: Pid, node: str, on: bool) -> None:
        """``pid`` gets ('nodeup', node) / ('nodedown', node) from now on (or no more)."""
        with self._lock:
            watchers = self._node_watchers.setdefault(node, [])
            if on:
                watchers.append(pid)
            elif pid in watchers:
                watchers.remove(pid)
        if on and self.connect(node) is None:
            remote_deliver(pid, ("nodedown", node))

    # -- the runtime's remote handler --------------------------------------------

    def _conn_for(self, dest: Any) -> Connection | None:
        if dest.__class__ is Pid:
            node = self.nodes.name_of(dest.node)
        else:
            node = dest[1]
        return self.connect(node)

    def send(self, sender: Pid | None, dest: Any, message: Any) -> None:
        if (
            message.__class__ is tuple
            and message
            and message[0].__class__ is str
            and message[0] in _OTP_TAGS
        ):
            message = (Atom(message[0]),) + message[1:]  # OTP's tags travel as atoms
        conn = self._conn_for(dest)
        if conn is None:
            self.codec.encode(message)  # unencodable still raises TypeError
            return
        if dest.__class__ is Pid:
            if (
                conn.has_alias
                and message.__class__ is tuple
                and len(message) == 2
                and message[0].__class__ is ImproperList
                and message[0].tail.__class__ is RemoteRef
            ):
                # A reply to an OTP call tagged [alias | Ref]: to the alias, as gen:reply does.
                conn.send((Control.ALIAS_SEND, sender or self.pid, message[0].tail), message)
            elif sender is not None and conn.has_send_sender:
                conn.send((Control.SEND_SENDER, sender, dest), message)
            else:
                conn.send((Control.SEND, _NOBODY, dest), message)
        else:
            conn.send((Control.REG_SEND, sender or self.pid, _NOBODY, Atom(dest[0])), message)

    def link(self, local: Pid, far: Pid) -> None:
        conn = self._conn_for(far)
        if conn is None:
            inbound.exit_signal(local, far, "noconnection", linked=True)
            return
        with conn.lock:
            conn.links.add((local, far))
        conn.send((Control.LINK, local, far))

    def unlink(self, local: Pid, far: Pid) -> None:
        conn = self.connection(self.nodes.name_of(far.node))
        if conn is None:
            return
        with conn.lock:
            conn.links.discard((local, far))
        if conn.has_unlink_id:
            conn.send((Control.UNLINK_ID, next(self._unlink_ids), local, far))
        else:
            conn.send((Control.UNLINK, local, far))

    def monitor(self, local: Pid, target: Any, ref: Ref) -> None:
        conn = self._conn_for(target)
        if conn is None:
            inbound.down(local, ref, target, "noconnection")
            return
        with conn.lock:
            conn.monitors[ref] = (local, target)
        proc = target if target.__class__ is Pid else Atom(target[0])
        conn.send((Control.MONITOR_P, local, proc, ref))

    def demonitor(self, local: Pid, target: Any, ref: Ref) -> None:
        node = self.nodes.name_of(target.node) if target.__class__ is Pid else target[1]
        conn = self.connection(node)
        if conn is None:
            return
        with conn.lock:
            conn.monitors.pop(ref, None)
        proc = target if target.__class__ is Pid else Atom(target[0])
        conn.send((Control.DEMONITOR_P, local, proc, ref))

    def exit(self, local: Pid, far: Pid, reason: Any) -> None:
        conn = self._conn_for(far)
        if conn is None:
            return
        self._send_exit(conn, Control.EXIT2, local, far, exit_term(reason, self.codec))

    def _send_exit(self, conn: Connection, op: int, sender: Any, to: Pid, reason: Any) -> None:
        if conn.has_payload_exit:
            conn.send((op + (21 if op == Control.EXIT else 18), sender, to), reason)
        else:
            conn.send((op, sender, to, reason))

    def exited(self, pid: Pid, reason: Any, links: list[Pid], watchers: dict[Ref, Pid],
               monitors: dict[Ref, Any]) -> None:
        term = exit_term(reason, self.codec)
        for far in links:
            conn = self.connection(self.nodes.name_of(far.node))
            if conn is None:
                continue
            with conn.lock:
                known = (pid, far) in conn.links
                conn.links.discard((pid, far))
            if known:
                self._send_exit(conn, Control.EXIT, pid, far, term)
        for ref, far in watchers.items():
            conn = self.connection(self.nodes.name_of(far.node))
            if conn is None:
                continue
            with conn.lock:
                entry = conn.watchers.pop(ref, None)
            if entry is None:
                continue
            shown = entry[0] if entry[0].__class__ is not Pid else pid
            if conn.has_payload_exit:
                conn.send((Control.PAYLOAD_MONITOR_P_EXIT, shown, far, ref), term)
            else:
                conn.send((Control.MONITOR_P_EXIT, shown, far, ref, term))
        for ref, target in monitors.items():
            self.demonitor(pid, target, ref)

    # -- control messages from other nodes -----------------------------------------

    def _on_control(self, conn: Connection, control: tuple[Any, ...], message: Any) -> None:
        op = control[0]
        if op == Control.SEND or op == Control.SEND_SENDER:
            remote_deliver(control[2], message)
        elif op == Control.REG_SEND:
            name = control[3]
            if not remote_deliver_named(name, message):
                self.services.named(conn, name, control[1], message)
        elif op == Control.ALIAS_SEND:
            owner = self._aliases.get(control[2])
            if owner is not None:
                remote_deliver(owner, message)
            else:
                remote_deliver_alias(control[2], message)
        elif op == Control.LINK:
            _, far, local = control
            if inbound.add_link(local, far):
                with conn.lock:
                    conn.links.add((local, far))
            else:
                self._send_exit(conn, Control.EXIT, local, far, Atom("noproc"))
        elif op == Control.UNLINK_ID:
            _, ident, far, local = control
            with conn.lock:
                conn.links.discard((local, far))
            inbound.remove_link(local, far)
            conn.send((Control.UNLINK_ID_ACK, ident, local, far))
        elif op == Control.UNLINK:
            _, far, local = control
            with conn.lock:
                conn.links.discard((local, far))
            inbound.remove_link(local, far)
        elif op == Control.EXIT or op == Control.PAYLOAD_EXIT:
            far, local = control[1], control[2]
            reason = message if op == Control.PAYLOAD_EXIT else control[3]
            with conn.lock:
                known = (local, far) in conn.links
                conn.links.discard((local, far))
            if known:
                inbound.exit_signal(local, far, reason, linked=True)
        elif op == Control.EXIT2 or op == Control.PAYLOAD_EXIT2:
            far, local = control[1], control[2]
            reason = message if op == Control.PAYLOAD_EXIT2 else control[3]
            inbound.exit_signal(local, far, reason, linked=False)
        elif op == Control.MONITOR_P:
            _, far, target, ref = control
            pid = inbound.add_watcher(target, ref, far)
            if pid is None and target in self.services.NAMES:
                pass  # a built-in service: it lives as long as the node does
            elif pid is None:
                if conn.has_payload_exit:
                    conn.send((Control.PAYLOAD_MONITOR_P_EXIT, target, far, ref), Atom("noproc"))
                else:
                    conn.send((Control.MONITOR_P_EXIT, target, far, ref, Atom("noproc")))
            else:
                with conn.lock:
                    conn.watchers[ref] = (target, far)
        elif op == Control.DEMONITOR_P:
            _, _far, target, ref = control
            with conn.lock:
                conn.watchers.pop(ref, None)
            inbound.remove_watcher(target, ref)
        elif op == Control.MONITOR_P_EXIT or op == Control.PAYLOAD_MONITOR_P_EXIT:
            watched, local, ref = control[1], control[2], control[3]
            reason = message if op == Control.PAYLOAD_MONITOR_P_EXIT else control[4]
            with conn.lock:
                entry = conn.monitors.pop(ref, None)
            if entry is not None:
                shown = watched if watched.__class__ is Pid else (str(watched), conn.name)
                inbound.down(local, ref, shown, reason)
        elif op == Control.SPAWN_REQUEST:
            _, req_id, far, leader, mfa, options = control
            self.services.spawn_request(conn, req_id, far, leader, mfa, options, message)
        elif op == Control.SPAWN_REPLY:
            _, req_id, local, flags, result = control
            waiter = self._spawns.pop(req_id, None)
            if waiter is not None:
                waiter(flags, result)
        elif op == Control.GROUP_LEADER:
            pass
        elif op == Control.UNLINK_ID_ACK or op == Control.NODE_LINK:
            pass
        else:
            logger.debug("ignoring control %r from %s", control, conn.name)

    # -- helpers for the Node API ------------------------------------------------

    def add_alias(self, ref: Ref, pid: Pid) -> None:
        """Messages ALIAS_SEND to ``ref`` reach ``pid`` (until ``drop_alias``)."""
        self._aliases[ref] = pid

    def drop_alias(self, ref: Ref) -> None:
        self._aliases.pop(ref, None)

    def expect_spawn_reply(self, req_id: Ref, waiter: Callable[[Any, Any], None]) -> None:
        """Call ``waiter(flags, result)`` when the SPAWN_REPLY for ``req_id`` arrives."""
        self._spawns[req_id] = waiter

    def forget_spawn(self, req_id: Ref) -> None:
        self._spawns.pop(req_id, None)


from struct import error as struct_error  # noqa: E402  (a handshake's truncated message)


def remote_deliver(pid: Any, message: Any) -> None:
    """Put ``message`` (fresh from the wire, so nobody else holds it) in local ``pid``'s mailbox."""
    if pid.__class__ is Pid:
        inbound.deliver(pid, message)


def remote_deliver_named(name: Any, message: Any) -> bool:
    """Deliver to the local process registered as ``name``; False if nobody is."""
    return inbound.deliver_named(str(name), message)


def remote_deliver_alias(ref: Any, message: Any) -> None:
    inbound.deliver_alias(ref, message)


def _register(alive: str, port: int, hidden: bool) -> epmd_client.Registration:
    """Register with EPMD, starting one (the system's, else pyex's own) if none runs."""
    try:
        return epmd_client.register(alive, port, hidden, extra=PYEX_EXTRA)
    except epmd_client.EpmdError as exc:
        if "refused to register" in str(exc):
            raise
    _start_epmd()
    deadline = time.monotonic() + 10
    while True:
        try:
            return epmd_client.register(alive, port, hidden, extra=PYEX_EXTRA)
        except epmd_client.EpmdError as exc:
            if "refused to register" in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _start_epmd() -> None:
    system = shutil.which("epmd")
    env = dict(os.environ)
    if system is not None:
        command = [system, "-daemon", "-address", "127.0.0.1"]
    else:
        command = [sys.executable, "-m", "pyex.dist.epmd"]
    subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, start_new_session=True)


def random_cookie() -> str:
    """A strong random cookie (20 upper-case letters, as erl makes)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return "".join(secrets.choice(alphabet) for _ in range(20))
