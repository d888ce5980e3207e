"""The runtime beside the physical limit: raw threads and queue.SimpleQueue, same run.

- ping-pong: round trips between two processes vs two threads over SimpleQueue;
- one-way: messages a second from one process to another vs SimpleQueue;
- spawn: trivial processes started and ended vs threading.Thread start + join;
- 20,000 idle processes alive at once: time to spawn, KB each, time to kill all
  (until every one is gone: its DOWN received and ``info()`` None), beside
  20,000 raw threads started and ended the same way, before them (the
  kernel's cost of a thread grows with their number: on a busy 2-core VM the
  raw figures alone come near the goals).
"""

from __future__ import annotations

import gc
import queue
import threading
import time

from pyex import Process, info, receive, send, spawn, spawn_monitor
from pyex import self as self_pid

from .common import Result, rss_kb

PING_PONGS = 20_000
ONE_WAY = 500_000
SPAWNS = 5_000
IDLE_PROCESSES = 20_000
RUNS = 3


def raw_ping_pong(n: int = PING_PONGS) -> float:
    there: queue.SimpleQueue[int] = queue.SimpleQueue()
    back: queue.SimpleQueue[int] = queue.SimpleQueue()

    def pong() -> None:
        for _ in range(n):
            back.put(there.get())

    thread = threading.Thread(target=pong)
    thread.start()
    start = time.perf_counter()
    for i in range(n):
        there.put(i)
        back.get()
    elapsed = time.perf_counter() - start
    thread.join()
    return n / elapsed


def pyex_ping_pong(n: int = PING_PONGS) -> float:
    me = self_pid()

    def pong() -> None:
        for _ in range(n):
            send(me, receive())

    other = spawn(pong)
    start = time.perf_counter()
    for i in range(n):
        send(other, i)
        receive()
    return n / (time.perf_counter() - start)


def raw_one_way(n: int = ONE_WAY) -> float:
    channel: queue.SimpleQueue[int] = queue.SimpleQueue()
    done: queue.SimpleQueue[None] = queue.SimpleQueue()

    def consume() -> None:
        for _ in range(n):
            channel.get()
        done.put(None)

    threading.Thread(target=consume).start()
    start = time.perf_counter()
    for i in range(n):
        channel.put(i)
    done.get()
    return n / (time.perf_counter() - start)


def pyex_one_way(n: int = ONE_WAY) -> float:
    me = self_pid()

    def consume() -> None:
        for _ in range(n):
            receive()
        send(me, "done")

    other = spawn(consume)
    start = time.perf_counter()
    for i in range(n):
        send(other, i)
    receive()
    return n / (time.perf_counter() - start)


def _nothing() -> None:
    pass


def raw_spawn(n: int = SPAWNS) -> float:
    start = time.perf_counter()
    threads = []
    for _ in range(n):
        thread = threading.Thread(target=_nothing)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    return n / (time.perf_counter() - start)


def pyex_spawn(n: int = SPAWNS) -> float:
    """Spawn n trivial processes and wait (by monitor) until every one has ended."""
    start = time.perf_counter()
    for _ in range(n):
        spawn_monitor(_nothing)
    for _ in range(n):
        receive()
    return n / (time.perf_counter() - start)


def _alternate(raw: object, ours: object, runs: int = RUNS) -> tuple[float, float]:
    """Best of ``runs`` for each, measured alternately so both see the same machine."""
    best_raw = best_ours = 0.0
    for _ in range(runs):
        best_raw = max(best_raw, raw())  # type: ignore[operator]
        best_ours = max(best_ours, ours())  # type: ignore[operator]
    return best_raw, best_ours


def _idle() -> None:
    receive()


def raw_many_threads(n: int = IDLE_PROCESSES, in_flight: int = 16) -> tuple[float, float]:
    """The physical limit: start n threads blocked on a SimpleQueue each, then end them.

    Returns (seconds to start them all, seconds to end them all): each is sent
    its item, ``in_flight`` at a time (as pyex's waker does), and counts as
    gone once it has said so, just before its thread ends.
    """
    inboxes: list[queue.SimpleQueue[None]] = [queue.SimpleQueue() for _ in range(n)]
    done: queue.SimpleQueue[None] = queue.SimpleQueue()

    def idle(inbox: queue.SimpleQueue[None]) -> None:
        inbox.get()
        done.put(None)

    start = time.perf_counter()
    threads = [threading.Thread(target=idle, args=(inbox,), daemon=True) for inbox in inboxes]
    for thread in threads:
        thread.start()
    started = time.perf_counter() - start
    start = time.perf_counter()
    for i, inbox in enumerate(inboxes):
        if i >= in_flight:
            done.get()
        inbox.put(None)
    for _ in range(min(in_flight, n)):
        done.get()
    ended = time.perf_counter() - start
    for thread in threads:
        thread.join()
    return started, ended


def many_processes(n: int = IDLE_PROCESSES) -> list[Result]:
    raw_started, raw_ended = raw_many_threads(n)
    gc.collect()
    before = rss_kb()
    start = time.perf_counter()
    pids = []
    try:
        for _ in range(n):
            pids.append(spawn(_idle))
    except RuntimeError as exc:  # the system's threads ran out (another program holds many)
        for pid in pids:
            Process.exit(pid, "kill")
        print(f"  (only {len(pids):,} of {n:,} idle processes could start: {exc})")
        return [Result(f"spawn {n:,} idle processes", len(pids), "started", goal=f"{n:,}",
                       ok=False)]
    spawned = time.perf_counter() - start
    # Every process is alive and blocked in receive; count what they hold.
    after = rss_kb()
    per_process = (after - before) / n
    refs = [Process.monitor(pid) for pid in pids]
    start = time.perf_counter()
    for pid in pids:
        Process.exit(pid, "kill")
    for _ in refs:
        receive()
    gone = [pid for pid in pids if info(pid) is not None]
    while gone:  # a DOWN is sent as the exit finishes: info() must be None by then
        gone = [pid for pid in gone if info(pid) is not None]
    killed = time.perf_counter() - start
    return [
        Result(f"spawn {n:,} idle processes", spawned, "s", raw_started,
               f"{n:,} raw threads started", "< 10 s", spawned < 10),
        Result("memory per idle process", per_process, "KB", goal="< 40 KB", ok=per_process < 40),
        Result(f"kill {n:,} processes (all DOWN, info() None)", killed, "s", raw_ended,
               f"{n:,} raw threads ended, 16 at a time", "< 5 s", killed < 5),
    ]


def run() -> list[Result]:
    """Every runtime figure, each beside its raw counterpart."""
    results = []
    raw, ours = _alternate(raw_ping_pong, pyex_ping_pong)
    results.append(
        Result("ping-pong round trips", ours, "/s", raw, "2 threads + SimpleQueue",
               ">= 0.75x raw", ours / raw >= 0.75)
    )
    raw, ours = _alternate(raw_one_way, pyex_one_way)
    results.append(
        Result("one-way messages", ours, "/s", raw, "SimpleQueue put/get",
               ">= 0.4x raw", ours / raw >= 0.4)
    )
    raw, ours = _alternate(raw_spawn, pyex_spawn)
    results.append(
        Result("spawn trivial processes", ours, "/s", raw, "threading.Thread start+join",
               ">= 2x raw", ours / raw >= 2)
    )
    results.extend(many_processes())
    return results
