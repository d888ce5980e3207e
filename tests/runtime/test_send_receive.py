"""send, selective receive, timeouts and default, flush, per-sender order."""

from __future__ import annotations

import time

import pytest

from pyex import ANY, Exit, NotRegisteredError, Process, ReceiveTimeout, flush, info, receive, send, spawn
from pyex import self as self_pid
from tests.helpers import wait_exit

pytestmark = pytest.mark.timeout(30)


def test_send_returns_the_message_and_it_arrives():
    me = self_pid()
    message = ("hello", [1, 2])
    assert send(me, message) is message
    assert receive(timeout=1) == ("hello", [1, 2])


def test_receive_takes_messages_in_arrival_order():
    me = self_pid()
    for n in range(100):
        send(me, n)
    assert [receive(timeout=1) for _ in range(100)] == list(range(100))


def test_selective_receive_leaves_other_messages_in_order():
    # The reference transcript: {:a, 1}, {:b, 2}, {:a, 3}; receive {:b, x} -> x.
    me = self_pid()
    send(me, ("a", 1))
    send(me, ("b", 2))
    send(me, ("a", 3))
    assert receive(("b", ANY), timeout=1)[1] == 2
    assert receive(timeout=0) == ("a", 1)
    assert receive(timeout=0) == ("a", 3)
    assert receive(timeout=0, default="empty") == "empty"


def test_receive_with_several_patterns_takes_the_first_message_matching_any():
    me = self_pid()
    for message in ["x", 1, ("t", 2), 3.5, b"z"]:
        send(me, message)
    assert receive(float, tuple, timeout=0) == ("t", 2)
    assert receive(float, bytes, timeout=0) == 3.5
    assert [receive(timeout=0) for _ in range(3)] == ["x", 1, b"z"]


def test_receive_blocks_until_a_matching_message_arrives():
    me = self_pid()

    def sender():
        receive()  # wait for the go
        send(me, "noise")
        send(me, ("reply", 7))

    child = spawn(sender)
    send(child, "go")
    assert receive(("reply", int), timeout=5) == ("reply", 7)
    assert receive(timeout=5) == "noise"


def test_receive_skipped_messages_stay_before_later_arrivals():
    me = self_pid()
    send(me, "first")
    child = spawn(lambda: (receive(), send(me, "second"), send(me, "wanted")))
    send(child, "go")
    assert receive("wanted", timeout=5) == "wanted"
    assert receive(timeout=0) == "first"
    assert receive(timeout=0) == "second"


def test_timeout_zero_polls():
    started = time.monotonic()
    assert receive(timeout=0, default=None) is None
    assert time.monotonic() - started < 0.5
    send(self_pid(), "there")
    assert receive(timeout=0) == "there"


def test_timeout_returns_default_when_given():
    started = time.monotonic()
    assert receive("never", timeout=0.05, default="fallback") == "fallback"
    assert time.monotonic() - started >= 0.05
    assert receive(timeout=0.01, default=None) is None


def test_timeout_without_default_raises_receive_timeout():
    started = time.monotonic()
    with pytest.raises(ReceiveTimeout) as caught:
        receive(timeout=0.05)
    assert time.monotonic() - started >= 0.05
    assert isinstance(caught.value, TimeoutError)
    assert "0.05" in str(caught.value)


def test_timeout_keeps_unmatched_messages():
    me = self_pid()
    send(me, 1)
    send(me, 2)
    with pytest.raises(ReceiveTimeout):
        receive(str, timeout=0.02)
    assert receive(timeout=0) == 1
    assert receive(timeout=0) == 2


def test_infinite_timeout_is_accepted():
    me = self_pid()
    spawn(lambda: send(me, "late"))
    assert receive(timeout=float("inf")) == "late"


def test_a_message_sent_during_a_timed_receive_is_taken():
    me = self_pid()
    child = spawn(lambda: (receive(), send(me, "in time")))
    send(child, "go")
    assert receive(str, timeout=5) == "in time"


def test_sending_to_a_dead_pid_is_silently_dropped():
    dead = spawn(lambda: None)
    wait_exit(dead)
    message = {"lost": True}
    assert send(dead, message) is message


def test_sending_to_a_registered_name_reaches_its_process():
    Process.register(self_pid(), "inbox_owner")
    send("inbox_owner", "by name")
    assert receive(timeout=1) == "by name"


def test_sending_to_a_free_name_raises_naming_it():
    with pytest.raises(NotRegisteredError, match="'nobody_here'"):
        send("nobody_here", "x")
    assert receive(timeout=0, default="nothing lost") == "nothing lost"


def test_flush_prints_every_message_oldest_first_and_empties_the_mailbox(capsys):
    me = self_pid()
    send(me, ("a", 1))
    send(me, "text")
    send(me, [1, {"k": None}])
    receive("nothing", timeout=0, default=None)  # moves them into the saved queue
    send(me, 3)
    assert flush() is None
    assert capsys.readouterr().out == "('a', 1)\n'text'\n[1, {'k': None}]\n3\n"
    assert info(me)["message_queue_len"] == 0
    flush()
    assert capsys.readouterr().out == ""


def test_per_sender_order_is_kept():
    me = self_pid()

    def sender(tag):
        for n in range(2000):
            send(me, (tag, n))

    for tag in "abc":
        spawn(sender, tag)
    seen = {"a": [], "b": [], "c": []}
    for _ in range(6000):
        tag, n = receive(timeout=10)
        seen[tag].append(n)
    assert all(numbers == list(range(2000)) for numbers in seen.values())


def test_receive_none_as_a_message_is_distinct_from_default():
    send(self_pid(), None)
    assert receive(timeout=0, default="default") is None


def test_messages_left_behind_by_an_exiting_process_are_dropped():
    def sink():
        receive("never")

    child = spawn(sink)
    for n in range(10):
        send(child, n)
    ref = Process.monitor(child)
    Process.exit(child, "kill")
    assert receive(("DOWN", ref, ANY, ANY, ANY), timeout=5)[4] == "killed"
    send(child, "after")  # no error


def test_a_process_can_exit_while_others_wait_on_it():
    me = self_pid()

    def worker():
        request = receive()
        if request == "crash":
            raise Exit("asked to")
        send(me, "served")

    child = spawn(worker)
    ref = Process.monitor(child)
    send(child, "crash")
    assert receive(("DOWN", ref, ANY, ANY, ANY), timeout=5)[4] == "asked to"
