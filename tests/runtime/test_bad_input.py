"""Bad input gets a clear error naming the problem, and loses nothing."""

from __future__ import annotations

import pytest

from pyex import (
    NotRegisteredError,
    Process,
    alive,
    info,
    make_ref,
    pid,
    processes,
    receive,
    send,
    spawn,
    spawn_link,
    spawn_monitor,
)
from pyex import self as self_pid
from tests.helpers import wait_exit


@pytest.fixture
def mailbox_kept():
    """Messages in the caller's mailbox before a failing call are still there after it."""
    me = self_pid()
    send(me, ("kept", 1))
    send(me, ("kept", 2))
    links_before = info(me)["links"]
    monitors_before = info(me)["monitors"]
    procs_before = set(processes())
    yield
    assert receive(timeout=0) == ("kept", 1)
    assert receive(timeout=0) == ("kept", 2)
    assert receive(timeout=0, default="empty") == "empty"
    assert info(me)["links"] == links_before
    assert info(me)["monitors"] == monitors_before
    assert set(processes()) == procs_before
    assert alive(me)


pytestmark = [pytest.mark.timeout(30), pytest.mark.usefixtures("mailbox_kept")]


@pytest.mark.parametrize("starter", [spawn, spawn_link, spawn_monitor])
@pytest.mark.parametrize("thing", [42, "not a function", None, [1, 2]])
def test_spawning_a_non_callable_is_a_type_error_saying_so(starter, thing):
    with pytest.raises(TypeError) as caught:
        starter(thing)
    message = str(caught.value)
    assert "callable" in message and repr(thing) in message


def test_spawning_a_missing_function_of_a_module_names_both():
    import math

    with pytest.raises(AttributeError, match="math has no function 'nope'"):
        spawn(math, "nope", [])


def test_spawning_a_non_callable_attribute_says_so():
    class Holder:
        value = 3

    with pytest.raises(TypeError, match="not callable"):
        spawn(Holder(), "value", [])


@pytest.mark.parametrize("dest", [42, 4.2, None, ("name",), b"bytes", make_ref()])
def test_sending_to_neither_a_pid_nor_a_name_is_a_type_error(dest):
    with pytest.raises(TypeError) as caught:
        send(dest, "message")
    assert "pid or a registered name" in str(caught.value)
    assert repr(dest) in str(caught.value)


def test_sending_to_a_free_name_names_it():
    with pytest.raises(NotRegisteredError, match="'ghost'"):
        send("ghost", "boo")


def test_a_pid_string_is_a_name_not_a_pid():
    with pytest.raises(NotRegisteredError, match=r"'#PID<0\.84\.0>'"):
        send("#PID<0.84.0>", "x")


@pytest.mark.parametrize("text", ["0.84", "#PID<x.y.z>", "pid", "0.84.0.0"])
def test_a_malformed_pid_string_is_a_value_error(text):
    with pytest.raises(ValueError, match="malformed pid"):
        pid(text)


@pytest.mark.parametrize(
    "call",
    [
        lambda: receive(timeout=-1),
        lambda: receive("x", timeout=-0.5),
        lambda: receive(timeout=float("nan")),
        lambda: Process.sleep(-1),
        lambda: Process.send_after(self_pid(), "x", -1),
    ],
    ids=["receive", "selective-receive", "nan", "sleep", "send_after"],
)
def test_a_negative_time_is_a_value_error(call):
    with pytest.raises(ValueError, match="non-negative number of seconds"):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: receive(timeout="1"),
        lambda: receive(timeout=True),
        lambda: Process.sleep("1"),
        lambda: Process.send_after(self_pid(), "x", "soon"),
    ],
    ids=["receive-str", "receive-bool", "sleep-str", "send_after-str"],
)
def test_a_time_that_is_not_a_number_is_a_type_error(call):
    with pytest.raises(TypeError, match="number of seconds"):
        call()


def test_send_after_an_infinite_delay_is_a_value_error():
    with pytest.raises(ValueError, match="finite"):
        Process.send_after(self_pid(), "x", float("inf"))


def test_send_after_to_neither_pid_nor_name_is_a_type_error():
    with pytest.raises(TypeError, match="pid or a registered name"):
        Process.send_after(42, "x", 1)


def test_registering_a_taken_name_is_a_value_error():
    holder = spawn(receive, "never")
    Process.register(holder, "bad_input_taken")
    with pytest.raises(ValueError, match="'bad_input_taken' is already registered"):
        Process.register(self_pid(), "bad_input_taken")
    Process.exit(holder, "kill")
    wait_exit(holder)


def test_registering_a_dead_pid_is_a_value_error():
    dead = spawn(lambda: None)
    wait_exit(dead)
    with pytest.raises(ValueError, match="is not alive"):
        Process.register(dead, "bad_input_dead")


@pytest.mark.parametrize("name, error", [(42, TypeError), (None, TypeError), ("", ValueError)])
def test_a_bad_name_is_rejected_everywhere(name, error):
    for call in (
        lambda: Process.register(self_pid(), name),
        lambda: Process.unregister(name),
        lambda: Process.whereis(name),
    ):
        with pytest.raises(error, match="registered name"):
            call()


def test_registering_something_that_is_not_a_pid_is_a_type_error():
    with pytest.raises(TypeError, match="register\\(\\) needs a pid"):
        Process.register("me", "name")


def test_unregistering_a_free_name_is_not_registered_error():
    with pytest.raises(NotRegisteredError, match="'never_held'"):
        Process.unregister("never_held")


@pytest.mark.parametrize(
    "call, what",
    [
        (lambda: info("#PID<0.84.0>"), "info()"),
        (lambda: Process.info(84), "info()"),
        (lambda: Process.alive("x"), "alive()"),
        (lambda: Process.exit("name", "kill"), "Process.exit()"),
        (lambda: Process.link("name"), "link()"),
        (lambda: Process.unlink(None), "unlink()"),
        (lambda: Process.monitor(42), "monitor()"),
    ],
    ids=["info-str", "info-int", "alive", "exit", "link", "unlink", "monitor"],
)
def test_a_non_pid_where_a_pid_is_needed_is_a_type_error_naming_the_call(call, what):
    with pytest.raises(TypeError) as caught:
        call()
    assert f"{what} needs a pid" in str(caught.value)


def test_demonitor_and_cancel_timer_need_a_ref():
    with pytest.raises(TypeError, match="needs a reference"):
        Process.demonitor("ref")
    with pytest.raises(TypeError, match="timer reference"):
        Process.cancel_timer(1)


def test_unknown_process_flag_and_bad_flag_value():
    with pytest.raises(ValueError, match="unknown process flag 'priority'"):
        Process.flag("priority", "high")
    with pytest.raises(TypeError, match="True or False"):
        Process.flag("trap_exit", 1)
    assert info(self_pid())["trap_exit"] is False


def test_process_is_a_namespace_not_a_class_to_instantiate():
    with pytest.raises(TypeError, match="namespace"):
        Process()


def test_linking_to_a_dead_pid_names_it_and_loses_nothing():
    dead = spawn(lambda: None)
    wait_exit(dead)
    with pytest.raises(ProcessLookupError, match=str(dead).replace(".", r"\.")):
        Process.link(dead)
