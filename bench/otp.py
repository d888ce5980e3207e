"""The OTP layer beside the usual choice: GenServer.call against Pykka's ask, same run.

- round trips: ``GenServer.call(server, n)`` to a server that replies ``n``,
  from the bench's own process, against ``actor_ref.ask(n)`` to a Pykka
  ``ThreadingActor`` whose ``on_receive`` returns ``n``. Both sides are
  measured alternately, best of ``RUNS`` each, so both see the same machine.
- the same on one core: the caller's, the server's and the actor's threads
  pinned to one CPU (``os.sched_setaffinity``), as ``taskset -c 0`` would.
- round trips beside the physical limit: two raw threads ping-ponging over
  ``queue.SimpleQueue``, measured alternately with the calls (goal: >= 1x).
- round trips from a caller with ``QUEUED`` messages waiting in its mailbox,
  beside another caller's with an empty one, asked in turn: a call's wait for
  its reply must not depend on the mailbox (Erlang's receive-marker
  optimisation).

Thread placement changes both figures a lot on a multi-core machine: on an
idle one the scheduler tends to put caller and server on different cores,
and every message then waits for a core to wake up, pyex's and Pykka's
alike (both near 20,000/s on a 2-core VM); on one core, pyex's handoff
(pyex/otp/handoff.py) is what makes the difference.
"""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from pyex import GenServer, Process, receive, send, spawn
from pyex import self as self_pid
from pyex.runtime.internal import snapshot

from .common import Result
from .runtime import raw_ping_pong

ROUND_TRIPS = 20_000
RUNS = 3
GOAL = 2.0  # x Pykka
RAW_GOAL = 1.0  # x two raw threads ping-ponging
QUEUED = 100_000
QUEUED_GOAL = 0.5  # x the rate with an empty mailbox (within 2x)
QUEUED_CALLS = 5_000  # calls a run, from each of the two mailboxes
QUEUED_RUNS = 5


class Echo(GenServer):
    """Replies with the request."""

    def init(self, arg: Any) -> Any:
        return ("ok", arg)

    def handle_call(self, request: Any, from_: Any, state: Any) -> Any:
        return ("reply", request, state)


def _genserver_rate(server: Any, n: int = ROUND_TRIPS) -> float:
    call = GenServer.call
    start = time.perf_counter()
    for i in range(n):
        call(server, i)
    return n / (time.perf_counter() - start)


def _pykka_rate(actor: Any, n: int = ROUND_TRIPS) -> float:
    ask = actor.ask
    start = time.perf_counter()
    for i in range(n):
        ask(i)
    return n / (time.perf_counter() - start)


def _alternate(ours: Callable[[], float], theirs: Callable[[], float]) -> tuple[float, float]:
    """Best of RUNS for each, measured alternately."""
    best_ours = best_theirs = 0.0
    for _ in range(RUNS):
        best_ours = max(best_ours, ours())
        best_theirs = max(best_theirs, theirs())
    return best_ours, best_theirs


def _native_id(ident: int | None) -> int | None:
    for thread in threading.enumerate():
        if thread.ident == ident:
            return thread.native_id
    return None


@contextmanager
def _pinned(native_ids: list[int | None]) -> Iterator[bool]:
    """Pin these threads to one CPU for the block (yields False where that is impossible)."""
    setaffinity = getattr(os, "sched_setaffinity", None)
    ids = [tid for tid in native_ids if tid is not None]
    if setaffinity is None or len(ids) != len(native_ids):
        yield False
        return
    saved = {tid: os.sched_getaffinity(tid) for tid in ids}
    cpu = min(os.sched_getaffinity(0))
    try:
        for tid in ids:
            setaffinity(tid, {cpu})
        yield True
    finally:
        for tid, mask in saved.items():
            try:
                setaffinity(tid, mask)
            except OSError:  # the thread is gone
                pass


def run() -> list[Result]:
    """GenServer.call round trips beside Pykka's ask, as scheduled and on one core."""
    try:
        import pykka
    except ImportError:
        print("  (Pykka is not installed: pip install -e '.[bench]' to compare with it)")
        pykka = None

    status, server = GenServer.start(Echo, None)
    assert status == "ok"
    actor = None
    if pykka is not None:

        class PykkaEcho(pykka.ThreadingActor):  # type: ignore[misc, name-defined]
            def on_receive(self, message: Any) -> Any:
                return message

        actor = PykkaEcho.start()
    results: list[Result] = []
    try:
        ours = lambda: _genserver_rate(server)  # noqa: E731
        # Warm both up (threads started, code paths taken).
        _genserver_rate(server, 2_000)
        rate, raw = _alternate(ours, raw_ping_pong)
        results.append(
            Result("GenServer.call round trips", rate, "/s", raw, "2 threads + SimpleQueue",
                   f">= {RAW_GOAL:g}x raw", rate >= RAW_GOAL * raw)
        )
        results.append(_queued(server))
        if actor is None:
            rate = max(ours() for _ in range(RUNS))
            results.append(Result("GenServer.call round trips", rate, "/s"))
            return results
        theirs = lambda: _pykka_rate(actor)  # noqa: E731
        _pykka_rate(actor, 2_000)
        rate, pykka_rate = _alternate(ours, theirs)
        results.append(_result("GenServer.call round trips", rate, pykka_rate))

        shot = snapshot(server)
        actor_threads = [t for t in threading.enumerate() if t.name.startswith("PykkaEcho-")]
        threads = [
            threading.get_native_id(),
            _native_id(shot.thread_ident if shot is not None else None),
            actor_threads[0].native_id if len(actor_threads) == 1 else None,
        ]
        with _pinned(threads) as pinned:
            if pinned:
                rate, pykka_rate = _alternate(ours, theirs)
                results.append(_result("GenServer.call round trips, one core", rate, pykka_rate))
        return results
    finally:
        if actor is not None:
            actor.stop()
        Process.exit(server, "kill")


def _caller(server: Any, queued: int) -> None:
    """A process that fills its own mailbox with ``queued`` messages, then times calls."""
    me = self_pid()
    for i in range(queued):
        send(me, ("queued", i))
    _genserver_rate(server, 100)  # the first call moves the queue aside once
    while True:
        request = receive(lambda m: m.__class__ is tuple and m[0] in ("rate", "stop"))
        if request[0] == "stop":
            return
        send(request[1], ("rate", queued, _genserver_rate(server, request[2])))


def _queued(server: Any) -> Result:
    """Call rate with QUEUED messages waiting in the caller's mailbox, beside an empty one.

    Two caller processes, one with an empty mailbox and one with QUEUED
    messages, are asked in turn (QUEUED_RUNS rounds, best of each), so that
    both see the same machine.
    """
    me = self_pid()
    callers = {n: spawn(_caller, server, n) for n in (0, QUEUED)}
    best = {0: 0.0, QUEUED: 0.0}
    try:
        for _ in range(QUEUED_RUNS):
            for n, caller in callers.items():
                send(caller, ("rate", me, QUEUED_CALLS))
                _, _, rate = receive(("rate", n, object))
                best[n] = max(best[n], rate)
    finally:
        for caller in callers.values():
            send(caller, ("stop",))
    empty, queued = best[0], best[QUEUED]
    return Result(
        f"GenServer.call, {QUEUED:,} messages queued",
        queued,
        "/s",
        empty,
        "same, empty mailbox",
        f">= {QUEUED_GOAL:g}x empty",
        queued >= QUEUED_GOAL * empty,
    )


def _result(name: str, rate: float, pykka_rate: float) -> Result:
    return Result(
        name,
        rate,
        "/s",
        pykka_rate,
        "Pykka ask",
        f">= {GOAL:g}x Pykka",
        rate >= GOAL * pykka_rate,
    )


if __name__ == "__main__":
    for result in run():
        print(result)
