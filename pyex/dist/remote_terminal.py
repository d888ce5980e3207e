"""The terminal side of a remote shell: ``pyex --remsh NODE``.

This node runs the io server (Erlang's ``group``) of a remote shell loop that
runs on ``NODE`` (remsh.py): it prints what the loop puts and reads the lines
it asks for, with this terminal's line editing.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from ..runtime import Exit, Pid, receive, send
from ..runtime import self as self_pid
from ..runtime.internal import is_down, monitor
from .api import Node, _gen_call
from .remsh import text_of
from .terms import Atom

__all__ = ["serve_terminal", "run_remote_shell"]


def _read_line(prompt: str, session: Any) -> str | None:
    try:
        if session is not None:
            return str(session.prompt(prompt)) + "\n"
        sys.stdout.write(prompt)
        sys.stdout.flush()
        line = sys.stdin.readline()
        return line if line else None
    except EOFError:
        return None
    except KeyboardInterrupt:
        return "\n"


def serve_terminal(shell: Pid) -> int:
    """Be the io server of remote shell ``shell`` until it ends; an exit status."""
    session: Any = None
    if sys.stdin.isatty() and sys.stdout.isatty():
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory

        history = os.environ.get("PYEX_HISTORY") or os.path.expanduser("~/.pyex_history")
        session = PromptSession(history=FileHistory(history))
    ref = monitor(shell)
    while True:
        message = receive()
        if message.__class__ is not tuple:
            continue
        if is_down(message, ref):
            return 0
        if message[0] == "nodedown":
            print("*** connection to the remote node lost", file=sys.stderr)
            return 1
        if message[0] != "io_request" or len(message) != 4:
            continue
        sender, reply_as, request = message[1], message[2], message[3]
        reply: Any = Atom("ok")
        if request.__class__ is tuple and request:
            kind = request[0]
            if kind == "put_chars":
                text = request[-1]
                sys.stdout.write(text if isinstance(text, str) else text_of(text) or "")
                sys.stdout.flush()
            elif kind in ("get_line", "get_chars", "get_until"):
                prompt = request[2] if len(request) > 2 else ""
                line = _read_line(text_of(prompt) or "", session)
                reply = Atom("eof") if line is None else line
        send(sender, (Atom("io_reply"), reply_as, reply))


def run_remote_shell(node: str, color: bool = False) -> int:
    """``pyex --remsh NODE``: a shell whose shell process runs on ``node``."""
    if not Node.connect(node):
        print(f"pyex: cannot connect to {node}", file=sys.stderr)
        return 2
    Node.monitor(node, True)
    no_args: list[Any] = []
    request = (Atom("call"), Atom("shell"), Atom("start"), no_args, self_pid())
    try:
        shell = _gen_call(("rex", node), request, 30.0)
    except Exit as exc:
        print(f"pyex: {node} did not start a shell: {exc.reason}", file=sys.stderr)
        return 2
    if shell.__class__ is not Pid:
        print(f"pyex: {node} did not start a shell: {shell}", file=sys.stderr)
        return 2
    return serve_terminal(shell)
