"""Talking to EPMD, the Erlang Port Mapper Daemon: register a node, find a node's port.

``ALIVE2_REQ`` registers this node (the connection stays open while the node
lives: EPMD forgets the node when it closes), ``PORT_PLEASE2_REQ`` finds the
port of another node, ``NAMES_REQ`` lists the nodes on a host. The port is
``ERL_EPMD_PORT`` when set, else 4369.
"""

from __future__ import annotations

import os
import socket
import struct
from dataclasses import dataclass

__all__ = [
    "epmd_port",
    "Registration",
    "NodeAddress",
    "register",
    "port_please",
    "names",
    "EpmdError",
    "DIST_VERSION",
]

DIST_VERSION = 6
DEFAULT_PORT = 4369
ALIVE2_REQ = 120
ALIVE2_X_RESP = 118
ALIVE2_RESP = 121
PORT_PLEASE2_REQ = 122
PORT2_RESP = 119
NAMES_REQ = 110
NORMAL_NODE = 77
HIDDEN_NODE = 72


class EpmdError(OSError):
    """EPMD refused a request or could not be reached."""


def epmd_port() -> int:
    """The EPMD port: ``$ERL_EPMD_PORT`` when set, else 4369."""
    value = os.environ.get("ERL_EPMD_PORT")
    return int(value) if value else DEFAULT_PORT


def _request(payload: bytes) -> bytes:
    return struct.pack(">H", len(payload)) + payload


def _read_exactly(sock: socket.socket, n: int) -> bytes:
    chunks = []
    while n:
        chunk = sock.recv(n)
        if not chunk:
            raise EpmdError("EPMD closed the connection")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _connect(host: str, timeout: float) -> socket.socket:
    try:
        return socket.create_connection((host, epmd_port()), timeout=timeout)
    except OSError as exc:
        raise EpmdError(f"no EPMD at {host}:{epmd_port()}: {exc}") from None


@dataclass
class Registration:
    """This node's entry in EPMD: lives as long as ``sock`` stays open."""

    sock: socket.socket
    creation: int

    def close(self) -> None:
        """Unregister (EPMD forgets the node as the connection closes)."""
        try:
            self.sock.close()
        except OSError:
            pass


@dataclass
class NodeAddress:
    """What PORT_PLEASE2 answers: where a node listens and which versions it speaks."""

    port: int
    hidden: bool
    highest: int
    lowest: int
    extra: bytes = b""


def register(alive: str, port: int, hidden: bool = False, host: str = "127.0.0.1",
             timeout: float = 5.0, extra: bytes = b"") -> Registration:
    """Register node ``alive`` (the part before ``@``) listening on ``port``."""
    name = alive.encode("utf-8")
    sock = _connect(host, timeout)
    try:
        sock.sendall(_request(
            struct.pack(">BHBBHHH", ALIVE2_REQ, port, HIDDEN_NODE if hidden else NORMAL_NODE,
                        0, DIST_VERSION, DIST_VERSION - 1, len(name))
            + name + struct.pack(">H", len(extra)) + extra
        ))
        tag, result = _read_exactly(sock, 2)
        if tag == ALIVE2_X_RESP:
            creation = struct.unpack(">I", _read_exactly(sock, 4))[0]
        elif tag == ALIVE2_RESP:
            creation = struct.unpack(">H", _read_exactly(sock, 2))[0]
        else:
            raise EpmdError(f"EPMD answered ALIVE2 with an unknown tag {tag}")
        if result != 0:
            raise EpmdError(f"EPMD refused to register {alive!r} (is the name taken?)")
    except BaseException:
        sock.close()
        raise
    sock.settimeout(None)
    return Registration(sock, creation)


def port_please(alive: str, host: str, timeout: float = 5.0) -> NodeAddress | None:
    """Where node ``alive`` on ``host`` listens, or None if EPMD does not know it."""
    with _connect(host, timeout) as sock:
        sock.sendall(_request(bytes((PORT_PLEASE2_REQ,)) + alive.encode("utf-8")))
        tag, result = _read_exactly(sock, 2)
        if tag != PORT2_RESP:
            raise EpmdError(f"EPMD answered PORT_PLEASE2 with an unknown tag {tag}")
        if result != 0:
            return None
        port, node_type, _protocol, highest, lowest, nlen = struct.unpack(
            ">HBBHHH", _read_exactly(sock, 10))
        _read_exactly(sock, nlen)
        extra = b""
        try:
            elen = struct.unpack(">H", _read_exactly(sock, 2))[0]
            extra = _read_exactly(sock, elen)
        except EpmdError:
            pass
        return NodeAddress(port, node_type == HIDDEN_NODE, highest, lowest, extra)


def names(host: str = "127.0.0.1", timeout: float = 5.0) -> dict[str, int]:
    """Every node EPMD on ``host`` knows: ``{name: port}``."""
    with _connect(host, timeout) as sock:
        sock.sendall(_request(bytes((NAMES_REQ,))))
        _read_exactly(sock, 4)
        data = b""
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    found = {}
    for line in data.decode("utf-8", "replace").splitlines():
        parts = line.split()
        if len(parts) == 5 and parts[0] == "name" and parts[3] == "port":
            found[parts[1]] = int(parts[4])
    return found
