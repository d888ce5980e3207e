"""What info() and sample_all() tell of a process: the one (owner, name, arity) rule,
its stack, label, CPU time and memory, and the batch sample of all processes."""

from __future__ import annotations

import os

import pytest

from pyex import GenServer, Process, alive, info, processes, receive, send, spawn
from pyex import self as self_pid
from pyex.runtime.introspection import Sampler, sample_all
from tests.helpers import eventually, wait_exit

pytestmark = pytest.mark.timeout(30)

PYEX_DIR = os.path.dirname(os.path.abspath(__import__("pyex").__file__))


def make_class():
    class Inner:
        def run(self, reply_to):
            send(reply_to, "running")
            receive("never")

        def deeper(self, reply_to, extra=None):
            self.run(reply_to)

    return Inner


def test_a_class_defined_in_a_function_shows_the_same_way_in_both_keys():
    Inner = make_class()
    child = spawn(Inner().run, self_pid())
    receive("running", timeout=5)
    eventually(lambda: info(child)["status"] == "waiting")
    details = info(child)
    assert details["initial_call"] == ("Inner", "run", 1)
    assert details["current_function"] == ("Inner", "run", 1)
    Process.exit(child, "kill")


def test_a_method_s_arity_counts_what_the_caller_passes_not_self():
    Inner = make_class()
    child = spawn(Inner().deeper, self_pid())
    receive("running", timeout=5)
    eventually(lambda: info(child)["status"] == "waiting")
    details = info(child)
    assert details["initial_call"] == ("Inner", "deeper", 1)
    assert details["current_function"] == ("Inner", "run", 1)
    names = [entry[:3] for entry in details["current_stacktrace"]]
    assert names == [("Inner", "run", 1), ("Inner", "deeper", 2)]
    Process.exit(child, "kill")


def test_the_stacktrace_is_the_users_frames_innermost_first():
    me = self_pid()

    def outer():
        middle()

    def middle():
        send(me, "in")
        receive("never")

    child = spawn(outer)
    receive("in", timeout=5)
    eventually(lambda: info(child)["status"] == "waiting")
    trace = info(child)["current_stacktrace"]
    assert [entry[1] for entry in trace] == ["middle", "outer"]
    for owner, name, arity, (filename, line) in trace:
        assert owner == __name__ and arity == 0
        assert filename == __file__ and line > 0
    Process.exit(child, "kill")


class Stack(GenServer):
    def init(self, items):
        return ("ok", list(items))

    def handle_call(self, request, from_, state):
        if request.__class__ is tuple and request[0] == "hold":
            send(request[1], "holding")
            receive("release")
        return ("reply", len(state), state)


def test_a_gen_server_shows_its_callback_module_never_pyex():
    ok, server = GenServer.start(Stack, [1, 2, 3])
    eventually(lambda: info(server)["status"] == "waiting")
    details = info(server)
    assert details["initial_call"] == ("Stack", "init", 1)
    assert details["current_function"] == ("Stack", "init", 1)
    assert details["current_stacktrace"] == []
    GenServer.stop(server)


def test_a_gen_server_in_a_callback_shows_the_callback():
    ok, server = GenServer.start(Stack, [])
    me = self_pid()
    spawn(lambda: send(me, ("answer", GenServer.call(server, ("hold", me)))))
    receive("holding", timeout=5)
    eventually(lambda: info(server)["status"] == "waiting")
    details = info(server)
    assert details["current_function"] == ("Stack", "handle_call", 3)
    assert details["current_stacktrace"][0][:3] == ("Stack", "handle_call", 3)
    send(server, "release")
    assert receive(("answer", 0), timeout=5)
    GenServer.stop(server)


def test_no_pyex_frame_shows_for_any_process():
    ok, server = GenServer.start(Stack, [])
    child = spawn(receive, "never")
    eventually(lambda: info(child)["status"] == "waiting")
    for pid in processes():
        details = info(pid)
        if details is None:
            continue
        for _, _, _, (filename, _) in details["current_stacktrace"]:
            assert not filename.startswith(PYEX_DIR), (pid, details["current_stacktrace"])
    assert info(server)["current_function"][0] == "Stack"
    GenServer.stop(server)
    Process.exit(child, "kill")


def test_labels():
    assert info(self_pid())["label"] is None
    assert Process.get_label(self_pid()) is None
    me = self_pid()

    def labelled():
        Process.set_label(("worker", 1))
        send(me, "labelled")
        receive("never")

    child = spawn(labelled)
    receive("labelled", timeout=5)
    assert Process.get_label(child) == ("worker", 1)
    assert info(child)["label"] == ("worker", 1)
    Process.exit(child, "kill")
    wait_exit(child)
    assert Process.get_label(child) is None


def test_cpu_time_counts_the_process_not_its_reused_thread():
    me = self_pid()

    def burn():
        total = 0
        for i in range(3_000_000):
            total += i
        send(me, "burnt")
        receive("never")

    burner = spawn(burn)
    receive("burnt", timeout=20)
    used = info(burner)["cpu_time"]
    assert used > 0.01
    Process.exit(burner, "kill")
    wait_exit(burner)
    # The next process probably runs on the same thread: it starts from nothing.
    idle = spawn(lambda: (send(me, "idle"), receive("never")))
    receive("idle", timeout=5)
    assert info(idle)["cpu_time"] < used / 2
    Process.exit(idle, "kill")


def test_memory_grows_with_the_mailbox_and_a_servers_state():
    child = spawn(receive, "never")
    eventually(lambda: info(child)["status"] == "waiting")
    empty = info(child)["memory"]
    for n in range(50):
        send(child, ("message", n, "x" * 100))
    assert info(child)["memory"] > empty
    Process.exit(child, "kill")
    ok, small = GenServer.start(Stack, [])
    ok, big = GenServer.start(Stack, [str(n) * 1000 for n in range(20)])
    assert GenServer.call(big, "size") == 20
    assert info(big)["memory"] > info(small)["memory"] + 10_000
    GenServer.stop(small)
    GenServer.stop(big)


def test_info_is_none_exactly_when_not_alive():
    child = spawn(receive, "never")
    assert alive(child) and info(child) is not None
    Process.exit(child, "kill")
    wait_exit(child)
    assert not alive(child) and info(child) is None


def test_snapshot_samples_every_live_process():
    children = [spawn(receive, "never") for _ in range(20)]
    eventually(lambda: all(info(child)["status"] == "waiting" for child in children))
    send(children[0], "one")
    samples = {sample.pid: sample for sample in sample_all()}
    assert set(children) <= set(samples)
    assert self_pid() in samples
    first = samples[children[0]]
    assert first.message_queue_len == 1
    assert first.status == "waiting"
    assert first.current_function == ("pyex.runtime.mailbox", "receive", 1)
    assert first.memory == info(children[0])["memory"] or first.memory > 0
    for child in children:
        Process.exit(child, "kill")
    for child in children:
        wait_exit(child)
    assert not set(children) & {sample.pid for sample in sample_all()}


def test_a_sampler_sees_a_process_that_ran_between_samples():
    me = self_pid()

    def stepper():
        while True:
            step = receive()
            total = 0
            for i in range(step):
                total += i
            send(me, ("stepped", step))

    child = spawn(stepper)
    sampler = Sampler()
    eventually(lambda: info(child)["status"] == "waiting")
    before = next(s for s in sampler.sample() if s.pid == child)
    send(child, 2_000_000)
    receive(("stepped", 2_000_000), timeout=20)
    eventually(lambda: info(child)["status"] == "waiting")
    after = next(s for s in sampler.sample() if s.pid == child)
    assert after.cpu_time > before.cpu_time
    again = next(s for s in sampler.sample() if s.pid == child)
    assert again.cpu_time == after.cpu_time  # not run since: the same figure
    Process.exit(child, "kill")
