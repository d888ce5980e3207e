"""Process.trace: Erlang-shaped trace messages, one guard, and the message counters."""

from __future__ import annotations

import pytest

from pyex import GenServer, Process, info, receive, send, spawn, spawn_link
from pyex import self as self_pid
from pyex.runtime import hooks, tracing
from tests.helpers import drain, wait_exit

pytestmark = pytest.mark.timeout(30)


def trace_of(pid, event, timeout=5):
    """The next trace message of ``pid`` for ``event``."""
    return receive(lambda m: m.__class__ is tuple and m[:3] == ("trace", pid, event), timeout=timeout)


def echo():
    while True:
        message = receive()
        if message == "stop":
            return
        send(message[0], ("echo", message[1]))


@pytest.fixture(autouse=True)
def nothing_traced_after():
    yield
    for proc in list(tracing._traced):
        tracing.forget(proc)
    assert tracing.GUARD[0] is False and hooks.active is False


def test_send_and_receive_events():
    me = self_pid()
    child = spawn(echo)
    assert Process.trace(child, True) == "ok"
    assert tracing.GUARD[0] and hooks.active
    send(child, (me, "hi"))
    assert receive(("echo", "hi"), timeout=5)
    assert trace_of(child, "receive") == ("trace", child, "receive", (me, "hi"))
    assert trace_of(child, "send") == ("trace", child, "send", ("echo", "hi"), me)
    Process.trace(child, False)
    assert tracing.GUARD[0] is False and not hooks.active
    send(child, (me, "again"))
    assert receive(("echo", "again"), timeout=5)
    assert receive(lambda m: m[0] == "trace", timeout=0.2, default=None) is None
    send(child, "stop")


def test_spawn_link_and_exit_events():
    me = self_pid()

    def parent():
        receive("go")
        child = spawn_link(receive, "never")
        send(me, ("child", child))
        Process.unlink(child)
        Process.exit(child, "kill")
        receive("end")

    pid = spawn(parent)
    Process.trace(pid, True, ["spawn", "exit", "link"])
    send(pid, "go")
    child = receive(("child", lambda p: True), timeout=5)[1]
    assert trace_of(pid, "spawn") == ("trace", pid, "spawn", child)
    assert trace_of(pid, "unlink") == ("trace", pid, "unlink", child)
    send(pid, "end")
    assert trace_of(pid, "exit") == ("trace", pid, "exit", "normal")
    wait_exit(pid)
    assert tracing.GUARD[0] is False  # an exited process is traced no more


def test_link_events_on_both_sides():
    me = self_pid()
    other = spawn(receive, "never")
    Process.trace(other, True, ["link"])
    Process.trace(me, True, ["link"])
    Process.link(other)
    assert trace_of(me, "link") == ("trace", me, "link", other)
    assert trace_of(other, "link") == ("trace", other, "link", me)
    Process.unlink(other)
    Process.trace(me, False, ["link"])
    Process.exit(other, "kill")
    wait_exit(other)


class Counter(GenServer):
    def init(self, start):
        return ("ok", start)

    def handle_call(self, request, from_, state):
        return ("reply", state + request, state + request)


def test_gen_server_calls_and_returns():
    ok, server = GenServer.start(Counter, 10)
    Process.trace(server, True, ["call"])
    assert GenServer.call(server, 5) == 15
    event = trace_of(server, "call")
    assert event[:4] == ("trace", server, "call", 5) and event[4][0] == self_pid()
    assert trace_of(server, "return") == ("trace", server, "return", 15)
    GenServer.stop(server)


def test_a_trace_message_is_a_copy():
    me = self_pid()

    def keeper():
        box = receive()
        box.append("changed")
        send(me, "changed")
        receive("never")

    pid = spawn(keeper)
    Process.trace(pid, True, ["receive"])
    send(pid, ["original"])
    receive("changed", timeout=5)
    assert trace_of(pid, "receive") == ("trace", pid, "receive", ["original"])
    Process.exit(pid, "kill")


def test_a_tracer_that_goes_ends_its_traces():
    me = self_pid()
    watched = spawn(echo)
    tracer = spawn(receive, "never")
    Process.trace(watched, True, tracer=tracer)
    assert tracing.traced_by(tracer) == [watched]
    Process.exit(tracer, "kill")
    wait_exit(tracer)
    send(watched, (me, 1))  # the first event finds the tracer gone
    assert receive(("echo", 1), timeout=5)
    assert tracing.traced_by(tracer) == []
    assert tracing.GUARD[0] is False
    send(watched, "stop")


def test_bad_arguments():
    child = spawn(receive, "never")
    with pytest.raises(ValueError, match="unknown trace event"):
        Process.trace(child, True, ["sends"])
    with pytest.raises(TypeError):
        Process.trace("not a pid", True)
    Process.exit(child, "kill")
    wait_exit(child)
    with pytest.raises(ValueError, match="not alive"):
        Process.trace(child, True)
    assert Process.trace(child, False) == "ok"


def test_message_counters():
    me = self_pid()
    drain()
    before = info(me)
    child = spawn(echo)
    for n in range(3):
        send(child, (me, n))
    for n in range(3):
        assert receive(("echo", n), timeout=5)
    details = info(child)
    assert details["messages_received"] == 3
    assert details["messages_sent"] == 3
    after = info(me)
    assert after["messages_sent"] - before["messages_sent"] == 3
    assert after["messages_received"] - before["messages_received"] == 3
    ok, server = GenServer.start(Counter, 0)
    for _ in range(4):
        GenServer.call(server, 1)
    assert info(server)["messages_received"] == 4
    assert info(server)["messages_sent"] == 4 + 1  # the replies, and the start's acknowledgement
    GenServer.stop(server)
    send(child, "stop")
