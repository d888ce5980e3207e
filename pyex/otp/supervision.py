"""What every supervisor does to its children: start them, stop them, restart them.

Used by Supervisor and DynamicSupervisor, inside the supervisor's process
(which traps exits, so its children's exits arrive as messages). Both handle
a child's exit and a restart tried again the same way (``restart_after_exit``,
``restart_counted``, ``try_again_later``): only how each finds its child differs.

Stopping a child is Erlang's: monitor it, unlink it, then send ``'shutdown'``
and wait up to its ``shutdown`` seconds before killing it -- or kill it at once
for ``'brutal_kill'``.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any, Callable

from ..runtime import ANY, Exit, Pid, Process, Ref, send
from ..runtime.internal import (
    down_of,
    exit_from,
    exit_signal,
    is_down,
    monitor,
    receive_matching,
    unlink,
    wait_time,
)
from .crash_reports import is_normal_exit
from .gen_server import CAST

__all__ = [
    "start_child",
    "shutdown_child",
    "shutdown_children",
    "should_restart",
    "restart_after_exit",
    "restart_counted",
    "try_again_later",
    "is_try_again",
    "Intensity",
]

TRY_AGAIN = "try_again_restart"  # the cast a supervisor sends itself, as OTP's do


def _is(value: Any, atom: str) -> bool:
    return value is atom or (value.__class__ is str and value == atom)


def start_child(spec: dict[str, Any]) -> tuple[str, Any]:
    """Call the spec's start function: ``('ok', pid)``, ``('ok', None)`` (ignored) or ``('error', why)``."""
    fun, args, kwargs = spec["start"]
    try:
        result = fun(*args, **kwargs)
    except Exit as exc:
        return ("error", exc.reason)
    except (Exception, SystemExit) as exc:  # sys.exit() in a start function is its error too
        return ("error", exc)
    if result.__class__ is tuple and len(result) in (2, 3) and _is(result[0], "ok"):
        if result[1].__class__ is Pid:
            return ("ok", result[1])
        if result[1] is None:
            return ("ok", None)
    if _is(result, "ignore"):
        return ("ok", None)
    if result.__class__ is tuple and len(result) == 2 and _is(result[0], "error"):
        return ("error", result[1])
    return ("error", ("bad_return_value", result))


def should_restart(restart: str, reason: Any) -> bool:
    """Whether a child with this restart type is restarted after exiting with ``reason``."""
    if restart == "permanent":
        return True
    if restart == "transient":
        return not is_normal_exit(reason)
    return False


def restart_counted(intensity: Intensity, restart: Callable[..., None], *args: Any) -> bool:
    """Count a restart against ``intensity`` and make it (``restart(*args)``).

    False, and no restart, when it is one too many: the supervisor must then
    stop with reason ``'shutdown'``.
    """
    if not intensity.add():
        return False
    restart(*args)
    return True


def restart_after_exit(
    intensity: Intensity, restart_type: str, reason: Any, restart: Callable[..., None], *args: Any
) -> bool:
    """A child of ``restart_type`` exited with ``reason``: restart it if its type says so.

    The restart is counted (``restart_counted``); False when it was one too many.
    """
    if not should_restart(restart_type, reason):
        return True
    return restart_counted(intensity, restart, *args)


def try_again_later(key: Any) -> None:
    """A restart failed: have the calling supervisor try ``key`` again after what is queued.

    A cast to itself (``('try_again_restart', key)``), counted as a restart when
    it is tried, so a child that never starts ends in the supervisor's shutdown.
    """
    send(Process.self(), (CAST, (TRY_AGAIN, key)))


def is_try_again(request: Any) -> bool:
    """Whether a cast is a supervisor's ``try_again_later`` (its key is ``request[1]``)."""
    return request.__class__ is tuple and len(request) == 2 and request[0] == TRY_AGAIN


def _detach(pid: Pid) -> tuple[Ref, Any]:
    """Monitor and unlink ``pid``; returns (ref, exit message if it already exited)."""
    ref = monitor(pid)
    unlink(pid)
    # An EXIT that arrived before the unlink: the child is gone already.
    return ref, receive_matching(exit_from(pid), 0, None)


def shutdown_child(pid: Pid, shutdown: Any) -> Any:
    """Stop the child ``pid`` as its spec says; returns the reason it exited with."""
    ref, exited = _detach(pid)
    down = down_of(ref)
    if exited is not None:
        receive_matching(down)
        return exited[2]
    if shutdown == "brutal_kill":
        exit_signal(pid, "kill")
        return receive_matching(down)[4]
    exit_signal(pid, "shutdown")
    message = receive_matching(down, wait_time(shutdown, "shutdown"), None)
    if message is None:
        exit_signal(pid, "kill")
        message = receive_matching(down)
    return message[4]


def shutdown_children(children: list[tuple[Pid, Any]]) -> None:
    """Stop many children at once (DynamicSupervisor's way): all get the signal together."""
    waiting: dict[Ref, tuple[Pid, float | None]] = {}
    now = time.monotonic()
    for pid, shutdown in children:
        ref, exited = _detach(pid)
        if exited is not None:
            receive_matching(down_of(ref))
            continue
        if shutdown == "brutal_kill":
            exit_signal(pid, "kill")
            deadline = None
        else:
            exit_signal(pid, "shutdown")
            wait = wait_time(shutdown, "shutdown")
            deadline = None if wait is None else now + wait
        waiting[ref] = (pid, deadline)

    def any_down(message: Any) -> bool:
        return is_down(message, ANY) and message[1] in waiting

    while waiting:
        deadlines = [deadline for _, deadline in waiting.values() if deadline is not None]
        timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
        message = receive_matching(any_down, timeout, None)
        if message is not None:
            del waiting[message[1]]
            continue
        now = time.monotonic()
        for ref, (pid, deadline) in list(waiting.items()):
            if deadline is not None and deadline <= now:
                exit_signal(pid, "kill")
                waiting[ref] = (pid, None)


class Intensity:
    """Restart intensity: at most ``max_restarts`` restarts within ``max_seconds``."""

    __slots__ = ("max_restarts", "max_seconds", "restarts")

    def __init__(self, max_restarts: int, max_seconds: float) -> None:
        self.max_restarts = max_restarts
        self.max_seconds = max_seconds
        self.restarts: deque[float] = deque()

    def add(self) -> bool:
        """Count a restart now; False when that is one too many (the supervisor must stop)."""
        now = time.monotonic()
        restarts = self.restarts
        restarts.append(now)
        threshold = now - self.max_seconds
        while restarts and restarts[0] < threshold:
            restarts.popleft()
        return len(restarts) <= self.max_restarts

    def __repr__(self) -> str:
        return (
            f"Intensity(max_restarts={self.max_restarts}, max_seconds={self.max_seconds}, "
            f"recent={len(self.restarts)})"
        )


def check_flags(max_restarts: Any, max_seconds: Any) -> None:
    """Raise ValueError/TypeError unless the restart intensity settings make sense."""
    if not isinstance(max_restarts, int) or isinstance(max_restarts, bool) or max_restarts < 0:
        raise ValueError(f"max_restarts must be an integer >= 0, got {max_restarts!r}")
    if (
        not isinstance(max_seconds, (int, float))
        or isinstance(max_seconds, bool)
        or not max_seconds > 0
    ):
        raise ValueError(f"max_seconds must be a number of seconds > 0, got {max_seconds!r}")
