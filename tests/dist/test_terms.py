"""The external term format: strict encoding, exact round trips, and a real erl agreeing."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyex import Pid, make_ref
from pyex.dist.terms import Atom, Codec, ImproperList, NodeNames, RemoteRef, TermError

codec = Codec(NodeNames("py@testhost", 7))

atoms = st.text(max_size=40).filter(lambda s: s not in ("true", "false", "nil")).map(Atom)
scalars = st.one_of(
    atoms,
    st.text(max_size=30),
    st.binary(max_size=30),
    st.integers(min_value=-(2**300), max_value=2**300),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.builds(Pid, st.just(0), st.integers(0, 2**28), st.integers(0, 2**13)),
    st.builds(lambda _: make_ref(), st.none()),
)
keys = st.one_of(atoms, st.text(max_size=10), st.integers(-1000, 1000))
terms = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.lists(inner, max_size=5).map(tuple),
        st.dictionaries(keys, inner, max_size=5),
    ),
    max_leaves=25,
)


def same(a: Any, b: Any) -> bool:
    """Equal and of the same type, all the way down."""
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return bool(a == b)


def through_erlang(value: Any) -> Any:
    """What pyex expects back after Erlang re-encoded ``value``: bytes that are UTF-8 read as str."""
    if type(value) is bytes:
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value
    if isinstance(value, list):
        return [through_erlang(v) for v in value]
    if isinstance(value, tuple):
        return tuple(through_erlang(v) for v in value)
    if isinstance(value, dict):
        return {through_erlang(k): through_erlang(v) for k, v in value.items()}
    return value


@pytest.mark.slow
@given(terms)
@settings(max_examples=300, deadline=None)
def test_every_term_comes_back_as_the_same_python_type(value: Any) -> None:
    assert same(codec.decode(codec.encode(value))[0], value)


@pytest.mark.slow
@given(terms)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_real_erl_reads_and_rewrites_every_term(etf_echo, value: Any) -> None:
    back = codec.decode(etf_echo.echo(codec.encode(value)))[0]
    assert same(back, through_erlang(value)), (value, back)


@pytest.mark.slow
def test_erlang_specific_forms_round_trip_through_erl(etf_echo) -> None:
    ref = make_ref()
    for value in (ImproperList([Atom("alias")], ref), Atom("x" * 255), Atom("ü" * 255), 2**2100,
                  -(2**31), 2**31, (), tuple(range(300)), "é" * 70000):
        assert same(codec.decode(etf_echo.echo(codec.encode(value)))[0], value)


def test_a_remote_pid_and_ref_keep_their_node() -> None:
    other = Codec(NodeNames("other@host", 3))
    pid_there = Pid(0, 90, 1)
    ref_there = make_ref()
    pid_here, ref_here = codec.decode(other.encode((pid_there, ref_there)))[0]
    assert pid_here.node != 0 and (pid_here.serial, pid_here.creation) == (90, 1)
    assert isinstance(ref_here, RemoteRef)
    assert repr(pid_here) == f"#PID<{pid_here.node}.90.1>"
    # Sent back, they are the other node's own again.
    assert other.decode(codec.encode((pid_here, ref_here)))[0] == (pid_there, ref_there)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, [1, (2, math.nan)]])
def test_non_finite_floats_are_refused(bad: Any) -> None:
    with pytest.raises(TermError, match="no Erlang form"):
        codec.encode(bad)


def test_an_atom_longer_than_255_characters_is_refused() -> None:
    with pytest.raises(TermError, match="at most 255 characters"):
        codec.encode(Atom("a" * 256))


@pytest.mark.parametrize("bad", [{1, 2}, object(), 1j, frozenset()])
def test_a_value_with_no_erlang_form_raises_type_error_naming_it(bad: Any) -> None:
    with pytest.raises(TypeError, match=type(bad).__name__):
        codec.encode(bad)


@pytest.mark.parametrize("garbage", [b"", b"\x83", b"\x82a\x01", b"\x83l\x00\x00\x00\x05a\x01", b"\x83\xff"])
def test_garbage_is_refused_with_term_error(garbage: bytes) -> None:
    with pytest.raises(TermError):
        codec.decode(garbage)


def test_atom_is_a_str() -> None:
    assert Atom("ok") == "ok" and isinstance(Atom("ok"), str)
    assert codec.decode(codec.encode("ok"))[0].__class__ is str
    assert codec.decode(codec.encode(Atom("ok")))[0].__class__ is Atom
