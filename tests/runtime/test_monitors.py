"""Monitors: exactly one DOWN, 'noproc' for the dead, demonitor, monitors by name."""

from __future__ import annotations

import pytest

from pyex import ANY, Exit, Process, Ref, alive, info, pid, receive, send, spawn
from pyex import self as self_pid
from pyex.runtime.internal import node_identity
from tests.helpers import is_down, wait_down, wait_exit

pytestmark = pytest.mark.timeout(30)


def idle():
    receive("never")


def ends_when_told(reason="normal"):
    receive("end")
    if reason != "normal":
        raise Exit(reason)


def test_a_monitor_delivers_down_with_the_reason():
    child = spawn(ends_when_told, "finished")
    ref = Process.monitor(child)
    assert isinstance(ref, Ref)
    send(child, "end")
    assert receive(timeout=5) == ("DOWN", ref, "process", child, "finished")


def test_down_arrives_exactly_once():
    child = spawn(ends_when_told)
    ref = Process.monitor(child)
    send(child, "end")
    assert wait_down(ref) == "normal"
    # Anything else would be in the mailbox before this marker.
    send(self_pid(), "marker")
    assert receive(timeout=5) == "marker"


def test_each_monitor_gets_its_own_down():
    child = spawn(ends_when_told)
    refs = [Process.monitor(child) for _ in range(3)]
    assert len(set(refs)) == 3
    send(child, "end")
    assert sorted(receive(timeout=5)[1] for _ in refs) == sorted(refs)
    assert receive(timeout=0, default=None) is None


def test_monitoring_a_dead_pid_delivers_noproc_at_once():
    dead = spawn(lambda: None)
    wait_exit(dead)
    ref = Process.monitor(dead)
    assert receive(timeout=0) == ("DOWN", ref, "process", dead, "noproc")


def test_monitoring_a_pid_that_never_existed_is_noproc():
    # The reference transcript: Process.monitor(pid(0,9999,0)) -> :noproc.
    nobody = pid(0, 9999, 0)
    ref = Process.monitor(nobody)
    assert receive(timeout=0) == ("DOWN", ref, "process", nobody, "noproc")


def test_a_monitor_is_not_a_link():
    child = spawn(lambda: (receive(), (_ for _ in ()).throw(RuntimeError("crash"))))
    ref = Process.monitor(child)
    send(child, "go")
    assert isinstance(wait_down(ref), RuntimeError)
    assert alive(self_pid())


def test_a_monitor_shows_in_info_on_both_sides_until_down():
    me = self_pid()
    child = spawn(ends_when_told)
    ref = Process.monitor(child)
    assert info(me)["monitors"] == [("process", child)]
    assert info(child)["monitored_by"] == [me]
    send(child, "end")
    wait_down(ref)
    assert info(me)["monitors"] == []


def test_demonitor_means_no_down():
    child = spawn(ends_when_told)
    ref = Process.monitor(child)
    assert Process.demonitor(ref) is True
    assert info(child)["monitored_by"] == []
    assert info(self_pid())["monitors"] == []
    other = Process.monitor(child)
    send(child, "end")
    assert wait_down(other) == "normal"
    assert receive(is_down(ref), timeout=0, default=None) is None


def test_demonitor_without_flush_keeps_a_down_already_delivered():
    child = spawn(ends_when_told)
    ref = Process.monitor(child)
    send(child, "end")
    wait_exit(child)  # the DOWN of ref is in the mailbox by now
    Process.demonitor(ref)
    assert receive(is_down(ref), timeout=0)[4] == "normal"


def test_demonitor_flush_removes_only_that_down():
    me = self_pid()
    child = spawn(ends_when_told)
    ref = Process.monitor(child)
    send(me, ("tagged", ref))
    send(me, (ref, "reply"))
    send(child, "end")
    wait_exit(child)
    send(me, ("other", ref, 1, 2, 3))
    assert Process.demonitor(ref, flush=True) is True
    rest = [receive(timeout=0) for _ in range(3)]
    assert rest == [("tagged", ref), (ref, "reply"), ("other", ref, 1, 2, 3)]
    assert receive(timeout=0, default=None) is None


def test_demonitor_flush_of_a_live_monitor():
    child = spawn(ends_when_told)
    ref = Process.monitor(child)
    Process.demonitor(ref, flush=True)
    send(child, "end")
    wait_exit(child)
    assert receive(is_down(ref), timeout=0, default=None) is None


def test_demonitor_of_an_unknown_or_finished_ref_is_fine():
    from pyex import make_ref

    assert Process.demonitor(make_ref()) is True
    child = spawn(lambda: None)
    ref = Process.monitor(child)
    wait_down(ref)
    assert Process.demonitor(ref) is True


def test_a_monitor_by_name_watches_the_holder_and_down_names_it():
    here = node_identity()[0]  # 'nonode@nohost', or the node tests/dist made of this runtime
    child = spawn(ends_when_told)
    Process.register(child, "watched_by_name")
    ref = Process.monitor("watched_by_name")
    assert info(child)["monitored_by"] == [self_pid()]
    assert info(self_pid())["monitors"] == [("process", ("watched_by_name", here))]
    send("watched_by_name", "end")
    assert receive(timeout=5) == ("DOWN", ref, "process", ("watched_by_name", here), "normal")


def test_a_monitor_of_a_free_name_is_noproc_naming_it():
    ref = Process.monitor("no_such_name")
    assert receive(timeout=0) == ("DOWN", ref, "process", ("no_such_name", node_identity()[0]), "noproc")


def test_a_monitor_by_name_follows_the_process_not_the_name():
    child = spawn(ends_when_told)
    Process.register(child, "renamed_later")
    ref = Process.monitor("renamed_later")
    Process.unregister("renamed_later")
    Process.register(self_pid(), "renamed_later")
    send(child, "end")
    assert wait_down(ref) == "normal"


def test_demonitor_of_a_monitor_by_name():
    child = spawn(ends_when_told)
    Process.register(child, "demonitored_name")
    ref = Process.monitor("demonitored_name")
    Process.demonitor(ref)
    assert info(child)["monitored_by"] == []
    send(child, "end")
    wait_exit(child)
    assert receive(is_down(ref), timeout=0, default=None) is None


def test_down_of_a_killed_process_says_killed():
    child = spawn(idle)
    ref = Process.monitor(child)
    Process.exit(child, "kill")
    assert receive(timeout=5) == ("DOWN", ref, "process", child, "killed")


def test_a_monitoring_process_that_dies_leaves_no_monitor_behind():
    me = self_pid()
    target = spawn(idle)

    def watcher():
        Process.monitor(target)
        send(me, "watching")
        raise Exit("watcher gone")

    watcher_pid = spawn(watcher)
    receive("watching", timeout=5)
    wait_exit(watcher_pid)
    assert info(target)["monitored_by"] == []


def test_spawned_processes_that_monitor_each_other():
    me = self_pid()

    def watcher(target):
        ref = Process.monitor(target)
        send(me, ("ready", self_pid()))
        send(me, ("saw", receive(("DOWN", ref, ANY, ANY, ANY))[4]))

    target = spawn(ends_when_told, ("why", 1))
    watchers = [spawn(watcher, target) for _ in range(5)]
    for w in watchers:
        receive(("ready", w), timeout=5)
    send(target, "end")
    assert [receive(("saw", ANY), timeout=5)[1] for _ in watchers] == [("why", 1)] * 5
