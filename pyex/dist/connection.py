"""One connection to another node: framed messages in, framed messages out, ticks.

After the handshake every message is a 4-byte length and ``p`` (pass-through,
no atom cache) followed by a control term and, for some controls, a message
term; a length of 0 is a tick. A reader thread decodes what arrives and hands
each control to ``on_control``. A sender writes its frame itself (no thread
handoff: what round trips want), and frames other senders queue meanwhile go out
with it; a sender that sends again within ``BURST_SECONDS`` of the last write
leaves the write to the flusher thread instead, which sends many frames per
system call (what a stream of one-way messages wants). Whoever sends nothing for a
tick interval sends a tick; a connection that hears nothing for ``net_ticktime``
seconds is dead (Erlang's rule), as is one whose socket fails.
"""

from __future__ import annotations

import logging
import socket
import struct
import threading
import time
from typing import Any, Callable

from .handshake import Flags, Peer
from .terms import Codec, TermError

__all__ = ["Connection", "NO_MESSAGE", "Control"]

logger = logging.getLogger("pyex.dist")

_pack_len = struct.Struct(">I").pack
_TICK = b"\x00\x00\x00\x00"
BURST_SECONDS = 0.00003
READ_SIZE = 262144


class _NoMessage:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<no message>"


NO_MESSAGE: Any = _NoMessage()


class Control:
    """Control message operations (the first element of a control tuple)."""

    LINK = 1
    SEND = 2
    EXIT = 3
    UNLINK = 4
    NODE_LINK = 5
    REG_SEND = 6
    GROUP_LEADER = 7
    EXIT2 = 8
    MONITOR_P = 19
    DEMONITOR_P = 20
    MONITOR_P_EXIT = 21
    SEND_SENDER = 22
    PAYLOAD_EXIT = 24
    PAYLOAD_EXIT2 = 26
    PAYLOAD_MONITOR_P_EXIT = 28
    SPAWN_REQUEST = 29
    SPAWN_REPLY = 31
    ALIAS_SEND = 33
    UNLINK_ID = 35
    UNLINK_ID_ACK = 36

    # A trace-token variant -> the plain operation (the token is dropped).
    TRACED = {12: 2, 13: 3, 16: 6, 18: 8, 23: 22, 25: 24, 27: 26, 30: 29, 32: 31, 34: 33}


class Connection:
    """A live connection to node ``peer.name``."""

    def __init__(
        self,
        sock: socket.socket,
        peer: Peer,
        codec: Codec,
        on_control: Callable[[Connection, tuple[Any, ...], Any], None],
        on_down: Callable[[Connection], None],
    ) -> None:
        self.sock = sock
        self.peer = peer
        self.name = peer.name
        self.flags = peer.flags
        self.codec = codec
        self._on_control = on_control
        self._on_down = on_down
        self._lock = threading.Lock()
        self._wlock = threading.Lock()  # guards _pending and _writing
        self._pending: list[bytes] = []
        self._writing = False  # a sender (or the flusher) is writing: queue behind it
        self._flush = threading.Condition(self._wlock)
        self._flush_wanted = False
        self._last_write = 0.0
        self.alive = True
        self.sent = False  # something was sent since the last tick
        self.heard = True  # something arrived since the last check
        self.silent_ticks = 0
        self._closing = False
        # Cross-node bookkeeping, under ``lock``: what must hear 'noconnection'.
        self.lock = threading.Lock()
        self.links: set[tuple[Any, Any]] = set()  # (local pid, remote pid)
        self.monitors: dict[Any, tuple[Any, Any]] = {}  # ref -> (local pid, remote target)
        self.watchers: dict[Any, tuple[Any, Any]] = {}  # ref -> (local target, remote pid)
        self.has_payload_exit = bool(self.flags & Flags.EXIT_PAYLOAD)
        self.has_alias = bool(self.flags & Flags.ALIAS)
        self.has_unlink_id = bool(self.flags & Flags.UNLINK_ID)
        self.has_send_sender = bool(self.flags & Flags.SEND_SENDER)
        self.has_spawn = bool(self.flags & Flags.SPAWN)
        self._reader = threading.Thread(target=self._read_loop, name=f"dist-in {self.name}",
                                        daemon=True)
        self._flusher = threading.Thread(target=self._flush_loop, name=f"dist-out {self.name}",
                                         daemon=True)

    def start(self) -> None:
        """Start reading and writing."""
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._flusher.start()
        self._reader.start()

    def __repr__(self) -> str:
        return f"<Connection {self.name}{'' if self.alive else ' closed'}>"

    # -- sending -------------------------------------------------------------

    def send(self, control: tuple[Any, ...], message: Any = NO_MESSAGE) -> None:
        """Queue a control (and message); TermError (a TypeError) if either has no Erlang form."""
        encode = self.codec.encode
        if message is NO_MESSAGE:
            body = encode(control)
        else:
            body = encode(control) + encode(message)
        self.send_encoded(body)

    def send_encoded(self, body: bytes) -> None:
        """Send an already encoded control (and message)."""
        if self.alive:
            self._push(_pack_len(len(body) + 1) + b"p" + body)

    def _push(self, frame: bytes) -> None:
        with self._wlock:
            self._pending.append(frame)
            if self._writing or self._flush_wanted:
                return  # whoever writes now takes it along
            if time.perf_counter() - self._last_write < BURST_SECONDS:
                self._flush_wanted = True  # a burst: the flusher batches it
                self._flush.notify()
                return
            self._writing = True
        self._drain()

    def _flush_loop(self) -> None:
        while True:
            with self._wlock:
                while not self._flush_wanted and self.alive:
                    self._flush.wait()
                if not self.alive:
                    return
                self._flush_wanted = False
                if self._writing:
                    continue  # a sender is writing and takes it all along
                self._writing = True
            self._drain()

    def _drain(self) -> None:
        """Write what is pending until nothing is (called with ``_writing`` set)."""
        batch: list[bytes] = []
        try:
            while True:
                with self._wlock:
                    batch = self._pending
                    if not batch:
                        self._writing = False
                        self._last_write = time.perf_counter()
                        return
                    self._pending = []
                self.sock.sendall(batch[0] if len(batch) == 1 else b"".join(batch))
                batch = []
                self.sent = True
        except OSError as exc:
            with self._wlock:
                self._writing = False
                self._pending = []
            self.close(f"write failed: {exc}")
        except BaseException:
            # An exit signal raised into the sender: what it had not written goes first next time.
            with self._wlock:
                self._pending[:0] = batch
                self._writing = False
            raise

    def tick(self) -> bool:
        """Called every tick interval: send a tick if idle; False once the peer is silent too long."""
        if not self.alive:
            return False
        if self.heard:
            self.heard = False
            self.silent_ticks = 0
        else:
            self.silent_ticks += 1
            if self.silent_ticks >= 4:
                self.close("net_tick_timeout")
                return False
        if not self.sent:
            self._push(_TICK)
        self.sent = False
        return True

    # -- receiving -----------------------------------------------------------

    def _read_loop(self) -> None:
        sock = self.sock
        pending = b""
        # One buffer for every read: recv(n) would allocate n bytes each time
        # (a fresh mmap for a large n) and shrink them to what came.
        buffer = memoryview(bytearray(READ_SIZE))
        try:
            while True:
                size = sock.recv_into(buffer)
                if not size:
                    raise ConnectionError("closed by the peer")
                chunk = bytes(buffer[:size])
                self.heard = True
                data = pending + chunk if pending else chunk
                end = len(data)
                i = 0
                while i + 4 <= end:
                    size = (data[i] << 24) | (data[i + 1] << 16) | (data[i + 2] << 8) | data[i + 3]
                    if i + 4 + size > end:
                        break
                    if size:
                        self._dispatch(data, i + 4, i + 4 + size)
                    i += 4 + size
                pending = data[i:] if i < end else b""
        except (OSError, ConnectionError) as exc:
            self.close(str(exc))
        except Exception:
            logger.exception("distribution connection to %s failed", self.name)
            self.close("internal error")

    def _dispatch(self, data: bytes, start: int, end: int) -> None:
        if data[start] != 112:  # 'p'
            logger.warning("dropping a message from %s with an atom cache header", self.name)
            return
        decode = self.codec.decode
        try:
            control, i = decode(data, start + 1)
            message = NO_MESSAGE
            if i < end:
                message, _ = decode(data, i)
        except TermError as exc:
            logger.warning("dropping a message from %s that pyex cannot read: %s", self.name, exc)
            return
        if control.__class__ is not tuple or not control:
            return
        op = control[0]
        plain = Control.TRACED.get(op)
        if plain is not None:
            control = (plain,) + control[1:-1]
        try:
            self._on_control(self, control, message)
        except Exception:
            logger.exception("handling %r from %s failed", control, self.name)

    # -- closing -------------------------------------------------------------

    def close(self, why: str = "closed") -> None:
        """Close the connection (once); everything linked across it hears 'noconnection'."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
            self.alive = False
        logger.debug("connection to %s down: %s", self.name, why)
        with self._wlock:
            self._flush.notify()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass
        self._on_down(self)

    def wait_closed(self, timeout: float | None = None) -> None:
        """Wait for the reader and writer threads to end."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in (self._reader, self._flusher):
            if thread is threading.current_thread() or not thread.is_alive():
                continue
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
