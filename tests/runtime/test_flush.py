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


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_a_storm_of_interrupts_during_flush_shows_every_message_once():
    """Issue 8, item 5: an interrupt landing in flush() neither loses a message nor repeats it."""
    from tests.helpers import run_isolated

    out = run_isolated(
        """
        import io, sys, threading, time
        from types import SimpleNamespace
        from pyex import ANY, flush, receive, send, spawn
        from pyex import self as self_pid
        from pyex.runtime.internal import find, interrupt

        N = 20_000
        me = self_pid()
        shown = io.StringIO()
        length = sum(len(str(i)) + 1 for i in range(N))  # of everything shown
        flags = SimpleNamespace(armed=-1, stopped=False, fired=0, stuck=False)

        def receiver():
            receive('start')
            caught = 0
            while not flags.stopped:
                try:
                    while not flags.stopped:
                        flags.armed = caught  # every interrupt so far was caught
                        if shown.tell() < length:
                            flush()
                except KeyboardInterrupt:
                    caught += 1
            send(me, ('caught', caught))

        def storm(proc):
            deadline = time.monotonic() + 60
            while shown.tell() < length and time.monotonic() < deadline:
                if flags.armed == flags.fired and interrupt(proc):
                    flags.fired += 1
            while flags.armed != flags.fired:
                if time.monotonic() > deadline:
                    flags.stuck = True
                    break
                time.sleep(0)
            flags.stopped = True

        pid = spawn(receiver)
        for i in range(N):  # all queued first: flush() has plenty to show
            send(pid, i)
        stdout, sys.stdout = sys.stdout, shown
        sys.setswitchinterval(1e-5)
        thread = threading.Thread(target=storm, args=(find(pid),))
        thread.start()
        send(pid, 'start')
        _, caught = receive(('caught', ANY), timeout=80)
        thread.join()
        sys.stdout = stdout
        numbers = [int(line) for line in shown.getvalue().splitlines()]
        print('interrupts:', flags.fired, 'stuck:', flags.stuck, 'caught:', caught == flags.fired)
        print('each once, in order:', numbers == list(range(N)))
        print('missing:', sorted(set(range(N)) - set(numbers))[:5])
        print('repeated:', len(numbers) - len(set(numbers)))
        """,
        timeout=100,
    )
    assert "stuck: False caught: True" in out, out
    assert "missing: []" in out, out
    assert "repeated: 0" in out, out
    assert "each once, in order: True" in out, out
