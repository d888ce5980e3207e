"""Process.sleep, Process.send_after and Process.cancel_timer.

The timer tests take the ``clock`` fixture (tests/conftest.py): a clock they
move by hand, so none waits for a timer or bounds how late one fires.
"""

from __future__ import annotations

import time

import pytest

from pyex import Process, Ref, receive, send, spawn
from pyex import self as self_pid
from pyex.runtime.internal import ManualClock
from tests.helpers import wait_exit

pytestmark = pytest.mark.timeout(30)


NOTHING = "nothing arrived"


def test_send_after_delivers_the_message_after_the_delay_and_not_before(clock):
    ref = Process.send_after(self_pid(), "tick", 0.05)
    assert isinstance(ref, Ref)
    clock.advance(0.049)
    assert receive(timeout=0, default=NOTHING) == NOTHING
    clock.advance(0.001)
    assert receive(timeout=0) == "tick"


def test_send_after_zero_delivers_without_the_clock_moving(clock):
    Process.send_after(self_pid(), "now", 0)
    assert receive(timeout=5) == "now"


def test_timers_fire_in_deadline_order(clock):
    me = self_pid()
    for name, delay in [("third", 0.3), ("first", 0.0), ("second", 0.15)]:
        Process.send_after(me, name, delay)
    clock.advance(0.15)
    assert [receive(timeout=0) for _ in range(2)] == ["first", "second"]
    assert receive(timeout=0, default=NOTHING) == NOTHING
    clock.advance(0.15)
    assert receive(timeout=0) == "third"


def test_timers_due_at_once_fire_in_the_order_they_were_set(clock):
    me = self_pid()
    for n in range(20):
        Process.send_after(me, n, 0.1)
    clock.advance(1)
    assert [receive(timeout=0) for _ in range(20)] == list(range(20))


def test_send_after_copies_the_message_when_called(clock):
    items = ["as sent"]
    Process.send_after(self_pid(), items, 0.01)
    items.append("changed later")
    clock.advance(0.01)
    assert receive(timeout=0) == ["as sent"]


def test_cancel_timer_returns_the_seconds_left_and_nothing_arrives(clock):
    ref = Process.send_after(self_pid(), "cancelled", 0.2)
    clock.advance(0.05)
    assert Process.cancel_timer(ref) == pytest.approx(0.15)
    clock.advance(1)  # well past the deadline: nothing comes
    assert receive(timeout=0, default=NOTHING) == NOTHING


def test_cancel_timer_twice_is_false_the_second_time(clock):
    ref = Process.send_after(self_pid(), "x", 10)
    assert Process.cancel_timer(ref) == 10
    assert Process.cancel_timer(ref) is False


def test_cancel_timer_after_it_fired_is_false(clock):
    ref = Process.send_after(self_pid(), "fired", 0)
    clock.advance(0)
    assert receive(timeout=0) == "fired"
    assert Process.cancel_timer(ref) is False


def test_cancel_timer_of_an_unknown_ref_is_false():
    from pyex import make_ref

    assert Process.cancel_timer(make_ref()) is False


def test_send_after_to_a_name_looks_it_up_when_it_fires(clock):
    Process.send_after("late_registered", "found you", 0.2)
    Process.register(self_pid(), "late_registered")
    clock.advance(0.2)
    assert receive(timeout=0) == "found you"


def test_send_after_to_a_free_name_is_dropped_when_it_fires(clock):
    me = self_pid()
    Process.send_after("nobody_at_all", "lost", 0)
    Process.send_after(me, "after", 0.02)
    clock.advance(0.02)
    assert receive(timeout=0) == "after"
    # The timer thread survived the failed delivery.
    Process.send_after(me, "still working", 0)
    clock.advance(0)
    assert receive(timeout=0) == "still working"


def test_send_after_to_a_dead_pid_is_dropped(clock):
    dead = spawn(lambda: None)
    wait_exit(dead)
    Process.send_after(dead, "lost", 0)
    Process.send_after(self_pid(), "fine", 0.01)
    clock.advance(0.01)
    assert receive(timeout=0) == "fine"


def test_a_timer_of_a_process_that_exited_still_fires(clock):
    # Timers belong to the runtime, not to the process that set them (as in Erlang
    # for a timer sent to another process).
    me = self_pid()
    wait_exit(spawn(lambda: Process.send_after(me, "from beyond", 0.02)))
    clock.advance(0.02)
    assert receive(timeout=0) == "from beyond"


def test_a_manual_clock_only_moves_forward():
    with pytest.raises(ValueError, match="only moves forward"):
        ManualClock().advance(-1)


def test_timers_keep_real_time_by_default():
    # Without a manual clock a timer fires on its own, no sooner than its delay.
    started = time.monotonic()
    Process.send_after(self_pid(), "tick", 0.05)
    assert receive(timeout=5) == "tick"
    assert time.monotonic() - started >= 0.05


# Process.sleep is not a timer: it keeps real time, and these bound it from below only.


def test_sleep_sleeps_at_least_that_long_and_messages_wait():
    me = self_pid()
    send(me, "before")
    started = time.monotonic()
    Process.sleep(0.05)
    assert time.monotonic() - started >= 0.05
    assert receive(timeout=0) == "before"


def test_sleep_is_not_ended_early_by_a_message():
    me = self_pid()
    Process.send_after(me, "during", 0.01)
    started = time.monotonic()
    Process.sleep(0.08)
    assert time.monotonic() - started >= 0.08
    assert receive(timeout=0) == "during"


def test_sleep_zero_returns_at_once():
    started = time.monotonic()
    Process.sleep(0)
    assert time.monotonic() - started < 0.5


def test_a_sleeping_process_shows_as_waiting():
    from pyex import info
    from tests.helpers import eventually

    child = spawn(Process.sleep, 10)
    eventually(lambda: info(child)["status"] == "waiting")
    Process.exit(child, "kill")
