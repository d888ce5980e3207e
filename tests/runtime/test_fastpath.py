"""The compiled fast path of send and receive behaves exactly as the Python it speeds up.

Each behaviour is checked twice: through ``send``/``receive`` as users import
them (compiled where a C compiler was found at install time) and through the
Python functions they wrap (``__wrapped__``), which are what runs everywhere
else. The rest of the suite runs the compiled ones; the last test runs the
message tests again in an interpreter where the compiled module is switched off.
"""

from __future__ import annotations

import copy
import os
import pickle
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from pyex import ANY, Process, UncopyableError, info, receive, send, spawn, spawn_monitor
from pyex import self as self_pid
from pyex.runtime import fastpath
from tests.helpers import wait_down

pytestmark = pytest.mark.timeout(30)

ROOT = Path(__file__).resolve().parents[2]

IMPLEMENTATIONS = {
    "as imported": (send, receive),
    "pure Python": (getattr(send, "__wrapped__", send), getattr(receive, "__wrapped__", receive)),
}


@pytest.fixture(params=list(IMPLEMENTATIONS))
def way(request):
    return IMPLEMENTATIONS[request.param]


def _compiler() -> str | None:
    command = shlex.split(sysconfig.get_config_var("CC") or "cc")
    return shutil.which(command[0]) if command else None


@pytest.mark.skipif(bool(os.environ.get("PYEX_PURE_PYTHON")), reason="PYEX_PURE_PYTHON is set")
def test_the_fast_path_is_compiled_where_there_is_a_c_compiler():
    if _compiler() is None:
        pytest.skip("no C compiler: pyex runs in pure Python here")
    assert fastpath.native is not None, "make install found a C compiler but pyex/runtime/_fastpath.c was not built"
    assert type(send).__name__ == type(receive).__name__ == "FastFunction"


def test_send_copies_a_mutable_message_and_returns_the_original(way):
    fast_send, fast_receive = way
    message = {"items": [1, 2]}
    assert fast_send(self_pid(), message) is message
    message["items"].append(3)
    received = fast_receive()
    assert received == {"items": [1, 2]} and received is not message


def test_messages_arrive_in_order_and_are_counted(way):
    fast_send, fast_receive = way
    me = self_pid()
    before = info(me)
    for n in range(50):
        fast_send(me, n)
    assert [fast_receive() for _ in range(50)] == list(range(50))
    after = info(me)
    assert after["messages_sent"] - before["messages_sent"] == 50
    assert after["messages_received"] - before["messages_received"] == 50


def test_a_plain_receive_takes_a_message_a_selective_one_skipped_first(way):
    fast_send, fast_receive = way
    me = self_pid()
    for message in ("a", ("b", 2), "c"):
        fast_send(me, message)
    assert receive(("b", ANY), timeout=1) == ("b", 2)  # leaves "a" aside, before "c"
    assert fast_receive() == "a"
    assert fast_receive() == "c"


def test_send_to_a_name_to_a_dead_pid_and_of_an_uncopyable_message(way):
    fast_send, fast_receive = way
    pid, ref = spawn_monitor(lambda: None)
    wait_down(ref)
    assert fast_send(pid, "lost") == "lost"  # dropped, silently
    Process.register(self_pid(), "fast_path_test")
    fast_send("fast_path_test", "by name")
    assert fast_receive() == "by name"
    with pytest.raises(UncopyableError, match="generator"):
        fast_send(self_pid(), (n for n in range(3)))
    assert receive(timeout=0, default="empty") == "empty"


def _forwarder(tag, to, way):
    """A process body: each message it receives, sent on to ``to`` as ``(tag, message)``."""
    fast_send, fast_receive = way

    def forward():
        while True:
            fast_send(to, (tag, fast_receive()))

    return forward


def test_a_process_blocked_in_a_plain_receive_wakes_for_a_message_and_dies_for_an_exit(way):
    fast_send = way[0]
    pid, ref = spawn_monitor(_forwarder("echo", self_pid(), way))
    fast_send(pid, "hello")
    assert receive(("echo", ANY), timeout=5) == ("echo", "hello")
    Process.exit(pid, "stop")
    assert wait_down(ref) == "stop"


def test_sends_and_receives_are_traced_while_tracing_is_on(way):
    fast_send = way[0]
    me = self_pid()
    pid = spawn(_forwarder("relayed", me, way))
    assert Process.trace(pid, True) == "ok"
    fast_send(pid, "one")
    assert receive(("relayed", ANY), timeout=5) == ("relayed", "one")
    assert receive(("trace", pid, "receive", ANY), timeout=5) == ("trace", pid, "receive", "one")
    assert receive(("trace", pid, "send", ANY, me), timeout=5)[3] == ("relayed", "one")
    Process.trace(pid, False)
    fast_send(pid, "two")
    assert receive(("relayed", ANY), timeout=5) == ("relayed", "two")
    assert receive(("trace", ANY, ANY, ANY), timeout=0, default=None) is None
    Process.exit(pid, "kill")


def test_send_and_receive_are_functions_to_their_users():
    for function, name in ((send, "send"), (receive, "receive")):
        assert function.__name__ == name and function.__module__ == "pyex.runtime.mailbox"
        assert repr(function).startswith(f"<function {name} at 0x")
        assert "mailbox" in (function.__doc__ or "")
        assert copy.deepcopy([function])[0] is function
        assert pickle.loads(pickle.dumps(function)) is function
    send(self_pid(), ("fun", receive))
    assert receive()[1] is receive


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_the_message_tests_pass_in_pure_python_too():
    tests = ["test_send_receive.py", "test_share_nothing.py", "test_flush.py", "test_tracing.py",
             "test_fastpath.py", "test_kill.py"]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "--deselect", "tests/runtime/test_fastpath.py::test_the_message_tests_pass_in_pure_python_too",
         *(f"tests/runtime/{name}" for name in tests)],
        cwd=ROOT, env={**os.environ, "PYEX_PURE_PYTHON": "1"},
        capture_output=True, text=True, timeout=220,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]  # 5: none ran
