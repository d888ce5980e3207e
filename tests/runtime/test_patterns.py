"""The pattern language of selective receive, as a user sees it through receive()."""

from __future__ import annotations

import pytest

from pyex import ANY, Pid, Ref, make_ref, receive, send
from pyex import self as self_pid

pytestmark = pytest.mark.timeout(10)


def takes(pattern, messages):
    """Send ``messages`` to self; return what receive(pattern) takes (or None) and the rest."""
    me = self_pid()
    for message in messages:
        send(me, message)
    taken = receive(pattern, timeout=0, default=None)
    rest = []
    while True:
        message = receive(timeout=0, default=StopIteration)
        if message is StopIteration:
            return taken, rest
        rest.append(message)


def test_any_matches_anything():
    assert takes(ANY, [None, 1]) == (None, [1])
    assert repr(ANY) == "ANY"


def test_a_type_matches_its_instances():
    assert takes(int, ["1", 2.0, 3]) == (3, ["1", 2.0])
    assert takes(Pid, ["x", self_pid()]) == (self_pid(), ["x"])
    assert takes(Exception, [1, KeyError("k")])[0].args == ("k",)


def test_a_predicate_is_called_with_the_message():
    assert takes(lambda m: isinstance(m, int) and m > 10, [5, 50, 500]) == (50, [5, 500])
    # Its result counts by truthiness.
    assert takes(lambda m: m and m[0], [[0], [], [7]]) == ([7], [[0], []])


def test_a_tuple_pattern_matches_element_by_element():
    assert takes(("ok", int), [("ok", "x"), ("error", 1), ("ok", 1)]) == (
        ("ok", 1),
        [("ok", "x"), ("error", 1)],
    )


def test_a_tuple_pattern_needs_the_same_length_and_type():
    assert takes(("a", ANY), [("a",), ("a", 1, 2), ["a", 1]]) == (None, [("a",), ("a", 1, 2), ["a", 1]])
    assert takes((ANY, ANY), [["a", 1], ("a", 1)]) == (("a", 1), [["a", 1]])
    assert takes((), [[], ()]) == ((), [[]])


def test_a_list_pattern_matches_only_lists():
    assert takes([1, ANY], [(1, 2), [1, 2]]) == ([1, 2], [(1, 2)])
    assert takes([], [(), []]) == ([], [()])


def test_patterns_nest():
    ref = make_ref()
    pattern = ("reply", ref, {"status": ("ok", int)}, [str, ANY])
    good = ("reply", ref, {"status": ("ok", 3), "extra": 1}, ["s", None])
    bad = [
        ("reply", make_ref(), {"status": ("ok", 3)}, ["s", None]),
        ("reply", ref, {"status": ("ok", "3")}, ["s", None]),
        ("reply", ref, {"state": ("ok", 3)}, ["s", None]),
        ("reply", ref, {"status": ("ok", 3)}, ["s"]),
    ]
    assert takes(pattern, bad + [good]) == (good, bad)


def test_a_dict_pattern_matches_a_dict_holding_those_keys():
    assert takes({"a": 1}, [{"b": 1}, {"a": 2}, {"a": 1, "b": 2}]) == (
        {"a": 1, "b": 2},
        [{"b": 1}, {"a": 2}],
    )
    assert takes({}, [[], {"any": "dict"}]) == ({"any": "dict"}, [[]])
    assert takes({"a": ANY}, [("a", 1), {"a": None}]) == ({"a": None}, [("a", 1)])


def test_anything_else_matches_by_equality():
    assert takes("stop", ["go", "stop"]) == ("stop", ["go"])
    assert takes(3, [4, 3.0]) == (3.0, [4])
    ref = make_ref()
    assert takes(ref, [make_ref(), ref])[0] == ref
    assert takes(None, [0, None]) == (None, [0])


def test_several_patterns_match_if_any_does():
    me = self_pid()
    for message in ["a", 1, ("t",)]:
        send(me, message)
    assert receive(("t",), 1, timeout=0) == 1
    assert receive(("t",), 1, timeout=0) == ("t",)
    assert receive(ANY, "never", timeout=0) == "a"


def test_a_message_whose_equality_raises_does_not_match():
    class Touchy:
        def __eq__(self, other):
            raise RuntimeError("do not compare me")

        __hash__ = object.__hash__

    touchy = Touchy()
    taken, rest = takes("value", [touchy, "value"])
    assert taken == "value"
    assert len(rest) == 1 and isinstance(rest[0], Touchy)


def test_a_predicate_that_raises_propagates_and_loses_no_message():
    me = self_pid()
    send(me, "first")
    send(me, "second")

    def boom(message):
        if message == "second":
            raise ValueError("bad predicate")
        return False

    with pytest.raises(ValueError, match="bad predicate"):
        receive(boom, timeout=0)
    assert receive(timeout=0) == "first"
    assert receive(timeout=0) == "second"


def test_a_class_used_as_a_value_is_still_a_type_pattern():
    # Types are patterns of their instances, so to wait for a class itself use a predicate.
    send(self_pid(), int)
    assert receive(int, timeout=0, default="no") == "no"
    assert receive(lambda m: m is int, timeout=0) is int


def test_refs_and_pids_match_by_equality_inside_tuples():
    ref = make_ref()
    me = self_pid()
    send(me, ("DOWN", make_ref(), "process", me, "normal"))
    send(me, ("DOWN", ref, "process", me, "normal"))
    assert receive(("DOWN", ref, "process", me, ANY), timeout=0)[1] == ref
    assert isinstance(receive(("DOWN", Ref, ANY, Pid, ANY), timeout=0)[1], Ref)
