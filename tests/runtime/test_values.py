"""Pids and references: the contract's section "Values"."""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys

import pytest

from pyex import Pid, Ref, make_ref, pid, spawn
from pyex import self as self_pid

pytestmark = pytest.mark.timeout(30)


# -- Pid --------------------------------------------------------------------


def test_pid_shows_as_iex_does():
    p = pid(0, 84, 0)
    assert repr(p) == "#PID<0.84.0>"
    assert str(p) == "#PID<0.84.0>"
    assert f"{p}" == "#PID<0.84.0>"
    assert repr([p]) == "[#PID<0.84.0>]"


@pytest.mark.parametrize("text", ["0.84.0", "#PID<0.84.0>", "<0.84.0>", " #PID<0.84.0> "])
def test_pid_parses_its_written_forms(text):
    assert pid(text) == Pid(0, 84, 0)


def test_pid_round_trips_through_its_repr():
    me = self_pid()
    assert pid(repr(me)) == me
    assert pid(str(me)) == me


def test_pid_of_a_pid_is_that_pid():
    me = self_pid()
    assert pid(me) is me


def test_pid_is_immutable():
    p = pid(0, 84, 0)
    with pytest.raises(AttributeError):
        p.serial = 85  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del p.node
    assert p == pid(0, 84, 0)


def test_pids_are_equal_and_hash_equal_by_their_numbers():
    a, b = pid(0, 84, 0), pid("0.84.0")
    assert a == b and not (a != b)
    assert hash(a) == hash(b)
    assert {a: 1}[b] == 1
    assert len({a, b, pid(0, 85, 0)}) == 2
    assert a != pid(0, 84, 1) and a != pid(1, 84, 0)


def test_a_pid_from_text_is_the_pid_of_the_running_process():
    child = spawn(lambda: None)
    assert pid(str(child)) == child
    assert hash(pid(str(child))) == hash(child)


def test_pid_is_not_equal_to_other_types():
    p = pid(0, 84, 0)
    assert p != "#PID<0.84.0>"
    assert p != (0, 84, 0)
    assert p != make_ref()


def test_pids_are_totally_ordered():
    pids = [pid(0, 90, 0), pid(0, 84, 0), pid(0, 84, 1), pid(1, 1, 0), pid(0, 100, 0)]
    assert sorted(pids) == [pid(0, 84, 0), pid(0, 84, 1), pid(0, 90, 0), pid(0, 100, 0), pid(1, 1, 0)]
    a, b = pid(0, 84, 0), pid(0, 85, 0)
    assert a < b and a <= b and b > a and b >= a
    assert a <= pid(0, 84, 0) and a >= pid(0, 84, 0)
    assert not (a < pid(0, 84, 0))
    assert max(pids) == pid(1, 1, 0)


def test_ordering_against_other_types_is_a_type_error():
    with pytest.raises(TypeError):
        pid(0, 1, 0) < 5  # noqa: B015


def test_pid_copies_and_pickles_as_itself():
    me = self_pid()
    assert copy.copy(me) is me
    assert copy.deepcopy(me) is me
    assert copy.deepcopy([me])[0] is me
    restored = pickle.loads(pickle.dumps(me))
    assert restored == me and hash(restored) == hash(me)


@pytest.mark.parametrize(
    "text",
    ["", "0.84", "0.84.0.1", "#PID<0.84>", "a.b.c", "0.-1.0", "0..0", "PID<0.84.0>x", "0.84.0 junk"],
)
def test_malformed_pid_text_is_a_value_error_naming_it(text):
    with pytest.raises(ValueError) as info:
        pid(text)
    message = str(info.value)
    assert "malformed pid" in message
    assert repr(text) in message


def test_negative_pid_number_is_a_value_error_naming_it():
    with pytest.raises(ValueError, match=r"second number is negative \(-5\)"):
        pid(0, -5, 0)


@pytest.mark.parametrize(
    "args, needle",
    [
        ((1.5, 2, 3), "first is 1.5"),
        ((0, "84", 0), "second is '84'"),
        ((0, 84, True), "third is True"),
        ((84,), "got 84 (int)"),
        ((None,), "got None"),
        ((0, 84), "got 2 arguments"),
        ((), "got 0 arguments"),
    ],
)
def test_wrong_pid_arguments_are_a_type_error_saying_what_is_expected(args, needle):
    with pytest.raises(TypeError) as info:
        pid(*args)
    assert needle in str(info.value)


# -- Ref --------------------------------------------------------------------


def test_make_ref_makes_unique_hashable_refs():
    refs = [make_ref() for _ in range(1000)]
    assert len(set(refs)) == 1000
    assert all(isinstance(ref, Ref) for ref in refs)
    first = refs[0]
    assert first == first and not (first != first)
    assert {first: "x"}[first] == "x"
    assert first != refs[1]


def test_ref_shows_as_iex_does():
    ref = make_ref()
    assert repr(ref).startswith("#Reference<") and repr(ref).endswith(">")
    numbers = repr(ref)[len("#Reference<") : -1].split(".")
    assert len(numbers) == 4 and all(n.isdigit() for n in numbers)
    assert str(ref) == repr(ref)


def test_refs_from_many_threads_are_unique():
    from pyex import receive, send

    me = self_pid()

    def maker():
        send(me, [make_ref() for _ in range(500)])

    for _ in range(8):
        spawn(maker)
    refs = [ref for _ in range(8) for ref in receive(timeout=10)]
    assert len(set(refs)) == 8 * 500


def test_ref_is_immutable_and_copies_as_itself():
    ref = make_ref()
    with pytest.raises(AttributeError):
        ref.number = 1  # type: ignore[misc]
    assert copy.deepcopy(ref) is ref
    assert pickle.loads(pickle.dumps(ref)) == ref


def test_ref_is_not_a_pid():
    ref = make_ref()
    assert ref != self_pid()
    assert not isinstance(ref, Pid)


# -- a fresh runtime is deterministic -----------------------------------------

_SCRIPT = """
from pyex import self, spawn, spawn_monitor, receive, make_ref
first = self()
pids = [spawn(lambda: None) for _ in range(3)]
pid, ref = spawn_monitor(lambda: None)
receive(lambda m: m[0] == 'DOWN', timeout=5)
print(first, pids, pid)
"""


@pytest.mark.slow
def test_a_fresh_runtime_hands_out_the_same_pids_every_run():
    runs = [
        subprocess.run(
            [sys.executable, "-c", _SCRIPT], capture_output=True, text=True, timeout=20, check=True
        ).stdout
        for _ in range(2)
    ]
    assert runs[0] == runs[1]
    assert runs[0].startswith("#PID<0.83.0> [#PID<0.84.0>, #PID<0.85.0>, #PID<0.86.0>] #PID<0.87.0>")
