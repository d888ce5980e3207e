"""Two pyex nodes: Python's types come back exactly; calls, links and rpc between them."""

from __future__ import annotations

import pytest

from pyex import Exit, GenServer, Pid, Process, Ref, make_ref, receive, self, send
from pyex.dist import Atom, Node, rpc

from tests.dist.peers import PyexNode
from tests.dist.test_terms import same


@pytest.mark.slow
def test_ping_and_visibility(pynode: str, pyex_peer: PyexNode) -> None:
    assert Node.ping(pyex_peer.node) == "pong"
    # pyex nodes show themselves to each other (only BEAM nodes get a hidden pyex).
    assert pyex_peer.node in Node.list()
    assert rpc.call(pyex_peer.node, "pyex", "Node.list", []) == [pynode]


@pytest.mark.slow
@pytest.mark.parametrize("value", [
    "text", b"bytes", b"\xff\x00", (1, "a"), [1, [2]], {"k": (None, True)}, Atom("atom"),
    1.5, 2**100, -7, "", b"", [], (), {}, None, False,
])
def test_every_type_comes_back_as_itself(pynode: str, pyex_peer: PyexNode, value: object) -> None:
    send(("echo", pyex_peer.node), (self(), value))
    _, back = receive(timeout=10)
    assert same(back, value), (value, back)


@pytest.mark.slow
def test_pids_and_refs_come_back_as_ours(pynode: str, pyex_peer: PyexNode) -> None:
    ref = make_ref()
    send(("echo", pyex_peer.node), (self(), (self(), ref)))
    _, (pid, back) = receive(timeout=10)
    assert pid == self() and back == ref and isinstance(back, Ref)


@pytest.mark.slow
def test_gen_server_call_between_pyex_nodes(pynode: str, pyex_peer: PyexNode) -> None:
    counter = ("counter", pyex_peer.node)
    start = GenServer.call(counter, "get")
    assert GenServer.call(counter, ("add", 5)) == start + 5
    with pytest.raises(Exit) as failed:
        GenServer.call(("nobody", pyex_peer.node), "get")
    assert failed.value.reason[0] == "noproc"


@pytest.mark.slow
def test_rpc_call_between_pyex_nodes(pynode: str, pyex_peer: PyexNode) -> None:
    assert rpc.call(pyex_peer.node, "math", "gcd", [12, 18]) == 6
    assert rpc.call(pyex_peer.node, "pyex", "Node.self", []) == pyex_peer.node
    assert rpc.call(pyex_peer.node, "builtins", "bytes", [[104, 105]]) == b"hi"
    bad = rpc.call(pyex_peer.node, "operator", "truediv", [1, 0])
    assert bad[0] == "badrpc" and bad[1][1][0][0] == "ZeroDivisionError"


@pytest.mark.slow
def test_spawn_and_monitor_on_a_pyex_node(pynode: str, pyex_peer: PyexNode) -> None:
    pid, ref = Node.spawn_monitor(pyex_peer.node, "time", "sleep", [0.05])
    assert isinstance(pid, Pid) and pid.node != 0
    assert receive(timeout=10) == ("DOWN", ref, "process", pid, "normal")


@pytest.mark.slow
def test_links_and_noconnection_between_pyex_nodes(pynode: str, epmd, cookie: str) -> None:
    doomed = PyexNode(epmd, cookie)
    try:
        Process.flag("trap_exit", True)
        pid = Node.spawn_link(doomed.node, "time", "sleep", [60])
        ref = Process.monitor(pid)
        Node.monitor(doomed.node, True)
    finally:
        doomed.stop()
    seen = set()
    while len(seen) < 3:
        message = receive(timeout=15)
        if message[0] == "nodeup":
            continue
        seen.add(message[0])
        if message[0] in ("EXIT", "DOWN"):
            assert message[-1] == "noconnection"
    assert seen == {"EXIT", "DOWN", "nodedown"}
    assert ref
