"""Supervisor: child specs, strategies, restart types, intensity, shutdown, nesting, child management."""

from __future__ import annotations

import pytest

from pyex import (
    Exit,
    GenServer,
    Pid,
    Process,
    Supervisor,
    alive,
    get_state,
    info,
    receive,
    spawn,
)
from pyex import self as self_pid
from pyex.otp import ChildSpecError
from pyex.otp.supervisor import SupervisorState
from tests.otp.support import Worker, kill, mailbox, started, terminated, wait_down, worker

pytestmark = pytest.mark.timeout(30)


def start_sup(children, **options):
    status, sup = Supervisor.start_link(children, **options)
    assert status == "ok"
    return sup


def pids(sup):
    return {child_id: pid for child_id, pid, _, _ in Supervisor.which_children(sup)}


# -- starting and describing ---------------------------------------------------


def test_children_start_in_order_and_are_listed_last_first():
    sup = start_sup([worker("a"), worker("b"), worker("c")])
    a, b, c = started("a"), started("b"), started("c")
    assert mailbox() == []
    assert Supervisor.which_children(sup) == [
        ("c", c, "worker", [Worker]),
        ("b", b, "worker", [Worker]),
        ("a", a, "worker", [Worker]),
    ]
    assert Supervisor.count_children(sup) == {
        "specs": 3,
        "active": 3,
        "supervisors": 0,
        "workers": 3,
    }


class Counter(GenServer):
    def init(self, start):
        return ("ok", start)

    def handle_call(self, request, from_, n):
        return ("reply", n, n)


class Temp(Counter):
    @classmethod
    def child_spec(cls, arg):
        return {**super().child_spec(arg), "restart": "temporary", "id": "temp"}


def test_class_shorthands_use_child_spec():
    sup = start_sup([(Counter, 5), Temp, Supervisor.child_spec((Counter, 9), id="nine")])
    children = Supervisor.which_children(sup)
    assert [(child_id, kind, modules) for child_id, _, kind, modules in children] == [
        ("nine", "worker", [Counter]),
        ("temp", "worker", [Temp]),
        (Counter, "worker", [Counter]),
    ]
    by_id = {child_id: pid for child_id, pid, _, _ in children}
    assert GenServer.call(by_id[Counter], "n") == 5
    assert GenServer.call(by_id["temp"], "n") == []
    assert GenServer.call(by_id["nine"], "n") == 9
    assert get_state(sup).find("temp").spec["restart"] == "temporary"


def test_child_spec_overrides_keep_the_given_keys():
    assert Supervisor.child_spec((Counter, 1), id="x", restart="transient") == {
        "id": "x",
        "start": (GenServer.start_link, [Counter, 1]),
        "restart": "transient",
    }
    with pytest.raises(ChildSpecError, match="unknown key"):
        Supervisor.child_spec((Counter, 1), colour="red")


def not_callable_start():
    return {"id": "x", "start": ("not callable", [])}


@pytest.mark.parametrize(
    "children, message",
    [
        ([{"start": (GenServer.start_link, [Counter, 1])}], "has no 'id'"),
        ([{"id": "x"}], "child 'x' has no 'start'"),
        ([{"id": "x", "start": ("nope", [])}], "is not callable"),
        ([{"id": "x", "start": (print,)}], "'start' must be"),
        ([{"id": "x", "start": (print, "ab")}], "arguments must be a list"),
        ([{"id": "x", "start": (print, [], [])}], "keyword arguments must be a dict"),
        ([{"id": "x", "start": (print, []), "restart": "sometimes"}], "restart must be one of"),
        ([{"id": "x", "start": (print, []), "shutdown": -1}], "shutdown must be"),
        ([{"id": "x", "start": (print, []), "type": "boss"}], "type must be"),
        ([{"id": "x", "start": (print, []), "colour": 1}], "unknown key"),
        ([{"id": ["unhashable"], "start": (print, [])}], "must be hashable"),
        ([(Counter, 1), (Counter, 2)], "duplicate child id"),
        ([(int, 1)], "has no child_spec"),
        ([42], "a child must be a spec dict"),
        ("not a list", "children must be a list"),
    ],
)
def test_bad_specs_are_refused_clearly(children, message):
    before = info(self_pid())["links"]
    with pytest.raises(ChildSpecError, match=message):
        Supervisor.start_link(children)
    assert info(self_pid())["links"] == before


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match="strategy"):
        Supervisor.start_link([], strategy="one_for_some")
    with pytest.raises(ValueError, match="max_restarts"):
        Supervisor.start_link([], max_restarts=-1)
    with pytest.raises(ValueError, match="max_seconds"):
        Supervisor.start_link([], max_seconds=0)


def test_a_child_that_fails_to_start_fails_the_supervisor():
    Process.flag("trap_exit", True)
    result = Supervisor.start_link(
        [worker("a", trap=True), worker("b", init=("stop", "no")), worker("c")]
    )
    assert result == ("error", ("shutdown", ("failed_to_start_child", "b", "no")))
    assert started("a") and started("b")
    assert terminated("a") == ("a", "shutdown")  # the started ones are stopped
    assert receive(("EXIT", Pid, ("shutdown", object)), timeout=5)
    assert [m for m in mailbox() if m[0] != "EXIT"] == []


def test_ignored_children_are_kept_without_a_pid():
    sup = start_sup([worker("a", init="ignore")])
    assert Supervisor.which_children(sup) == [("a", None, "worker", [Worker])]
    assert Supervisor.count_children(sup)["active"] == 0


# -- strategies ----------------------------------------------------------------


def three(strategy):
    sup = start_sup([worker("a", trap=True), worker("b", trap=True), worker("c", trap=True)],
                    strategy=strategy)
    first = {child_id: started(child_id) for child_id in "abc"}
    return sup, first


def test_one_for_one_restarts_only_the_child():
    sup, first = three("one_for_one")
    kill(first["b"])
    new_b = started("b")
    assert pids(sup) == {"a": first["a"], "b": new_b, "c": first["c"]}
    assert mailbox() == []


def test_one_for_all_restarts_every_child_stopping_in_reverse_starting_in_order():
    sup, first = three("one_for_all")
    kill(first["b"])
    assert terminated() == ("c", "shutdown")
    assert terminated() == ("a", "shutdown")
    new = [receive(("started", str, Pid), timeout=5)[1:] for _ in range(3)]
    assert [child_id for child_id, _ in new] == ["a", "b", "c"]
    assert pids(sup) == dict(new)
    assert not any(alive(pid) for pid in first.values())
    assert mailbox() == []


def test_rest_for_one_restarts_the_child_and_those_started_after_it():
    sup, first = three("rest_for_one")
    kill(first["b"])
    assert terminated() == ("c", "shutdown")
    assert [receive(("started", str, Pid), timeout=5)[1] for _ in range(2)] == ["b", "c"]
    current = pids(sup)
    assert current["a"] == first["a"]
    assert current["b"] != first["b"] and current["c"] != first["c"]
    assert mailbox() == []


# -- restart types -------------------------------------------------------------


def test_restart_types():
    sup = start_sup([
        worker("perm", restart="permanent"),
        worker("trans", restart="transient"),
        worker("temp", restart="temporary"),
    ])
    perm, trans, temp = started("perm"), started("trans"), started("temp")
    # A normal stop: only the permanent child comes back.
    for name, pid in (("perm", perm), ("trans", trans), ("temp", temp)):
        ref = Process.monitor(pid)
        GenServer.stop(pid)
        assert terminated(name) == (name, "normal")
        wait_down(ref)
    perm = started("perm")
    children = Supervisor.which_children(sup)
    assert [(child_id, pid) for child_id, pid, _, _ in children] == [
        ("trans", None),
        ("perm", perm),
    ]
    # A crash: the transient child would come back (it is stopped now; restart it first).
    assert Supervisor.restart_child(sup, "trans")[0] == "ok"
    trans = started("trans")
    kill(trans, "boom")  # no trap: exits at once, without terminate
    assert started("trans") != trans
    # A transient child that exits with ('shutdown', reason) stays down.
    trans = pids(sup)["trans"]
    kill(trans, ("shutdown", "done"))
    assert pids(sup)["trans"] is None
    assert mailbox() == []


# -- intensity -----------------------------------------------------------------


def test_too_many_restarts_and_the_supervisor_shuts_down():
    Process.flag("trap_exit", True)
    sup = start_sup([worker("a", trap=True), worker("b", trap=True)], max_restarts=2, max_seconds=60)
    ref = Process.monitor(sup)
    a = started("a")
    started("b")
    for _ in range(2):
        kill(a)
        a = started("a")
    kill(a)  # the third restart in 60 s: one too many
    assert terminated() == ("b", "shutdown")
    assert wait_down(ref) == "shutdown"
    assert receive(("EXIT", sup, "shutdown"), timeout=5)
    assert mailbox() == []


def test_max_restarts_zero_gives_up_at_once():
    sup = start_sup([worker("a")], max_restarts=0)
    Process.unlink(sup)
    ref = Process.monitor(sup)
    kill(started("a"))
    assert wait_down(ref) == "shutdown"


class Fragile(GenServer):
    """Fails to start while the name 'no_restarts' is registered."""

    def init(self, to):
        Process.send(to, ("started", "fragile", self_pid()))
        if Process.whereis("no_restarts") is not None:
            return ("stop", "not now")
        return ("ok", to)


def test_restarts_that_fail_are_tried_again_and_counted():
    sup = start_sup([{"id": "f", "start": (GenServer.start_link, [Fragile, self_pid()])}],
                    max_restarts=3, max_seconds=60)
    Process.unlink(sup)
    ref = Process.monitor(sup)
    first = started("fragile")
    Process.register(self_pid(), "no_restarts")
    kill(first)
    # The restart and its tries again: 3 allowed restarts, then the fourth gives up.
    for _ in range(3):
        started("fragile")
    assert wait_down(ref) == "shutdown"
    assert mailbox() == []


# -- shutdown ------------------------------------------------------------------


def test_stop_stops_children_in_reverse_order():
    sup = start_sup([worker(n, trap=True) for n in "abcd"])
    for n in "abcd":
        started(n)
    assert Supervisor.stop(sup) == "ok"
    assert [terminated()[0] for _ in range(4)] == ["d", "c", "b", "a"]


def test_a_child_that_does_not_trap_exits_just_dies_on_shutdown():
    sup = start_sup([worker("a")])
    a = started("a")
    ref = Process.monitor(a)
    assert Supervisor.terminate_child(sup, "a") == "ok"
    assert wait_down(ref) == "shutdown"
    assert mailbox() == []


def test_brutal_kill_does_not_run_terminate():
    sup = start_sup([worker("a", trap=True, shutdown="brutal_kill")])
    a = started("a")
    ref = Process.monitor(a)
    assert Supervisor.terminate_child(sup, "a") == "ok"
    assert wait_down(ref) == "killed"
    assert mailbox() == []


def test_a_child_that_outlives_its_shutdown_time_is_killed():
    sup = start_sup([worker("a", trap=True, block=True, shutdown=0.05)])
    a = started("a")
    ref = Process.monitor(a)
    assert Supervisor.terminate_child(sup, "a") == "ok"
    assert terminated("a") == ("a", "shutdown")  # it started terminating...
    assert wait_down(ref) == "killed"  # ...and was killed when time was up


def _parent_of_supervisor(to):
    status, sup = Supervisor.start_link([worker_for(to, "a"), worker_for(to, "b")])
    Process.send(to, ("sup", sup))
    receive("exit now")
    raise Exit("parent_gone")


def worker_for(to, child_id):
    arg = {"id": child_id, "to": to, "trap": True}
    return {"id": child_id, "start": (GenServer.start_link, [Worker, arg])}


def test_when_its_parent_exits_the_supervisor_stops_its_children_and_exits_alike():
    parent = spawn(_parent_of_supervisor, self_pid())
    sup = receive(("sup", Pid), timeout=5)[1]
    started("a"), started("b")
    ref = Process.monitor(sup)
    Process.send(parent, "exit now")
    assert terminated() == ("b", "shutdown")
    assert terminated() == ("a", "shutdown")
    assert wait_down(ref) == "parent_gone"


# -- nesting -------------------------------------------------------------------


def inner_spec(strategy="one_for_one"):
    return {
        "id": "inner",
        "start": (Supervisor.start_link, [[worker("x", trap=True), worker("y", trap=True)]],
                  {"strategy": strategy}),
    }


def test_nested_supervisors():
    outer = start_sup([worker("a", trap=True), inner_spec(), worker("b", trap=True)])
    a, x, y, b = started("a"), started("x"), started("y"), started("b")
    children = Supervisor.which_children(outer)
    inner = children[1][1]
    assert children[1] == ("inner", inner, "supervisor", [Supervisor])
    assert Supervisor.count_children(outer) == {
        "specs": 3,
        "active": 3,
        "supervisors": 1,
        "workers": 2,
    }
    assert get_state(inner).find("x").spec["shutdown"] == 5
    assert get_state(outer).find("inner").spec["shutdown"] == "infinity"
    assert info(x)["dictionary"]["$ancestors"] == [inner, outer, self_pid()]
    # A crash inside is the inner supervisor's business.
    kill(x)
    new_x = started("x")
    assert pids(inner) == {"x": new_x, "y": y}
    assert pids(outer)["inner"] == inner
    # Killing the inner supervisor: its children go with it, the outer one restarts it all.
    kill(inner)
    assert {terminated()[0] for _ in range(2)} == {"x", "y"}
    assert [receive(("started", str, Pid), timeout=5)[1] for _ in range(2)] == ["x", "y"]
    new_inner = pids(outer)["inner"]
    assert new_inner != inner and alive(new_inner)
    # Stopping the outer supervisor stops everything, last started first.
    assert Supervisor.stop(outer) == "ok"
    assert [terminated()[0] for _ in range(4)] == ["b", "y", "x", "a"]
    assert mailbox() == []


# -- managing children -------------------------------------------------------


def test_start_terminate_restart_and_delete_children():
    sup = start_sup([worker("a")])
    a = started("a")
    assert Supervisor.start_child(sup, worker("a")) == ("error", ("already_started", a))
    status, b = Supervisor.start_child(sup, worker("b"))
    assert status == "ok" and started("b") == b
    assert Supervisor.start_child(sup, worker("c", init=("stop", "no"))) == ("error", "no")
    started("c")
    assert Supervisor.delete_child(sup, "b") == ("error", "running")
    assert Supervisor.restart_child(sup, "b") == ("error", "running")
    assert Supervisor.terminate_child(sup, "b") == "ok"
    assert not alive(b)
    assert Supervisor.start_child(sup, worker("b")) == ("error", "already_present")
    status, b2 = Supervisor.restart_child(sup, "b")
    assert status == "ok" and started("b") == b2
    assert Supervisor.terminate_child(sup, "b") == "ok"
    assert Supervisor.delete_child(sup, "b") == "ok"
    assert [child_id for child_id, *_ in Supervisor.which_children(sup)] == ["a"]
    for function in (Supervisor.terminate_child, Supervisor.restart_child, Supervisor.delete_child):
        assert function(sup, "zz") == ("error", "not_found")
    with pytest.raises(ChildSpecError):
        Supervisor.start_child(sup, {"id": "no start"})
    assert mailbox() == []


def test_a_temporary_child_terminated_is_forgotten():
    sup = start_sup([worker("t", restart="temporary")])
    started("t")
    assert Supervisor.terminate_child(sup, "t") == "ok"
    assert Supervisor.which_children(sup) == []


def test_calls_to_a_dead_supervisor_exit_like_elixir():
    sup = start_sup([])
    Process.unlink(sup)
    kill(sup)
    with pytest.raises(Exit) as caught:
        Supervisor.which_children(sup)
    assert caught.value.reason == ("noproc", ("GenServer", "call", [sup, "which_children", "infinity"]))


def test_the_state_and_dictionary_of_a_supervisor():
    sup = start_sup([worker("a")], name="the_sup")
    a = started("a")
    state = get_state("the_sup")
    assert isinstance(state, SupervisorState)
    assert state.strategy == "one_for_one"
    assert [(child.id, child.pid) for child in state.children] == [("a", a)]
    dictionary = info(sup)["dictionary"]
    assert dictionary["$behaviour"] == "Supervisor"
    assert dictionary["$initial_call"] == ("Supervisor", "init", 1)
    assert dictionary["$ancestors"] == [self_pid()]
    assert info(a)["dictionary"]["$ancestors"] == [sup, self_pid()]
    assert info(sup)["trap_exit"] is True
