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
    term.run("h()", 5)
    # h() lists more helpers than the screen has rows: read the whole pane.
    listed = term.after(term.scrollback(), "pyex(4)> h()")
    assert any(line.strip().startswith("i([term])") for line in listed)


# -- 2. auto-indent never submits a broken block --------------------------------


def test_else_dedents_itself_and_the_block_runs_whole(term: TmuxConsole) -> None:
    term.line("if 1 > 2:")
    term.line('r = "a"')  # auto-indented
    term.line("else:")  # typed in the body's indent: it moves back, and Enter goes on
    term.wait_for(r"^\.\.\.\(1\)> else:$")
    term.line('r = "b"')
    term.keys("Enter")
    screen = term.wait_prompt(2)
    assert "SyntaxError" not in screen
    assert "'b'" in term.run("r", 3)


def test_except_and_finally_dedent_and_a_block_keeps_going(term: TmuxConsole) -> None:
    for line in ("try:", "x = 1 / 0", "except ZeroDivisionError:", "x = 'caught'", "finally:",
                 "y = 'done'"):
        term.line(line)
    term.keys("Enter")
    term.wait_prompt(2)
    screen = term.run("x, y", 3)
    assert "('caught', 'done')" in screen
    assert "...(1)> except ZeroDivisionError:" in screen
    assert "...(1)> finally:" in screen


def test_case_dedents_to_the_previous_case(term: TmuxConsole) -> None:
    for line in ("match 2:", "case 1:", "s = 'one'", "case 2:", "s = 'two'"):
        term.line(line)
    term.keys("Enter")
    term.wait_prompt(2)
    assert "...(1)>     case 2:" in term.screen()
    assert "'two'" in term.run("s", 3)


# -- 3. Ctrl+R -------------------------------------------------------------------


def test_ctrl_r_enter_runs_the_match(term: TmuxConsole) -> None:
    term.run("'remember ' + 'me'", 2)
    term.run("1 + 1", 3)
    term.keys("C-r")
    term.wait_for("I-search backward:|reverse-i-search")
    term.type("remember")
    term.wait_for(r"'remember ' \+ 'me'")
    term.keys("Enter")
    screen = term.wait_prompt(4)
    assert screen.count("'remember me'") == 2
    assert "I-search" not in screen.split("\n")[-1]
