"""Handing the GIL over after a request or a reply, and turning it off when it does not pay."""

from __future__ import annotations

import sys

import pytest

from pyex import GenServer
from pyex.otp import handoff

pytestmark = pytest.mark.timeout(30)


class Clock:
    """A fake monotonic clock; each yield takes ``cost`` seconds of it."""

    def __init__(self, cost):
        self.now = 1000.0
        self.cost = cost
        self.yields = 0

    def monotonic(self):
        return self.now

    def sched_yield(self):
        self.yields += 1
        self.now += self.cost


@pytest.fixture
def clock(monkeypatch):
    fake = Clock(cost=0.00001)
    monkeypatch.setattr(handoff, "_monotonic", fake.monotonic)
    monkeypatch.setattr(handoff, "_yield", fake.sched_yield)
    monkeypatch.setattr(handoff, "_thread", handoff._Thread())
    return fake


def test_cheap_handoffs_always_happen(clock):
    for _ in range(1000):
        handoff.hand_over()
    assert clock.yields == 1000


def test_one_slow_handoff_changes_nothing(clock):
    clock.cost = sys.getswitchinterval()  # a whole time slice, once
    handoff.hand_over()
    clock.cost = 0.00001
    for _ in range(100):
        handoff.hand_over()
    assert clock.yields == 101


def test_handoffs_that_keep_costing_stop_for_a_while(clock):
    clock.cost = sys.getswitchinterval()
    for _ in range(100):
        handoff.hand_over()
    stopped_after = clock.yields
    assert stopped_after < 10
    # While quiet: no handoff at all.
    clock.cost = 0.00001
    for _ in range(100):
        handoff.hand_over()
    assert clock.yields == stopped_after
    # After the quiet, they are tried again, and stay on while cheap.
    clock.now += handoff.QUIET_SECONDS
    for _ in range(100):
        handoff.hand_over()
    assert clock.yields == stopped_after + 100


def test_no_sched_yield_no_handoff(monkeypatch):
    monkeypatch.setattr(handoff, "_yield", None)
    handoff.hand_over()  # nothing happens, nothing fails

    class Echo(GenServer):
        def init(self, arg):
            return ("ok", arg)

        def handle_call(self, request, from_, state):
            return ("reply", request, state)

    status, pid = GenServer.start_link(Echo, None)
    assert [GenServer.call(pid, n) for n in range(100)] == list(range(100))
