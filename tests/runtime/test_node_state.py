"""The node's state in one object: its identity, and a reset that gives the next test a fresh one."""

from __future__ import annotations

import threading

import pytest

from pyex import GenServer, Process, Supervisor, alive, make_ref, processes, receive, send, spawn
from pyex import self as self_pid
from pyex.runtime.internal import node_identity, reset_node, runtime_counts, set_node_identity
from pyex.runtime.node_state import NO_NODE, NODE
from tests.helpers import run_isolated

pytestmark = pytest.mark.timeout(30)


@pytest.mark.slow
def test_a_runtime_that_is_not_distributed_is_nonode_at_nohost():
    # In a fresh interpreter: tests/dist makes this one a node for the rest of the session.
    out = run_isolated("""
        from pyex.runtime.internal import node_identity
        from pyex.runtime.node_state import NODE
        print(node_identity(), repr(NODE).split(":")[0])
    """)
    assert out.strip() == "('nonode@nohost', 0) <NodeState nonode@nohost creation=0"
    assert NO_NODE == "nonode@nohost"


def test_a_monitor_by_name_names_this_nodes_name_in_its_down():
    before = node_identity()
    set_node_identity("here@host", 3)
    try:
        ref = Process.monitor("nobody_by_that_name")
        assert receive(timeout=5) == ("DOWN", ref, "process", ("nobody_by_that_name", "here@host"), "noproc")
        assert node_identity() == ("here@host", 3)
        assert repr(NODE).startswith("<NodeState here@host creation=3: ")
    finally:
        set_node_identity(*before)


def test_reset_ends_every_process_left_and_frees_their_names():
    children = [spawn(receive) for _ in range(5)]
    Process.register(children[0], "left_over")
    trapper = spawn(lambda: (Process.flag("trap_exit", True), receive()))
    reset_node()
    assert not any(alive(pid) for pid in [*children, trapper])
    assert Process.whereis("left_over") is None
    me = self_pid()  # a fresh process
    assert processes() == [me]


def test_reset_drops_every_pending_timer():
    me = self_pid()
    Process.send_after(me, "from before the reset", 0.05)
    Process.send_after("a_name_of_the_next_test", "stray", 0.05)
    assert runtime_counts()["timers"] == 2
    reset_node()
    assert runtime_counts()["timers"] == 0
    # A later timer fires: the service survived the reset, and the dropped ones never come.
    Process.register(self_pid(), "a_name_of_the_next_test")
    Process.send_after(self_pid(), "after", 0.1)
    assert receive(timeout=5) == "after"
    assert receive(timeout=0, default="nothing else") == "nothing else"


def test_the_caller_is_a_new_process_after_a_reset():
    before = self_pid()
    send(before, "in the old mailbox")
    reset_node()
    after = self_pid()
    assert after != before and not alive(before)
    assert receive(timeout=0, default="empty") == "empty"


def test_pids_and_refs_are_not_reused_after_a_reset():
    pid_before, ref_before = spawn(lambda: None), make_ref()
    reset_node()
    pid_after, ref_after = spawn(lambda: None), make_ref()
    assert pid_after > pid_before
    assert ref_after > ref_before


class _Idle(GenServer):
    def init(self, arg):
        return ("ok", arg)


def test_reset_ends_what_a_supervisor_restarts_meanwhile():
    children = [{"id": n, "start": (GenServer.start_link, [_Idle, n])} for n in range(3)]
    status, sup = Supervisor.start_link(children)
    assert status == "ok"
    Process.unlink(sup)
    reset_node()
    assert not alive(sup)
    me = self_pid()
    assert processes() == [me]


def test_reset_leaves_the_process_of_a_thread_it_did_not_start():
    ready = threading.Event()
    stop = threading.Event()
    pids = []

    def plain_thread():
        pids.append(self_pid())  # the thread becomes (adopted as) a process
        ready.set()
        stop.wait(10)

    thread = threading.Thread(target=plain_thread)
    thread.start()
    try:
        assert ready.wait(10)
        reset_node()
        assert alive(pids[0])
    finally:
        stop.set()
        thread.join(10)
