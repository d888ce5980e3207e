"""Registered names: register, unregister, whereis, registered, sending by name."""

from __future__ import annotations

import threading

import pytest

from pyex import NotRegisteredError, Process, alive, info, processes, receive, send, spawn
from pyex import self as self_pid
from pyex.runtime import reaper
from tests.helpers import wait_exit

pytestmark = pytest.mark.timeout(30)


def idle():
    receive("never")


def test_register_whereis_registered_unregister():
    me = self_pid()
    assert Process.register(me, "test_registry_me") is True
    assert Process.whereis("test_registry_me") == me
    assert "test_registry_me" in Process.registered()
    assert info(me)["registered_name"] == "test_registry_me"
    assert Process.unregister("test_registry_me") is True
    assert Process.whereis("test_registry_me") is None
    assert "test_registry_me" not in Process.registered()
    assert info(me)["registered_name"] is None


def test_registered_is_sorted():
    names = ["zz_reg", "aa_reg", "mm_reg"]
    for name in names:
        Process.register(spawn(idle), name)
    listed = [name for name in Process.registered() if name.endswith("_reg")]
    assert listed == sorted(names)


def test_a_message_sent_to_a_name_reaches_the_holder():
    me = self_pid()

    def echo():
        send(me, ("echo", receive()))

    Process.register(spawn(echo), "echo_by_name")
    send("echo_by_name", "hi")
    assert receive(timeout=5) == ("echo", "hi")


def test_whereis_of_a_free_name_is_none():
    assert Process.whereis("never_registered") is None


def test_registering_a_taken_name_is_a_value_error_naming_both():
    holder = spawn(idle)
    Process.register(holder, "taken_name")
    with pytest.raises(ValueError) as caught:
        Process.register(self_pid(), "taken_name")
    assert "'taken_name'" in str(caught.value) and str(holder) in str(caught.value)
    assert Process.whereis("taken_name") == holder
    assert info(self_pid())["registered_name"] is None


def test_registering_a_dead_pid_is_a_value_error():
    dead = spawn(lambda: None)
    wait_exit(dead)
    with pytest.raises(ValueError, match="not alive"):
        Process.register(dead, "for_the_dead")
    assert Process.whereis("for_the_dead") is None


def test_a_process_has_at_most_one_name():
    Process.register(self_pid(), "first_name")
    with pytest.raises(ValueError, match="already registered as 'first_name'"):
        Process.register(self_pid(), "second_name")
    assert Process.whereis("second_name") is None


def test_unregistering_a_free_name_raises_naming_it():
    with pytest.raises(NotRegisteredError, match="'free_name'"):
        Process.unregister("free_name")


def test_a_name_is_freed_when_its_process_exits():
    child = spawn(lambda: receive())
    Process.register(child, "short_lived")
    ref = Process.monitor(child)
    send("short_lived", "end")
    receive(("DOWN", ref, "process", child, "normal"), timeout=5)
    assert Process.whereis("short_lived") is None
    assert "short_lived" not in Process.registered()
    with pytest.raises(NotRegisteredError, match="'short_lived'"):
        send("short_lived", "anyone?")
    # and it can be taken again
    Process.register(self_pid(), "short_lived")
    assert Process.whereis("short_lived") == self_pid()


def test_a_killed_holder_frees_its_name():
    child = spawn(idle)
    Process.register(child, "killed_holder")
    Process.exit(child, "kill")
    # Free from the moment the signal is delivered: no waiting needed.
    assert Process.whereis("killed_holder") is None
    with pytest.raises(NotRegisteredError):
        send("killed_holder", "x")
    Process.register(self_pid(), "killed_holder")
    wait_exit(child)
    # The old holder's exit does not take the name from its new holder.
    assert Process.whereis("killed_holder") == self_pid()


def test_whereis_send_and_register_while_the_holder_is_exiting(monkeypatch):
    # A holder that is slow to unwind (blocked in a C call) stays 'exiting' a
    # while: its name is free all that time.
    monkeypatch.setattr(reaper, "FORCE_AFTER", 30.0)
    release = threading.Event()
    me = self_pid()

    def stuck():
        send(me, "stuck")
        release.wait()  # a C-level wait: an exit signal lands only after it

    child = spawn(stuck)
    Process.register(child, "exiting_holder")
    receive("stuck", timeout=5)
    ref = Process.monitor(child)
    Process.exit(child, "kill")
    assert info(child) is None  # not alive any more, though still unwinding
    assert not alive(child) and child not in processes()
    assert Process.whereis("exiting_holder") is None
    assert "exiting_holder" not in Process.registered()
    with pytest.raises(NotRegisteredError):
        send("exiting_holder", "x")
    with pytest.raises(NotRegisteredError):
        Process.unregister("exiting_holder")
    Process.register(self_pid(), "exiting_holder")
    release.set()
    assert receive(("DOWN", ref, "process", child, "killed"), timeout=5)
    assert Process.whereis("exiting_holder") == self_pid()


def test_many_processes_race_for_one_name_and_one_wins():
    me = self_pid()

    def racer():
        receive("go")
        try:
            Process.register(self_pid(), "contested")
            send(me, ("won", self_pid()))
        except ValueError:
            send(me, ("lost", self_pid()))
        idle()

    racers = [spawn(racer) for _ in range(20)]
    for r in racers:
        send(r, "go")
    results = [receive(timeout=5) for _ in racers]
    winners = [p for outcome, p in results if outcome == "won"]
    assert len(winners) == 1
    assert Process.whereis("contested") == winners[0]
