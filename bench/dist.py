"""Distribution beside the BEAM's own, measured in the same run on the same machine.

- round trips erl <-> erl: an erl process sends ``{self(), N}`` to an echo process
  on another erl node and waits for the answer, timed inside erl (the limit);
- round trips pyex <-> erl: a pyex process does the same with that echo process;
- round trips pyex <-> pyex: the same with an echo process on another pyex node;
- one-way pyex -> erl: small messages to a counting erl process, until it answers
  how many it got;
- CPU-bound work spread over 2 pyex nodes against the same work on 1 (rpc.call of a
  pure-Python loop, in chunks, from one caller process per node).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from typing import Any

from pyex import Atom, Node, Pid, receive, rpc, self, send, spawn

from .common import Result

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tests"))

from dist.peers import Epmd, ErlNode, PyexNode, random_cookie, random_name  # noqa: E402

ROUND_TRIPS = 20_000
ONE_WAY = 200_000
RUNS = 3
CHUNKS = 8
CHUNK_WORK = 1_500_000

# Compiled on the erl nodes (erl_eval's interpreted receive would be the bottleneck).
BEAM_MODULE = """
-module(bench_peer).
-export([echo/0, count/1, drive/2]).
echo() -> receive {From, M} -> From ! {echo, M}, echo() end.
count(N) -> receive {done, From} -> From ! {count, N}, count(0); _ -> count(N + 1) end.
drive(P, N) ->
    loop(P, 100),
    T0 = erlang:monotonic_time(microsecond),
    loop(P, N),
    T1 = erlang:monotonic_time(microsecond),
    N * 1000000 / (T1 - T0).
loop(_, 0) -> ok;
loop(P, I) -> P ! {self(), I}, receive {echo, _} -> loop(P, I - 1) end.
"""


def _load_module(node: ErlNode, folder: str) -> None:
    path = os.path.join(folder, "bench_peer.erl")
    with open(path, "w") as f:
        f.write(BEAM_MODULE)
    node.eval(f'{{ok, M, B}} = compile:file("{path}", [binary]), '
              f'{{module, M}} = code:load_binary(M, "{path}", B), ok.')


def _erl_rate(driver: ErlNode, target: ErlNode, n: int) -> float:
    out = driver.eval(
        f"P = rpc:call('{target.node}', erlang, whereis, [bench_echo]), bench_peer:drive(P, {n})."
    )
    return float(out)


def _pyex_rate(echo: Pid, n: int) -> float:
    me = self()
    for i in range(100):
        send(echo, (me, i))
        receive()
    start = time.perf_counter()
    for i in range(n):
        send(echo, (me, i))
        receive()
    return n / (time.perf_counter() - start)


def _one_way(node: str, n: int) -> float:
    me = self()
    target = ("bench_count", node)
    start = time.perf_counter()
    for i in range(n):
        send(target, i)
    send(target, (Atom("done"), me))
    _, count = receive(timeout=120)
    elapsed = time.perf_counter() - start
    assert count == n, count
    return n / elapsed


def _work(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def _spread(nodes: list[str]) -> float:
    """Seconds to run CHUNKS chunks of _work spread over ``nodes`` (one caller per node)."""
    me = self()
    per_node = CHUNKS // len(nodes)

    def caller(node: str) -> None:
        for _ in range(per_node):
            rpc.call(node, "bench.dist", "_work", [CHUNK_WORK])
        send(me, "done")

    start = time.perf_counter()
    for node in nodes:
        spawn(caller, node)
    for _ in nodes:
        receive("done", timeout=600)
    return time.perf_counter() - start


def run() -> list[Result]:
    epmd = Epmd()
    os.environ["ERL_EPMD_PORT"] = str(epmd.port)
    cookie = random_cookie()
    peers: list[Any] = []
    try:
        erl_a, erl_b = ErlNode(epmd, cookie), ErlNode(epmd, cookie)
        peers += [erl_a, erl_b]
        env = {"PYTHONPATH": os.pathsep.join([os.getcwd(), os.path.join(os.getcwd(), "tests")])}
        os.environ.update(env)
        py_a, py_b = PyexNode(epmd, cookie), PyexNode(epmd, cookie)
        peers += [py_a, py_b]
        Node.start(random_name("bench"), cookie=cookie)
        folder = tempfile.mkdtemp(prefix="pyex-bench-")
        for node in (erl_a, erl_b):
            _load_module(node, folder)
        erl_b.eval("register(bench_echo, spawn(bench_peer, echo, [])), "
                   "register(bench_count, spawn(bench_peer, count, [0])), ok.")

        erl_erl = max(_erl_rate(erl_a, erl_b, ROUND_TRIPS) for _ in range(RUNS))
        erl_echo = rpc.call(erl_b.node, "erlang", "whereis", [Atom("bench_echo")])
        pyex_erl = max(_pyex_rate(erl_echo, ROUND_TRIPS) for _ in range(RUNS))
        send(("echo", py_a.node), (self(), 0))
        receive()
        py_echo = rpc.call(py_a.node, "pyex", "Process.whereis", ["echo"])
        pyex_pyex = max(_pyex_rate(py_echo, ROUND_TRIPS) for _ in range(RUNS))
        one_way = max(_one_way(erl_b.node, ONE_WAY) for _ in range(RUNS))

        one = min(_spread([py_a.node]) for _ in range(2))
        two = min(_spread([py_a.node, py_b.node]) for _ in range(2))
        speedup = one / two
    finally:
        Node.stop()
        for peer in peers:
            peer.stop()
        epmd.stop()
    return [
        Result("round trips erl <-> erl (the limit)", erl_erl, "/s"),
        Result("round trips pyex <-> erl", pyex_erl, "/s", erl_erl, "erl <-> erl",
               ">= 0.5x erl<->erl", pyex_erl >= 0.5 * erl_erl),
        Result("round trips pyex <-> pyex", pyex_pyex, "/s", erl_erl, "erl <-> erl",
               ">= 0.5x erl<->erl", pyex_pyex >= 0.5 * erl_erl),
        Result("one-way small messages pyex -> erl", one_way, "/s", None, "",
               ">= 100,000/s", one_way >= 100_000),
        Result(f"CPU-bound work, 2 pyex nodes vs 1 ({os.cpu_count()} cores)", speedup, "x",
               None, "", ">= 1.7x one node", speedup >= 1.7),
    ]
