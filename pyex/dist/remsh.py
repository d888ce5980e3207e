"""Remote shells: a Python shell on this node, driven through Erlang's io protocol.

Both directions use what ``erl -remsh`` uses. The side that has the terminal runs
an *io server* (Erlang's ``group`` process; pyex's ``remote_terminal.serve_terminal``); the node
that evaluates runs a *remote shell loop* (``start_shell``) in a process whose
group leader is that io server. The loop asks it for lines (``get_line`` with the
prompt), evaluates each complete command in a shell of its own (``pyex.Shell``),
and sends back what the console would show (``put_chars``).

- ``iex --remsh a@HOST`` calls ``'Elixir.IEx':start/2`` here, ``erl -remsh a@HOST``
  calls ``shell:start/0``: both get a remote shell loop.
- ``pyex --sname b --remsh a@HOST`` asks node ``a`` for a loop whose group leader
  is this terminal's io server (remote_terminal.py): the shell process runs on
  ``a``; the prompt and its line editing stay here.
"""

from __future__ import annotations

import codeop
import os
import re
import sys
from typing import Any

from ..runtime import Exit, Pid, make_ref, receive, send
from ..runtime import self as self_pid
from ..runtime.internal import inbound, remote
from ..frontends.programmatic import Shell
from .terms import Atom

__all__ = ["start_shell", "text_of", "SHIMS"]

_PROMPT_NUMBER = re.compile(r"\((\d+)\)")


def _io(leader: Pid, request: tuple[Any, ...]) -> Any:
    """One io request to ``leader``; its reply (``eof`` as the atom)."""
    ref = make_ref()
    send(leader, (Atom("io_request"), self_pid(), ref, request))
    reply = receive(lambda m: m.__class__ is tuple and len(m) == 3 and m[1] == ref
                    and m[0] == "io_reply")
    return reply[2]


def _put(leader: Pid, text: str) -> None:
    if text:
        _io(leader, (Atom("put_chars"), Atom("unicode"), text))


def text_of(data: Any) -> str | None:
    if isinstance(data, str) and not isinstance(data, Atom):
        return data
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    if isinstance(data, list):
        return "".join(chr(c) for c in data if isinstance(c, int))
    return None  # eof, {error, ...}


def _shell_loop(leader: Pid, node_name: str) -> None:
    with Shell() as shell:
        _put(leader, f"pyex remote shell on {node_name} (Python {sys.version.split()[0]})\n")
        pending = ""
        while True:
            match = _PROMPT_NUMBER.search(shell.prompt)
            number = match.group(1) if match else "1"
            prompt = f"pyex({node_name}){number}> " if not pending else f"...({node_name}){number}> "
            line = text_of(_io(leader, (Atom("get_line"), Atom("unicode"), prompt)))
            if line is None:
                return
            pending += line if line.endswith("\n") else line + "\n"
            try:
                complete = codeop.compile_command(pending, "<remsh>", "exec") is not None
            except (SyntaxError, ValueError, OverflowError):
                complete = True  # the shell reports the error
            if not complete and line.strip():
                continue
            source, pending = pending, ""
            if not source.strip():
                continue
            evaluation = shell.eval(source)
            shown = evaluation.text
            _put(leader, shell.background_output() + (shown + "\n" if shown else ""))


def start_shell(leader: Any = None) -> Pid:
    """A remote shell loop for the io server ``leader`` (default: the caller's group leader)."""
    name = remote.local_node()
    if leader is None:
        leader = getattr(inbound.group_leader_of(self_pid()), "leader", None)
    if leader.__class__ is not Pid:
        raise RuntimeError("a remote shell needs an io server (a group leader on another node)")
    return inbound.spawn_for(_shell_loop, (leader, name))


class _IEx:
    """What ``iex --remsh`` asks of the node: ``'Elixir.IEx':start(Opts, MFA)``."""

    @staticmethod
    def start(options: Any = None, mfa: Any = None) -> Pid:
        return start_shell()


class _ErlShell:
    """What ``erl -remsh`` asks of the node: ``shell:start()``."""

    @staticmethod
    def start(*args: Any) -> Pid:
        return start_shell()


class _Code:
    @staticmethod
    def ensure_loaded(module: Any) -> tuple[Atom, Any]:
        return (Atom("module"), module)



# Erlang modules a peer expects any node to have (looked up before Python's modules).
SHIMS: dict[str, Any] = {
    "Elixir.IEx": _IEx,
    "shell": _ErlShell,
    "code": _Code,
}
