"""Real BEAM peers for the distribution tests: a private epmd, erl nodes, an ETF echo.

Everything started here is killed by pid when its fixture ends; names, cookies and
the epmd port are random, so runs never meet another run's nodes.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import struct
import subprocess
import time
from typing import Any

__all__ = [
    "require_erlang",
    "free_port",
    "Epmd",
    "ErlNode",
    "EtfEcho",
    "random_name",
    "random_cookie",
    "HOST",
]

HOST = socket.gethostname().split(".")[0]


def require_erlang() -> None:
    """Fail loudly (``make test`` installs them) if erl or elixir are missing."""
    missing = [tool for tool in ("erl", "epmd", "erl_call") if shutil.which(tool) is None]
    if missing:
        raise RuntimeError(
            f"{', '.join(missing)} not found: `make test` installs erlang-base and elixir "
            f"(apt-get install -y erlang-base elixir)"
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def random_name(prefix: str = "t") -> str:
    return f"{prefix}{secrets.token_hex(4)}"


def random_cookie() -> str:
    return secrets.token_hex(10).upper()


def _wait_port(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.02)
    raise TimeoutError(f"nothing listens on port {port}")


class Epmd:
    """A private ``epmd`` on a free loopback port (ERL_EPMD_PORT for everyone else)."""

    def __init__(self) -> None:
        require_erlang()
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["epmd", "-port", str(self.port), "-address", "127.0.0.1"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_port(self.port, time.monotonic() + 10)

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["ERL_EPMD_PORT"] = str(self.port)
        return env

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait(10)


class ErlNode:
    """A real ``erl -sname`` node on the private epmd; ``rpc(expr)`` evaluates Erlang there."""

    def __init__(self, epmd: Epmd, cookie: str, name: str | None = None,
                 extra: tuple[str, ...] = ()) -> None:
        self.sname = name or random_name("erl")
        self.node = f"{self.sname}@{HOST}"
        self.cookie = cookie
        self.epmd = epmd
        self.proc = subprocess.Popen(
            ["erl", "-noshell", "-noinput", "-sname", self.sname, "-setcookie", cookie,
             "-kernel", "inet_dist_use_interface", "{127,0,0,1}", *extra],
            env=epmd.env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("erl exited while starting")
            try:
                if self.eval("ok.") == "ok":
                    return
            except subprocess.CalledProcessError:
                time.sleep(0.1)
        raise TimeoutError(f"erl node {self.node} did not come up")

    def eval(self, expr: str, timeout: float = 30) -> str:
        """Evaluate an Erlang expression on the node (through erl_call); its printed value."""
        out = subprocess.run(
            ["erl_call", "-sname", self.node, "-c", self.cookie, "-e"],
            input=expr.encode(), env=self.epmd.env(), capture_output=True,
            timeout=timeout, check=True,
        )
        text = out.stdout.decode().strip()
        if text.startswith("{ok, ") or text.startswith("{ok,"):
            text = text[text.index(",") + 1 : -1].strip()
        return text

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait(10)


class EtfEcho:
    """An ``erl`` reading terms on stdin and writing ``term_to_binary(binary_to_term(T))``."""

    CODE = (
        "P = open_port({fd,0,1}, [{packet,4}, binary, eof]),"
        "L = fun L() -> receive {P, {data, D}} ->"
        " R = try term_to_binary(binary_to_term(D)) catch C:E -> term_to_binary({C, E}) end,"
        " port_command(P, R), L(); {P, eof} -> halt() end end, L()."
    )

    def __init__(self) -> None:
        require_erlang()
        self.proc = subprocess.Popen(
            ["erl", "-noshell", "-noinput", "-eval", self.CODE],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )

    def echo(self, data: bytes) -> bytes:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(struct.pack(">I", len(data)) + data)
        self.proc.stdin.flush()
        head = self.proc.stdout.read(4)
        if len(head) < 4:
            raise EOFError("erl closed its output")
        return self.proc.stdout.read(struct.unpack(">I", head)[0])

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait(10)


def kill_quietly(*things: Any) -> None:
    for thing in things:
        try:
            thing.stop()
        except Exception:
            pass
