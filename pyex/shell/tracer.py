"""The shell's trace(pid): trace messages printed as lines, above the prompt.

A session's trace printer is a process started from the shell process (so
what it prints goes where the shell's background output goes: above the
console's prompt). It is the tracer of every pid ``trace()`` traces, prints
one line per event (``#PID<0.90.0> << 'hi'``, ``#PID<0.90.0> ! 'hi' ->
#PID<0.84.0>``), stops tracing a pid by itself after that pid's limit of
events, with a notice, and stops everything when the shell process goes.
A ``Recorder`` keeps the last events of one pid instead, for the top() view.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any

from ..runtime import Pid, Process, receive, send
from ..runtime.internal import TRACE_EVENTS as EVENTS
from ..runtime.internal import is_down, start_process

trace = Process.trace
monitor = Process.monitor

__all__ = ["format_event", "start_printer", "Recorder", "LIMIT_TAG", "UNTRACE_TAG"]

LIMIT_TAG = "$trace_limit"
UNTRACE_TAG = "$untrace"
MAX_REPR = 300


def _short(value: Any) -> str:
    try:
        text = repr(value)
    except Exception as exc:  # a repr that raises must not stop the printer
        text = f"<{type(value).__name__}: repr raised {type(exc).__name__}>"
    return text if len(text) <= MAX_REPR else text[: MAX_REPR - 1] + "…"


def format_event(pid: Any, event: str, details: tuple[Any, ...]) -> str:
    """One trace message as a line: ``#PID<0.90.0> << 'hi'``."""
    if event == "receive" and details:
        return f"{pid} << {_short(details[0])}"
    if event == "send" and len(details) >= 2:
        return f"{pid} ! {_short(details[0])} -> {_short(details[1])}"
    if event == "spawn" and details:
        return f"{pid} spawned {details[0]}"
    if event == "exit" and details:
        return f"{pid} exited with reason {_short(details[0])}"
    if event in ("link", "unlink") and details:
        return f"{pid} {event}ed {details[0]}"
    if event == "call" and len(details) >= 2:
        caller = details[1][0] if isinstance(details[1], tuple) and details[1] else details[1]
        return f"{pid} <- call {_short(details[0])} from {caller}"
    if event == "return" and details:
        return f"{pid} -> reply {_short(details[0])}"
    return f"{pid} {event} {' '.join(_short(detail) for detail in details)}"


def _is_trace(message: Any) -> bool:
    return message.__class__ is tuple and len(message) >= 3 and message[0] == "trace"


def _stop(pid: Pid) -> None:
    try:
        trace(pid, False, EVENTS)
    except ValueError:
        pass  # it has exited: nothing is traced any more


def _printer(shell: Pid) -> None:
    Process.set_label("trace printer")
    watch = monitor(shell)
    limits: dict[Pid, list[int]] = {}  # pid -> [events left, limit]
    while True:
        message = receive()
        if _is_trace(message):
            pid, event = message[1], message[2]
            left = limits.get(pid)
            if left is None:
                continue  # traced no more: a message that was on its way
            print(format_event(pid, event, message[3:]), flush=True)
            left[0] -= 1
            if event == "exit":
                del limits[pid]
            elif left[0] <= 0:
                _stop(pid)
                del limits[pid]
                print(f"trace of {pid} stopped after {left[1]} events (trace({pid!r}, limit=N) for more)")
        elif message.__class__ is tuple and len(message) == 3 and message[0] == LIMIT_TAG:
            limits[message[1]] = [message[2], message[2]]
        elif message.__class__ is tuple and len(message) == 2 and message[0] == UNTRACE_TAG:
            limits.pop(message[1], None)
        elif is_down(message, watch):
            for pid in list(limits):
                _stop(pid)
            return  # the shell process is gone: so is its tracing


def start_printer(shell: Pid) -> Pid:
    """Start a trace printer for the shell process ``shell`` (call it in the shell process)."""
    return start_process(_printer, (shell,), {}, initial_call=("shell", "trace_printer", 1))[0]


def tell_limit(printer: Pid, pid: Pid, limit: int) -> None:
    """Tell ``printer`` to stop tracing ``pid`` after ``limit`` events (before tracing starts)."""
    send(printer, (LIMIT_TAG, pid, limit))


def tell_untraced(printer: Pid, pid: Pid) -> None:
    send(printer, (UNTRACE_TAG, pid))


class Recorder:
    """A process that keeps the last trace events of what it traces, as lines (top()'s detail view)."""

    def __init__(self, keep: int = 200) -> None:
        self._lock = threading.Lock()
        self._lines: deque[str] = deque(maxlen=keep)
        self.pid = start_process(self._run, (), {}, initial_call=("shell", "trace_recorder", 0))[0]
        self.target: Pid | None = None

    def _run(self) -> None:
        Process.set_label("top() trace recorder")
        while True:
            message = receive()
            if message == "stop":
                return
            if _is_trace(message) and message[1] == self.target:
                line = format_event(message[1], message[2], message[3:])
                with self._lock:
                    self._lines.append(line)

    def follow(self, target: Pid | None) -> None:
        """Trace ``target`` (every event) instead of what was followed before; None: nothing."""
        if target == self.target:
            return
        if self.target is not None:
            _stop(self.target)
        with self._lock:
            self._lines.clear()
        self.target = target
        if target is not None:
            try:
                trace(target, True, EVENTS, tracer=self.pid)
            except ValueError:
                self.target = None

    def lines(self) -> list[str]:
        with self._lock:
            return list(self._lines)

    def close(self) -> None:
        self.follow(None)
        send(self.pid, "stop")
