"""A pyex node and a real erl node: handshake both ways, ping, send, rpc, spawn requests."""

from __future__ import annotations

import subprocess

import pytest

from pyex import Pid, Process, receive, self, send, spawn
from pyex.dist import Atom, Node, rpc

from pyex.shell.routing import install_routers

from tests.dist.peers import HOST, ErlNode, random_cookie


@pytest.mark.slow
def test_node_self_and_ping_both_ways(pynode: str, erl: ErlNode) -> None:
    assert Node.self() == pynode and pynode.endswith(f"@{HOST}")
    assert Node.ping(erl.node) == "pong"
    assert erl.node in Node.list()
    assert erl.eval(f"net_adm:ping('{pynode}').") == "pong"
    # Hidden from BEAM nodes by default: erl lists pyex among its hidden nodes.
    assert pynode in erl.eval("nodes(hidden).")
    assert pynode not in erl.eval("nodes().")


@pytest.mark.slow
def test_a_wrong_cookie_is_pang_both_ways(pynode: str, epmd) -> None:
    stranger = ErlNode(epmd, random_cookie())
    try:
        assert Node.ping(stranger.node) == "pang"
        assert stranger.eval(f"net_adm:ping('{pynode}').") == "pang"
    finally:
        stranger.stop()


@pytest.mark.slow
def test_ping_of_a_node_nobody_runs_is_pang(pynode: str) -> None:
    assert Node.ping(f"nobody@{HOST}") == "pang"
    assert Node.connect(f"nobody@{HOST}") is False


@pytest.mark.slow
def test_rpc_call_into_erl(pynode: str, erl: ErlNode) -> None:
    assert rpc.call(erl.node, "erlang", "node", []) == erl.node
    assert rpc.call(erl.node, "lists", "reverse", [[1, 2, 3]]) == [3, 2, 1]
    assert rpc.call(erl.node, "erlang", "list_to_binary", [[104, 105]]) == "hi"
    bad = rpc.call(erl.node, "erlang", "error", [Atom("boom")])
    assert bad[0] == "badrpc" and bad[1][0] == "EXIT" and bad[1][1][0] == "boom"
    assert rpc.call(erl.node, "timer", "sleep", [2000], timeout=0.2) == ("badrpc", "timeout")


@pytest.mark.slow
def test_rpc_call_from_erl_into_python(pynode: str, erl: ErlNode) -> None:
    assert erl.eval(f"rpc:call('{pynode}', math, sqrt, [16]).") == "4.0"
    assert erl.eval(f"erpc:call('{pynode}', operator, add, [2, 3]).") == "5"
    assert erl.eval(f"rpc:call('{pynode}', 'os.path', join, [<<\"a\">>, <<\"b\">>]).") == '<<"a/b">>'
    err = erl.eval(f"rpc:call('{pynode}', operator, truediv, [1, 0]).")
    assert err.startswith("{badrpc,{'EXIT',{{'ZeroDivisionError',")
    assert erl.eval(f"rpc:call('{pynode}', nosuchmodule, f, []).").startswith("{badrpc,")
    # The legacy form, through rex (what rpc:call does without spawn support).
    assert erl.eval(f"gen_server:call({{rex, '{pynode}'}}, {{call, operator, mul, [6, 7], user}}).") == "42"


@pytest.mark.slow
def test_rpc_expose_names_a_python_object(pynode: str, erl: ErlNode) -> None:
    class Greeter:
        @staticmethod
        def hello(name: str) -> str:
            return f"hello, {name}"

    rpc.expose("greeter", Greeter)
    assert erl.eval(f"rpc:call('{pynode}', greeter, hello, [<<\"erl\">>]).") == '<<"hello, erl">>'
    assert rpc.call(pynode, "greeter", "hello", ["me"]) == "hello, me"


@pytest.mark.slow
def test_erl_call_runs_python_functions(pynode: str, erl: ErlNode) -> None:
    out = subprocess.run(
        ["erl_call", "-sname", pynode, "-c", erl.cookie, "-a", "operator add [40, 2]"],
        env=erl.epmd.env(), capture_output=True, timeout=30,
    )
    assert out.stdout.decode().strip() == "42", out


@pytest.mark.slow
def test_send_to_a_registered_name_both_ways(pynode: str, erl: ErlNode) -> None:
    Process.register(self(), "inbox_a")
    try:
        erl.eval(f"{{inbox_a, '{pynode}'}} ! {{hello, <<\"text\">>, 1.5, [1, 2], #{{k => v}}}}, ok.")
        assert receive(timeout=10) == (Atom("hello"), "text", 1.5, [1, 2], {Atom("k"): Atom("v")})
    finally:
        Process.unregister("inbox_a")
    erl.eval("catch unregister(echo), register(echo, spawn(fun L() -> receive {From, M} -> "
             "From ! {echo, M}, L() end end)), ok.")
    send(("echo", erl.node), (self(), [Atom("x"), b"\xff", None, True]))
    reply = receive(timeout=10)
    assert reply == (Atom("echo"), [Atom("x"), b"\xff", None, True])


@pytest.mark.slow
def test_send_to_a_remote_pid_and_its_repr(pynode: str, erl: ErlNode) -> None:
    erl.eval("catch unregister(echo), register(echo, spawn(fun L() -> receive {From, M} -> "
             "From ! {echo, self(), M}, L() end end)), ok.")
    send(("echo", erl.node), (self(), 1))
    _, there, _ = receive(timeout=10)
    assert isinstance(there, Pid) and there.node != 0
    assert repr(there).startswith(f"#PID<{there.node}.")
    for n in range(100):
        send(there, (self(), n))
    assert [receive(timeout=10)[2] for _ in range(100)] == list(range(100))


@pytest.mark.slow
def test_an_unencodable_message_raises_type_error_at_send(pynode: str, erl: ErlNode) -> None:
    with pytest.raises(TypeError, match="set"):
        send(("echo", erl.node), {1, 2})
    with pytest.raises(TypeError, match="no Erlang form"):
        send(("echo", erl.node), float("nan"))


@pytest.mark.slow
def test_spawn_on_erl_and_from_erl_into_python(pynode: str, erl: ErlNode) -> None:
    pid = Node.spawn(erl.node, "erlang", "send", [self(), Atom("spawned")])
    assert pid.node != 0
    assert receive(timeout=10) == "spawned"

    class Spawned:
        @staticmethod
        def go(reply_to: Pid) -> None:
            send(reply_to, (Atom("from_python"), self()))

    rpc.expose("spawned_here", Spawned)
    out = erl.eval(
        f"Self = self(), P = spawn('{pynode}', spawned_here, go, [Self]), "
        "receive {from_python, Q} -> P =:= Q after 5000 -> timeout end."
    )
    assert out == "true"


@pytest.mark.slow
def test_spawn_monitor_sees_the_remote_exit(pynode: str, erl: ErlNode) -> None:
    pid, ref = Node.spawn_monitor(erl.node, "erlang", "exit", [Atom("bye")])
    assert receive(timeout=10) == ("DOWN", ref, "process", pid, "bye")


@pytest.mark.slow
def test_remote_output_goes_to_the_callers_group_leader(pynode: str, erl: ErlNode) -> None:
    # An erl process with a group leader of its own calls print() on the pyex node:
    # the text comes back to that group leader as io requests.
    install_routers()  # (pytest replaces sys.stdout for every test)
    out = erl.eval(
        "Self = self(), "
        "GL = spawn(fun L() -> receive {io_request, From, RA, {put_chars, unicode, Chars}} -> "
        "Self ! {got, Chars}, From ! {io_reply, RA, ok}, L(); "
        "{io_request, From, RA, _} -> From ! {io_reply, RA, ok}, L() end end), "
        "group_leader(GL, self()), "
        f"rpc:call('{pynode}', builtins, print, [<<\"hello from python\">>]), "
        "receive {got, C} -> C after 5000 -> timeout end."
    )
    assert out == '<<"hello from python\\n">>', out


@pytest.mark.slow
def test_node_spawn_runs_python_from_a_pyex_caller_on_itself(pynode: str) -> None:
    assert spawn(lambda: None)  # (a local spawn still works with a node running)
