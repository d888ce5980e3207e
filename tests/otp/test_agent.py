"""Agent: a value in a process, read and changed by functions."""

from __future__ import annotations

import logging

import pytest

from pyex import Agent, Exit, Process, Supervisor, alive, get_state, info, receive, spawn
from pyex import self as self_pid
from tests.otp.support import kill, wait_down

pytestmark = pytest.mark.timeout(30)


def test_get_update_get_and_update_cast():
    status, agent = Agent.start_link(lambda: [1])
    assert status == "ok"
    assert Agent.get(agent, len) == 1
    assert Agent.update(agent, lambda items: [*items, 2]) == "ok"
    assert Agent.get_and_update(agent, lambda items: (items[0], items[1:])) == 1
    assert Agent.cast(agent, lambda items: [*items, 3]) == "ok"
    assert Agent.get(agent, lambda items: items) == [2, 3]
    assert get_state(agent) == [2, 3]


def test_a_name_and_stop():
    status, agent = Agent.start(lambda: 0, name="counter")
    Agent.update("counter", lambda n: n + 1)
    assert Agent.get("counter", lambda n: n) == 1
    ref = Process.monitor(agent)
    assert Agent.stop("counter") == "ok"
    assert wait_down(ref) == "normal"
    with pytest.raises(Exit) as caught:
        Agent.get("counter", lambda n: n)
    assert caught.value.reason[0] == "noproc"


def test_the_value_is_not_shared():
    items = []
    status, agent = Agent.start_link(lambda: items)
    Agent.update(agent, lambda value: value + [1])
    value = Agent.get(agent, lambda value: value)
    value.append(2)
    assert Agent.get(agent, lambda value: value) == [1]


def test_a_failing_function_crashes_the_agent(caplog):
    caplog.set_level(logging.CRITICAL, logger="pyex")
    status, agent = Agent.start(lambda: 0)
    with pytest.raises(Exit) as caught:
        Agent.get(agent, lambda n: 1 / n)
    assert isinstance(caught.value.reason[0], ZeroDivisionError)
    assert caught.value.reason[1][:2] == ("GenServer", "call")
    assert not alive(agent)


def test_a_get_and_update_must_return_a_pair(caplog):
    caplog.set_level(logging.CRITICAL, logger="pyex")
    status, agent = Agent.start(lambda: 0)
    with pytest.raises(Exit) as caught:
        Agent.get_and_update(agent, lambda n: n)
    assert "must return (value, new_state)" in str(caught.value.reason[0])


def test_a_timeout_keeps_the_genserver_shape():
    status, agent = Agent.start_link(lambda: 0)
    me = self_pid()

    def busy(n):
        Process.send(me, "busy")
        return receive("go")

    blocker = spawn(Agent.get, agent, busy)
    assert receive(timeout=5) == "busy"  # the agent runs the blocker's function
    fun = lambda n: n  # noqa: E731
    with pytest.raises(Exit) as caught:
        Agent.get(agent, fun, 0.05)
    assert caught.value.reason == ("timeout", ("GenServer", "call", [agent, ("get", fun), 0.05]))
    Process.send(agent, "go")
    assert wait_down(Process.monitor(blocker)) in ("normal", "noproc")


def test_bad_arguments():
    with pytest.raises(TypeError):
        Agent.start_link(42)
    status, agent = Agent.start_link(lambda: 0)
    with pytest.raises(TypeError):
        Agent.get(agent, "not a function")


def test_under_a_supervisor():
    status, sup = Supervisor.start_link([(Agent, lambda: "fresh")])
    ((child_id, agent, kind, modules),) = Supervisor.which_children(sup)
    assert (child_id, kind, modules) == (Agent, "worker", [Agent])
    Agent.update(agent, lambda _: "changed")
    kill(agent)
    ((_, again, _, _),) = Supervisor.which_children(sup)
    assert again != agent and Agent.get(again, lambda value: value) == "fresh"
    dictionary = info(again)["dictionary"]
    assert dictionary["$behaviour"] == "Agent"
    assert dictionary["$ancestors"] == [sup, self_pid()]
