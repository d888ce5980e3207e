"""A small EPMD of pyex's own, for machines without Erlang: ``python -m pyex.dist.epmd``.

It answers what nodes ask of EPMD (ALIVE2 registration, PORT_PLEASE2, NAMES) on
``ERL_EPMD_PORT`` (else 4369), on loopback unless ``--address`` says otherwise.
A node stays registered while its ALIVE2 connection stays open.
"""

from __future__ import annotations

import argparse
import secrets
import socket
import socketserver
import struct
import sys
import threading
from dataclasses import dataclass
from typing import Sequence

from .epmd_client import (
    ALIVE2_REQ,
    ALIVE2_X_RESP,
    NAMES_REQ,
    PORT2_RESP,
    PORT_PLEASE2_REQ,
    epmd_port,
)

__all__ = ["EpmdServer", "main"]


@dataclass
class _Entry:
    port: int
    node_type: int
    protocol: int
    highest: int
    lowest: int
    extra: bytes
    creation: int


class _Handler(socketserver.BaseRequestHandler):
    server: EpmdServer

    def _read(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.request.recv(n - len(data))
            if not chunk:
                raise EOFError
            data += chunk
        return data

    def handle(self) -> None:
        try:
            size = struct.unpack(">H", self._read(2))[0]
            body = self._read(size)
        except (EOFError, OSError):
            return
        if not body:
            return
        tag = body[0]
        if tag == ALIVE2_REQ:
            self._alive2(body)
        elif tag == PORT_PLEASE2_REQ:
            self._port_please(body[1:].decode("utf-8", "replace"))
        elif tag == NAMES_REQ:
            self._names()

    def _alive2(self, body: bytes) -> None:
        port, node_type, protocol, highest, lowest, nlen = struct.unpack_from(">HBBHHH", body, 1)
        name = body[11 : 11 + nlen].decode("utf-8", "replace")
        elen = struct.unpack_from(">H", body, 11 + nlen)[0]
        extra = body[13 + nlen : 13 + nlen + elen]
        entry = self.server.add(name, port, node_type, protocol, highest, lowest, extra)
        if entry is None:
            self.request.sendall(struct.pack(">BBI", ALIVE2_X_RESP, 1, 0))
            return
        self.request.sendall(struct.pack(">BBI", ALIVE2_X_RESP, 0, entry.creation))
        try:
            while self.request.recv(64):
                pass  # the node keeps the connection open while it lives
        except OSError:
            pass
        finally:
            self.server.remove(name, entry)

    def _port_please(self, name: str) -> None:
        entry = self.server.lookup(name)
        if entry is None:
            self.request.sendall(bytes((PORT2_RESP, 1)))
            return
        raw = name.encode("utf-8")
        self.request.sendall(
            struct.pack(">BBHBBHHH", PORT2_RESP, 0, entry.port, entry.node_type,
                        entry.protocol, entry.highest, entry.lowest, len(raw))
            + raw + struct.pack(">H", len(entry.extra)) + entry.extra
        )

    def _names(self) -> None:
        lines = "".join(
            f"name {name} at port {entry.port}\n" for name, entry in self.server.entries()
        )
        self.request.sendall(struct.pack(">I", self.server.server_address[1]) + lines.encode())


class EpmdServer(socketserver.ThreadingTCPServer):
    """An EPMD serving in threads; ``serve_forever()`` runs it, ``shutdown()`` ends it."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: str = "127.0.0.1", port: int | None = None) -> None:
        super().__init__((address, epmd_port() if port is None else port), _Handler)
        self._lock = threading.Lock()
        self._nodes: dict[str, _Entry] = {}

    def add(self, name: str, port: int, node_type: int, protocol: int, highest: int,
            lowest: int, extra: bytes) -> _Entry | None:
        """Register a node; None if the name is taken."""
        with self._lock:
            if name in self._nodes:
                return None
            entry = _Entry(port, node_type, protocol, highest, lowest, extra,
                           secrets.randbelow(2**32 - 1) + 1)
            self._nodes[name] = entry
            return entry

    def remove(self, name: str, entry: _Entry) -> None:
        """Forget ``name`` if it is still ``entry``."""
        with self._lock:
            if self._nodes.get(name) is entry:
                del self._nodes[name]

    def lookup(self, name: str) -> _Entry | None:
        """The registration of ``name``, if any."""
        with self._lock:
            return self._nodes.get(name)

    def entries(self) -> list[tuple[str, _Entry]]:
        """Every registration, by name."""
        with self._lock:
            return sorted(self._nodes.items())


def main(argv: Sequence[str] | None = None) -> int:
    """Run pyex's EPMD in the foreground."""
    parser = argparse.ArgumentParser(prog="python -m pyex.dist.epmd", description=__doc__)
    parser.add_argument("--port", type=int, default=None, help="port (default $ERL_EPMD_PORT or 4369)")
    parser.add_argument("--address", default="127.0.0.1", help="address to listen on (default loopback)")
    args = parser.parse_args(argv)
    try:
        server = EpmdServer(args.address, args.port)
    except OSError as exc:
        print(f"pyex epmd: cannot listen: {exc}", file=sys.stderr)
        return 1
    print(f"pyex epmd listening on {args.address}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
