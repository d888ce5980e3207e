"""top() in a real terminal (tmux): the live view opens, keys work, q gives the prompt back."""

from __future__ import annotations

import re
import time
from typing import Callable

import pytest

from tests.console.tmux_console import TmuxConsole

pytestmark = [pytest.mark.console, pytest.mark.timeout(90)]


def start_term(spawn_term: Callable[..., TmuxConsole]) -> TmuxConsole:
    return spawn_term(env={"NO_COLOR": "1"}, rows=30, columns=120)


def test_top_shows_the_processes_and_gives_the_prompt_back(spawn_term: Callable[..., TmuxConsole]) -> None:
    tmux = start_term(spawn_term)
    tmux.type('ok, sup = Supervisor.start_link([(Agent, lambda: [1, 2])], name="the_sup")')
    tmux.keys("Enter")
    tmux.wait_for(r"pyex\(2\)>")
    tmux.type("top()")
    tmux.keys("Enter")
    screen = tmux.wait_for(r"^pyex top - processes")
    assert re.search(r"PID\s+NAME\s+STATUS\s+QUEUE\s+CPU %\s+CPU TIME\s+MSGS/S\s+MEMORY\s+CURRENT FUNCTION", screen)
    screen = tmux.wait_for(r"#PID<0\.84\.0>\s+the_sup\s+waiting")
    assert "#PID<0.83.0>" in screen and "pyex(2)>" not in screen

    # Sort by pid, filter, jump to the supervisor, look at it in detail.
    tmux.keys("i")
    tmux.wait_for(r"sort pid")
    tmux.keys("/")
    tmux.type("the_s")
    # The filter applies as it is typed: the rows follow once the page comes.
    tmux.wait_for(
        lambda screen: "filter: the_s_" in screen and "#PID<0.83.0>" not in screen,
        what="the filtered rows",
    )
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
    screen = tmux.wait_for(r"└── Agent #PID<0\.85\.0> worker permanent")
    assert re.search(r"#PID<0\.84\.0> 'the_sup' Supervisor one_for_one, restarts 0/3 in 5 s", screen)
    tmux.keys("Tab")
    tmux.wait_for(r"^pyex top - processes")

    # Kill the agent (after a y); its supervisor restarts it.
    tmux.keys("/")
    tmux.keys("BSpace", "BSpace", "BSpace", "BSpace", "BSpace", "Enter")
    tmux.keys("g")
    tmux.type("85")
    tmux.keys("Enter")
    tmux.wait_for(r"at #PID<0\.85\.0>")
    tmux.keys("k")
    tmux.wait_for(r"kill #PID<0\.85\.0>\? \(y/n\)")
    tmux.keys("y")
    tmux.wait_for(r"killed #PID<0\.85\.0>")
    tmux.wait_for(r"#PID<0\.(?!85\.)\d+\.0>\s+__main__\.<lambda>/0\s+waiting")  # the restarted agent
    tmux.keys("p")
    tmux.wait_for(r"\[paused\]")

    # q: the screen as it was, and the prompt back, working.
    tmux.keys("q")
    screen = tmux.wait_for(r"pyex\(3\)>")
    assert "pyex top" not in screen
    assert "pyex(2)> top()" in screen
    tmux.type("Supervisor.which_children(sup)[0][1] != pid('0.85.0')")
    tmux.keys("Enter")
    tmux.wait_for(r"^True$")
    tmux.wait_for(r"pyex\(4\)>")


def test_output_while_top_is_up_is_shown_after_it(spawn_term: Callable[..., TmuxConsole]) -> None:
    tmux = start_term(spawn_term)
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
