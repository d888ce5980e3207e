"""Task: async_/await_, yield_, await_many, timeouts, crashes, ownership, start, shutdown."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from pyex import Exit, Process, Supervisor, Task, alive, info, receive, send, spawn, spawn_monitor
from pyex import self as self_pid
from tests.otp.support import mailbox, wait_down

pytestmark = pytest.mark.timeout(30)


def add(a, b):
    return a + b


def wait_for_go(value):
    receive("go")
    return value


def boom():
    raise LookupError("boom")


def test_async_and_await():
    task = Task.async_(add, 20, 22)
    assert task.owner == self_pid()
    assert task.mfa == (add.__module__, "add", 2)
    assert Task.await_(task) == 42
    assert wait_down(Process.monitor(task.pid)) in ("normal", "noproc")
    assert mailbox() == []
    assert info(self_pid())["monitors"] == []


def test_a_task_is_a_frozen_value():
    task = Task.async_(add, 1, 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        task.pid = None
    assert Task.await_(task) == 2


def test_await_timeout_then_the_result_still_comes():
    task = Task.async_(wait_for_go, "late")
    with pytest.raises(Exit) as caught:
        Task.await_(task, 0.05)
    assert caught.value.reason == ("timeout", ("Task", "await_", [task, 0.05]))
    assert alive(task.pid)  # the task goes on
    send(task.pid, "go")
    assert Task.await_(task) == "late"


def test_yield():
    task = Task.async_(wait_for_go, "value")
    assert Task.yield_(task, 0.01) is None
    send(task.pid, "go")
    assert Task.yield_(task, None) == ("ok", "value")
    assert mailbox() == []


def test_yield_of_a_dead_task(caplog):
    caplog.set_level(logging.CRITICAL, logger="pyex")
    Process.flag("trap_exit", True)
    task = Task.async_(boom)
    status, reason = Task.yield_(task)
    assert status == "exit" and isinstance(reason, LookupError)
    assert receive(timeout=5) == ("EXIT", task.pid, reason)


def test_await_many():
    tasks = [Task.async_(add, n, n) for n in range(10)]
    assert Task.await_many(tasks) == [2 * n for n in range(10)]
    assert mailbox() == []


def test_await_many_timeout_and_crash(caplog):
    caplog.set_level(logging.CRITICAL, logger="pyex")
    tasks = [Task.async_(add, 1, 2), Task.async_(wait_for_go, 3)]
    with pytest.raises(Exit) as caught:
        Task.await_many(tasks, 0.05)
    assert caught.value.reason == ("timeout", ("Task", "await_many", [tasks, 0.05]))
    send(tasks[1].pid, "go")
    Process.flag("trap_exit", True)
    crashing = [Task.async_(wait_for_go, 1), Task.async_(boom)]
    with pytest.raises(Exit) as caught:
        Task.await_many(crashing)
    reason, where = caught.value.reason
    assert isinstance(reason, LookupError)
    assert where == ("Task", "await_many", [crashing, 5.0])
    send(crashing[0].pid, "go")


def test_a_crashing_task_takes_its_owner_down(caplog):
    caplog.set_level(logging.CRITICAL, logger="pyex")

    def owner():
        Task.await_(Task.async_(boom))

    pid, ref = spawn_monitor(owner)
    reason = wait_down(ref)
    assert isinstance(reason, LookupError)


def test_a_trapping_owner_gets_an_exit_from_await(caplog):
    caplog.set_level(logging.CRITICAL, logger="pyex")
    Process.flag("trap_exit", True)
    task = Task.async_(boom)
    with pytest.raises(Exit) as caught:
        Task.await_(task)
    reason, where = caught.value.reason
    assert isinstance(reason, LookupError)
    assert where == ("Task", "await_", [task, 5.0])
    assert receive(timeout=5) == ("EXIT", task.pid, reason)


def test_only_the_owner_may_await():
    task = Task.async_(wait_for_go, 1)
    me = self_pid()

    def stranger():
        try:
            Task.await_(task)
        except ValueError as error:
            send(me, str(error))

    other = spawn(stranger)
    assert receive(timeout=5) == (
        f"task {task!r} must be queried from the owner but was queried from {other!r}"
    )
    send(task.pid, "go")
    assert Task.await_(task) == 1
    with pytest.raises(TypeError):
        Task.await_("not a task")


def test_start_and_start_link():
    status, pid = Task.start(wait_for_go, 1)
    assert status == "ok" and pid not in info(self_pid())["links"]
    status, linked = Task.start_link(wait_for_go, 1)
    assert status == "ok" and linked in info(self_pid())["links"]
    for task_pid in (pid, linked):
        ref = Process.monitor(task_pid)
        send(task_pid, "go")
        assert wait_down(ref) == "normal"
    assert mailbox() == []


def test_shutdown():
    running = Task.async_(wait_for_go, 1)
    assert Task.shutdown(running) is None
    assert not alive(running.pid)
    done = Task.async_(add, 1, 2)
    ref = Process.monitor(done.pid)
    wait_down(ref)
    assert Task.shutdown(done) == ("ok", 3)
    killed = Task.async_(wait_for_go, 1)
    assert Task.shutdown(killed, "brutal_kill") is None
    assert mailbox() == []


def test_the_process_dictionary_of_a_task():
    task = Task.async_(wait_for_go, 1)
    dictionary = info(task.pid)["dictionary"]
    assert dictionary["$behaviour"] == "Task"
    assert dictionary["$callers"] == [self_pid()]
    assert dictionary["$ancestors"] == [self_pid()]
    assert dictionary["$initial_call"] == task.mfa
    send(task.pid, "go")
    Task.await_(task)


def test_a_task_under_a_supervisor_is_temporary():
    me = self_pid()
    status, sup = Supervisor.start_link([(Task, lambda: (send(me, "ran"), receive("go")))])
    ((child_id, pid, kind, modules),) = Supervisor.which_children(sup)
    assert (child_id, kind, modules) == (Task, "worker", [Task])
    assert receive(timeout=5) == "ran"
    send(pid, "go")
    wait_down(Process.monitor(pid))
    assert Supervisor.which_children(sup) == []
