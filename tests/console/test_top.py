"""top() in a real terminal (tmux): the live view opens, keys work, q gives the prompt back."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest

pytestmark = [
    pytest.mark.timeout(90),
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

ROOT = Path(__file__).resolve().parents[2]


class Tmux:
    """A pyex console in a tmux session on a private socket."""

    def __init__(self, home: Path) -> None:
        self.socket = f"pyex-top-{uuid.uuid4().hex[:10]}"
        pyex = Path(sys.executable).with_name("pyex")
        command = f"{pyex} --no-startup" if pyex.exists() else f"{sys.executable} -m pyex --no-startup"
        env = f"HOME={home} PYEX_HISTORY={home / 'history'} NO_COLOR=1"
        self._tmux("new-session", "-d", "-x", "120", "-y", "30", f"cd {home} && env {env} {command}")

    def _tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10
        ).stdout

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p")

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", *keys)

    def type(self, text: str) -> None:
        self._tmux("send-keys", "-l", text)

    def wait_for(self, pattern: str, timeout: float = 20.0) -> str:
        """Wait until the screen shows ``pattern`` (a regex); returns the screen."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if re.search(pattern, screen, flags=re.M):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} never showed; the screen:\n{screen}")
            time.sleep(0.05)

    def close(self) -> None:
        self._tmux("kill-server")


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    session = Tmux(tmp_path)
    try:
        session.wait_for(r"pyex\(1\)>")
        yield session
    finally:
        session.close()


def test_top_shows_the_processes_and_gives_the_prompt_back(tmux: Tmux) -> None:
    tmux.type('ok, sup = Supervisor.start_link([(Agent, lambda: [1, 2])], name="the_sup")')
    tmux.keys("Enter")
    tmux.wait_for(r"pyex\(2\)>")
    tmux.type("top()")
    tmux.keys("Enter")
    screen = tmux.wait_for(r"^pyex top - processes")
    assert re.search(r"PID\s+NAME\s+STATUS\s+QUEUE\s+CPU %\s+CPU TIME\s+MSGS/S\s+MEMORY\s+CURRENT FUNCTION", screen)
    screen = tmux.wait_for(r"#PID<0\.85\.0>\s+the_sup\s+waiting")
    assert "#PID<0.84.0>" in screen and "pyex(2)>" not in screen

    # Sort by pid, filter, jump to the supervisor, look at it in detail.
    tmux.keys("i")
    tmux.wait_for(r"sort pid")
    tmux.keys("/")
    tmux.type("the_s")
    screen = tmux.wait_for(r"filter: the_s_")
    assert "#PID<0.84.0>" not in screen
    tmux.keys("Enter")
    tmux.wait_for(r"filter 'the_s' \(1 shown\)")
    tmux.keys("Enter")
    screen = tmux.wait_for(r"^State")
    assert "SupervisorState(strategy='one_for_one'" in screen
    assert re.search(r"initial_call\s+\('Supervisor', 'init', 1\)", screen)
    tmux.keys("q")
    tmux.wait_for(r"^pyex top - processes")

    # The supervision tree tab.
    tmux.keys("Tab")
    screen = tmux.wait_for(r"└── Agent #PID<0\.86\.0> worker permanent")
    assert re.search(r"#PID<0\.85\.0> 'the_sup' Supervisor one_for_one, restarts 0/3 in 5 s", screen)
    tmux.keys("Tab")
    tmux.wait_for(r"^pyex top - processes")

    # Kill the agent (after a y); its supervisor restarts it.
    tmux.keys("/")
    tmux.keys("BSpace", "BSpace", "BSpace", "BSpace", "BSpace", "Enter")
    tmux.keys("g")
    tmux.type("86")
    tmux.keys("Enter")
    tmux.keys("k")
    tmux.wait_for(r"kill #PID<0\.86\.0>\? \(y/n\)")
    tmux.keys("y")
    tmux.wait_for(r"killed #PID<0\.86\.0>")
    tmux.wait_for(r"#PID<0\.87\.0>\s+__main__\.<lambda>/0\s+waiting")  # the restarted agent
    tmux.keys("p")
    tmux.wait_for(r"\[paused\]")

    # q: the screen as it was, and the prompt back, working.
    tmux.keys("q")
    screen = tmux.wait_for(r"pyex\(3\)>")
    assert "pyex top" not in screen
    assert "pyex(2)> top()" in screen
    tmux.type("Supervisor.which_children(sup)[0][1]")
    tmux.keys("Enter")
    tmux.wait_for(r"^#PID<0\.87\.0>$")
    tmux.wait_for(r"pyex\(4\)>")


def test_output_while_top_is_up_is_shown_after_it(tmux: Tmux) -> None:
    tmux.type("later = Process.send_after(spawn(lambda: print(receive())), 'printed while top was up', 0.5)")
    tmux.keys("Enter")
    tmux.wait_for(r"pyex\(2\)>")
    tmux.type("top()")
    tmux.keys("Enter")
    tmux.wait_for(r"^pyex top - processes")
    time.sleep(1.0)  # the message is printed while the view is up (a timer, not a race)
    screen = tmux.screen()
    assert "printed while top was up" not in screen
    tmux.keys("q")
    screen = tmux.wait_for(r"printed while top was up")
    tmux.wait_for(r"pyex\(3\)>")


def test_top_is_one_table_in_a_piped_session(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pyex", "--no-startup"],
        input="spawn(receive, 'never')\nProcess.set_label('my worker')\ntop(sort='pid')\n1 + 1\n",
        capture_output=True,
        text=True,
        timeout=30,
        cwd=tmp_path,
        env=dict(os.environ, HOME=str(tmp_path), NO_COLOR="1"),
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert re.search(r"\d+ processes, CPU \d+% over 0\.\d s", out)
    assert re.search(r"PID\s+NAME\s+STATUS", out)
    assert re.search(r"#PID<0\.84\.0>\s+'my worker'\s+running", out)
    assert re.search(r"#PID<0\.85\.0>\s+pyex\.runtime\.mailbox\.rec\S*\s+waiting", out)
    assert "pyex(4)> 2" in out
