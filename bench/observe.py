"""Observing beside its floor, same run.

- a snapshot of 5,000 idle processes (a fresh one, and a live view's repeated
  one), beside the floor: reading every thread's stack once and every
  thread's CPU clock once, which any per-process CPU figure has to pay;
- a top() refresh (sample, rates, sort, the page the view shows) for 5,000;
- ping-pong with nothing traced, beside raw threads (tracing must cost
  nothing while off).
"""

from __future__ import annotations

import sys
import threading
import time

from pyex import Process, receive, spawn

from .common import Result
from .runtime import _alternate, pyex_ping_pong, raw_ping_pong

PROCESSES = 5_000
RUNS = 5


def _idle() -> None:
    receive()


def _best_ms(measure: object, runs: int = RUNS) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        measure()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best * 1000


def _floor(idents: list[int]) -> None:
    sys._current_frames()
    clock, clock_of = time.clock_gettime, time.pthread_getcpuclockid
    for ident in idents:
        clock(clock_of(ident))


def snapshots(n: int = PROCESSES) -> list[Result]:
    from pyex.runtime.introspection import Sampler, sample_all
    from pyex.shell.observer import TopModel

    pids = [spawn(_idle) for _ in range(n)]
    while sum(1 for info in map(Process.info, pids[-10:]) if info and info["status"] == "waiting") < 10:
        time.sleep(0.01)  # the last ones spawned are still starting
    idents = [thread.ident for thread in threading.enumerate() if thread.ident is not None]
    floor = _best_ms(lambda: _floor(idents))
    fresh = _best_ms(sample_all)
    sampler = Sampler()
    sampler.sample()
    steady = _best_ms(sampler.sample)
    model = TopModel()
    model.refresh()
    request = {"refresh": True, "sort": "cpu", "limit": 40}
    refresh = _best_ms(lambda: model.page(request))
    for pid in pids:
        Process.exit(pid, "kill")
    # The floor is what this machine charges right now for reading every
    # stack and every CPU clock once: on a loaded machine both grow alike.
    floor_name = "floor: every stack and CPU clock read once"
    return [
        Result(f"sample_all() of {n:,} processes", fresh, "ms", floor, floor_name,
               "<= 5x floor", fresh <= 5 * floor),
        Result(f"repeated sample of {n:,} (a live view)", steady, "ms", floor, floor_name,
               "<= 2x floor", steady <= 2 * floor),
        Result(f"top() refresh of {n:,} (sample, rates, sort, page)", refresh, "ms", floor,
               floor_name, "<= 3x floor, < 20 ms idle", refresh <= 3 * floor),
    ]


def _traced_elsewhere() -> float:
    """Ping-pong while another process is traced: every message takes the slow path."""
    bystander = spawn(_idle)
    Process.trace(bystander, True, ("send", "receive"))
    try:
        return pyex_ping_pong()
    finally:
        Process.trace(bystander, False, ("send", "receive"))
        Process.exit(bystander, "kill")


def run() -> list[Result]:
    """Observing's figures."""
    results = snapshots()
    raw, ours = _alternate(raw_ping_pong, pyex_ping_pong)
    results.append(
        Result("ping-pong, nothing traced", ours, "/s", raw, "2 threads + SimpleQueue",
               ">= 0.75x raw", ours / raw >= 0.75)
    )
    elsewhere = max(_traced_elsewhere() for _ in range(3))
    results.append(
        Result("ping-pong while another process is traced", elsewhere, "/s", ours,
               "nothing traced, same run")
    )
    return results
