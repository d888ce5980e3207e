"""Erlang's exit rules: links, trap_exit, Process.exit."""

from __future__ import annotations

import pytest

from pyex import ANY, Exit, Pid, Process, alive, info, receive, send, spawn, spawn_link, spawn_monitor
from pyex import self as self_pid
from tests.helpers import is_down, wait_down, wait_exit

pytestmark = pytest.mark.timeout(30)


def crash(exc):
    raise exc


def idle():
    """A process that waits for ever, doing nothing."""
    receive("never")


def trapper(report_to):
    """A process that traps exits and forwards every message to ``report_to``."""
    Process.flag("trap_exit", True)
    send(report_to, ("trapping", self_pid()))
    while True:
        send(report_to, ("got", receive()))


def start_trapper():
    pid = spawn(trapper, self_pid())
    receive(("trapping", pid), timeout=5)
    return pid


def linked_pair(first=idle, *args):
    """Spawn ``first(*args)`` and a process linked to it; return (first, linked)."""
    me = self_pid()
    target = spawn(first, *args)

    def partner():
        Process.link(target)
        send(me, ("linked", self_pid()))
        idle()

    partner_pid = spawn(partner)
    receive(("linked", partner_pid), timeout=5)
    return target, partner_pid


# -- exits and reasons --------------------------------------------------------


def test_returning_is_a_normal_exit_that_does_not_reach_non_trapping_links():
    me = self_pid()

    def ends_when_told():
        receive()

    target, partner = linked_pair(ends_when_told)
    ref = Process.monitor(partner)
    target_ref = Process.monitor(target)
    send(target, "end")
    assert wait_down(target_ref) == "normal"
    # The partner survives: ask it something and see it still answers.
    assert alive(partner)
    assert info(partner)["links"] == []
    Process.exit(partner, "kill")
    assert wait_down(ref) == "killed"
    assert me == self_pid()


def test_a_normal_exit_reaches_a_trapping_link_as_a_message():
    tracker = start_trapper()

    def child():
        Process.link(tracker)

    child_pid = spawn(child)
    assert receive(("got", ANY), timeout=5) == ("got", ("EXIT", child_pid, "normal"))


def test_a_crash_takes_down_linked_processes_with_the_same_reason():
    error = RuntimeError("boom")
    target, partner = linked_pair(lambda: (receive(), crash(error)))
    ref = Process.monitor(partner)
    send(target, "crash now")
    reason = wait_down(ref)
    assert isinstance(reason, RuntimeError) and reason.args == ("boom",)


def test_a_crash_reaches_a_trapping_link_as_an_exit_message_with_the_exception():
    tracker = start_trapper()

    def child():
        Process.link(tracker)
        raise ValueError("bad value")

    child_pid = spawn(child)
    got = receive(("got", ANY), timeout=5)[1]
    assert got[:2] == ("EXIT", child_pid)
    assert isinstance(got[2], ValueError) and got[2].args == ("bad value",)
    assert alive(tracker)


def test_exit_with_a_reason_propagates_that_reason():
    target, partner = linked_pair(lambda: (receive(), crash(Exit("shutdown"))))
    ref = Process.monitor(partner)
    send(target, "go")
    assert wait_down(ref) == "shutdown"


def test_links_are_two_way():
    # The partner linked to the target; the partner's crash reaches the target too.
    target, partner = linked_pair()
    ref = Process.monitor(target)
    Process.exit(partner, "shutdown")
    assert wait_down(ref) == "shutdown"


def test_an_exit_travels_along_a_chain_of_links():
    me = self_pid()

    def link_to(previous):
        if previous is not None:
            Process.link(previous)
        send(me, ("ready", self_pid()))
        receive("crash")
        raise Exit("chain broke")

    pids = []
    previous = None
    for _ in range(5):
        previous = spawn(link_to, previous)
        receive(("ready", previous), timeout=5)
        pids.append(previous)
    refs = [Process.monitor(pid) for pid in pids]
    send(pids[2], "crash")
    assert [wait_down(ref) for ref in refs] == ["chain broke"] * 5


def test_the_test_process_survives_an_unlinked_crash():
    _, ref = spawn_monitor(crash, KeyError("mine"))
    assert isinstance(wait_down(ref), KeyError)
    assert alive(self_pid())


# -- Process.exit -------------------------------------------------------------


def test_kill_ends_a_process_and_its_links_see_killed():
    target, partner = linked_pair()
    ref = Process.monitor(target)
    partner_ref = Process.monitor(partner)
    Process.exit(target, "kill")
    assert wait_down(ref) == "killed"
    assert wait_down(partner_ref) == "killed"


def test_kill_ends_a_trapping_process():
    tracker = start_trapper()
    ref = Process.monitor(tracker)
    assert Process.exit(tracker, "kill") is True
    assert wait_down(ref) == "killed"
    assert receive(("got", ANY), timeout=0, default=None) is None


def test_exit_signal_with_a_reason_ends_a_non_trapping_process_with_it():
    target = spawn(idle)
    ref = Process.monitor(target)
    Process.exit(target, ("custom", "reason"))
    assert wait_down(ref) == ("custom", "reason")


def test_exit_signal_reaches_a_trapping_process_as_a_message_from_the_sender():
    tracker = start_trapper()
    Process.exit(tracker, "shutdown")
    assert receive(("got", ANY), timeout=5) == ("got", ("EXIT", self_pid(), "shutdown"))
    assert alive(tracker)


def test_exit_normal_to_another_non_trapping_process_is_ignored():
    target = spawn(idle)
    Process.exit(target, "normal")
    # The signal is delivered before exit() returns: the target is untouched.
    assert alive(target)
    assert info(target)["status"] in ("waiting", "running")


def test_exit_normal_to_a_trapping_process_is_a_message():
    tracker = start_trapper()
    Process.exit(tracker, "normal")
    assert receive(("got", ANY), timeout=5) == ("got", ("EXIT", self_pid(), "normal"))


def test_exit_normal_to_self_ends_the_process_normally():
    def stop_self():
        Process.exit(self_pid(), "normal")
        raise AssertionError("still running after exit(self, 'normal')")

    _, ref = spawn_monitor(stop_self)
    assert wait_down(ref) == "normal"


def test_exit_normal_to_self_while_trapping_is_a_message():
    me = self_pid()

    def stop_self():
        Process.flag("trap_exit", True)
        Process.exit(self_pid(), "normal")
        send(me, receive(timeout=5))

    child, ref = spawn_monitor(stop_self)
    assert receive(tuple, timeout=5) == ("EXIT", child, "normal")
    assert wait_down(ref) == "normal"


def test_exit_kill_to_self_while_trapping_kills():
    def stop_self():
        Process.flag("trap_exit", True)
        Process.exit(self_pid(), "kill")
        raise AssertionError("survived a kill")

    _, ref = spawn_monitor(stop_self)
    assert wait_down(ref) == "killed"


def test_exit_to_a_dead_pid_is_fine():
    dead = spawn(lambda: None)
    wait_exit(dead)
    assert Process.exit(dead, "kill") is True


def test_an_exit_with_reason_kill_travels_links_as_an_ordinary_reason():
    # A process that exits with reason 'kill' (not killed by exit/2): its links
    # get 'kill' as an ordinary reason, and die with 'kill', not 'killed'.
    target, partner = linked_pair(lambda: (receive(), crash(Exit("kill"))))
    partner_ref = Process.monitor(partner)
    send(target, "go")
    assert wait_down(partner_ref) == "kill"


def test_a_trapping_process_gets_kill_from_a_link_as_a_message():
    tracker = start_trapper()

    def child():
        Process.link(tracker)
        raise Exit("kill")

    child_pid = spawn(child)
    assert receive(("got", ANY), timeout=5) == ("got", ("EXIT", child_pid, "kill"))
    assert alive(tracker)


# -- link, unlink, trap_exit ---------------------------------------------------


def test_link_to_a_dead_pid_raises_when_not_trapping_and_the_caller_lives():
    dead = spawn(lambda: None)
    wait_exit(dead)
    with pytest.raises(ProcessLookupError, match="noproc") as caught:
        Process.link(dead)
    assert str(dead) in str(caught.value)
    assert alive(self_pid())
    assert info(self_pid())["links"] == []


def test_link_to_a_dead_pid_when_trapping_is_an_exit_message():
    dead = spawn(lambda: None)
    wait_exit(dead)
    Process.flag("trap_exit", True)
    assert Process.link(dead) is True
    assert receive(timeout=1) == ("EXIT", dead, "noproc")
    assert info(self_pid())["links"] == []


def test_link_to_a_pid_that_never_existed_is_noproc():
    from pyex import pid

    with pytest.raises(ProcessLookupError):
        Process.link(pid(0, 99999, 0))


def test_link_to_self_does_nothing():
    assert Process.link(self_pid()) is True
    assert info(self_pid())["links"] == []


def test_link_twice_is_one_link():
    target = spawn(idle)
    Process.link(target)
    Process.link(target)
    assert info(self_pid())["links"] == [target]
    assert info(target)["links"] == [self_pid()]
    Process.unlink(target)
    assert info(target)["links"] == []


def test_unlink_stops_an_exit_from_travelling():
    me = self_pid()
    target = spawn(lambda: (receive(), crash(Exit("bye"))))

    def link_then_unlink():
        Process.link(target)
        Process.unlink(target)
        send(me, "unlinked")
        idle()

    survivor = spawn(link_then_unlink)
    receive("unlinked", timeout=5)
    assert info(target)["links"] == []
    target_ref = Process.monitor(target)
    send(target, "go")
    assert wait_down(target_ref) == "bye"
    # No exit signal travels after an unlink: the survivor lives on.
    assert alive(survivor)


def test_unlink_from_the_other_side_removes_the_link_on_both():
    target = spawn(idle)
    Process.link(target)
    assert info(target)["links"] == [self_pid()]
    Process.unlink(target)
    assert info(self_pid())["links"] == [] and info(target)["links"] == []
    Process.exit(target, "kill")
    assert alive(self_pid())


def test_unlink_of_a_dead_or_unknown_pid_is_fine():
    dead = spawn(lambda: None)
    wait_exit(dead)
    assert Process.unlink(dead) is True


def test_trap_exit_flag_returns_the_old_value_and_shows_in_info():
    assert Process.flag("trap_exit", True) is False
    assert info(self_pid())["trap_exit"] is True
    assert Process.flag("trap_exit", True) is True
    assert Process.flag("trap_exit", False) is True
    assert info(self_pid())["trap_exit"] is False


def test_a_trapping_process_lives_through_many_linked_deaths():
    Process.flag("trap_exit", True)
    children = [spawn_link(crash, Exit(n)) for n in range(10)]
    messages = [receive(("EXIT", Pid, ANY), timeout=5) for _ in children]
    assert sorted(message[2] for message in messages) == list(range(10))
    assert {message[1] for message in messages} == set(children)
    assert info(self_pid())["links"] == []


def test_stopping_trapping_makes_the_next_linked_exit_fatal():
    me = self_pid()

    def worker():
        Process.flag("trap_exit", True)
        first = spawn_link(crash, Exit("first"))
        send(me, receive(("EXIT", first, ANY)))
        Process.flag("trap_exit", False)
        spawn_link(crash, Exit("second"))
        idle()

    child, ref = spawn_monitor(worker)
    assert receive(("EXIT", ANY, "first"), timeout=5)
    assert wait_down(ref) == "second"


def test_the_exit_message_arrives_after_the_messages_the_process_sent():
    Process.flag("trap_exit", True)
    me = self_pid()

    def talker():
        for n in range(100):
            send(me, n)

    child = spawn_link(talker)
    assert [receive(timeout=5) for _ in range(100)] == list(range(100))
    assert receive(timeout=5) == ("EXIT", child, "normal")


def test_down_and_exit_both_arrive_for_a_linked_and_monitored_process():
    Process.flag("trap_exit", True)
    child = spawn_link(crash, Exit("both"))
    ref = Process.monitor(child)
    assert receive(("EXIT", child, ANY), timeout=5)[2] == "both"
    assert receive(is_down(ref), timeout=5)[4] in ("both", "noproc")
