"""The Python surface of distribution: ``Node`` and ``rpc`` (``from pyex import Node, rpc``)."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path
from typing import Any, List, Tuple, Union

from ..otp.gen_server import CALL, CAST
from ..runtime import Exit, Pid, Ref, make_ref, receive, send
from ..runtime import self as self_pid
from ..runtime.internal import demonitor, inbound, is_down, monitor, reply_or_down
from . import services
from .connection import Control
from .node import DEFAULT_TICKTIME, LocalNode, current_node, random_cookie
from .terms import Atom

__all__ = ["Node", "rpc", "read_cookie"]

NO_NODE = "nonode@nohost"
Args = Union[List[Any], Tuple[Any, ...]]  # (typing's names: Node.list shadows list in Node)
Names = List[str]
_start_lock = threading.Lock()


def read_cookie(cookie: str | None = None) -> str:
    """The cookie to use: ``cookie``, else ``$PYEX_COOKIE``, else ``~/.erlang.cookie``.

    A missing ``~/.erlang.cookie`` is created with a strong random cookie, mode 0400.
    """
    if cookie:
        return cookie
    env = os.environ.get("PYEX_COOKIE")
    if env:
        return env
    path = Path.home() / ".erlang.cookie"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    value = random_cookie()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR)
    with os.fdopen(fd, "w") as f:
        f.write(value)
    return value


def _node() -> LocalNode:
    node = current_node()
    if node is None:
        raise RuntimeError("distribution is off: start it with Node.start(name) or pyex --sname NAME")
    return node


def _check_node(node: Any) -> str:
    if not isinstance(node, str) or "@" not in node:
        raise TypeError(f"a node is a name like 'a@host', got {node!r}")
    return str(node)


class Node:
    """Elixir's ``Node`` module: this node's name, its connections, processes on other nodes."""

    @staticmethod
    def start(name: str, cookie: str | None = None, longnames: bool = False,
              hidden: bool = False, visible: bool = False, listen: str = "127.0.0.1",
              port: int = 0, ticktime: float = DEFAULT_TICKTIME) -> tuple[str, str]:
        """Make this runtime node ``name`` (``'a'`` or ``'a@host'``); returns ``('ok', name)``.

        Listens on ``listen`` (loopback by default: see docs/distribution.md before
        opening it). ``hidden=True`` hides the node from every peer; by default it
        shows itself to pyex nodes but stays hidden from BEAM nodes (a visible node
        would be expected to answer ``global``), unless ``visible=True``.
        """
        with _start_lock:
            if current_node() is not None:
                raise RuntimeError(f"this runtime is already node {Node.self()}")
            node = LocalNode(name, read_cookie(cookie), longnames=longnames, hidden=hidden,
                             visible=visible, listen=listen, port=port, ticktime=ticktime)
            node.start()
        return ("ok", node.name)

    @staticmethod
    def stop() -> str:
        """Stop being a distributed node (every connection closes); returns ``'ok'``."""
        node = current_node()
        if node is not None:
            node.stop()
        return "ok"

    @staticmethod
    def self() -> str:
        """This node's name: ``'nonode@nohost'`` while distribution is off."""
        node = current_node()
        return node.name if node is not None else NO_NODE

    @staticmethod
    def alive() -> bool:
        """True while this runtime is a distributed node."""
        return current_node() is not None

    @staticmethod
    def connect(node: str) -> bool:
        """Connect to ``node``; True when connected."""
        _check_node(node)
        local = current_node()
        if local is None:
            return False
        return node == local.name or local.connect(node) is not None

    @staticmethod
    def disconnect(node: str) -> bool:
        """Close the connection to ``node``; True if there was one."""
        local = current_node()
        conn = local.connection(_check_node(node)) if local is not None else None
        if conn is None:
            return False
        conn.close("disconnected")
        return True

    @staticmethod
    def ping(node: str) -> str:
        """``'pong'`` if ``node`` answers (its net_kernel says we are authorised), else ``'pang'``."""
        _check_node(node)
        local = current_node()
        if local is None:
            return "pang"
        if node == local.name:
            return "pong"
        try:
            answer = _gen_call(("net_kernel", node), (Atom("is_auth"), Atom(local.name)), 10.0)
        except Exit:
            return "pang"
        return "pong" if answer == "yes" else "pang"

    @staticmethod
    def list() -> Names:
        """The visible nodes this node is connected to."""
        local = current_node()
        if local is None:
            return []
        return sorted(c.name for c in local.connections() if not c.peer.hidden)

    @staticmethod
    def list_all() -> Names:
        """Every node this node is connected to, hidden ones included."""
        local = current_node()
        return sorted(c.name for c in local.connections()) if local is not None else []

    @staticmethod
    def monitor(node: str, on: bool = True) -> bool:
        """The caller gets ``('nodeup', node)`` and ``('nodedown', node)`` (``on=False``: no more)."""
        _node().monitor_node(self_pid(), _check_node(node), on)
        return True

    @staticmethod
    def spawn(node: str, module: str, function: str, args: Args = ()) -> Pid:
        """Start ``module.function(*args)`` on ``node``; its pid."""
        return _spawn(node, module, function, list(args), False, False)[0]

    @staticmethod
    def spawn_link(node: str, module: str, function: str, args: Args = ()) -> Pid:
        """``Node.spawn``, linked to the caller."""
        return _spawn(node, module, function, list(args), True, False)[0]

    @staticmethod
    def spawn_monitor(node: str, module: str, function: str,
                      args: Args = ()) -> tuple[Pid, Ref]:
        """``Node.spawn``, monitored by the caller; ``(pid, ref)``."""
        pid, ref = _spawn(node, module, function, list(args), False, True)
        assert ref is not None
        return pid, ref

    def __init__(self) -> None:
        raise TypeError("Node is a namespace of functions, not a class to instantiate")


def _spawn(node: str, module: str, function: str, args: list[Any], link: bool,
           monitored: bool) -> tuple[Pid, Ref | None]:
    _check_node(node)
    local = _node()
    conn = local.connect(node)
    me = self_pid()
    if conn is None:
        raise ConnectionError(f"cannot spawn on {node}: no connection (noconnection)")
    req_id = make_ref()
    options: list[Any] = []
    if link:
        options.append(Atom("link"))
    if monitored:
        options.append(Atom("monitor"))
    tag = ("$spawn_reply", req_id)

    def on_reply(flags: Any, result: Any) -> None:
        # Runs in the connection's reader, before anything else the new process sends.
        if result.__class__ is Pid:
            if flags & 1 and inbound.add_link(me, result):
                with conn.lock:
                    conn.links.add((me, result))
            if flags & 2 and inbound.add_monitor(me, req_id, result):
                with conn.lock:
                    conn.monitors[req_id] = (me, result)
        inbound.deliver(me, (tag, result))

    local.expect_spawn_reply(req_id, on_reply)
    conn.send((Control.SPAWN_REQUEST, req_id, me, me,
               (Atom(module), Atom(function), len(args)), options), args)
    reply = receive((tag, object), timeout=30, default=None)
    if reply is None:
        local.forget_spawn(req_id)
        raise TimeoutError(f"{node} did not answer the spawn request")
    result = reply[1]
    if result.__class__ is not Pid:
        raise RuntimeError(f"{node} refused to spawn {module}.{function}: {result}")
    return result, (req_id if monitored else None)


def _gen_call(server: tuple[str, str], request: Any, timeout: float | None) -> Any:
    """An OTP call to ``(name, node)``: raises Exit('noconnection' | 'noproc' | 'timeout' ...)."""
    ref = monitor(server)
    send(server, (Atom(CALL), (self_pid(), ref), request))

    reply = receive(reply_or_down(ref), timeout=timeout, default=None)
    demonitor(ref, flush=True)
    if reply is None:
        raise Exit("timeout")
    if is_down(reply, ref):
        raise Exit(reply[4])
    return reply[1]


class rpc:
    """Erlang's ``rpc``: ``rpc.call(node, module, function, args)``; ``rpc.expose(name, obj)``."""

    @staticmethod
    def call(node: str, module: str, function: str, args: list[Any] | tuple[Any, ...] = (),
             timeout: float | None = None) -> Any:
        """Run ``module:function(*args)`` on ``node``: its value, or ``('badrpc', reason)``.

        Into a pyex node ``module`` names a Python module or a name given to
        ``rpc.expose``; into a BEAM node, an Erlang module (``'erlang'``, ``'lists'``).
        """
        _check_node(node)
        local = current_node()
        if local is None:
            return ("badrpc", "nodedown")
        if node == local.name:
            try:
                return services.resolve(module, function, local)(*args)
            except Exit as exc:
                return ("badrpc", ("EXIT", exc.reason))
            except Exception as exc:  # noqa: BLE001 - :rpc.call reports every failure
                return ("badrpc", ("EXIT", (services.python_error(exc), [])))
        request = (Atom("call"), Atom(module), Atom(function), list(args), Atom("user"))
        try:
            return _gen_call(("rex", node), request, timeout)
        except Exit as exc:
            if exc.reason == "timeout":
                return ("badrpc", "timeout")
            return ("badrpc", "nodedown")

    @staticmethod
    def cast(node: str, module: str, function: str, args: list[Any] | tuple[Any, ...] = ()) -> bool:
        """Run ``module:function(*args)`` on ``node`` without waiting; True."""
        _check_node(node)
        send(("rex", node), (Atom(CAST), (Atom("cast"), Atom(module), Atom(function), list(args),
                                          Atom("user"))))
        return True

    @staticmethod
    def expose(name: str, obj: Any) -> None:
        """Let other nodes call ``obj``'s functions as module ``name``."""
        services.expose(name, obj)

    @staticmethod
    def unexpose(name: str) -> None:
        """Undo ``rpc.expose(name, ...)``."""
        services.unexpose(name)

    def __init__(self) -> None:
        raise TypeError("rpc is a namespace of functions, not a class to instantiate")
