"""Share nothing: a message is what it was when sent."""

from __future__ import annotations

import collections
import socket
import threading

import pytest

from pyex import Shared, UncopyableError, make_ref, receive, send, spawn
from pyex import self as self_pid

pytestmark = pytest.mark.timeout(10)


def roundtrip(message):
    """Send ``message`` to self, mutate nothing, and take it back out."""
    send(self_pid(), message)
    return receive(timeout=1)


def test_a_list_mutated_after_sending_arrives_as_sent():
    items = [1, 2, [3]]
    send(self_pid(), items)
    items.append(4)
    items[2].append("inner")
    assert receive(timeout=1) == [1, 2, [3]]


def test_a_dict_a_set_and_nested_containers_arrive_as_sent():
    message = {"set": {1, 2}, "nested": {"list": [{"deep": []}]}, "tuple": (1, [2])}
    send(self_pid(), message)
    message["set"].add(3)
    message["nested"]["list"][0]["deep"].append("x")
    message["tuple"][1].append(3)
    message["new"] = True
    assert receive(timeout=1) == {"set": {1, 2}, "nested": {"list": [{"deep": []}]}, "tuple": (1, [2])}


def test_a_mutable_inside_a_tuple_is_copied():
    inner = []
    send(self_pid(), ("tag", inner))
    inner.append("later")
    _, received = receive(timeout=1)
    assert received == [] and received is not inner


class Account:
    def __init__(self, balance):
        self.balance = balance
        self.history = []

    def __eq__(self, other):
        return isinstance(other, Account) and (self.balance, self.history) == (
            other.balance,
            other.history,
        )


def test_a_custom_object_arrives_as_sent():
    account = Account(10)
    send(self_pid(), account)
    account.balance = 0
    account.history.append("emptied")
    received = receive(timeout=1)
    assert isinstance(received, Account)
    assert (received.balance, received.history) == (10, [])


def test_cycles_are_copied_with_their_shape():
    cycle = [1]
    cycle.append(cycle)
    shared = {"k": 1}
    message = {"a": shared, "b": shared, "cycle": cycle}
    received = roundtrip(message)
    assert received["cycle"][1] is received["cycle"]
    assert received["a"] is received["b"]
    assert received["a"] is not shared


def test_the_receiver_mutating_its_copy_does_not_touch_the_senders():
    me = self_pid()
    original = {"count": 0}

    def mutator():
        message = receive()
        message["count"] += 1
        send(me, message)

    child = spawn(mutator)
    send(child, original)
    assert receive(timeout=5) == {"count": 1}
    assert original == {"count": 0}


def test_each_receiver_gets_its_own_copy():
    me = self_pid()
    message = {"items": []}

    def appender(tag):
        got = receive()
        got["items"].append(tag)
        send(me, got)

    children = [spawn(appender, tag) for tag in "ab"]
    for child in children:
        send(child, message)
    results = sorted(receive(timeout=5)["items"] for _ in children)
    assert results == [["a"], ["b"]]
    assert message == {"items": []}


def test_immutable_values_arrive_equal_and_may_be_the_same_object():
    value = ("atom", 1, 2.5, "text", b"bytes", None, self_pid(), make_ref(), frozenset({1}))
    received = roundtrip(value)
    assert received == value
    assert received is value  # immutable: passed without copying


def test_functions_and_classes_pass_as_themselves():
    def fun():
        return 1

    assert roundtrip(fun) is fun
    assert roundtrip(Account) is Account
    assert roundtrip((fun, Account))[0] is fun


@pytest.mark.parametrize(
    "make, name",
    [
        (threading.Lock, "_thread.lock"),
        (threading.RLock, "_thread.RLock"),
        (lambda: (n for n in range(3)), "generator"),
        (lambda: open(__file__), "_io.TextIOWrapper"),
        (lambda: socket.socket(), "socket.socket"),
        (threading.Event, "threading.Event"),
    ],
    ids=["lock", "rlock", "generator", "file", "socket", "event"],
)
def test_an_uncopyable_object_is_refused_naming_its_type_and_shared(make, name):
    thing = make()
    try:
        with pytest.raises(UncopyableError) as caught:
            send(self_pid(), {"deep": [thing]})
        assert isinstance(caught.value, TypeError)
        assert name in str(caught.value) and "Shared(obj)" in str(caught.value)
        assert receive(timeout=0, default="nothing sent") == "nothing sent"
    finally:
        if hasattr(thing, "close"):
            thing.close()


def test_an_object_whose_copy_raises_is_refused_naming_its_type():
    class Stubborn:
        def __deepcopy__(self, memo):
            raise RuntimeError("no copies")

    with pytest.raises(UncopyableError, match="Stubborn.*no copies"):
        send(self_pid(), [Stubborn()])


def test_an_object_holding_a_lock_is_refused_naming_both():
    class Resource:
        def __init__(self):
            self.lock = threading.Lock()
            self.name = "db"

    with pytest.raises(UncopyableError, match=r"Resource.*_thread\.lock"):
        send(self_pid(), Resource())


def test_shared_hands_a_resource_over_by_reference_inside_any_message():
    lock = threading.Lock()
    items = [1]
    message = {"lock": Shared(lock), "items": items, "deque": collections.deque([items], maxlen=3)}
    send(self_pid(), message)
    items.append(2)
    received = receive(timeout=1)
    assert received["lock"].value is lock
    assert received["items"] == [1]
    assert received["deque"] == collections.deque([[1]]) and received["deque"].maxlen == 3
    assert received["deque"][0] is received["items"]


def test_a_bound_method_takes_a_copy_of_its_object():
    account = Account(10)
    send(self_pid(), account.__eq__)
    account.balance = 0
    method = receive(timeout=1)
    assert method.__self__ is not account and method.__self__.balance == 10
    assert method.__func__ is Account.__eq__


def test_refusing_a_send_after_happens_in_the_caller():
    from pyex import Process

    with pytest.raises(UncopyableError):
        Process.send_after(self_pid(), threading.Lock(), 0)
    assert receive(timeout=0.1, default="nothing") == "nothing"


def test_shared_passes_a_value_by_reference():
    items = [1]
    wrapper = Shared(items)
    received = roundtrip(wrapper)
    assert received is wrapper and received.value is items
