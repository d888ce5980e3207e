"""Crash reports of behaviours: Elixir's text, the user's frames only, one report per crash."""

from __future__ import annotations

import logging
import traceback

import pytest

from pyex import Exit, GenServer, Process, Task, receive
from pyex import self as self_pid
from tests.otp.support import error_reports, wait_down

pytestmark = pytest.mark.timeout(30)


def lookup(table, key):
    return table[key]


class Shelf(GenServer):
    def init(self, arg):
        return ("ok", {"books": 2})

    def handle_call(self, request, from_, state):
        return ("reply", lookup(state, request), state)

    def handle_cast(self, request, state):
        return ("noreply", lookup(state, request))

    def handle_info(self, message, state):
        if message == "tuple":
            return ("stop", ("shutdown", "done"), state)
        return ("stop", message, state)


def start_shelf(name=None):
    status, pid = GenServer.start(Shelf, None, name=name)
    return pid, Process.monitor(pid)


def test_a_crash_in_a_call(caplog):
    caplog.set_level(logging.ERROR, logger="pyex")
    pid, ref = start_shelf()
    with pytest.raises(Exit):
        GenServer.call(pid, "magazines")
    reason = wait_down(ref)
    (report,) = error_reports(caplog)
    assert report.getMessage().splitlines() == [
        f"GenServer {pid!r} terminating",
        f"Last message (from {self_pid()!r}): 'magazines'",
        "State: {'books': 2}",
        f"Client {self_pid()!r} is alive",
    ]
    assert report.pyex_pid == pid
    exc_type, exc, tb = report.exc_info
    assert exc_type is KeyError and exc is reason
    # The traceback starts at the user's callback: no pyex frames on top.
    assert [frame.name for frame in traceback.extract_tb(tb)] == ["handle_call", "lookup"]
    assert "KeyError: 'magazines'" in caplog.text


def test_a_registered_server_is_named_by_its_name(caplog):
    caplog.set_level(logging.ERROR, logger="pyex")
    pid, ref = start_shelf(name="shelf")
    GenServer.cast("shelf", "comics")
    wait_down(ref)
    (report,) = error_reports(caplog)
    assert report.getMessage().splitlines() == [
        "GenServer 'shelf' terminating",
        "Last message: ('$gen_cast', 'comics')",
        "State: {'books': 2}",
    ]
    assert [frame.name for frame in traceback.extract_tb(report.exc_info[2])] == [
        "handle_cast",
        "lookup",
    ]


def test_a_stop_with_a_plain_reason(caplog):
    caplog.set_level(logging.ERROR, logger="pyex")
    pid, ref = start_shelf()
    Process.send(pid, ("closing", 1))
    assert wait_down(ref) == ("closing", 1)
    (report,) = error_reports(caplog)
    assert report.getMessage().splitlines() == [
        f"GenServer {pid!r} terminating",
        "** (stop) ('closing', 1)",
        "Last message: ('closing', 1)",
        "State: {'books': 2}",
    ]
    assert report.exc_info is None


@pytest.mark.parametrize("message, reason", [
    ("normal", "normal"),
    ("shutdown", "shutdown"),
    ("tuple", ("shutdown", "done")),
])
def test_normal_and_shutdown_stops_are_not_reported(caplog, message, reason):
    caplog.set_level(logging.ERROR, logger="pyex")
    pid, ref = start_shelf()
    Process.send(pid, message)
    assert wait_down(ref) == reason
    assert error_reports(caplog) == []


class Dying(GenServer):
    def init(self, arg):
        return ("ok", arg)

    def terminate(self, reason, state):
        raise RuntimeError("terminate failed")


def test_a_terminate_that_raises_is_the_reason(caplog):
    caplog.set_level(logging.ERROR, logger="pyex")
    status, pid = GenServer.start(Dying, 0)
    ref = Process.monitor(pid)
    with pytest.raises(Exit) as caught:
        GenServer.stop(pid)
    reason = wait_down(ref)
    assert isinstance(reason, RuntimeError) and caught.value.reason[0] is reason
    (report,) = error_reports(caplog)
    assert report.exc_info[1] is reason


def fail(n):
    raise ArithmeticError(f"failed on {n}")


def test_a_task_crash(caplog):
    caplog.set_level(logging.ERROR, logger="pyex")
    Process.flag("trap_exit", True)
    task = Task.async_(fail, 7)
    with pytest.raises(Exit):
        Task.await_(task)
    (report,) = error_reports(caplog)
    assert report.getMessage().splitlines() == [
        f"Task {task.pid!r} started from {self_pid()!r} terminating",
        f"Function: {fail!r}",
        "    Args: [7]",
    ]
    assert [frame.name for frame in traceback.extract_tb(report.exc_info[2])] == ["fail"]
    assert receive(timeout=5)[0] == "EXIT"


def test_a_task_exit_with_an_abnormal_reason(caplog):
    caplog.set_level(logging.ERROR, logger="pyex")

    def leave():
        receive("go")
        raise Exit("boom")

    pid = Task.start(leave)[1]
    ref = Process.monitor(pid)
    Process.send(pid, "go")
    assert wait_down(ref) == "boom"
    (report,) = error_reports(caplog)
    assert report.getMessage().splitlines()[1] == "** (stop) 'boom'"
