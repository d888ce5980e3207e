"""Crash reports through the logger 'pyex', and crashes that harm nobody else."""

from __future__ import annotations

import logging
import traceback

import pytest

from pyex import Exit, Process, alive, receive, send, spawn, spawn_monitor
from pyex import self as self_pid
from tests.helpers import wait_down, wait_exit

pytestmark = pytest.mark.timeout(30)


def level_one(n):
    return level_two(n)


def level_two(n):
    return {}[n]


def crash_reports(caplog):
    return [r for r in caplog.records if r.name == "pyex" and r.levelno == logging.ERROR]


def test_a_crash_is_logged_at_error_naming_the_pid_and_the_exception(caplog):
    caplog.set_level(logging.ERROR, logger="pyex")
    child, ref = spawn_monitor(level_one, "missing key")
    reason = wait_down(ref)
    assert isinstance(reason, KeyError)
    reports = crash_reports(caplog)
    assert len(reports) == 1
    report = reports[0]
    assert str(child) in report.getMessage()
    exc_type, exc, tb = report.exc_info
    assert exc_type is KeyError and exc is reason
    frames = [frame.name for frame in traceback.extract_tb(tb)]
    # The user's frames, from the process's function down; not the runtime's runner.
    assert frames == ["level_one", "level_two"]
    text = caplog.text
    assert "KeyError: 'missing key'" in text
    assert "level_two" in text and "Traceback" in text


def test_the_report_carries_the_pid_as_an_extra(caplog):
    caplog.set_level(logging.ERROR, logger="pyex")
    child, ref = spawn_monitor(level_one, 1)
    wait_down(ref)
    assert crash_reports(caplog)[0].pyex_pid == child


@pytest.mark.parametrize(
    "body, reason",
    [
        (lambda: None, "normal"),
        (lambda: (_ for _ in ()).throw(Exit("shutdown")), "shutdown"),
        (lambda: (_ for _ in ()).throw(Exit(("tuple", 1))), ("tuple", 1)),
    ],
    ids=["return", "exit-shutdown", "exit-tuple"],
)
def test_no_report_for_a_normal_return_or_an_exit(caplog, body, reason):
    caplog.set_level(logging.DEBUG, logger="pyex")
    _, ref = spawn_monitor(body)
    assert wait_down(ref) == reason
    assert crash_reports(caplog) == []


def test_no_report_for_a_killed_process_or_one_taken_down_by_a_link(caplog):
    caplog.set_level(logging.DEBUG, logger="pyex")
    child = spawn(receive, "never")
    ref = Process.monitor(child)
    Process.exit(child, "kill")
    assert wait_down(ref) == "killed"

    def linked_victim():
        spawn_link_crasher()
        receive("never")

    victim, victim_ref = spawn_monitor(linked_victim)
    assert isinstance(wait_down(victim_ref), ZeroDivisionError)
    # One report: the crasher's own; the victim merely followed it.
    reports = crash_reports(caplog)
    assert len(reports) == 1
    assert str(victim) not in reports[0].getMessage()


def spawn_link_crasher():
    from pyex import spawn_link

    return spawn_link(lambda: 1 / 0)


def test_a_crash_does_not_harm_the_runtime_or_unlinked_processes(caplog):
    caplog.set_level(logging.CRITICAL, logger="pyex")
    me = self_pid()

    def counter(total):
        while True:
            message = receive()
            if message == "report":
                send(me, ("total", total))
            else:
                total += message

    survivor = spawn(counter, 0)
    for n in range(20):
        send(survivor, n)
        spawn(level_one, n)  # crashes, unlinked
    send(survivor, "report")
    assert receive(("total", int), timeout=5) == ("total", sum(range(20)))
    assert alive(survivor) and alive(me)
    # The runtime still spawns and delivers.
    _, ref = spawn_monitor(lambda: None)
    assert wait_down(ref) == "normal"


def test_a_broken_log_handler_does_not_break_the_runtime():
    class Broken(logging.Handler):
        def emit(self, record):
            raise RuntimeError("handler bug")

        def handleError(self, record):
            raise RuntimeError("handleError bug")

    logger = logging.getLogger("pyex")
    handler = Broken()
    logger.addHandler(handler)
    try:
        child, ref = spawn_monitor(level_one, 1)
        assert isinstance(wait_down(ref), KeyError)
    finally:
        logger.removeHandler(handler)
    _, ref = spawn_monitor(lambda: None)
    assert wait_down(ref) == "normal"


def test_a_process_that_raises_base_exceptions_crashes_with_them(caplog):
    caplog.set_level(logging.ERROR, logger="pyex")

    def leave():
        raise SystemExit(3)

    _, ref = spawn_monitor(leave)
    reason = wait_down(ref)
    assert isinstance(reason, SystemExit) and reason.code == 3
    assert alive(self_pid())
    wait_exit(spawn(lambda: None))
