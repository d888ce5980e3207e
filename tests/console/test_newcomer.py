"""The first hour at the console (issue 7), in tmux: what a newcomer types, what they see."""

from __future__ import annotations

import pytest

from tmux_console import TmuxConsole

pytestmark = pytest.mark.timeout(90)


# -- 1. helpers beneath the user's names ---------------------------------------


def test_a_variable_hides_a_helper_until_it_is_deleted(term: TmuxConsole) -> None:
    term.run("for i in range(3): pass", 2)
    screen = term.run("i(1)", 2)
    assert "** (TypeError) 'int' object is not callable" in screen
    assert "hides the helper i(); `del i` brings it back" in screen
    term.run("del i", 3)
    screen = term.run("i(1)", 4)
    assert "Data type" in term.after(screen, "pyex(3)> i(1)")
    screen = term.run("h()", 5)
    assert any(line.strip().startswith("i([term])") for line in term.after(screen, "pyex(4)> h()"))
