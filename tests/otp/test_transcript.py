"""The reference iex session (shared/reference/otp-behaviours.exs), step by step, in pyex.

Where iex sleeps to let something happen, these tests wait for the message or
monitor that announces it instead.
"""

from __future__ import annotations

import logging

import pytest

from pyex import (
    Agent,
    Exit,
    GenServer,
    Pid,
    Process,
    Supervisor,
    Task,
    flush,
    get_state,
    receive,
    send,
)
from pyex import self as self_pid
from tests.helpers import eventually
from tests.otp.support import error_reports, kill, mailbox, wait_down

pytestmark = pytest.mark.timeout(30)


class Stack(GenServer):
    """The transcript's Stack; 'slow' waits for a 'go' message instead of sleeping."""

    def init(self, items):
        return ("ok", items)

    def handle_call(self, request, from_, state):
        if request == "pop":
            head, *tail = state  # an empty stack raises, as the missing clause does in Elixir
            return ("reply", head, tail)
        if request == "slow":
            receive("go")
            return ("reply", "done", state)
        return ("reply", ("unknown", request), state)

    def handle_cast(self, request, state):
        _push, item = request
        return ("noreply", [item, *state])

    def handle_info(self, message, state):
        print(f"info: {message!r}")
        return ("noreply", state)


def test_call_cast_info_timeout_noproc_and_a_crash(capsys, caplog):
    caplog.set_level(logging.ERROR, logger="pyex")
    # {:ok, pid} = GenServer.start_link(Stack, [:hello], name: :stack)
    status, pid = GenServer.start_link(Stack, ["hello"], name="stack")
    assert status == "ok" and isinstance(pid, Pid)
    assert GenServer.call("stack", "pop") == "hello"
    assert GenServer.cast("stack", ("push", "world")) == "ok"
    assert GenServer.call(pid, "pop") == "world"

    # send(:stack, :ping): handle_info prints it. get_state is answered after it.
    assert send("stack", "ping") == "ping"
    assert get_state("stack") == []
    assert capsys.readouterr().out == "info: 'ping'\n"

    assert Process.flag("trap_exit", True) is False
    # GenServer.call(:stack, :slow, 100) times out...
    with pytest.raises(Exit) as caught:
        GenServer.call("stack", "slow", 0.1)
    assert caught.value.reason == ("timeout", ("GenServer", "call", ["stack", "slow", 0.1]))
    # ... and a call to a name nobody holds is noproc, with the default timeout.
    with pytest.raises(Exit) as caught:
        GenServer.call("nobody", "pop")
    assert caught.value.reason == ("noproc", ("GenServer", "call", ["nobody", "pop", 5.0]))

    # The slow call finishes after all; its late reply never reaches us.
    send("stack", "go")
    assert get_state("stack") == []  # answered only once 'slow' has replied
    flush()
    assert capsys.readouterr().out == ""

    # GenServer.call(:stack, :pop) on an empty stack: the server crashes.
    with pytest.raises(Exit) as caught:
        GenServer.call("stack", "pop")
    error, where = caught.value.reason
    assert isinstance(error, ValueError)
    assert where == ("GenServer", "call", ["stack", "pop", 5.0])
    # The crash report: the server, the exception, the last message, the state.
    (report,) = error_reports(caplog)
    lines = report.getMessage().splitlines()
    assert lines[0] == "GenServer 'stack' terminating"
    assert f"Last message (from {self_pid()!r}): 'pop'" in lines
    assert "State: []" in lines
    assert report.exc_info[1] is error
    # We trap exits and were linked: the EXIT message is in the mailbox.
    assert receive(timeout=5) == ("EXIT", pid, error)
    flush()
    assert capsys.readouterr().out == ""
    assert Process.flag("trap_exit", False) is True


def test_a_supervisor_restarts_its_child_until_it_gives_up():
    children = [
        {"id": Stack, "start": (GenServer.start_link, [Stack, [1, 2]], {"name": "sup_stack"})}
    ]
    status, sup = Supervisor.start_link(
        children, strategy="one_for_one", max_restarts=2, max_seconds=5
    )
    assert status == "ok"
    old = Process.whereis("sup_stack")
    assert kill(old) == "killed"
    new = eventually(lambda: Process.whereis("sup_stack"))
    assert new != old
    assert GenServer.call("sup_stack", "pop") == 1  # a fresh Stack, from its spec
    assert Supervisor.which_children(sup) == [(Stack, new, "worker", [Stack])]
    assert Supervisor.count_children(sup) == {
        "specs": 1,
        "active": 1,
        "supervisors": 0,
        "workers": 1,
    }

    assert Process.unlink(sup) is True
    ref = Process.monitor(sup)
    # Two more kills make three restarts within 5 s: one more than max_restarts.
    assert kill(Process.whereis("sup_stack")) == "killed"
    second = eventually(lambda: Process.whereis("sup_stack"))
    assert kill(second) == "killed"
    assert wait_down(ref) == "shutdown"
    # The third kill of the transcript finds no process: Process.exit(nil, :kill).
    assert Process.whereis("sup_stack") is None
    with pytest.raises(TypeError):
        Process.exit(Process.whereis("sup_stack"), "kill")
    assert mailbox() == []


def test_an_agent_and_a_task():
    status, agent = Agent.start_link(lambda: 0)
    assert status == "ok"
    assert Agent.update(agent, lambda n: n + 1) == "ok"
    assert Agent.get(agent, lambda n: n) == 1

    task = Task.async_(lambda: 21 * 2)
    assert isinstance(task, Task)
    assert task.owner == self_pid()
    assert repr(task).startswith(f"Task(pid={task.pid!r}, ref={task.ref!r}, owner=")
    assert Task.await_(task) == 42
