"""System messages: what every behaviour's loop answers without user callbacks.

Erlang's ``sys`` module talks to OTP processes through system messages; pyex's
are ``('$system', (caller_pid, ref), request)`` and a behaviour's loop answers
them itself:

- ``'get_state'`` -> the loop's state (Erlang's ``:sys.get_state``);
- ``('terminate', reason)`` -> the process calls ``terminate(reason, state)``
  and exits with ``reason`` (how ``GenServer.stop`` asks a server to stop).
"""

from __future__ import annotations

from typing import Any

from ..runtime import Exit, Process, send
from ..runtime.internal import (
    demonitor,
    down_of,
    monitor,
    named_pid,
    receive_matching,
    wait_time,
)
from . import calls

__all__ = ["SYSTEM", "GET_STATE", "get_state", "stop"]

SYSTEM = "$system"
GET_STATE = "get_state"
TERMINATE = "terminate"


def get_state(server: Any, timeout: float | None = 5.0) -> Any:
    """The state of a GenServer, Supervisor, DynamicSupervisor or Agent (Erlang's ``:sys.get_state``).

    The process's loop answers with a copy of its state, without calling any of
    its callbacks. ``server`` is a pid or a registered name. Raises ``Exit``
    with ``('timeout', ('sys', 'get_state', [server, timeout]))`` if no answer
    comes (a process that is not a behaviour never answers), or
    ``('noproc', ...)`` if there is no such process.
    """
    return calls.call(
        server, SYSTEM, GET_STATE, timeout, lambda: ("sys", "get_state", [server, timeout])
    )


def stop(server: Any, reason: Any, timeout: Any, module: str) -> str:
    """Ask a behaviour process to terminate with ``reason`` and wait until it has.

    Returns ``'ok'`` once it exited with ``reason``. Raises ``Exit`` with
    ``(why, (module, 'stop', [server, reason, timeout]))``: ``'noproc'`` if there
    is no such process, ``'timeout'`` if it is still alive after ``timeout``
    seconds, or the reason it exited with if that differs from ``reason``.
    """

    def what() -> tuple[str, str, list[Any]]:
        return (module, "stop", [server, reason, timeout])

    pid = named_pid(server, "a server")
    wait = wait_time(timeout)
    if pid is None:
        raise Exit(("noproc", what()))
    me = Process.self()
    if pid == me:
        raise Exit(("calling_self", what()))
    ref = monitor(pid)
    # send, not a bare deliver: a pid of another node gets it too, and the reason is a copy.
    send(pid, (SYSTEM, (me, ref), (TERMINATE, reason)))
    message = receive_matching(down_of(ref), wait, None)
    if message is None:
        demonitor(ref, flush=True)
        raise Exit(("timeout", what()))
    exit_reason = message[4]
    if exit_reason.__class__ is str and exit_reason == "noproc":
        raise Exit(("noproc", what()))
    if exit_reason is reason or _same(exit_reason, reason):
        return "ok"
    raise Exit((exit_reason, what()))


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:
        return False
