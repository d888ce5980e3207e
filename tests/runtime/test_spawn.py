"""self(), spawn (both forms), spawn_link, spawn_monitor."""

from __future__ import annotations

import threading

import pytest

from pyex import ANY, Exit, Pid, Process, alive, info, processes, receive, send, spawn, spawn_link, spawn_monitor
from pyex import self as self_pid
from tests.helpers import is_down, wait_down

pytestmark = pytest.mark.timeout(30)


def test_self_is_stable_within_a_process():
    me = self_pid()
    assert isinstance(me, Pid)
    assert self_pid() == me
    assert alive(me)
    assert me in processes()


def test_each_thread_is_its_own_process():
    seen = []
    done = threading.Event()

    def thread():
        seen.append(self_pid())
        seen.append(self_pid())
        done.set()

    threading.Thread(target=thread).start()
    assert done.wait(5)
    assert seen[0] == seen[1]
    assert seen[0] != self_pid()


def test_spawn_runs_the_function_with_its_arguments_in_a_new_process():
    me = self_pid()

    def child(a, b, *, c):
        send(me, ("ran", self_pid(), a, b, c, threading.current_thread() is not main))

    main = threading.current_thread()
    child_pid = spawn(child, 1, [2], c={"three": 3})
    assert isinstance(child_pid, Pid)
    assert child_pid != me
    assert receive(timeout=5) == ("ran", child_pid, 1, [2], {"three": 3}, True)


class Greeter:
    def __init__(self, owner):
        self.owner = owner

    def greet(self, name, punctuation):
        send(self.owner, f"hello {name}{punctuation}")


def test_iex_form_calls_a_named_function_of_an_object():
    greeter = Greeter(self_pid())
    spawn(greeter, "greet", ["joe", "!"])
    assert receive(timeout=5) == "hello joe!"


def test_iex_form_works_on_a_module_and_shows_in_initial_call():
    import operator

    me = self_pid()
    module = type("M", (), {"tell": staticmethod(lambda x: (send(me, x), receive())[1])})
    child = spawn(module, "tell", [42])
    assert receive(timeout=5) == 42
    assert info(child)["initial_call"] == ("M", "tell", 1)
    ref = Process.monitor(child)
    send(child, "stop")
    assert wait_down(ref) == "normal"
    # a module object works the same way
    spawn(operator, "setitem", [{}, 1, 2])


def test_iex_form_with_a_missing_function_says_so():
    with pytest.raises(AttributeError, match="'nothing'"):
        spawn(Greeter(self_pid()), "nothing", [])


def test_a_callable_with_a_string_and_a_list_is_called_with_them():
    # Only a name the object has makes it the iex form.
    me = self_pid()
    spawn(lambda text, items: send(me, (text, items)), "greet", [1])
    assert receive(timeout=5) == ("greet", [1])


def test_spawned_pids_are_distinct_and_increasing():
    pids = [spawn(lambda: None) for _ in range(20)]
    assert pids == sorted(pids)
    assert len(set(pids)) == 20


def test_a_process_exits_normal_when_its_function_returns():
    child, ref = spawn_monitor(lambda: 42)
    assert receive(is_down(ref), timeout=5) == ("DOWN", ref, "process", child, "normal")
    assert not alive(child)
    assert child not in processes()


def test_spawn_monitor_returns_the_pid_and_the_monitor_ref():
    me = self_pid()
    child, ref = spawn_monitor(lambda: send(me, self_pid()))
    assert receive(Pid, timeout=5) == child
    assert wait_down(ref) == "normal"


def test_spawn_monitor_reports_the_crash_reason():
    error = ValueError("bad")

    def crash():
        raise error

    _, ref = spawn_monitor(crash)
    reason = wait_down(ref)
    assert isinstance(reason, ValueError) and reason.args == ("bad",)


def test_spawn_link_links_both_ways_before_the_child_runs():
    me = self_pid()

    def child():
        send(me, info(self_pid())["links"])
        receive()

    child_pid = spawn_link(child)
    assert receive(timeout=5) == [me]
    assert info(me)["links"] == [child_pid]
    Process.unlink(child_pid)
    assert info(me)["links"] == []


def test_spawn_link_child_crash_takes_the_parent_down():
    def parent():
        spawn_link(lambda: (_ for _ in ()).throw(RuntimeError("child boom")))
        receive()

    _, ref = spawn_monitor(parent)
    reason = wait_down(ref)
    assert isinstance(reason, RuntimeError) and str(reason) == "child boom"


def test_spawn_link_parent_trapping_gets_the_exit_message():
    Process.flag("trap_exit", True)
    child = spawn_link(lambda: (_ for _ in ()).throw(KeyError("k")))
    tag, sender, reason = receive(("EXIT", ANY, ANY), timeout=5)
    assert (tag, sender) == ("EXIT", child)
    assert isinstance(reason, KeyError)


def test_processes_run_concurrently():
    me = self_pid()

    def ping(n):
        for _ in range(n):
            peer = receive(Pid, timeout=5)
            send(peer, self_pid())

    a = spawn(ping, 50)
    b = spawn(ping, 50)
    send(a, b)  # a hears of b and answers it, b answers a, ... 50 times each
    ra, rb = Process.monitor(a), Process.monitor(b)
    assert wait_down(ra) == "normal"
    assert wait_down(rb) == "normal"
    assert me in processes()


def test_exit_raised_in_a_process_is_its_reason():
    _, ref = spawn_monitor(lambda: (_ for _ in ()).throw(Exit("shutdown")))
    assert wait_down(ref) == "shutdown"
    _, ref = spawn_monitor(lambda: (_ for _ in ()).throw(Exit(("custom", 1))))
    assert wait_down(ref) == ("custom", 1)


def test_a_process_started_in_a_process_is_reported_to_its_parent_only_if_linked():
    me = self_pid()

    def parent():
        child = spawn(lambda: receive())
        send(me, child)
        raise Exit("parent gone")

    ref = Process.monitor(spawn(parent))
    child = receive(Pid, timeout=5)
    assert wait_down(ref) == "parent gone"
    assert alive(child)
    ref = Process.monitor(child)
    Process.exit(child, "kill")
    assert wait_down(ref) == "killed"
