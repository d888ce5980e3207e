"""A kill may land at any instant: the runtime's state stays whole.

A victim loops through every runtime operation that touches another process
(link, monitor, register, spawn_link, spawn_monitor, exit signals), and is
killed at random moments. Afterwards no half-made state may remain: links are
symmetric, no monitor or name points at the dead, and no process is stuck
between alive and dead.
"""

from __future__ import annotations

import random
import time

import pytest

from pyex import Pid, Process, alive, info, processes, receive, send, spawn, spawn_link, spawn_monitor
from pyex import self as self_pid
from pyex.runtime.node_state import NODE
from pyex.runtime.states import ALIVE
from tests.helpers import eventually, wait_down

pytestmark = pytest.mark.timeout(120)

NAME = "consistency_victim"


def peer():
    Process.flag("trap_exit", True)  # survives the victims linked to it
    while True:
        if receive() == "stop":
            return


def victim(parent, peers):
    send(parent, ("ready", self_pid()))
    n = 0
    while True:
        other = peers[n % len(peers)]
        Process.link(other)
        ref = Process.monitor(other)
        Process.register(self_pid(), NAME)
        spawn_link(receive, "never")
        child, child_ref = spawn_monitor(lambda: None)
        Process.exit(other, "normal")  # a trapping peer gets a message
        send(other, ("hello", n))
        Process.unregister(NAME)
        Process.demonitor(ref, flush=True)
        Process.unlink(other)
        n += 1


def check_whole(me, peers):
    """Every invariant that a half-made operation would break."""
    live = set(processes())
    for p in live:
        details = info(p)
        if details is None:
            continue
        for linked in details["links"]:
            assert linked in live, f"{p} is linked to the dead {linked}"
            other = info(linked)
            assert other is not None and p in other["links"], f"link {p} -> {linked} is one-way"
        for watcher in details["monitored_by"]:
            assert watcher in live, f"{p} is monitored by the dead {watcher}"
        for _, watched in details["monitors"]:
            if watched in live:
                assert p in info(watched)["monitored_by"], f"monitor {p} -> {watched} is one-way"
    for name in NODE.registry.registered():
        holder = Process.whereis(name)
        assert holder is not None and holder in live, f"{name!r} names the dead"
    assert Process.whereis(NAME) is None


@pytest.mark.slow
def test_random_kills_leave_the_runtime_whole():
    me = self_pid()
    rng = random.Random(1234)
    peers = [spawn(peer) for _ in range(3)]
    for _ in range(150):
        pid = spawn(victim, me, peers)
        receive(("ready", pid), timeout=5)
        time.sleep(rng.random() * 0.003)
        ref = Process.monitor(pid)
        Process.exit(pid, "kill")
        assert wait_down(ref) == "killed"
        assert Process.whereis(NAME) is None
        for p in peers:
            assert pid not in info(p)["links"]
            assert pid not in info(p)["monitored_by"]
    # Nothing is stuck half-way between alive and dead.
    eventually(lambda: all(proc.lifecycle is ALIVE for proc in NODE.table.live()), timeout=10)
    # The children of spawn_link died with their parents; spawn_monitor's ended.
    eventually(lambda: set(processes()) == {me, *peers}, timeout=10)
    check_whole(me, peers)
    for p in peers:
        assert alive(p)
        send(p, "stop")


@pytest.mark.slow
def test_random_kills_of_both_sides_of_links_and_monitors():
    me = self_pid()
    rng = random.Random(99)

    def pair_worker(parent):
        send(parent, ("ready", self_pid()))
        while True:
            other = receive(Pid)
            while True:
                try:
                    Process.link(other)
                except ProcessLookupError:
                    break
                ref = Process.monitor(other)
                Process.demonitor(ref, flush=True)
                Process.unlink(other)

    for _ in range(40):
        Process.flag("trap_exit", False)
        a, b = spawn(pair_worker, me), spawn(pair_worker, me)
        receive(("ready", a), timeout=5)
        receive(("ready", b), timeout=5)
        send(a, b)
        send(b, a)
        time.sleep(rng.random() * 0.002)
        refs = [Process.monitor(a), Process.monitor(b)]
        first, second = (a, b) if rng.random() < 0.5 else (b, a)
        Process.exit(first, "kill")
        Process.exit(second, "kill")
        assert [wait_down(ref) for ref in refs] == ["killed", "killed"]
    eventually(lambda: all(proc.lifecycle is ALIVE for proc in NODE.table.live()), timeout=10)
    check_whole(me, [])
    assert processes() == [me]
