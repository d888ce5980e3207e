"""input() in program order: its prompt goes the way the process's print() goes.

Python's own ``input()``, at a terminal, writes its prompt straight to the
terminal's file descriptor; what the command printed before travels through
the process's group leader (the session, the console's prompt process), so
the prompt could show before it (``prompt B? line A``), or inside it. pydoc's
``help()`` and pdb ask through ``input()`` too. Installed once in place of
the builtin, this one writes the prompt to ``sys.stdout`` (the router), which
keeps the order of everything a process writes, and reads a line from
``sys.stdin``. Threads whose output is not routed keep the builtin's
behaviour (line editing included).
"""

from __future__ import annotations

import builtins
import sys
import threading
from typing import Any

from ..runtime.internal import bound
from .output import StreamRouter, leader_of

__all__ = ["install_ordered_input", "ordered_input"]

_builtin_input = builtins.input
_lock = threading.Lock()


def ordered_input(prompt: Any = "") -> str:
    """Read a line from standard input, after writing ``prompt`` where print() writes."""
    stdout = sys.stdout
    if not isinstance(stdout, StreamRouter) or leader_of(bound()) is None:
        return _builtin_input(prompt)
    if prompt != "":
        stdout.write(str(prompt))
    stdout.flush()
    line = sys.stdin.readline()
    if not line:
        raise EOFError
    return line[:-1] if line.endswith("\n") else line


ordered_input.__doc__ = _builtin_input.__doc__


def install_ordered_input() -> None:
    """Put ordered_input in place of the builtin input() (idempotent)."""
    with _lock:
        if builtins.input is not ordered_input:
            builtins.input = ordered_input
