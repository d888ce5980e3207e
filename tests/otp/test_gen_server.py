"""GenServer: starting, calls (timeouts, late replies, failures), casts, infos, stop, terminate."""

from __future__ import annotations

import logging

import pytest

from pyex import (
    Exit,
    GenServer,
    Pid,
    Process,
    alive,
    info,
    processes,
    receive,
    send,
    spawn,
    spawn_monitor,
)
from pyex import self as self_pid
from tests.helpers import eventually
from tests.otp.support import error_reports, kill, mailbox, wait_down

pytestmark = pytest.mark.timeout(30)


class Echo(GenServer):
    """Replies with what it is asked; a few requests do more."""

    def init(self, arg):
        if isinstance(arg, dict) and arg.get("trap"):
            Process.flag("trap_exit", True)
        self.to = arg.get("to") if isinstance(arg, dict) else None
        return ("ok", arg)

    def handle_call(self, request, from_, state):
        if request == "state":
            return ("reply", state, state)
        if request == "wait_for_go":
            receive("go")
            return ("reply", "went", state)
        if request == "announce_and_wait":
            send(self.to, "waiting")
            receive("go")
            return ("reply", "went", state)
        if request == "later":
            # Answer from another process.
            spawn(lambda: GenServer.reply(from_, "from elsewhere"))
            return ("noreply", state)
        if request == "delegate":
            # from_ travels in a message (copied, as every message is).
            helper = spawn(lambda: GenServer.reply(*receive()))
            send(helper, (from_, ["delegated"]))
            return ("noreply", state)
        if request == "stop_with_reply":
            return ("stop", "normal", "bye", state)
        if request == "stop_normal":
            return ("stop", "normal", state)
        if request == "crash":
            raise KeyError("crash")
        if request == "none":
            return None
        if request == "exit":
            raise Exit(("custom", 1))
        if request == "continue":
            return ("reply", "continuing", state, ("continue", "next"))
        if request == "hibernate":
            return ("reply", "zzz", state, "hibernate")
        if request == "timeout":
            return ("reply", "armed", state, 0.01)
        if isinstance(request, tuple) and request[0] == "set":
            return ("reply", "ok", request[1])
        return ("reply", request, state)

    def handle_cast(self, request, state):
        if request == "stop":
            return ("stop", "cast_stop", state)
        return ("noreply", request)

    def handle_info(self, message, state):
        if self.to is not None:
            send(self.to, ("info", message))
        return ("noreply", state)

    def handle_continue(self, arg, state):
        if self.to is not None:
            send(self.to, ("continued", arg))
        return ("noreply", state)

    def terminate(self, reason, state):
        if self.to is not None:
            send(self.to, ("terminate", reason, state))


def start_echo(**arg):
    arg.setdefault("to", self_pid())
    status, pid = GenServer.start_link(Echo, arg)
    assert status == "ok"
    return pid


# -- starting ------------------------------------------------------------------


def test_start_link_links_and_start_does_not():
    linked = start_echo()
    assert linked in info(self_pid())["links"]
    status, free = GenServer.start(Echo, {})
    assert status == "ok" and alive(free)
    assert free not in info(self_pid())["links"]


def test_a_name_is_registered_and_a_taken_name_is_already_started():
    status, pid = GenServer.start(Echo, {}, name="echo")
    assert status == "ok" and Process.whereis("echo") == pid
    assert GenServer.call("echo", "hi") == "hi"
    before = set(processes())
    assert GenServer.start(Echo, {}, name="echo") == ("error", ("already_started", pid))
    assert GenServer.start_link(Echo, {}, name="echo") == ("error", ("already_started", pid))
    # The loser exited ('normal', so the linked caller lives on).
    eventually(lambda: set(processes()) == before)
    assert GenServer.whereis("echo") == pid


def test_whereis_of_a_stopped_server_is_none_by_pid_and_by_name():
    status, pid = GenServer.start(Echo, {}, name="echo")
    assert GenServer.whereis(pid) == pid  # its pid found, as it is, once (then remembered)
    assert GenServer.stop(pid) == "ok"
    assert GenServer.whereis(pid) is None
    assert GenServer.whereis("echo") is None


class Starter(GenServer):
    def init(self, arg):
        return arg


def test_init_may_ignore_stop_or_return_nonsense():
    assert GenServer.start(Starter, "ignore", name="ignored") == "ignore"
    assert Process.whereis("ignored") is None
    assert GenServer.start(Starter, ("stop", "no")) == ("error", "no")
    assert GenServer.start(Starter, 42) == ("error", ("bad_return_value", 42))
    assert GenServer.start(Starter, ("ok", 1, "bad extra")) == (
        "error",
        ("bad_return_value", ("ok", 1, "bad extra")),
    )


def test_init_stop_takes_a_linked_caller_down_unless_it_traps_exits():
    def starter():
        GenServer.start_link(Starter, ("stop", "boom"))
        receive()  # not reached

    pid, ref = spawn_monitor(starter)
    assert wait_down(ref) == "boom"

    Process.flag("trap_exit", True)
    assert GenServer.start_link(Starter, ("stop", "boom")) == ("error", "boom")
    _, server, reason = receive(("EXIT", Pid, "boom"), timeout=5)
    assert reason == "boom"


class Broken(GenServer):
    def init(self, arg):
        raise ValueError("cannot start")


def test_init_raising_is_an_error_result_and_a_report(caplog):
    caplog.set_level(logging.ERROR, logger="pyex")
    status, error = GenServer.start(Broken, None)
    assert status == "error" and isinstance(error, ValueError)
    (report,) = error_reports(caplog)
    lines = report.getMessage().splitlines()
    assert lines[0].startswith("Process #PID<") and lines[0].endswith("> terminating")
    assert "Initial Call: Broken.init/1" in lines
    assert f"Ancestors: [{self_pid()!r}]" in lines
    # The result is a copy of the exception (share nothing); the report has the original.
    assert repr(report.exc_info[1]) == repr(error) == "ValueError('cannot start')"


class NoInit(GenServer):
    pass


def test_a_server_without_init_does_not_start(caplog):
    caplog.set_level(logging.CRITICAL, logger="pyex")
    status, error = GenServer.start(NoInit, None)
    assert status == "error" and isinstance(error, NotImplementedError)
    assert "NoInit must define init(self, arg)" in str(error)


class SlowInit(GenServer):
    def init(self, arg):
        receive("never")


def test_a_start_timeout_kills_a_server_stuck_in_init():
    before = {self_pid(), *processes()}
    assert GenServer.start_link(SlowInit, None, timeout=0.05) == ("error", "timeout")
    assert set(processes()) == before
    assert mailbox() == []


def test_only_genserver_subclasses_start():
    with pytest.raises(TypeError, match="GenServer subclass"):
        GenServer.start(dict, None)


def test_child_spec_by_default():
    assert Echo.child_spec(7) == {"id": Echo, "start": (GenServer.start_link, [Echo, 7])}


def test_init_can_continue():
    pid = start_echo()
    assert GenServer.call(pid, "continue") == "continuing"
    assert receive(("continued", "next"), timeout=5)


class ContinueFirst(GenServer):
    def init(self, to):
        return ("ok", to, ("continue", "setup"))

    def handle_continue(self, arg, to):
        send(to, ("continued", arg))
        return ("noreply", to)

    def handle_call(self, request, from_, to):
        send(to, ("call", request))
        return ("reply", "ok", to)


def test_a_continue_from_init_runs_before_any_message():
    status, pid = GenServer.start_link(ContinueFirst, self_pid())
    GenServer.call(pid, "first")
    assert mailbox() == [("continued", "setup"), ("call", "first")]


# -- calls ------------------------------------------------------------------


def test_call_timeout_and_the_late_reply_never_lands():
    pid = start_echo()
    send(self_pid(), "before")
    with pytest.raises(Exit) as caught:
        GenServer.call(pid, "wait_for_go", 0.05)
    assert caught.value.reason == ("timeout", ("GenServer", "call", [pid, "wait_for_go", 0.05]))
    send(pid, "go")
    # The server replies to the call that gave up, then answers this one.
    assert GenServer.call(pid, "state") == {"to": self_pid()}
    assert mailbox() == ["before"]
    # No monitor or alias is left behind on either side.
    assert info(pid)["monitored_by"] == []
    assert info(self_pid())["monitors"] == []


def test_calls_leave_no_monitor_behind():
    pid = start_echo()
    for n in range(50):
        assert GenServer.call(pid, n) == n
    assert info(pid)["monitored_by"] == []
    assert info(self_pid())["monitors"] == []


def test_a_call_to_a_dead_pid_or_a_free_name_is_noproc():
    pid = start_echo()
    Process.unlink(pid)
    kill(pid)
    with pytest.raises(Exit) as caught:
        GenServer.call(pid, "hi")
    assert caught.value.reason == ("noproc", ("GenServer", "call", [pid, "hi", 5.0]))
    with pytest.raises(Exit) as caught:
        GenServer.call("nobody", "hi", 1)
    assert caught.value.reason == ("noproc", ("GenServer", "call", ["nobody", "hi", 1]))
    assert mailbox() == []


def test_calling_oneself_is_an_exit():
    with pytest.raises(Exit) as caught:
        GenServer.call(self_pid(), "hi")
    assert caught.value.reason == ("calling_self", ("GenServer", "call", [self_pid(), "hi", 5.0]))


def test_a_server_that_crashes_during_the_call_exits_the_caller_with_its_reason(caplog):
    caplog.set_level(logging.CRITICAL, logger="pyex")
    status, pid = GenServer.start(Echo, {})
    ref = Process.monitor(pid)
    with pytest.raises(Exit) as caught:
        GenServer.call(pid, "crash")
    error, where = caught.value.reason
    assert isinstance(error, KeyError) and where == ("GenServer", "call", [pid, "crash", 5.0])
    assert wait_down(ref) is error
    assert mailbox() == []


def test_a_server_that_stops_normally_without_replying():
    status, pid = GenServer.start(Echo, {})
    with pytest.raises(Exit) as caught:
        GenServer.call(pid, "stop_normal")
    assert caught.value.reason == ("normal", ("GenServer", "call", [pid, "stop_normal", 5.0]))


def test_a_kill_during_the_call():
    status, pid = GenServer.start(Echo, {"to": self_pid()})

    def call_then_tell(to):
        try:
            GenServer.call(pid, "announce_and_wait")
        except Exit as exc:
            send(to, ("caught", exc.reason))

    spawn(call_then_tell, self_pid())
    assert receive(timeout=5) == "waiting"  # the server is inside handle_call
    Process.exit(pid, "kill")
    assert receive(("caught", object), timeout=5)[1] == (
        "killed",
        ("GenServer", "call", [pid, "announce_and_wait", 5.0]),
    )


def test_reply_from_another_process():
    pid = start_echo()
    assert GenServer.call(pid, "later") == "from elsewhere"
    assert GenServer.call(pid, "delegate") == ["delegated"]


def test_stop_with_a_reply_replies_after_terminate():
    pid = start_echo()
    ref = Process.monitor(pid)
    Process.unlink(pid)
    assert GenServer.call(pid, "stop_with_reply") == "bye"
    assert receive(timeout=5) == ("terminate", "normal", {"to": self_pid()})
    assert wait_down(ref) == "normal"


def test_infinite_timeouts():
    pid = start_echo()
    assert GenServer.call(pid, "a", None) == "a"
    assert GenServer.call(pid, "b", "infinity") == "b"
    assert GenServer.call(pid, "c", float("inf")) == "c"


@pytest.mark.parametrize("timeout, error", [(-1, ValueError), ("soon", TypeError), (True, TypeError)])
def test_bad_timeouts_are_refused(timeout, error):
    pid = start_echo()
    with pytest.raises(error):
        GenServer.call(pid, "x", timeout)


def test_a_call_to_a_bad_server_value_is_a_type_error():
    with pytest.raises(TypeError, match="pid or a registered name"):
        GenServer.call(42, "x")


def test_requests_and_replies_are_copies():
    pid = start_echo()
    items = [1, 2]
    assert GenServer.call(pid, ("set", items)) == "ok"
    items.append(3)
    state = GenServer.call(pid, "state")
    assert state == [1, 2]
    state.append(4)
    assert GenServer.call(pid, "state") == [1, 2]


def test_many_callers_each_get_their_own_replies():
    pid = start_echo()
    me = self_pid()

    def caller(n):
        results = [GenServer.call(pid, (n, i)) for i in range(50)]
        send(me, ("done", n, results == [(n, i) for i in range(50)]))

    for n in range(8):
        spawn(caller, n)
    assert sorted(receive(("done", int, bool), timeout=20)[1:] for _ in range(8)) == [
        (n, True) for n in range(8)
    ]


def test_a_call_leaves_other_messages_in_order():
    pid = start_echo()
    for n in range(3):
        send(self_pid(), ("mine", n))
    assert GenServer.call(pid, "x") == "x"
    assert mailbox() == [("mine", 0), ("mine", 1), ("mine", 2)]


# -- casts and infos -----------------------------------------------------------


def test_cast_always_returns_ok():
    pid = start_echo()
    assert GenServer.cast(pid, "new state") == "ok"
    assert GenServer.call(pid, "state") == "new state"
    assert GenServer.cast("nobody", "x") == "ok"
    Process.unlink(pid)
    kill(pid)
    assert GenServer.cast(pid, "x") == "ok"


def test_a_cast_may_stop_the_server():
    pid = start_echo()
    Process.unlink(pid)
    ref = Process.monitor(pid)
    GenServer.cast(pid, "stop")
    assert receive(timeout=5) == ("terminate", "cast_stop", {"to": self_pid()})
    assert wait_down(ref) == "cast_stop"


def test_plain_messages_go_to_handle_info():
    pid = start_echo()
    send(pid, "hello")
    assert receive(timeout=5) == ("info", "hello")


def test_a_return_timeout_sends_timeout_to_handle_info():
    pid = start_echo()
    assert GenServer.call(pid, "timeout") == "armed"
    assert receive(timeout=5) == ("info", "timeout")


def test_hibernate_is_accepted():
    pid = start_echo()
    assert GenServer.call(pid, "hibernate") == "zzz"
    assert GenServer.call(pid, "x") == "x"


class Plain(GenServer):
    def init(self, arg):
        return ("ok", arg)


def test_the_default_handle_info_logs_and_goes_on(caplog):
    caplog.set_level(logging.ERROR, logger="pyex")
    status, pid = GenServer.start_link(Plain, 0, name="plain")
    send(pid, ("unexpected", 1))
    assert GenServer.stop(pid) == "ok"
    (report,) = error_reports(caplog)
    assert report.getMessage() == (
        "Plain 'plain' received unexpected message in handle_info: ('unexpected', 1)"
    )


def test_the_default_handle_call_and_handle_cast_crash_clearly(caplog):
    caplog.set_level(logging.CRITICAL, logger="pyex")
    status, pid = GenServer.start(Plain, 0)
    with pytest.raises(Exit) as caught:
        GenServer.call(pid, "x")
    error = caught.value.reason[0]
    assert isinstance(error, RuntimeError)
    assert str(error) == (
        f"attempted to call GenServer {pid!r} but Plain defines no "
        f"handle_call(self, request, from_, state)"
    )
    status, pid = GenServer.start(Plain, 0)
    ref = Process.monitor(pid)
    GenServer.cast(pid, "x")
    reason = wait_down(ref)
    assert isinstance(reason, RuntimeError) and "defines no handle_cast" in str(reason)


# -- return shapes -------------------------------------------------------------


def test_a_bad_return_value_stops_the_server(caplog):
    caplog.set_level(logging.ERROR, logger="pyex")
    status, pid = GenServer.start(Echo, {})
    with pytest.raises(Exit) as caught:
        GenServer.call(pid, "none")
    assert caught.value.reason == (("bad_return_value", None), ("GenServer", "call", [pid, "none", 5.0]))
    (report,) = error_reports(caplog)
    lines = report.getMessage().splitlines()
    assert lines[:2] == [f"GenServer {pid!r} terminating", "** (stop) bad return value: None"]
    assert report.exc_info is None


def test_exit_raised_in_a_callback_is_the_exit_reason():
    pid = start_echo()
    Process.unlink(pid)
    ref = Process.monitor(pid)
    with pytest.raises(Exit) as caught:
        GenServer.call(pid, "exit")
    assert caught.value.reason[0] == ("custom", 1)
    assert receive(timeout=5)[:2] == ("terminate", ("custom", 1))
    assert wait_down(ref) == ("custom", 1)


# -- stop and terminate ------------------------------------------------------


def test_stop_runs_terminate_and_returns_ok():
    pid = start_echo()
    assert GenServer.stop(pid) == "ok"
    assert receive(timeout=5) == ("terminate", "normal", {"to": self_pid()})
    assert not alive(pid)


def test_stop_with_a_reason_reports_it(caplog):
    caplog.set_level(logging.ERROR, logger="pyex")
    status, pid = GenServer.start(Echo, {})
    assert GenServer.stop(pid, "boom") == "ok"
    (report,) = error_reports(caplog)
    assert report.getMessage().splitlines()[1] == "** (stop) 'boom'"


def test_stop_of_a_dead_server_is_noproc():
    pid = start_echo()
    GenServer.stop(pid)
    with pytest.raises(Exit) as caught:
        GenServer.stop(pid)
    assert caught.value.reason == ("noproc", ("GenServer", "stop", [pid, "normal", None]))


class Stubborn(GenServer):
    def init(self, arg):
        return ("ok", arg)

    def terminate(self, reason, state):
        receive("never")


def test_stop_times_out_if_terminate_does_not_end():
    status, pid = GenServer.start(Stubborn, None)
    with pytest.raises(Exit) as caught:
        GenServer.stop(pid, "normal", 0.05)
    assert caught.value.reason == ("timeout", ("GenServer", "stop", [pid, "normal", 0.05]))
    kill(pid)


def _parent(to, trap):
    status, pid = GenServer.start_link(Echo, {"to": to, "trap": trap})
    send(to, ("server", pid))
    receive("exit now")
    raise Exit("parent_gone")


def test_terminate_runs_when_the_parent_exits_if_trapping():
    parent = spawn(_parent, self_pid(), True)
    server = receive(("server", Pid), timeout=5)[1]
    ref = Process.monitor(server)
    send(parent, "exit now")
    assert receive(timeout=5) == ("terminate", "parent_gone", {"to": self_pid(), "trap": True})
    assert wait_down(ref) == "parent_gone"


def test_without_trapping_the_parent_exit_kills_without_terminate():
    parent = spawn(_parent, self_pid(), False)
    server = receive(("server", Pid), timeout=5)[1]
    ref = Process.monitor(server)
    send(parent, "exit now")
    assert wait_down(ref) == "parent_gone"
    assert mailbox() == []


def test_exits_of_others_reach_handle_info_when_trapping():
    pid = start_echo(trap=True)
    other = spawn(lambda: Process.link(pid))
    assert receive(timeout=5) == ("info", ("EXIT", other, "normal"))


# -- what the shell reads -----------------------------------------------------


def test_the_process_dictionary_describes_the_server():
    pid = start_echo()
    dictionary = info(pid)["dictionary"]
    assert dictionary["$initial_call"] == ("Echo", "init", 1)
    assert dictionary["$ancestors"] == [self_pid()]
    assert dictionary["$behaviour"] == "GenServer"
    assert dictionary["$module"] is Echo
