"""GenServer.call across nodes: Elixir calling a pyex GenServer by {name, node}, and back."""

from __future__ import annotations

import subprocess

import pytest

from pyex import Exit, GenServer, Process
from pyex.dist import Atom

from tests.dist.peers import ErlNode, random_name


class Stack(GenServer):
    def init(self, items):
        return ("ok", list(items))

    def handle_call(self, request, from_, state):
        if request == "pop":
            return ("reply", state[0], state[1:])
        if request.__class__ is tuple and request[0] == "push":
            return ("reply", Atom("ok"), [request[1], *state])
        return ("reply", Atom("unknown"), state)

    def handle_cast(self, request, state):
        return ("noreply", [request, *state])


def elixir(erl: ErlNode, code: str) -> str:
    out = subprocess.run(
        ["elixir", "--sname", random_name("ex"), "--cookie", erl.cookie, "-e", code],
        env=erl.epmd.env(), capture_output=True, timeout=60,
    )
    assert out.returncode == 0, out.stderr.decode()
    return out.stdout.decode().strip()


@pytest.mark.slow
def test_elixir_calls_a_pyex_gen_server_by_name_and_node(pynode: str, erl: ErlNode) -> None:
    ok, pid = GenServer.start(Stack, [Atom("a"), 2, "three"], name="stack")
    try:
        out = elixir(erl, f"""
            node = :"{pynode}"
            IO.inspect GenServer.call({{:stack, node}}, :pop)
            IO.inspect GenServer.call({{:stack, node}}, {{:push, [1, 2.5, %{{x: "y"}}]}})
            IO.inspect GenServer.call({{:stack, node}}, :pop)
            GenServer.cast({{:stack, node}}, :casted)
            IO.inspect GenServer.call({{:stack, node}}, :pop)
            IO.inspect(try do GenServer.call({{:nobody, node}}, :pop) catch :exit, r -> r end)
        """)
        assert out.splitlines() == [
            ":a",
            ":ok",
            '[1, 2.5, %{x: "y"}]',
            ":casted",
            "{:noproc, {GenServer, :call, [{:nobody, :" + pynode + "}, :pop, 5000]}}",
        ]
    finally:
        GenServer.stop(pid)


@pytest.mark.slow
def test_pyex_calls_an_elixir_agent_on_erl(pynode: str, erl: ErlNode) -> None:
    name = random_name("agent")
    erl.eval(f"{{ok, _}} = 'Elixir.Agent':start(fun() -> 41 end, [{{name, {name}}}]), ok.")
    server = (name, erl.node)
    assert GenServer.call(server, (Atom("get"), (Atom("erlang"), Atom("+"), [1]))) == 42
    assert GenServer.call(server, (Atom("update"), (Atom("erlang"), Atom("*"), [2]))) == "ok"
    assert GenServer.call(server, (Atom("get"), (Atom("erlang"), Atom("+"), [0]))) == 82
    GenServer.cast(server, (Atom("cast"), (Atom("erlang"), Atom("-"), [2])))
    assert GenServer.call(server, (Atom("get"), (Atom("erlang"), Atom("+"), [0]))) == 80
    with pytest.raises(Exit) as failed:
        GenServer.call(("nobody_at_all", erl.node), "x", timeout=5)
    assert failed.value.reason[0] == "noproc"


@pytest.mark.slow
def test_a_call_to_a_busy_remote_server_times_out(pynode: str, erl: ErlNode) -> None:
    name = random_name("busy")
    erl.eval(f"register({name}, spawn(fun() -> receive _ -> timer:sleep(infinity) end end)), ok.")
    with pytest.raises(Exit) as failed:
        GenServer.call((name, erl.node), "x", timeout=0.3)
    assert failed.value.reason[0] == "timeout"
    assert Process.whereis("stack") is None
