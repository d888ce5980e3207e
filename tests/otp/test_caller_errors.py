"""Issue 8, item 9: a bad argument is an error in the caller; the server is untouched."""

from __future__ import annotations

import pytest

from pyex import DynamicSupervisor, GenServer, Process, Supervisor, Task, alive, pid, receive
from pyex import self as self_pid
from tests.helpers import wait_exit

pytestmark = pytest.mark.timeout(30)


class Idle(GenServer):
    def init(self, arg):
        return ("ok", arg)


@pytest.mark.parametrize("bad", [[1], "0.84.0", None, {"pid": 1}])
def test_terminate_child_with_a_non_pid_is_a_type_error_and_the_supervisor_lives_on(bad):
    _, sup = DynamicSupervisor.start_link()
    _, child = DynamicSupervisor.start_child(sup, (Idle, None))
    with pytest.raises(TypeError, match="terminate_child.*pid"):
        DynamicSupervisor.terminate_child(sup, bad)
    assert alive(sup) and alive(child)
    assert DynamicSupervisor.terminate_child(sup, child) == "ok"
    DynamicSupervisor.stop(sup)


def _exits():
    raise SystemExit(1)


def test_a_child_start_raising_system_exit_is_a_failed_start_not_a_crash():
    Process.flag("trap_exit", True)
    try:
        result = Supervisor.start_link([{"id": "quitter", "start": (_exits, [])}])
        status, (shutdown, (failed, child_id, reason)) = result
        assert (status, shutdown, failed, child_id) == (
            "error", "shutdown", "failed_to_start_child", "quitter"
        )
        assert isinstance(reason, SystemExit)
    finally:
        Process.flag("trap_exit", False)
        while receive(timeout=0, default=None) is not None:
            pass


def test_a_dynamic_child_start_raising_system_exit_is_an_error_for_the_caller():
    _, sup = DynamicSupervisor.start_link()
    status, reason = DynamicSupervisor.start_child(sup, {"id": "q", "start": (_exits, [])})
    assert status == "error" and isinstance(reason, SystemExit)
    assert alive(sup)
    DynamicSupervisor.stop(sup)


def test_await_many_of_the_same_task_twice_gives_its_result_twice():
    task = Task.async_(lambda: 3)
    assert Task.await_many([task, task]) == [3, 3]
    other = Task.async_(lambda: 4)
    assert Task.await_many([other, Task.async_(lambda: 5), other]) == [4, 5, 4]


@pytest.mark.parametrize(
    "from_",
    [None, "caller", (1, 2), (self_pid, None), ("0.84.0", "ref"), (1, 2, 3)],
    ids=["none", "str", "ints", "no-ref", "strings", "triple"],
)
def test_reply_with_a_malformed_from_is_a_type_error(from_):
    if from_.__class__ is tuple and from_ and callable(from_[0]):
        from_ = (from_[0](), from_[1])
    with pytest.raises(TypeError, match="from_ must be the \\(pid, reference\\) pair"):
        GenServer.reply(from_, "value")


@pytest.mark.parametrize(
    "text",
    ["#PID<0.84.0", "0.84.0>", "#PID0.84.0", "<0.84.0>>", "0.\u0668\u0664.0", "\uff10.84.0"],
    ids=["unclosed", "unopened", "no-bracket", "doubled", "arabic-digits", "fullwidth"],
)
def test_a_pid_string_with_unbalanced_brackets_or_other_digits_is_refused(text):
    with pytest.raises(ValueError, match="malformed pid"):
        pid(text)


def test_a_very_long_pid_string_is_refused_with_a_short_message():
    text = "0." + "9" * 100_000 + ".0"
    with pytest.raises(ValueError, match="malformed pid") as caught:
        pid(text)
    assert len(str(caught.value)) < 300
    assert "100004 characters" in str(caught.value)


def test_the_accepted_pid_forms():
    assert pid("0.84.0") == pid("#PID<0.84.0>") == pid("<0.84.0>") == pid(" #PID< 0.84.0 > ")
    assert repr(pid("0.84.0")) == "#PID<0.84.0>"


def test_a_server_survives_a_bad_reply_attempt_from_its_caller():
    _, server = GenServer.start_link(Idle, None)
    with pytest.raises(TypeError):
        GenServer.reply((server, "not a ref"), 1)
    assert alive(server)
    GenServer.stop(server)
    assert wait_exit(server) == "noproc"


class HoldsALock(GenServer):
    def init(self, arg):
        import threading

        return ("ok", {"lock": threading.Lock(), "count": 1})

    def handle_call(self, request, from_, state):
        return ("reply", state["count"], state)


def test_get_state_of_a_server_holding_a_lock_shows_it_and_the_server_lives_on():
    from pyex import get_state

    _, server = GenServer.start_link(HoldsALock, None)
    state = get_state(server)
    assert state["count"] == 1 and hasattr(state["lock"], "acquire")
    assert GenServer.call(server, "count") == 1
    GenServer.stop(server)


def test_a_call_with_an_uncopyable_request_is_refused_in_the_caller():
    import threading

    from pyex import UncopyableError, info

    _, server = GenServer.start_link(HoldsALock, None)
    with pytest.raises(UncopyableError):
        GenServer.call(server, threading.Lock())
    assert info(self_pid())["monitors"] == []
    assert GenServer.call(server, "count") == 1
    GenServer.stop(server)
