"""DynamicSupervisor: children on demand, max_children, restarts, shutdown all at once."""

from __future__ import annotations

import pytest

from pyex import (
    DynamicSupervisor,
    GenServer,
    Process,
    Supervisor,
    alive,
    get_state,
    info,
)
from pyex import self as self_pid
from pyex.otp import ChildSpecError
from tests.otp.support import Worker, kill, mailbox, started, terminated, wait_down, worker

pytestmark = pytest.mark.timeout(30)


def start_dyn(**options):
    status, sup = DynamicSupervisor.start_link(**options)
    assert status == "ok"
    return sup


def test_children_start_on_demand_up_to_max_children():
    sup = start_dyn(max_children=2)
    assert DynamicSupervisor.which_children(sup) == []
    status, a = DynamicSupervisor.start_child(sup, worker("a"))
    assert status == "ok" and started("a") == a
    status, b = DynamicSupervisor.start_child(sup, worker("b"))
    assert status == "ok" and started("b") == b
    assert DynamicSupervisor.start_child(sup, worker("c")) == ("error", "max_children")
    assert DynamicSupervisor.which_children(sup) == [
        ("undefined", a, "worker", [Worker]),
        ("undefined", b, "worker", [Worker]),
    ]
    assert DynamicSupervisor.count_children(sup) == {
        "specs": 2,
        "active": 2,
        "supervisors": 0,
        "workers": 2,
    }
    assert DynamicSupervisor.terminate_child(sup, a) == "ok"
    assert not alive(a)
    assert DynamicSupervisor.terminate_child(sup, a) == ("error", "not_found")
    status, c = DynamicSupervisor.start_child(sup, worker("c"))
    assert status == "ok" and started("c") == c
    assert mailbox() == []


def test_start_child_results():
    sup = start_dyn()
    assert DynamicSupervisor.start_child(sup, worker("i", init="ignore")) == "ignore"
    started("i")
    assert DynamicSupervisor.start_child(sup, worker("s", init=("stop", "no"))) == ("error", "no")
    started("s")
    assert DynamicSupervisor.which_children(sup) == []
    with pytest.raises(ChildSpecError):
        DynamicSupervisor.start_child(sup, {"id": "x"})
    with pytest.raises(ValueError, match="max_children"):
        DynamicSupervisor.start_link(max_children=-1)


def test_children_are_restarted_by_their_restart_type():
    sup = start_dyn()
    DynamicSupervisor.start_child(sup, worker("perm"))
    DynamicSupervisor.start_child(sup, worker("temp", restart="temporary"))
    perm, temp = started("perm"), started("temp")
    kill(perm)
    new_perm = started("perm")
    kill(temp)
    assert [pid for _, pid, _, _ in DynamicSupervisor.which_children(sup)] == [new_perm]
    assert mailbox() == []


def test_too_many_restarts_shut_it_down():
    sup = start_dyn(max_restarts=1, max_seconds=60)
    Process.unlink(sup)
    ref = Process.monitor(sup)
    DynamicSupervisor.start_child(sup, worker("a"))
    kill(started("a"))
    kill(started("a"))
    assert wait_down(ref) == "shutdown"


class Fragile(GenServer):
    def init(self, to):
        Process.send(to, ("started", "fragile", self_pid()))
        if Process.whereis("dyn_no_restarts") is not None:
            return ("stop", "not now")
        return ("ok", to)


def test_restarts_that_fail_are_tried_again_and_counted():
    sup = start_dyn(max_restarts=3, max_seconds=60)
    Process.unlink(sup)
    ref = Process.monitor(sup)
    DynamicSupervisor.start_child(sup, (Fragile, self_pid()))
    first = started("fragile")
    Process.register(self_pid(), "dyn_no_restarts")
    kill(first)
    # The restart and its tries again: 3 allowed restarts, then the fourth gives up.
    for _ in range(3):
        started("fragile")
    assert wait_down(ref) == "shutdown"
    assert mailbox() == []


def test_stop_shuts_every_child_down():
    sup = start_dyn()
    for n in "abc":
        DynamicSupervisor.start_child(sup, worker(n, trap=True))
        started(n)
    DynamicSupervisor.start_child(sup, worker("slow", trap=True, block=True, shutdown=0.05))
    slow = started("slow")
    ref = Process.monitor(slow)
    assert DynamicSupervisor.stop(sup) == "ok"
    assert sorted(terminated()[0] for _ in range(4)) == ["a", "b", "c", "slow"]
    assert wait_down(ref) == "killed"


def test_extra_arguments_come_first():
    sup = start_dyn(extra_arguments=[Worker])
    arg = {"id": "e", "to": self_pid()}
    status, pid = DynamicSupervisor.start_child(
        sup, {"id": "e", "start": (GenServer.start_link, [arg])}
    )
    assert status == "ok" and started("e") == pid
    assert GenServer.call(pid, "ping") == "pong"


def test_under_a_supervisor_and_its_state():
    outer_status, outer = Supervisor.start_link(
        [(DynamicSupervisor, {"name": "jobs", "max_children": 5})]
    )
    assert Supervisor.which_children(outer) == [
        ("jobs", Process.whereis("jobs"), "supervisor", [DynamicSupervisor])
    ]
    DynamicSupervisor.start_child("jobs", worker("a"))
    a = started("a")
    state = get_state("jobs")
    assert state.max_children == 5 and list(state.children) == [a]
    dictionary = info(Process.whereis("jobs"))["dictionary"]
    assert dictionary["$behaviour"] == "DynamicSupervisor"
    assert dictionary["$ancestors"] == [outer, self_pid()]
    assert mailbox() == []
