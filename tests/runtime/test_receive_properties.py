"""Property tests of selective receive: order kept, nothing lost, nothing duplicated.

The model is a plain list: receive(pattern) takes the first message, in arrival
order, that the pattern matches. A single sender's messages arrive in the order
sent, so the model holds whether they are all in the mailbox before the
receives start or arrive while the receiver is blocked.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyex import ANY, receive, send, spawn
from pyex import self as self_pid
from tests.helpers import drain, wait_exit

pytestmark = pytest.mark.timeout(120)

TAGS = "abcd"
# A message is (tag, serial number): unique, so duplicates and losses show.
messages_st = st.lists(st.sampled_from(TAGS), max_size=40).map(
    lambda tags: [(tag, n) for n, tag in enumerate(tags)]
)
# A pattern: a tag (matches (tag, ANY)), "*" (any message), or a set of tags.
pattern_st = st.one_of(
    st.sampled_from(TAGS),
    st.just("*"),
    st.sets(st.sampled_from(TAGS), min_size=1, max_size=3).map(frozenset),
)
patterns_st = st.lists(pattern_st, max_size=40)

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def to_receive_args(pattern, width=2):
    """receive()'s patterns for a model pattern, for messages of ``width`` elements."""
    if pattern == "*":
        return ()
    tags = sorted(pattern) if isinstance(pattern, frozenset) else [pattern]
    return tuple((tag,) + (ANY,) * (width - 1) for tag in tags)


def model_take(model, pattern):
    for index, (tag, _) in enumerate(model):
        if pattern == "*" or tag == pattern or (isinstance(pattern, frozenset) and tag in pattern):
            return model.pop(index)
    return None




def check_against_model(sent, patterns, timeout, all_arrived=lambda: None):
    model = list(sent)
    taken = []
    for pattern in patterns:
        expected = model_take(model, pattern)
        # Waiting for a message no pattern will ever match only costs time.
        wait = timeout if expected is not None or timeout == 0 else 0.01
        got = receive(*to_receive_args(pattern), timeout=wait, default=None)
        assert got == expected, (pattern, got, expected)
        if got is not None:
            taken.append(got)
    all_arrived()
    rest = drain()
    # Order kept: what is left is in arrival order, as in the model.
    assert rest == model
    # Nothing lost, nothing duplicated.
    everything = taken + rest
    assert sorted(everything, key=lambda m: m[1]) == sent
    assert len(set(everything)) == len(everything)


@pytest.mark.slow
@SETTINGS
@given(sent=messages_st, patterns=patterns_st)
def test_receive_from_a_full_mailbox_follows_the_model(sent, patterns):
    drain()
    me = self_pid()
    for message in sent:
        send(me, message)
    check_against_model(sent, patterns, timeout=0)


@pytest.mark.slow
@SETTINGS
@given(sent=messages_st, patterns=patterns_st, head=st.integers(0, 40))
def test_receive_while_messages_arrive_follows_the_model(sent, patterns, head):
    drain()
    me = self_pid()
    # Some messages are there before the receives start; the rest arrive from
    # another process while the receiver works, often while it is blocked.
    before, after = sent[:head], sent[head:]

    def sender():
        receive()  # start when told
        for message in before:
            send(me, message)
        send(me, "ready")
        receive()
        for message in after:
            send(me, message)
        receive()
        send(me, "done")  # after all the others, from the same sender

    def all_arrived():
        send(child, "are you done?")
        assert receive("done", timeout=5) == "done"

    child = spawn(sender)
    send(child, "go")
    assert receive("ready", timeout=5) == "ready"
    send(child, "go")
    check_against_model(before + after, patterns, timeout=5, all_arrived=all_arrived)
    wait_exit(child)


@SETTINGS
@given(
    batches=st.lists(st.lists(st.sampled_from(TAGS), max_size=15), min_size=1, max_size=4),
    patterns=patterns_st,
)
def test_with_many_senders_each_senders_order_is_kept(batches, patterns):
    drain()
    me = self_pid()
    # Message (tag, sender, n): sender's n-th message.
    per_sender = [[(tag, s, n) for n, tag in enumerate(tags)] for s, tags in enumerate(batches)]
    senders = [spawn(lambda msgs=msgs: [send(me, m) for m in msgs]) for msgs in per_sender]
    for child in senders:
        wait_exit(child)
    taken = []
    for pattern in patterns:
        got = receive(*to_receive_args(pattern, width=3), timeout=0, default=None)
        if got is not None:
            taken.append(got)
    rest = drain()
    everything = taken + rest
    assert sorted(everything) == sorted(m for msgs in per_sender for m in msgs)
    # What is left keeps each sender's order.
    for s in range(len(batches)):
        ns = [n for (_, sender, n) in rest if sender == s]
        assert ns == sorted(ns)
    # Messages of one sender and one tag are taken in the order sent.
    for s in range(len(batches)):
        for tag in TAGS:
            ns = [n for (t, sender, n) in taken if sender == s and t == tag]
            assert ns == sorted(ns)
