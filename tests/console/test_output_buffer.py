"""Output a slow reader cannot keep up with: the oldest goes, counted, and order is kept."""

from __future__ import annotations

import threading

import pytest

from pyex.frontends.console.bridge import MAX_QUEUED_OUTPUT, _Outbox
from pyex.frontends.console.output_buffer import OutputBuffer

pytestmark = pytest.mark.timeout(30)


def test_the_oldest_output_is_dropped_and_counted_in_a_note_before_the_rest():
    buffer = OutputBuffer(10)
    buffer.add("12345")
    buffer.add("67890")
    assert not buffer.take().startswith("[pyex")
    for piece in ("aaaa", "bbbb", "cccc", "dddd"):
        buffer.add(piece)
    assert len(buffer) == 8
    assert buffer.take() == "[pyex: 8 characters of output dropped]\nccccdddd"
    assert not buffer and buffer.take() == ""
    buffer.add("x" * 50)  # one piece longer than the bound: all there is, kept whole
    assert buffer.take() == "x" * 50


class _GatedWriter:
    """A prompt process that reads nothing until the gate opens."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.gate = threading.Event()
        self.sent: list[dict] = []
        self.arrived = threading.Condition()
        self.closed = False

    def send_many(self, messages: list[dict]) -> bool:
        self.entered.set()
        assert self.gate.wait(10)
        with self.arrived:
            self.sent.extend(dict(message) for message in messages)
            self.arrived.notify_all()
        return not self.closed


def test_the_console_outbox_drops_the_oldest_output_and_keeps_its_order_with_other_messages():
    writer = _GatedWriter()
    outbox = _Outbox(writer)  # type: ignore[arg-type]
    outbox.output("first\n")
    assert writer.entered.wait(10)  # taken, and stuck in the write
    third = MAX_QUEUED_OUTPUT // 2 + 1
    outbox.output("a" * third)
    outbox.output("b" * third)
    outbox.send({"op": "result", "text": "done"})
    outbox.output("after\n")
    writer.gate.set()
    with writer.arrived:
        assert writer.arrived.wait_for(lambda: len(writer.sent) >= 4, timeout=10)
    assert writer.sent == [
        {"op": "output", "text": "first\n"},
        {"op": "output", "text": f"[pyex: {third} characters of output dropped]\n" + "b" * third},
        {"op": "result", "text": "done"},
        {"op": "output", "text": "after\n"},
    ]
    writer.closed = True
    outbox.send({"op": "exit"})  # its thread ends with the write that finds the reader gone
