"""Remote shells, in a real terminal (tmux): iex --remsh and erl -remsh into a pyex node,
and pyex --remsh into another pyex node."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from typing import Iterator

import pytest

from tests.dist.peers import Epmd, PyexNode, random_name

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


class Terminal:
    """A tmux session on a private server, read as a person sees it."""

    def __init__(self, command: str) -> None:
        self.socket = random_name("tmx")
        self._tmux("new-session", "-d", "-x", "120", "-y", "40", command)

    def _tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              text=True, timeout=10).stdout

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-S", "-200")

    def wait_for(self, text: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if text.rstrip() in shown:
                return shown
            time.sleep(0.05)
        raise AssertionError(f"{text!r} never showed; the screen:\n{self.screen()}")

    def type(self, line: str) -> None:
        self._tmux("send-keys", "-l", line)
        self._tmux("send-keys", "Enter")

    def close(self) -> None:
        self._tmux("kill-server")


@pytest.fixture
def terminal() -> Iterator[list[Terminal]]:
    made: list[Terminal] = []
    yield made
    for t in made:
        t.close()


@pytest.mark.slow
def test_iex_remsh_evaluates_python_on_a_pyex_node(epmd: Epmd, cookie: str, pyex_peer: PyexNode,
                                                   terminal: list[Terminal]) -> None:
    t = Terminal(f"env ERL_EPMD_PORT={epmd.port} iex --sname {random_name('ix')} "
                 f"--cookie {cookie} --remsh {pyex_peer.node}")
    terminal.append(t)
    prompt = f"pyex({pyex_peer.node})"
    t.wait_for(f"{prompt}1> ")
    t.type("x = 6 * 7")
    t.wait_for(f"{prompt}2> ")
    t.type("x + 1")
    t.wait_for("43")
    t.type("print('from', Node.self())")
    t.wait_for(f"from {pyex_peer.node}")
    t.type("1 / 0")
    t.wait_for("** (ZeroDivisionError) division by zero")


@pytest.mark.slow
def test_erl_remsh_evaluates_python_on_a_pyex_node(epmd: Epmd, cookie: str, pyex_peer: PyexNode,
                                                   terminal: list[Terminal]) -> None:
    t = Terminal(f"env ERL_EPMD_PORT={epmd.port} erl -sname {random_name('er')} "
                 f"-setcookie {cookie} -remsh {pyex_peer.node}")
    terminal.append(t)
    t.wait_for(f"pyex({pyex_peer.node})1> ")
    t.type("[i * i for i in range(5)]")
    t.wait_for("[0, 1, 4, 9, 16]")


@pytest.mark.slow
def test_pyex_remsh_runs_the_shell_process_on_the_other_node(
        epmd: Epmd, cookie: str, pyex_peer: PyexNode, terminal: list[Terminal]) -> None:
    t = Terminal(f"env ERL_EPMD_PORT={epmd.port} {sys.executable} -m pyex --sname "
                 f"{random_name('rs')} --cookie {cookie} --remsh {pyex_peer.node}")
    terminal.append(t)
    prompt = f"pyex({pyex_peer.node})"
    t.wait_for(f"{prompt}1> ")
    t.type("Node.self()")
    t.wait_for(f"'{pyex_peer.node}'")
    t.type("def double(n):")
    t.wait_for(f"...({pyex_peer.node})2> ")
    t.type("    return 2 * n")
    t.type("")
    t.wait_for(f"{prompt}3> ")
    t.type("double(21)")
    t.wait_for("42")
    # The counter GenServer of that node is local to the shell process there.
    t.type("GenServer.call('counter', 'get') >= 10")
    t.wait_for("True")
