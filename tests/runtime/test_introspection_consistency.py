"""Issue 8, item 11: info(pid) is None exactly when alive(pid) is False, and a call's
reply wait does not depend on how many messages wait in the caller's mailbox."""

from __future__ import annotations

import time

import pytest

from pyex import GenServer, Process, alive, info, receive, send, spawn
from pyex import self as self_pid

pytestmark = pytest.mark.timeout(60)


def _stubborn():
    while True:
        try:
            time.sleep(0.001)
        except BaseException:
            pass


def test_info_is_none_once_alive_is_false_and_never_shows_exiting():
    pids = [spawn(_stubborn) for _ in range(10)]
    refs = [Process.monitor(pid) for pid in pids]
    for pid in pids:
        Process.exit(pid, "kill")
    pending = set(refs)
    while pending:
        for pid in pids:
            shown = info(pid)
            assert shown is None or shown["status"] != "exiting"
            if not alive(pid):
                assert info(pid) is None
        message = receive(lambda m: m[0] == "DOWN", timeout=0, default=None)
        if message is not None:
            pending.discard(message[1])
    assert all(info(pid) is None for pid in pids)


class Echo(GenServer):
    def init(self, arg):
        return ("ok", arg)

    def handle_call(self, request, from_, state):
        return ("reply", request, state)


@pytest.fixture
def looked_at(monkeypatch):
    """Every message a call's reply matcher is shown, in order."""
    from pyex.otp import calls

    seen = []
    matcher = calls.reply_or_down

    def counting(ref):
        match = matcher(ref)

        def counted(message):
            seen.append(message)
            return match(message)

        return counted

    monkeypatch.setattr(calls, "reply_or_down", counting)
    return seen


def test_a_call_from_a_crowded_mailbox_looks_at_no_message_older_than_its_request(looked_at):
    _, server = GenServer.start_link(Echo, None)
    me = self_pid()
    try:
        for i in range(10_000):
            send(me, ("queued", i))
        assert GenServer.call(server, "first") == "first"  # moves the queue aside once
        looked_at.clear()
        for i in range(100):
            assert GenServer.call(server, i) == i
        # Before: each call scanned all 10,000 queued messages again (8 ms a call
        # at 100,000); now only what arrived after its request.
        assert not any(m[0] == "queued" for m in looked_at), len(looked_at)
        # The queued messages are all there, in order, after the calls.
        for i in range(10_000):
            assert receive(timeout=1) == ("queued", i)
    finally:
        GenServer.stop(server)
    # A DOWN still ends a call made from a crowded mailbox.
    _, server = GenServer.start(Echo, None)
    for i in range(1000):
        send(me, ("queued", i))
    Process.exit(server, "kill")
    with pytest.raises(Exception):
        GenServer.call(server, "late", 5)
    for i in range(1000):
        assert receive(timeout=1) == ("queued", i)


class Slow(GenServer):
    def init(self, arg):
        return ("ok", arg)

    def handle_call(self, request, from_, state):
        receive(timeout=request, default=None)  # answers late
        return ("reply", request, state)


def test_a_call_that_times_out_in_a_crowded_mailbox_looks_at_no_older_message(looked_at):
    _, server = GenServer.start(Slow, None)
    me = self_pid()
    try:
        for i in range(10_000):
            send(me, ("queued", i))
        assert GenServer.call(server, 0) == 0  # moves the queue aside once
        looked_at.clear()
        with pytest.raises(Exception, match="timeout"):
            GenServer.call(server, 0.2, 0.01)
        # Before: the timed-out call's cleanup scanned all 10,000 queued messages.
        assert not any(m[0] == "queued" for m in looked_at), len(looked_at)
        for i in range(10_000):
            assert receive(timeout=1) == ("queued", i)
        assert receive(timeout=0, default=None) is None  # the late reply never lands
    finally:
        Process.exit(server, "kill")
