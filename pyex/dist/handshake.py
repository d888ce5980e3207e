"""The distribution handshake, version 6 (OTP 23+), in both directions.

Messages are framed by a 2-byte length. The initiator A sends its name
(``N``: flags, creation, name), the acceptor B answers a status (``sok``) and a
challenge (``N``: flags, challenge, creation, name); A proves it knows the cookie
with ``r`` (its own challenge and MD5(cookie ++ B's challenge as decimal)), and B
answers ``a`` with MD5(cookie ++ A's challenge). The cookie itself never travels;
the connection is not encrypted (see docs/distribution.md).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import socket
import struct
from dataclasses import dataclass
from typing import Callable

__all__ = ["Peer", "HandshakeError", "initiate", "accept", "our_flags", "digest", "Flags"]


class Flags:
    """Distribution capability flags (``DFLAG_*`` of OTP's dist.hrl)."""

    PUBLISHED = 0x01
    ATOM_CACHE = 0x02
    EXTENDED_REFERENCES = 0x04
    DIST_MONITOR = 0x08
    FUN_TAGS = 0x10
    DIST_MONITOR_NAME = 0x20
    HIDDEN_ATOM_CACHE = 0x40
    NEW_FUN_TAGS = 0x80
    EXTENDED_PIDS_PORTS = 0x100
    EXPORT_PTR_TAG = 0x200
    BIT_BINARIES = 0x400
    NEW_FLOATS = 0x800
    UNICODE_IO = 0x1000
    DIST_HDR_ATOM_CACHE = 0x2000
    SMALL_ATOM_TAGS = 0x4000
    UTF8_ATOMS = 0x10000
    MAP_TAG = 0x20000
    BIG_CREATION = 0x40000
    SEND_SENDER = 0x80000
    BIG_SEQTRACE_LABELS = 0x100000
    EXIT_PAYLOAD = 0x400000
    FRAGMENTS = 0x800000
    HANDSHAKE_23 = 0x1000000
    UNLINK_ID = 0x2000000
    MANDATORY_25_DIGEST = 0x4000000
    SPAWN = 1 << 32
    NAME_ME = 1 << 33
    V4_NC = 1 << 34
    ALIAS = 1 << 35

    # What OTP 25 refuses to connect without; OTP 26 adds V4_NC and UNLINK_ID.
    MANDATORY_25 = (
        EXTENDED_REFERENCES | FUN_TAGS | EXTENDED_PIDS_PORTS | UTF8_ATOMS | NEW_FUN_TAGS
        | BIG_CREATION | NEW_FLOATS | MAP_TAG | EXPORT_PTR_TAG | BIT_BINARIES | HANDSHAKE_23
    )
    MANDATORY_26 = MANDATORY_25 | V4_NC | UNLINK_ID


def our_flags(hidden: bool) -> int:
    """The flags pyex offers: OTP 26's mandatory set, monitors, spawn, aliases, payload exits."""
    flags = (
        Flags.MANDATORY_26
        | Flags.MANDATORY_25_DIGEST
        | Flags.DIST_MONITOR
        | Flags.DIST_MONITOR_NAME
        | Flags.UNICODE_IO
        | Flags.SMALL_ATOM_TAGS
        | Flags.SEND_SENDER
        | Flags.BIG_SEQTRACE_LABELS
        | Flags.EXIT_PAYLOAD
        | Flags.SPAWN
        | Flags.ALIAS
    )
    return flags if hidden else flags | Flags.PUBLISHED


class HandshakeError(ConnectionError):
    """The handshake failed: wrong cookie, a refused name, a peer that speaks too little."""


@dataclass
class Peer:
    """Who is on the other side once the handshake succeeded."""

    name: str
    flags: int
    creation: int

    @property
    def hidden(self) -> bool:
        """True when the peer did not publish itself (a hidden node, erl_call)."""
        return not self.flags & Flags.PUBLISHED


def digest(challenge: int, cookie: str) -> bytes:
    """MD5(cookie ++ the challenge as a decimal number), as dist_util's gen_digest."""
    return hashlib.md5(cookie.encode("latin-1") + str(challenge).encode()).digest()


def _new_challenge() -> int:
    return secrets.randbits(32)


def _send(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(struct.pack(">H", len(payload)) + payload)


def _recv_exactly(sock: socket.socket, n: int) -> bytes:
    data = bytearray()
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise HandshakeError("the peer closed the connection during the handshake")
        data += chunk
    return bytes(data)


def _recv(sock: socket.socket) -> bytes:
    size = struct.unpack(">H", _recv_exactly(sock, 2))[0]
    return _recv_exactly(sock, size)


def _check_flags(flags: int, name: str) -> None:
    if flags & Flags.MANDATORY_25_DIGEST:
        flags |= Flags.MANDATORY_25
    missing = Flags.MANDATORY_25 & ~flags
    if missing:
        raise HandshakeError(f"{name} lacks distribution flags pyex needs ({missing:#x})")


def initiate(sock: socket.socket, name: str, creation: int, cookie: str, hidden: bool,
             timeout: float = 10.0) -> Peer:
    """Run the handshake as the connecting side (A); returns the peer."""
    sock.settimeout(timeout)
    flags = our_flags(hidden)
    raw = name.encode("utf-8")
    _send(sock, struct.pack(">cQIH", b"N", flags, creation, len(raw)) + raw)
    status = _recv(sock)
    if status[:1] != b"s":
        raise HandshakeError(f"unexpected handshake message {status[:1]!r}")
    text = status[1:].decode("latin-1")
    if text == "alive":
        _send(sock, b"strue")
    elif text not in ("ok", "ok_simultaneous"):
        raise HandshakeError(f"the peer refused the connection: {text}")
    challenge_msg = _recv(sock)
    if challenge_msg[:1] != b"N":
        raise HandshakeError(f"the peer sent an old-style challenge {challenge_msg[:1]!r}")
    peer_flags, challenge, peer_creation, nlen = struct.unpack_from(">QIIH", challenge_msg, 1)
    peer_name = challenge_msg[19 : 19 + nlen].decode("utf-8")
    _check_flags(peer_flags, peer_name)
    mine = _new_challenge()
    _send(sock, b"r" + struct.pack(">I", mine) + digest(challenge, cookie))
    ack = _recv(sock)
    if ack[:1] != b"a" or not hmac.compare_digest(ack[1:17], digest(mine, cookie)):
        raise HandshakeError(f"{peer_name} did not prove the cookie")
    sock.settimeout(None)
    return Peer(peer_name, peer_flags, peer_creation)


def accept(sock: socket.socket, name: str, creation: int, cookie: str,
           hidden: bool | Callable[[int], bool],
           allow: Callable[[str], str] | None = None, timeout: float = 10.0) -> Peer:
    """Run the handshake as the accepting side (B); returns the peer.

    ``hidden`` may be a function of the peer's flags (hide from some peers only).
    ``allow(peer_name)`` answers the status to send: ``'ok'``, or ``'nok'`` /
    ``'alive'`` when a connection to that node is already up or being made.
    """
    sock.settimeout(timeout)
    hello = _recv(sock)
    if hello[:1] != b"N":
        raise HandshakeError(f"the peer sent an old-style name {hello[:1]!r} (before OTP 23)")
    peer_flags, peer_creation, nlen = struct.unpack_from(">QIH", hello, 1)
    peer_name = hello[15 : 15 + nlen].decode("utf-8")
    _check_flags(peer_flags, peer_name)
    status = allow(peer_name) if allow is not None else "ok"
    _send(sock, b"s" + status.encode())
    if status not in ("ok", "ok_simultaneous"):
        raise HandshakeError(f"refused {peer_name}: {status}")
    challenge = _new_challenge()
    raw = name.encode("utf-8")
    hide = hidden(peer_flags) if callable(hidden) else hidden
    _send(sock, struct.pack(">cQIIH", b"N", our_flags(hide), challenge, creation, len(raw)) + raw)
    reply = _recv(sock)
    if reply[:1] != b"r" or len(reply) < 21:
        raise HandshakeError(f"unexpected handshake message {reply[:1]!r}")
    theirs = struct.unpack_from(">I", reply, 1)[0]
    if not hmac.compare_digest(reply[5:21], digest(challenge, cookie)):
        raise HandshakeError(f"{peer_name} did not prove the cookie")
    _send(sock, b"a" + digest(theirs, cookie))
    sock.settimeout(None)
    return Peer(peer_name, peer_flags, peer_creation)
