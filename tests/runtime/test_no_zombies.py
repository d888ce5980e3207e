"""Issue 8, item 3: nothing arrives from a pid after its DOWN.

A killed process whose code swallows its exit around a C call is finished by
the reaper (DOWN and EXIT sent) while its thread runs on; from then on it may
not act: its sends, spawns, links and registrations raise its exit again.
"""

from __future__ import annotations

import time

import pytest

from pyex import Process, alive, processes, receive, send, spawn
from pyex import self as self_pid
from tests.helpers import drain, eventually

pytestmark = pytest.mark.timeout(60)


def _swallower(parent, action):
    """Sleeps in C past the reaper's deadline and swallows every exit, twice over, then acts."""
    n = 0
    while True:
        try:
            try:
                time.sleep(0.2)
            except BaseException:
                pass
            action(parent, n)
        except BaseException:
            pass
        n += 1


def _send(parent, n):
    send(parent, ("from the dead?", n))


def _spawn(parent, n):
    spawn(send, parent, ("spawned by the dead?", n))


def _register(parent, n):
    Process.register(spawn(receive), f"zombie_name_{n}")


@pytest.mark.slow
@pytest.mark.parametrize("action", [_send, _spawn, _register], ids=["send", "spawn", "register"])
def test_a_process_finished_by_the_reaper_acts_no_more(action):
    me = self_pid()
    victims = [spawn(_swallower, me, action) for _ in range(4)]
    refs = {Process.monitor(pid): pid for pid in victims}
    time.sleep(0.3)  # let them act while alive
    for pid in victims:
        Process.exit(pid, "kill")
    for _ in victims:
        receive(lambda m: m[0] == "DOWN" and m[1] in refs, timeout=10)
    before = set(processes())
    names_before = set(Process.registered())
    drain()  # what they sent while alive
    # Their threads run on for a while; nothing of theirs may show.
    late = []
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        message = receive(timeout=0.05, default=None)
        if message is not None:
            late.append(message)
    assert late == []
    assert not any(alive(pid) for pid in victims)
    assert set(Process.registered()) == names_before
    new = set(processes()) - before
    assert new == set(), f"processes started by the dead: {new}"


@pytest.mark.slow
def test_the_zombie_thread_unwinds_and_the_runtime_forgets_it():
    from pyex.runtime import hooks

    me = self_pid()
    pid = spawn(_swallower, me, _send)
    ref = Process.monitor(pid)
    time.sleep(0.05)
    Process.exit(pid, "kill")
    receive(lambda m: m[0] == "DOWN" and m[1] == ref, timeout=10)
    eventually(lambda: hooks.zombies == 0, timeout=20)
    drain()
