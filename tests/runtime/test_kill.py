"""Kill means kill: Process.exit(pid, 'kill') ends a process in any state within 100 ms.

Each state is measured over several kills, from Process.exit to the DOWN
message; the median must be under 100 ms (on an idle machine it is a few ms;
a loaded one gets three tries) and no single kill may take a second.
"""

from __future__ import annotations

import logging
import statistics
import threading
import time

import pytest

from pyex import Process, info, processes, receive, send, spawn, spawn_link, spawn_monitor
from pyex import self as self_pid
from pyex.runtime import reaper, workers
from pyex.runtime.errors import ProcessExit
from tests.helpers import eventually, wait_down, wait_exit

pytestmark = pytest.mark.timeout(60)

SAMPLES = 5
MEDIAN_LIMIT = 0.1
MAX_LIMIT = 1.0


def measure_kills(body, *, waiting=False, samples=SAMPLES, attempts=3):
    """Spawn ``body(parent)`` (which sends ('ready', self()) first), kill it, time the DOWN.

    A loaded machine may slow one round down: the median of any of
    ``attempts`` rounds of ``samples`` kills must be under the limit.
    """
    medians = []
    for _ in range(attempts):
        times = [kill_once(body, waiting) for _ in range(samples)]
        assert max(times) < MAX_LIMIT, times
        medians.append(statistics.median(times))
        if medians[-1] < MEDIAN_LIMIT:
            break
    assert min(medians) < MEDIAN_LIMIT, medians
    # Every killed process's code has unwound: none is left for the reaper.
    eventually(lambda: reaper.watched() == 0)


def kill_once(body, waiting):
    me = self_pid()
    pid = spawn(body, me)
    receive(("ready", pid), timeout=5)
    if waiting:
        eventually(lambda: info(pid)["status"] == "waiting")
    else:
        time.sleep(0.005)  # let it get into its loop (a kill before is fine too)
    ref = Process.monitor(pid)
    started = time.perf_counter()
    Process.exit(pid, "kill")
    reason = wait_down(ref, timeout=5)
    elapsed = time.perf_counter() - started
    assert reason == "killed"
    assert pid not in processes()
    assert info(pid) is None
    return elapsed


def ready(parent):
    send(parent, ("ready", self_pid()))


# -- the states ----------------------------------------------------------------


def test_kill_blocked_in_receive():
    def body(parent):
        ready(parent)
        receive("never")

    measure_kills(body, waiting=True)


def test_kill_blocked_in_receive_with_a_timeout():
    def body(parent):
        ready(parent)
        receive("never", timeout=60)

    measure_kills(body, waiting=True)


def test_kill_in_process_sleep():
    def body(parent):
        ready(parent)
        Process.sleep(60)

    measure_kills(body, waiting=True)


def test_kill_in_process_sleep_forever():
    def body(parent):
        ready(parent)
        Process.sleep(None)

    measure_kills(body, waiting=True)


def test_kill_trapping_exits():
    def body(parent):
        Process.flag("trap_exit", True)
        ready(parent)
        while True:
            receive()

    measure_kills(body, waiting=True)


def test_kill_a_pure_python_busy_loop():
    def body(parent):
        ready(parent)
        while True:
            pass

    measure_kills(body)


def test_kill_a_busy_loop_of_calls_and_arithmetic():
    def body(parent):
        ready(parent)
        total = 0
        while True:
            total = (total + len(str(total))) % 1000003

    measure_kills(body)


def test_kill_in_the_middle_of_sending():
    def body(parent):
        sink = spawn(receive, "never")
        ready(parent)
        n = 0
        while True:
            send(sink, ("data", n, [n]))
            n += 1

    measure_kills(body)


def test_kill_while_spawning():
    def body(parent):
        ready(parent)
        while True:
            spawn(lambda: None)

    measure_kills(body)


def test_kill_while_spawning_linked_children_takes_them_along():
    def body(parent):
        ready(parent)
        while True:
            spawn_link(receive, "never")

    measure_kills(body)
    # Every linked child died with its parent: none is left alive.
    eventually(lambda: len(processes()) == 1)


def test_kill_while_linking_monitoring_and_registering():
    def body(parent):
        ready(parent)
        other = spawn(receive, "never")
        n = 0
        while True:
            Process.link(other)
            ref = Process.monitor(other)
            Process.register(self_pid(), f"busy_{id(parent)}")
            Process.unregister(f"busy_{id(parent)}")
            Process.demonitor(ref)
            Process.unlink(other)
            n += 1

    measure_kills(body)


# -- processes that do not want to die ------------------------------------------


def test_kill_a_busy_loop_that_swallows_base_exception():
    def body(parent):
        ready(parent)
        while True:
            try:
                while True:
                    pass
            except BaseException:
                pass

    measure_kills(body)


def test_kill_a_receive_loop_that_swallows_base_exception():
    def body(parent):
        ready(parent)
        while True:
            try:
                receive("never")
            except BaseException:
                pass

    measure_kills(body, waiting=True)


def test_kill_a_sleep_loop_that_swallows_base_exception():
    def body(parent):
        ready(parent)
        while True:
            try:
                Process.sleep(10)
            except BaseException:
                pass

    measure_kills(body, waiting=True)


def test_kill_a_time_sleep_loop_that_swallows_base_exception():
    def body(parent):
        ready(parent)
        while True:
            try:
                time.sleep(0.001)
            except BaseException:
                pass

    measure_kills(body)


@pytest.mark.slow
def test_kill_nested_swallowers():
    # Handlers that swallow the exit, nested: the runtime finishes the process
    # for everyone else in time; its thread comes back once the code gives up.
    def body(parent):
        ready(parent)
        give_up = time.monotonic() + 1
        while time.monotonic() < give_up:
            try:
                while time.monotonic() < give_up:
                    try:
                        receive("never", timeout=0.001, default=None)
                    except BaseException:
                        continue
            except BaseException:
                continue

    measure_kills(body)


def test_kill_a_process_whose_finally_spins():
    def body(parent):
        ready(parent)
        try:
            receive("never")
        finally:
            while True:
                pass

    measure_kills(body, waiting=True)


@pytest.mark.slow
def test_kill_a_process_blocked_in_a_c_call_takes_effect_at_once_for_others(caplog):
    # Python cannot interrupt a blocking C call: the runtime finishes the
    # process for everyone else within its deadline, and the thread returns
    # to the pool when the call ends.
    release = threading.Event()
    me = self_pid()

    def stuck(parent):
        ready(parent)
        release.wait()

    child = spawn(stuck, me)
    receive(("ready", child), timeout=5)
    linked_watcher = spawn_link_watcher(child)
    ref = Process.monitor(child)
    with caplog.at_level(logging.WARNING, logger="pyex"):
        started = time.perf_counter()
        Process.exit(child, "kill")
        assert wait_down(ref) == "killed"
        elapsed = time.perf_counter() - started
        assert child not in processes()
        assert wait_down(linked_watcher) == "killed"
        # The warning is written by the runtime's log thread, never by the
        # enforcer itself (a user's handler could block it): it comes soon.
        eventually(lambda: any(str(child) in record.getMessage() for record in caplog.records))
    assert elapsed < MAX_LIMIT
    release.set()
    eventually(lambda: reaper.watched() == 0)


def spawn_link_watcher(target):
    """A process linked to ``target``; returns a monitor ref on it."""
    me = self_pid()

    def watcher():
        Process.link(target)
        send(me, "linked")
        receive("never")

    pid = spawn(watcher)
    receive("linked", timeout=5)
    return Process.monitor(pid)


# -- other ways to be killed -------------------------------------------------------


def test_kill_self():
    def body():
        receive("go")
        Process.exit(self_pid(), "kill")
        raise AssertionError("still alive")

    child, ref = spawn_monitor(body)
    send(child, "go")
    assert wait_down(ref) == "killed"


def test_kill_right_after_spawn():
    for _ in range(20):
        child = spawn(receive, "never")
        ref = Process.monitor(child)
        Process.exit(child, "kill")
        assert wait_down(ref) == "killed"


def test_kill_twice_gives_one_down():
    child = spawn(receive, "never")
    ref = Process.monitor(child)
    Process.exit(child, "kill")
    Process.exit(child, "kill")
    assert wait_down(ref) == "killed"
    send(self_pid(), "marker")
    assert receive(timeout=5) == "marker"


def test_other_exit_signals_also_end_a_busy_process():
    def body(parent):
        ready(parent)
        while True:
            pass

    me = self_pid()
    child = spawn(body, me)
    receive(("ready", child), timeout=5)
    ref = Process.monitor(child)
    Process.exit(child, "shutdown")
    assert wait_down(ref) == "shutdown"


# -- adopted threads ----------------------------------------------------------------


def adopted_thread(body):
    """Run ``body()`` in a plain thread that becomes a process; returns (pid, outcome list, thread)."""
    outcome = []
    started = threading.Event()
    pids = []

    def run():
        pids.append(self_pid())
        started.set()
        try:
            body()
            outcome.append("returned")
        except BaseException as exc:  # noqa: B036
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert started.wait(5)
    return pids[0], outcome, thread


@pytest.mark.parametrize(
    "body, waiting",
    [
        (lambda: receive("never"), True),
        (lambda: Process.sleep(60), True),
        (lambda: receive("never", timeout=60), True),
    ],
    ids=["receive", "sleep", "receive-timeout"],
)
def test_kill_an_adopted_thread_blocked_in_the_runtime(body, waiting):

    pid, outcome, thread = adopted_thread(body)
    eventually(lambda: info(pid)["status"] == "waiting")
    ref = Process.monitor(pid)
    started = time.perf_counter()
    Process.exit(pid, "kill")
    assert wait_down(ref) == "killed"
    thread.join(5)
    assert not thread.is_alive()
    assert time.perf_counter() - started < MAX_LIMIT
    assert len(outcome) == 1 and isinstance(outcome[0], ProcessExit)


def test_kill_an_adopted_busy_thread():

    stop = []

    def body():
        while not stop:
            pass

    pid, outcome, thread = adopted_thread(body)
    ref = Process.monitor(pid)
    Process.exit(pid, "kill")
    assert wait_down(ref) == "killed"
    thread.join(5)
    stop.append(True)
    assert not thread.is_alive()
    assert isinstance(outcome[0], ProcessExit)


def test_an_adopted_thread_that_survives_its_kill_becomes_a_new_process():

    results = []
    go = threading.Event()
    me = self_pid()

    def run():
        first = self_pid()
        send(me, ("first", first))
        try:
            receive("never")
        except ProcessExit:
            pass
        go.wait(5)
        send(me, "second message")
        results.append((first, self_pid(), receive(timeout=0, default="empty mailbox")))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    _, first = receive(("first", object), timeout=5)
    eventually(lambda: info(first)["status"] == "waiting")
    Process.exit(first, "kill")
    assert wait_exit(first) in ("killed", "noproc")
    go.set()
    assert receive(timeout=5) == "second message"
    thread.join(5)
    old, new, mailbox = results[0]
    assert old == first and new != first
    assert mailbox == "empty mailbox"


def test_the_killer_can_be_killed_while_killing():
    # A process killing others in a loop, itself killed: no target is left
    # marked as exiting without ever being told (a victim spawned but not yet
    # killed simply lives on).
    from pyex.runtime.node_state import NODE
    from pyex.runtime.states import ALIVE

    me = self_pid()

    def killer():
        send(me, "killing")
        while True:
            victim = spawn(receive, "never")
            Process.exit(victim, "kill")

    for _ in range(30):
        child = spawn(killer)
        receive("killing", timeout=5)
        time.sleep(0.001)
        Process.exit(child, "kill")
        wait_exit(child)
    eventually(lambda: all(proc.lifecycle is ALIVE for proc in NODE.table.live()), timeout=10)



def test_a_process_killed_in_its_last_c_call_settles_when_the_call_returns():
    # Killed while blocked in C, it is finished for everyone else at once;
    # when the call returns its code ends, and the exit still pending must not
    # be raised into the runtime's settling of it (again and again): the
    # thread comes back to the pool.
    def body(parent):
        ready(parent)
        time.sleep(0.3)

    me = self_pid()
    pid = spawn(body, me)
    receive(("ready", pid), timeout=5)
    ref = Process.monitor(pid)
    Process.exit(pid, "kill")
    assert wait_down(ref, timeout=5) == "killed"
    eventually(lambda: reaper.watched() == 0, timeout=5)
    eventually(lambda: workers.idle_count() == workers.thread_count(), timeout=5)


def test_a_kill_ends_a_loop_on_one_line():
    # ``while True: pass`` on one line jumps to itself: no line starts, no
    # call -- the kill still finds its safe point, and the code unwinds.
    me = self_pid()
    pid = spawn(lambda: (send(me, ("ready", self_pid())), exec("while True: pass")))
    receive(("ready", pid), timeout=5)
    ref = Process.monitor(pid)
    Process.exit(pid, "kill")
    assert wait_down(ref, timeout=5) == "killed"
    eventually(lambda: reaper.watched() == 0, timeout=5)
