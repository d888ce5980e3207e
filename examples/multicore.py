"""CPU-bound work spread over several pyex nodes on one machine (one per core).

One pyex node runs Python on one core at a time (the interpreter lock); several
nodes, each an interpreter of its own, use several cores. This script starts
WORKERS nodes (``pyex --sname ...`` subprocesses), makes itself a node, and
farms chunks of a pure-Python computation out to them with ``rpc.call``, one
caller process per node:

    python examples/multicore.py            # as many workers as cores
    python examples/multicore.py 1          # for comparison: one worker
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time

from pyex import Node, receive, rpc, self, send, spawn

CHUNKS = 16
CHUNK_SIZE = 500_000


def count_primes(start: int, stop: int) -> int:
    """How many primes lie in [start, stop): plain Python, so it holds the GIL."""
    found = 0
    for n in range(max(start, 2), stop):
        if n % 2 == 0 and n != 2:
            continue
        d = 3
        while d * d <= n:
            if n % d == 0:
                break
            d += 2
        else:
            found += 1
    return found


def start_workers(count: int, cookie: str) -> list[tuple[str, subprocess.Popen[bytes]]]:
    """``count`` pyex nodes serving rpc.call until their stdin closes."""
    here = os.path.dirname(os.path.abspath(__file__))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([here, os.environ.get("PYTHONPATH", "")]))
    serve = "import sys; print('ready', flush=True); sys.stdin.read()"
    workers = []
    for _ in range(count):
        name = f"worker{secrets.token_hex(3)}"
        proc = subprocess.Popen(
            [sys.executable, "-m", "pyex", "--sname", name, "--cookie", cookie, "-c", serve],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
        )
        assert proc.stdout is not None
        proc.stdout.readline()  # 'ready'
        workers.append((f"{name}@{Node.self().split('@')[1]}", proc))
    return workers


def spread(nodes: list[str]) -> int:
    """Count the primes below CHUNKS * CHUNK_SIZE, the chunks shared out among ``nodes``."""
    me = self()
    chunks = [(i * CHUNK_SIZE // 10, (i + 1) * CHUNK_SIZE // 10) for i in range(CHUNKS)]

    def caller(node: str, mine: list[tuple[int, int]]) -> None:
        total = sum(rpc.call(node, "multicore", "count_primes", [a, b]) for a, b in mine)
        send(me, ("done", total))

    for k, node in enumerate(nodes):
        spawn(caller, node, chunks[k :: len(nodes)])
    return sum(receive(("done", int), timeout=600)[1] for _ in nodes)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else (os.cpu_count() or 2)
    cookie = secrets.token_hex(16)
    Node.start(f"boss{secrets.token_hex(3)}", cookie=cookie)
    workers = start_workers(count, cookie)
    try:
        started = time.perf_counter()
        primes = spread([node for node, _ in workers])
        elapsed = time.perf_counter() - started
        print(f"{primes} primes below {CHUNKS * CHUNK_SIZE // 10:,} on {count} node(s): "
              f"{elapsed:.2f} s")
    finally:
        for _, proc in workers:
            proc.kill()
        Node.stop()


if __name__ == "__main__":
    main()
