"""Issue 8, item 6: flush() prints every message, even one whose repr raises, and empties the mailbox."""

from __future__ import annotations

import pytest

from pyex import flush, receive, send
from pyex import self as self_pid

pytestmark = pytest.mark.timeout(30)


class BadRepr:
    def __repr__(self) -> str:
        raise ValueError("no repr for you")


def test_flush_prints_a_placeholder_for_a_raising_repr_and_every_other_message(capsys):
    me = self_pid()
    send(me, "before")
    send(me, BadRepr())
    send(me, ("after", 1))
    flush()
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "'before'",
        "<unprintable BadRepr object: ValueError: no repr for you>",
        "('after', 1)",
    ]
    assert receive(timeout=0, default="empty") == "empty"


def test_flush_keeps_order_with_messages_skipped_by_a_selective_receive(capsys):
    me = self_pid()
    for item in ["a", BadRepr(), "b", "wanted", "c"]:
        send(me, item)
    assert receive("wanted", timeout=1) == "wanted"
    flush()
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "'a'" and out[1].startswith("<unprintable BadRepr") and out[2:] == ["'b'", "'c'"]
    assert receive(timeout=0, default="empty") == "empty"
