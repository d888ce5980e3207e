"""Stress: many senders, long link chains, mass kills, thousands of processes.

Sized to finish in a few seconds on a loaded 2-core machine.
"""

from __future__ import annotations

import time

import pytest

from pyex import ANY, Exit, Pid, Process, info, processes, receive, send, spawn, spawn_link
from pyex import self as self_pid
from pyex.runtime import reaper, workers
from tests.helpers import eventually, is_down, wait_down, worker_threads

pytestmark = pytest.mark.timeout(120)


def test_many_concurrent_senders_keep_per_sender_order():
    me = self_pid()
    senders, count = 40, 500

    def sender(tag):
        receive("go")
        for n in range(count):
            send(me, (tag, n))

    pids = [spawn(sender, tag) for tag in range(senders)]
    for p in pids:
        send(p, "go")
    next_expected = [0] * senders
    for _ in range(senders * count):
        tag, n = receive(timeout=20)
        assert n == next_expected[tag], (tag, n, next_expected[tag])
        next_expected[tag] += 1
    assert next_expected == [count] * senders
    assert receive(timeout=0, default=None) is None


def test_many_senders_to_many_receivers():
    me = self_pid()
    receivers_n, senders_n, count = 8, 8, 200

    def receiver():
        seen = {}
        for _ in range(senders_n * count):
            sender, n = receive()
            assert seen.get(sender, -1) == n - 1
            seen[sender] = n
        send(me, ("ok", self_pid()))

    receivers = [spawn(receiver) for _ in range(receivers_n)]

    def sender():
        for n in range(count):
            for r in receivers:
                send(r, (self_pid(), n))

    for _ in range(senders_n):
        spawn(sender)
    oks = {receive(("ok", Pid), timeout=30)[1] for _ in receivers}
    assert oks == set(receivers)


@pytest.mark.slow
def test_a_chain_of_hundreds_of_links_dies_as_one():
    me = self_pid()
    length = 400

    def link_node(remaining):
        if remaining > 1:
            spawn_link(link_node, remaining - 1)
        else:
            send(me, ("tail", self_pid()))
        receive("crash")
        raise Exit(("chain", "broken"))

    head = spawn(link_node, length)
    _, tail = receive(("tail", Pid), timeout=30)
    assert len(processes()) >= length
    head_ref = Process.monitor(head)
    tail_ref = Process.monitor(tail)
    started = time.monotonic()
    send(tail, "crash")
    assert wait_down(tail_ref, timeout=30) == ("chain", "broken")
    # The far end's monitor gets DOWN with the reason.
    assert wait_down(head_ref, timeout=30) == ("chain", "broken")
    assert time.monotonic() - started < 20
    eventually(lambda: processes() == [me], timeout=20)


def test_killing_the_middle_of_a_chain_kills_both_ends_with_killed():
    me = self_pid()
    nodes = []

    def link_node(remaining):
        if remaining > 1:
            spawn_link(link_node, remaining - 1)
        send(me, ("node", self_pid()))
        receive("never")

    head = spawn(link_node, 200)
    for _ in range(200):
        nodes.append(receive(("node", Pid), timeout=30)[1])
    refs = [Process.monitor(nodes[0]), Process.monitor(nodes[-1])]
    Process.exit(nodes[100], "kill")
    assert [wait_down(ref, timeout=30) for ref in refs] == ["killed", "killed"]
    assert head in nodes
    eventually(lambda: processes() == [me], timeout=20)


@pytest.mark.slow
def test_thousands_of_processes():
    me = self_pid()
    count = 3000

    def worker(n):
        message = receive()
        send(me, (n, message * 2))

    pids = [spawn(worker, n) for n in range(count)]
    assert len(set(pids)) == count
    assert len(processes()) >= count
    for n, p in enumerate(pids):
        send(p, n)
    results = dict(receive(timeout=30) for _ in range(count))
    assert results == {n: 2 * n for n in range(count)}
    eventually(lambda: len(processes()) == 1, timeout=30)


@pytest.mark.slow
def test_mass_kill_of_thousands_of_blocked_processes():
    count = 2000
    pids = [spawn(receive, "never") for _ in range(count)]
    sleepers = [spawn(Process.sleep, 60) for _ in range(200)]
    refs = {Process.monitor(p) for p in pids + sleepers}
    started = time.monotonic()
    for p in pids + sleepers:
        Process.exit(p, "kill")
    reasons = []
    for _ in range(len(refs)):
        message = receive(("DOWN", ANY, "process", ANY, ANY), timeout=30)
        refs.discard(message[1])
        reasons.append(message[4])
    assert not refs
    assert set(reasons) == {"killed"}
    assert time.monotonic() - started < 30
    eventually(lambda: len(processes()) == 1, timeout=30)


@pytest.mark.slow
def test_kills_in_every_state_at_once():
    me = self_pid()

    def busy():
        send(me, "up")
        while True:
            pass

    def trapping():
        Process.flag("trap_exit", True)
        send(me, "up")
        while True:
            receive()

    def sleeping():
        send(me, "up")
        Process.sleep(60)

    def sending():
        sink = spawn_link(receive, "never")
        send(me, "up")
        while True:
            send(sink, [1, 2, 3])

    def spawning():
        send(me, "up")
        while True:
            spawn_link(lambda: receive("never"))

    def swallowing():
        send(me, "up")
        while True:
            try:
                receive("never")
            except BaseException:
                pass

    kinds = [busy, busy, sending, spawning, swallowing] + [trapping, sleeping] * 50
    pids = [spawn(kind) for kind in kinds]
    for _ in pids:
        receive("up", timeout=10)
    refs = [Process.monitor(p) for p in pids]
    for p in pids:
        Process.exit(p, "kill")
    assert [wait_down(ref, timeout=30) for ref in refs] == ["killed"] * len(pids)
    eventually(lambda: reaper.watched() == 0, timeout=10)
    eventually(lambda: len(processes()) == 1, timeout=20)


def test_spawn_and_exit_churn_leaves_nothing_behind():
    me = self_pid()
    rounds, width = 20, 100
    for _ in range(rounds):
        refs = [Process.monitor(spawn(lambda: send(me, "x"))) for _ in range(width)]
        for _ in range(width):
            receive("x", timeout=10)
        for ref in refs:
            receive(is_down(ref), timeout=10)
    assert processes() == [me]
    eventually(lambda: workers.idle_count() == workers.thread_count())
    assert info(me)["message_queue_len"] == 0


def test_threads_are_released_after_the_stress():
    eventually(lambda: workers.idle_count() == workers.thread_count(), timeout=20)
    workers.trim_idle()
    eventually(lambda: worker_threads() == [], timeout=20)
