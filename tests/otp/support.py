"""Servers and helpers the OTP tests share: wait for what messages and monitors announce."""

from __future__ import annotations

import logging
from typing import Any

from pyex import GenServer, Pid, Process, receive, send
from pyex import self as self_pid
from tests import helpers
from tests.helpers import is_down

down_of = is_down  # a receive pattern for the DOWN message of monitor ``ref``


def wait_down(ref: Any, timeout: float = 10.0) -> Any:
    """Receive the DOWN message of monitor ``ref``; returns the exit reason."""
    return helpers.wait_down(ref, timeout)


def kill(pid: Any, reason: Any = "kill") -> Any:
    """Send ``pid`` an exit signal and wait until it has exited; returns its exit reason."""
    ref = Process.monitor(pid)
    Process.exit(pid, reason)
    return wait_down(ref)


def error_reports(caplog: Any) -> list[logging.LogRecord]:
    """The ERROR records the logger 'pyex' wrote."""
    return [r for r in caplog.records if r.name == "pyex" and r.levelno >= logging.ERROR]


mailbox = helpers.drain  # every message out of the caller's mailbox, no waiting


class Worker(GenServer):
    """Tells ``to`` when it starts and terminates: ('started', id, pid), ('terminated', id, reason).

    ``arg`` is a dict: ``id``, ``to``; optional ``trap`` (trap exits), ``block``
    (terminate blocks until killed), ``init`` (what init returns instead).
    """

    def init(self, arg: dict[str, Any]) -> Any:
        if arg.get("trap"):
            Process.flag("trap_exit", True)
        self.arg = arg
        send(arg["to"], ("started", arg["id"], self_pid()))
        return arg.get("init", ("ok", arg))

    def handle_call(self, request: Any, from_: Any, state: Any) -> Any:
        if request == "ping":
            return ("reply", "pong", state)
        if request == "crash":
            raise RuntimeError("asked to crash")
        return ("reply", request, state)

    def terminate(self, reason: Any, state: Any) -> Any:
        send(self.arg["to"], ("terminated", self.arg["id"], reason))
        if self.arg.get("block"):
            receive()  # wait forever: only a kill ends it


def worker(child_id: Any, **options: Any) -> dict[str, Any]:
    """A child spec of a Worker reporting to the caller; options beyond the Worker's go in the spec."""
    arg = {"id": child_id, "to": self_pid()}
    for key in ("trap", "block", "init"):
        if key in options:
            arg[key] = options.pop(key)
    return {"id": child_id, "start": (GenServer.start_link, [Worker, arg]), **options}


def started(child_id: Any, timeout: float = 10.0) -> Any:
    """Wait for Worker ``child_id`` to say it started; returns its pid."""
    return receive(("started", child_id, Pid), timeout=timeout)[2]


def terminated(child_id: Any = None, timeout: float = 10.0) -> tuple[Any, Any]:
    """Wait for a Worker (``child_id``, or any) to say it terminated; returns (id, reason)."""

    def match(message: Any) -> bool:
        return (
            message.__class__ is tuple
            and len(message) == 3
            and message[0] == "terminated"
            and (child_id is None or message[1] == child_id)
        )

    message = receive(match, timeout=timeout)
    return message[1], message[2]
