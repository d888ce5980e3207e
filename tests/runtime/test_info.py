"""alive, info, processes, Process.list and the process dictionary."""

from __future__ import annotations

import pytest

from pyex import Process, alive, info, processes, receive, send, spawn
from pyex import self as self_pid
from tests.helpers import eventually, wait_exit

pytestmark = pytest.mark.timeout(30)

KEYS = {
    "current_function",
    "initial_call",
    "status",
    "message_queue_len",
    "links",
    "monitors",
    "monitored_by",
    "trap_exit",
    "registered_name",
    "dictionary",
}


def waiting_in_receive():
    receive("never")


def spinning(flag):
    while flag:
        pass


def test_info_has_the_contract_keys():
    assert KEYS <= set(info(self_pid()))


def test_info_of_a_dead_pid_is_none():
    dead = spawn(lambda: None)
    wait_exit(dead)
    assert info(dead) is None
    assert Process.info(dead) is None
    assert not alive(dead)


def test_info_of_a_fresh_process():
    child = spawn(waiting_in_receive)
    eventually(lambda: info(child)["status"] == "waiting")
    details = info(child)
    assert details["initial_call"] == (__name__, "waiting_in_receive", 0)
    assert details["current_function"] == (__name__, "waiting_in_receive", 0)
    assert details["message_queue_len"] == 0
    assert details["links"] == [] and details["monitors"] == [] and details["monitored_by"] == []
    assert details["trap_exit"] is False
    assert details["registered_name"] is None
    assert details["dictionary"] == {}


class Server:
    def loop(self, state):
        receive("never")


def test_initial_call_of_a_method_names_its_class():
    child = spawn(Server().loop, 1)
    assert info(child)["initial_call"] == ("Server", "loop", 1)


def test_current_function_follows_the_code():
    def outer():
        inner()

    def inner():
        receive("never")

    child = spawn(outer)
    eventually(lambda: info(child)["current_function"][1].endswith("inner"))
    assert info(child)["initial_call"][1].endswith("outer")


def test_status_is_running_while_executing_and_waiting_while_blocked():
    flag = [True]
    busy = spawn(spinning, flag)
    blocked = spawn(waiting_in_receive)
    sleeper = spawn(Process.sleep, 30)
    assert info(busy)["status"] == "running"
    eventually(lambda: info(blocked)["status"] == "waiting")
    eventually(lambda: info(sleeper)["status"] == "waiting")
    flag.clear()
    wait_exit(busy)
    assert info(self_pid())["status"] == "running"


def test_message_queue_len_counts_waiting_messages():
    me = self_pid()
    for n in range(5):
        send(me, n)
    assert info(me)["message_queue_len"] == 5
    receive(3, timeout=0)  # skips 0, 1, 2 into the saved queue: still queued
    assert info(me)["message_queue_len"] == 4
    child = spawn(waiting_in_receive)
    for n in range(3):
        send(child, n)
    eventually(lambda: info(child)["message_queue_len"] == 3)


def test_links_monitors_and_monitored_by_in_info():
    me = self_pid()
    linked = spawn(waiting_in_receive)
    watched = spawn(waiting_in_receive)
    Process.link(linked)
    Process.monitor(watched)
    mine = info(me)
    assert mine["links"] == [linked]
    assert mine["monitors"] == [("process", watched)]
    assert info(linked)["links"] == [me]
    assert info(watched)["monitored_by"] == [me]
    Process.unlink(linked)


def test_trap_exit_and_registered_name_in_info():
    me = self_pid()
    Process.flag("trap_exit", True)
    Process.register(me, "info_me")
    details = info(me)
    assert details["trap_exit"] is True
    assert details["registered_name"] == "info_me"


def test_info_of_an_exiting_process_is_none(monkeypatch):
    import threading

    from pyex.runtime import reaper

    monkeypatch.setattr(reaper, "FORCE_AFTER", 30.0)
    release = threading.Event()
    me = self_pid()

    def stuck():
        Process.put("k", "v")
        send(me, "stuck")
        release.wait()

    child = spawn(stuck)
    receive("stuck", timeout=5)
    ref = Process.monitor(child)
    Process.exit(child, "kill")
    # Still unwinding, but no longer alive: info() is None exactly when alive() is False.
    assert not alive(child)
    assert info(child) is None
    assert child not in processes()
    release.set()
    assert receive(("DOWN", ref, "process", child, "killed"), timeout=5)
    assert info(child) is None


def test_processes_lists_live_processes_oldest_first():
    me = self_pid()
    children = [spawn(waiting_in_receive) for _ in range(3)]
    listed = processes()
    assert me in listed and all(child in listed for child in children)
    assert listed == sorted(listed)
    assert Process.list() == processes()
    Process.exit(children[1], "kill")
    wait_exit(children[1])
    assert children[1] not in processes()
    assert children[0] in processes()


def test_alive_follows_the_lifecycle():
    child = spawn(waiting_in_receive)
    assert alive(child) and Process.alive(child)
    Process.exit(child, "kill")
    wait_exit(child)
    assert not alive(child)


def test_process_dictionary_put_get_delete():
    assert Process.put("key", 1) is None
    assert Process.put("key", 2) == 1
    assert Process.get("key") == 2
    assert Process.get("missing") is None
    assert Process.get("missing", "default") == "default"
    assert info(self_pid())["dictionary"] == {"key": 2}
    assert Process.delete("key") == 2
    assert Process.delete("key") is None
    assert Process.get("key") is None


def test_the_process_dictionary_is_per_process():
    me = self_pid()
    Process.put("shared?", "mine")

    def other():
        send(me, Process.get("shared?", "not here"))
        Process.put("theirs", 1)
        send(me, "done")
        receive("never")

    child = spawn(other)
    assert receive(timeout=5) == "not here"
    receive("done", timeout=5)
    assert info(child)["dictionary"] == {"theirs": 1}
    assert Process.get("theirs") is None


def test_info_returns_a_snapshot_the_caller_may_change():
    Process.put("k", [1])
    details = info(self_pid())
    details["dictionary"]["k2"] = 2
    details["links"].append("junk")
    assert Process.get("k2") is None
    assert info(self_pid())["links"] == []
