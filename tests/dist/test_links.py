"""Links, monitors and exit signals across nodes, with Erlang's rules; 'noconnection'."""

from __future__ import annotations

from typing import Any

import pytest

from pyex import Exit, Pid, Process, receive, self, send, spawn
from pyex.dist import Atom, Node

from tests.dist.peers import ErlNode, random_name

WAITER = (
    "catch unregister({name}), register({name}, spawn(fun() -> receive {{From, go}} -> "
    "From ! {{ready, self()}}, receive {{die, R}} -> exit(R) end end end)), ok."
)


def erl_process(erl: ErlNode) -> Pid:
    """A process on erl that exits with the reason we send it as ``('die', reason)``."""
    name = random_name("w")
    erl.eval(WAITER.format(name=name))
    send((name, erl.node), (self(), Atom("go")))
    ready, pid = receive((Atom("ready"), Pid), timeout=10)
    return pid


def die(pid: Pid, reason: Any) -> None:
    send(pid, (Atom("die"), reason))


@pytest.mark.slow
def test_a_monitor_of_an_erl_process_gets_its_down(pynode: str, erl: ErlNode) -> None:
    pid = erl_process(erl)
    ref = Process.monitor(pid)
    die(pid, Atom("boom"))
    assert receive(timeout=10) == ("DOWN", ref, "process", pid, "boom")


@pytest.mark.slow
def test_a_monitor_by_name_on_erl_names_the_pair(pynode: str, erl: ErlNode) -> None:
    name = random_name("w")
    erl.eval(WAITER.format(name=name))
    ref = Process.monitor((name, erl.node))
    send((name, erl.node), (self(), Atom("go")))
    _, pid = receive((Atom("ready"), Pid), timeout=10)
    die(pid, Atom("shutdown"))
    assert receive(timeout=10) == ("DOWN", ref, "process", (name, erl.node), "shutdown")
    missing = Process.monitor(("nobody_here", erl.node))
    assert receive(timeout=10) == ("DOWN", missing, "process", ("nobody_here", erl.node), "noproc")


@pytest.mark.slow
def test_demonitor_stops_the_down(pynode: str, erl: ErlNode) -> None:
    pid = erl_process(erl)
    ref = Process.monitor(pid)
    Process.demonitor(ref)
    later = Process.monitor(pid)
    die(pid, Atom("boom"))
    assert receive(timeout=10) == ("DOWN", later, "process", pid, "boom")
    assert receive(timeout=0.3, default=None) is None


@pytest.mark.slow
def test_a_link_to_an_erl_process_brings_its_exit(pynode: str, erl: ErlNode) -> None:
    Process.flag("trap_exit", True)
    pid = erl_process(erl)
    Process.link(pid)
    die(pid, Atom("boom"))
    assert receive(timeout=10) == ("EXIT", pid, "boom")


@pytest.mark.slow
def test_unlink_stops_the_exit_signal(pynode: str, erl: ErlNode) -> None:
    Process.flag("trap_exit", True)
    pid = erl_process(erl)
    ref = Process.monitor(pid)
    Process.link(pid)
    Process.unlink(pid)
    die(pid, Atom("boom"))
    assert receive(timeout=10)[0] == "DOWN"
    assert receive(timeout=0.3, default=None) is None


@pytest.mark.slow
def test_a_linked_erl_exit_kills_a_process_that_does_not_trap(pynode: str, erl: ErlNode) -> None:
    pid = erl_process(erl)

    def linked() -> None:
        Process.link(pid)
        send(watcher, "linked")
        receive()

    watcher = self()
    victim = spawn(linked)
    ref = Process.monitor(victim)
    assert receive(timeout=10) == "linked"
    die(pid, Atom("boom"))
    assert receive(timeout=10) == ("DOWN", ref, "process", victim, "boom")


@pytest.mark.slow
def test_linking_to_a_dead_erl_pid_is_noproc(pynode: str, erl: ErlNode) -> None:
    Process.flag("trap_exit", True)
    pid = erl_process(erl)
    ref = Process.monitor(pid)
    die(pid, Atom("normal"))
    receive(timeout=10)
    Process.link(pid)
    assert receive(timeout=10) == ("EXIT", pid, "noproc")
    assert ref


@pytest.mark.slow
def test_process_exit_reaches_an_erl_process(pynode: str, erl: ErlNode) -> None:
    pid = erl_process(erl)
    ref = Process.monitor(pid)
    Process.exit(pid, "kill")
    assert receive(timeout=10) == ("DOWN", ref, "process", pid, "killed")


@pytest.mark.slow
def test_erl_monitors_a_pyex_process_by_name(pynode: str, erl: ErlNode) -> None:
    def crash_on_request() -> None:
        receive("now")
        raise Exit("crashed")

    Process.register(spawn(crash_on_request), "victim_a")
    out = erl.eval(
        f"Ref = monitor(process, {{victim_a, '{pynode}'}}), "
        f"{{victim_a, '{pynode}'}} ! now, "
        "receive {'DOWN', Ref, process, _, R} -> R after 5000 -> timeout end."
    )
    assert out == "crashed"


@pytest.mark.slow
def test_erl_links_to_a_pyex_process_and_gets_its_exit(pynode: str, erl: ErlNode) -> None:
    def victim() -> None:
        sender, _ = receive((Pid, Atom("hi")), timeout=10)
        send(sender, (Atom("pid"), self()))
        receive("now", Atom("now"), timeout=10)
        raise Exit("crashed")

    Process.register(spawn(victim), "victim_b")
    out = erl.eval(
        "process_flag(trap_exit, true), "
        f"{{victim_b, '{pynode}'}} ! {{self(), hi}}, "
        "receive {pid, V} -> link(V), V ! now, "
        "receive {'EXIT', V, R} -> R after 5000 -> timeout end after 5000 -> nopid end."
    )
    assert out == "crashed"


@pytest.mark.slow
def test_noconnection_when_the_node_goes_away(pynode: str, epmd, cookie: str) -> None:
    doomed = ErlNode(epmd, cookie)
    try:
        Process.flag("trap_exit", True)
        pid = erl_process(doomed)
        ref = Process.monitor(pid)
        Process.link(pid)
        Node.monitor(doomed.node, True)
    finally:
        doomed.stop()
    got = {receive(timeout=15)[0] for _ in range(3)}
    assert got == {"EXIT", "DOWN", "nodedown"}
    assert doomed.node not in Node.list()
    assert ref


@pytest.mark.slow
def test_node_monitor_reports_nodeup_and_nodedown(pynode: str, epmd, cookie: str) -> None:
    other = ErlNode(epmd, cookie)
    try:
        Node.monitor(other.node, True)
        assert Node.connect(other.node)
        assert receive(timeout=10) == ("nodeup", other.node)
        assert Node.disconnect(other.node)
        assert receive(timeout=10) == ("nodedown", other.node)
        Node.monitor(other.node, False)
    finally:
        other.stop()
