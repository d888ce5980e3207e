"""No thread left behind; plain threads as processes; the runtime under a tracer."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import pytest

from pyex import ANY, Process, alive, processes, receive, send, spawn, spawn_monitor
from pyex import self as self_pid
from pyex.runtime import reaper, workers
from tests.helpers import eventually, is_down, wait_down, wait_exit, worker_threads

pytestmark = pytest.mark.timeout(60)


def all_idle():
    return workers.idle_count() == workers.thread_count()


# -- worker threads ---------------------------------------------------------------


def test_threads_return_to_the_pool_when_their_processes_end():
    me = self_pid()
    children = [spawn(lambda: (receive(), send(me, "bye"))) for _ in range(30)]
    assert workers.thread_count() >= 30
    for child in children:
        send(child, "go")
    for _ in children:
        receive("bye", timeout=10)
    eventually(all_idle)


def test_trim_idle_ends_every_idle_worker_thread():
    for _ in range(10):
        spawn(lambda: None)
    wait_exit(spawn(lambda: None))
    eventually(all_idle)
    workers.trim_idle()
    eventually(lambda: worker_threads() == [] and workers.thread_count() == 0)
    # The pool starts again on demand.
    _, ref = spawn_monitor(lambda: None)
    assert wait_down(ref) == "normal"


def test_idle_threads_exit_by_themselves_after_idle_seconds(monkeypatch):
    workers.trim_idle()
    eventually(lambda: worker_threads() == [])
    monkeypatch.setattr(workers, "IDLE_SECONDS", 0.05)
    refs = [spawn_monitor(lambda: None)[1] for _ in range(10)]
    for ref in refs:
        wait_down(ref)
    eventually(lambda: worker_threads() == [] and workers.thread_count() == 0)


def test_sequential_processes_reuse_threads():
    workers.trim_idle()
    eventually(lambda: worker_threads() == [])
    for _ in range(200):
        _, ref = spawn_monitor(lambda: None)
        wait_down(ref)
    # A process ends a moment after its DOWN is sent, so a few threads may
    # take turns; far fewer than 200 in any case.
    assert workers.thread_count() <= 8
    assert len(worker_threads()) <= 8


def test_no_thread_left_behind_after_processes_die_in_every_way():
    workers.trim_idle()
    eventually(lambda: worker_threads() == [])
    baseline = {t.ident for t in threading.enumerate()}
    me = self_pid()

    def busy():
        send(me, "busy")
        while True:
            pass

    def swallower():
        send(me, "swallowing")
        while True:
            try:
                receive("never")
            except BaseException:
                pass

    procs = [spawn(receive, "never") for _ in range(20)]
    procs += [spawn(Process.sleep, 60) for _ in range(20)]
    procs += [spawn(lambda: 1 / 0) for _ in range(5)]
    procs.append(spawn(busy))
    procs.append(spawn(swallower))
    receive("busy", timeout=5)
    receive("swallowing", timeout=5)
    refs = [Process.monitor(p) for p in procs]
    for p in procs:
        Process.exit(p, "kill")
    for ref in refs:
        wait_down(ref, timeout=10)
    eventually(lambda: reaper.watched() == 0)
    eventually(all_idle)
    workers.trim_idle()
    eventually(lambda: worker_threads() == [])
    # Only the runtime's own service threads may have appeared.
    new = [t for t in threading.enumerate() if t.ident not in baseline]
    assert all(t.name in ("pyex-waker", "pyex-reaper", "pyex-timers") for t in new), new


# -- plain threads are processes ---------------------------------------------------


def start_thread(body):
    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    return thread


def test_a_plain_thread_becomes_a_process_on_first_use():
    me = self_pid()
    release = threading.Event()
    thread = start_thread(lambda: (send(me, ("thread", self_pid())), release.wait(5)))
    _, thread_pid = receive(("thread", ANY), timeout=5)
    assert alive(thread_pid) and thread_pid in processes()
    release.set()
    thread.join(5)


def test_when_a_plain_thread_ends_its_process_exits_normal_and_tells_links_and_monitors():
    me = self_pid()
    release = threading.Event()
    Process.flag("trap_exit", True)

    def body():
        Process.link(me)
        Process.register(self_pid(), "thread_name")
        send(me, ("thread", self_pid()))
        release.wait(5)

    thread = start_thread(body)
    _, thread_pid = receive(("thread", ANY), timeout=5)
    ref = Process.monitor(thread_pid)
    release.set()
    thread.join(5)
    assert receive(("EXIT", thread_pid, ANY), timeout=5) == ("EXIT", thread_pid, "normal")
    assert receive(is_down(ref), timeout=5)[4] == "normal"
    assert not alive(thread_pid)
    assert Process.whereis("thread_name") is None


def test_a_plain_thread_that_raises_still_ends_its_process():
    me = self_pid()

    def body():
        send(me, ("thread", self_pid()))
        receive("go")
        raise RuntimeError("thread failed")

    original_hook = threading.excepthook
    threading.excepthook = lambda args: None  # keep the expected traceback out of the output
    try:
        thread = start_thread(body)
        _, thread_pid = receive(("thread", ANY), timeout=5)
        ref = Process.monitor(thread_pid)
        send(thread_pid, "go")
        thread.join(5)
        assert wait_down(ref) == "normal"
    finally:
        threading.excepthook = original_hook


def test_a_plain_thread_can_link_to_spawned_processes_and_be_taken_down():
    from pyex.runtime.errors import ProcessExit

    me = self_pid()
    outcome = []

    def body():
        try:
            child = spawn(lambda: (receive(), 1 / 0))
            Process.link(child)
            send(me, ("thread", self_pid(), child))
            receive("never")
        except ProcessExit as exc:
            outcome.append(exc)

    thread = start_thread(body)
    _, thread_pid, child = receive(("thread", ANY, ANY), timeout=5)
    ref = Process.monitor(thread_pid)
    send(child, "crash")
    assert isinstance(wait_down(ref), ZeroDivisionError)
    thread.join(5)
    assert not thread.is_alive() and len(outcome) == 1


# -- the runtime under a tracer (debuggers, coverage) ------------------------------------

_TRACED = textwrap.dedent(
    """
    import sys, threading

    def tracer(frame, event, arg):
        return tracer

    if "--threads" in sys.argv:
        threading.settrace(tracer)  # every new thread traced, as under coverage
    from pyex import Process, receive, self, send, spawn

    def busy(parent):
        send(parent, "up")
        while True:
            pass

    def swallower(parent):
        send(parent, "up")
        while True:
            try:
                receive("never")
            except BaseException:
                pass

    for body in (busy, swallower, busy):
        pid = spawn(body, self())
        ref = Process.monitor(pid)
        receive("up", timeout=10)
        Process.exit(pid, "kill")
        receive(lambda m: m[0] == "DOWN" and m[1] == ref, timeout=10)
    # The main thread now runs traced: a runtime that left CPython's "pending"
    # flag set makes every call spin for ever.
    sys.settrace(tracer)

    def f():
        return 1

    for _ in range(1000):
        f()
    me = self()
    spawn(lambda: send(me, "still fine"))
    print(receive(timeout=10))
    sys.settrace(None)
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("threads", [False, True], ids=["main-traced", "all-threads-traced"])
def test_the_runtime_works_under_a_tracer(threads):
    args = [sys.executable, "-c", _TRACED] + (["--threads"] if threads else [])
    result = subprocess.run(args, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "still fine"
