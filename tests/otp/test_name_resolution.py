"""A pid or a registered name means the same process everywhere: send, monitor, calls, whereis."""

from __future__ import annotations

import pytest

from pyex import ANY, Exit, GenServer, NotRegisteredError, Process, Shell, receive, send
from pyex import self as self_pid

from tests.otp.support import kill, wait_down

pytestmark = pytest.mark.timeout(30)


class Echo(GenServer):
    def init(self, arg):
        return ("ok", arg)

    def handle_call(self, request, from_, state):
        return ("reply", request, state)

    def handle_cast(self, request, state):
        send(state, ("cast", request))
        return ("noreply", state)


def test_a_held_name_is_its_holder_everywhere():
    _, pid = GenServer.start(Echo, self_pid(), name="resolved")
    assert Process.whereis("resolved") == pid
    assert GenServer.whereis("resolved") == pid
    assert GenServer.whereis(pid) == pid
    assert GenServer.call("resolved", "hi") == "hi"
    assert GenServer.cast("resolved", "there") == "ok"
    assert receive(timeout=5) == ("cast", "there")
    ref = Process.monitor("resolved")
    assert GenServer.stop("resolved") == "ok"
    assert receive(("DOWN", ref, "process", ANY, ANY), timeout=5)[3] == ("resolved", "nonode@nohost")


def test_a_free_name_is_nobody_everywhere():
    assert Process.whereis("nobody_here") is None
    assert GenServer.whereis("nobody_here") is None
    with pytest.raises(NotRegisteredError, match="nobody_here"):
        send("nobody_here", "hi")
    with pytest.raises(Exit) as call:
        GenServer.call("nobody_here", "hi")
    assert call.value.reason[0] == "noproc"
    assert GenServer.cast("nobody_here", "hi") == "ok"
    with pytest.raises(Exit) as stop:
        GenServer.stop("nobody_here")
    assert stop.value.reason[0] == "noproc"
    ref = Process.monitor("nobody_here")
    assert wait_down(ref) == "noproc"


def test_the_name_of_a_killed_holder_is_free_everywhere():
    _, pid = GenServer.start(Echo, self_pid(), name="was_here")
    assert kill(pid) == "killed"
    assert Process.whereis("was_here") is None
    assert GenServer.whereis("was_here") is None
    assert GenServer.whereis(pid) is None
    with pytest.raises(NotRegisteredError):
        send("was_here", "hi")


@pytest.mark.parametrize("bad", [42, 1.5, None, ("a", "b", "c"), ["x"]])
def test_neither_a_pid_nor_a_name_is_a_type_error_everywhere(bad):
    for attempt in (
        lambda: send(bad, "hi"),
        lambda: GenServer.call(bad, "hi"),
        lambda: GenServer.cast(bad, "hi"),
        lambda: GenServer.whereis(bad),
        lambda: GenServer.stop(bad),
    ):
        with pytest.raises(TypeError, match="pid or a registered name"):
            attempt()
    with pytest.raises(TypeError, match="registered name"):
        Process.whereis(bad)


def test_the_shell_helpers_read_a_name_as_the_runtime_does():
    with Shell() as shell:
        shell.eval("from pyex import Supervisor")
        shell.eval("_, sup = Supervisor.start_link([], name='named_sup')")
        pid = shell.eval("sup").value
        first = shell.eval("tree('named_sup')").output.splitlines()[0]
        assert first.startswith(f"{pid} 'named_sup' Supervisor")
        assert "no such process" in shell.eval("tree('no_such_sup')").output
        traced = shell.eval("trace('named_sup')")
        assert traced.error is None and "tracing #PID<" in traced.output
        assert "is not traced" in shell.eval("untrace('no_such_sup')").output
        assert "no process is registered" in str(shell.eval("trace('no_such_sup')").error)
