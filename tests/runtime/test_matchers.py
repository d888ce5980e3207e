"""The one matcher of the runtime's own messages (DOWN, EXIT, replies) that every receive uses."""

from __future__ import annotations

import pytest

from pyex import ANY, Process, Ref, make_ref, pid, receive, send, spawn
from pyex import self as self_pid
from pyex.runtime.internal import (
    down_of,
    exit_from,
    is_down,
    is_exit,
    is_reply,
    reply_or_down,
)

pytestmark = pytest.mark.timeout(10)


class Grumpy:
    """An element whose == raises (or is not a bool): a matcher must never ask it."""

    def __eq__(self, other):
        raise RuntimeError("do not compare me")

    __hash__ = None


def test_a_real_down_matches_its_ref_by_identity_and_by_value():
    child = spawn(lambda: None)
    ref = Process.monitor(child)
    down = receive(down_of(ref), timeout=5)
    assert down[0] == "DOWN" and down[3] == child
    assert is_down(down, ref)
    same = Ref(ref.number)  # what a reference that went to another node comes back as
    assert same is not ref and is_down(down, same) and down_of(same)(down)
    assert is_down(down, ANY)
    assert not is_down(down, make_ref())


def test_shapes_that_are_not_a_down_or_an_exit_or_a_reply_do_not_match():
    ref = make_ref()
    me = self_pid()
    for message in [
        ("DOWN", ref),
        ("DOWN", ref, "process", me),
        ["DOWN", ref, "process", me, "normal"],
        ("EXIT", me),
        ("nope", ref, "process", me, "normal"),
        (ref, 1, 2),
        (Grumpy(), Grumpy()),
        ("DOWN", Grumpy(), "process", me, "normal"),
        ("EXIT", Grumpy(), "normal"),
        None,
    ]:
        assert not is_down(message, ref)
        assert not is_down(message, ANY) or message[1].__class__ is Ref
        assert not is_exit(message, me)
        assert not is_reply(message, ref)
        assert not reply_or_down(ref)(message)
        assert not exit_from(me)(message)


def test_exit_by_pid_by_an_equal_pid_and_by_anyone():
    me = self_pid()
    message = ("EXIT", me, "normal")
    assert is_exit(message, me) and exit_from(me)(message)
    assert pid(str(me)) is not me and is_exit(message, pid(str(me)))
    assert is_exit(message, ANY)
    assert not is_exit(message, spawn(lambda: None))


def test_reply_or_down_takes_the_reply_or_the_down_of_its_ref_only():
    ref, other = make_ref(), make_ref()
    me = self_pid()
    send(me, (other, "not mine"))
    send(me, ("DOWN", other, "process", me, "normal"))
    send(me, (Ref(ref.number), "mine"))
    assert receive(reply_or_down(ref), timeout=5) == (ref, "mine")
    send(me, ("DOWN", ref, "process", me, "boom"))
    assert receive(reply_or_down(ref), timeout=5)[4] == "boom"
    assert is_reply((other, 1), ANY) and not is_reply(("x", 1), ANY)
    assert receive(timeout=0) == (other, "not mine")
    assert receive(timeout=0)[1] == other
