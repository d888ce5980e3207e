"""The first hour at the console (issue 7), in tmux: what a newcomer types, what they see."""

from __future__ import annotations

import re
import time

import pytest

from tests.console.tmux_console import TmuxConsole

pytestmark = [pytest.mark.console, pytest.mark.timeout(90)]


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
    shown = term.after(term.scrollback(), "pyex(4)> h()")
    assert any(line.strip().startswith("i([term])") for line in shown)
    assert max(len(line) for line in shown) <= 80  # h() fits 80 columns


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


# -- 5. a huge result never freezes the console ----------------------------------


def test_a_huge_result_is_shown_within_inspect_limits_and_kept_whole(term: TmuxConsole) -> None:
    screen = term.run("list(range(10**6))", 2)
    shown = term.after(screen, "pyex(1)> list(range(10**6))")
    assert shown[0].startswith("[0, 1, 2, 3")
    assert any(line.endswith("48, 49, ...]") for line in shown), shown
    assert "1000000 999999" in term.run("print(len(_), v(1)[-1])", 3)
    screen = term.run("'x' * 10000", 4).replace("\n", "")  # cut at 4096 characters
    assert "x' ...pyex(4)>" in screen
    assert "'x' * 10000" not in screen  # a 4096-character string fills 41 rows of 100, not 100


def test_configure_sets_the_limits_from_the_startup_file_and_h_shows_them(
    spawn_term, tmp_path
) -> None:
    (tmp_path / ".pyex.py").write_text("configure(inspect_limit=3, width=40)\n")
    term = spawn_term(env={"NO_COLOR": "1"}, startup=True)
    assert "[0, 1, 2, ...]" in term.run("list(range(10))", 2)
    term.run("configure(inspect_limit=None)", 3)
    assert "7, 8, 9]" in term.run("list(range(10))", 4)
    term.run("h()", 5)
    screen = term.scrollback()
    assert "inspect_limit=None" in screen
    assert "width=40" in screen
    screen = term.run("configure(colour=True)", 5)
    assert "** (TypeError) configure() has no setting 'colour'" in screen


# -- 8. pyex never crashes from what a user types ---------------------------------


def test_killing_every_process_in_a_loop_leaves_the_console_working(term: TmuxConsole) -> None:
    screen = term.run("len(processes())", 2)
    assert term.after(screen, "len(processes())")[0] == "1"  # only the shell process
    term.run("ws = [spawn(receive) for _ in range(3)]", 3)
    term.line("for p in reversed(processes()): Process.exit(p, 'kill')")
    screen = term.wait_prompt(1)
    assert "shell process exited with reason: killed" in screen
    assert "Traceback" not in screen
    assert "[False, False, False]" in term.run("[alive(p) for p in ws]", 2)
    screen = term.run("eval('1' + ' + 1' * 200_000)", 2)
    assert "** (RecursionError)" in screen
    assert "Traceback" not in screen
    assert "'ok'" in term.run("'ok'", 3)


# -- 4. Ctrl+C interrupts the running command at once -----------------------------

BLOCKING = [
    "time.sleep(30)",
    "threading.Event().wait()",
    "input('waiting? ')",
    "receive()",
    "while True: pass",
]


@pytest.mark.parametrize("command", BLOCKING)
def test_ctrl_c_interrupts_a_blocking_call_at_once(term: TmuxConsole, command: str) -> None:
    pid = term.after(term.run("self()", 2), "pyex(1)> self()")[0]
    term.run("import time, threading", 3)
    term.line(command)
    term.wait_for(r"^(pyex\(3\)> .*|waiting\? )$")  # the command runs: no new prompt
    started = time.monotonic()
    term.keys("C-c")
    screen = term.wait_for(r"^\*\* \(KeyboardInterrupt\)", timeout=5)
    assert time.monotonic() - started < 0.5 + 0.3  # 0.3 s: tmux and polling, on a busy machine
    lines = [line.rstrip() for line in screen.split("\n")]
    assert "** (KeyboardInterrupt)" in lines  # on a line of its own
    term.wait_prompt(3)
    assert pid in term.run("self()", 4)  # the same shell process, mailbox and all


def test_ctrl_c_in_the_same_instant_as_enter_interrupts_that_command(term: TmuxConsole) -> None:
    term.run("import time", 2)
    term.type("time.sleep(30)")
    term.keys("Enter", "C-c")  # one send-keys: the terminal gets both at once
    screen = term.wait_for(r"^\*\* \(KeyboardInterrupt\)", timeout=5)
    assert "pyex(2)> time.sleep(30)" in screen
    term.wait_prompt(2)
    assert "'next'" in term.run("'next'", 3)  # the press did not land on this prompt


def test_repeated_ctrl_c_announces_the_kill_before_it_kills(term: TmuxConsole) -> None:
    pid = term.after(term.run("self()", 2), "pyex(1)> self()")[0]
    term.run("import time", 3)
    for line in ("while True:", "try:", "time.sleep(10)", "except KeyboardInterrupt:", "pass"):
        term.line(line)  # auto-indented
    term.keys("Enter")
    term.wait_for(r"^\.\.\.\(3\)>\s+pass$")
    term.wait_for(lambda screen: not screen.rstrip().endswith(">"), what="the command running")
    term.keys("C-c")
    term.keys("C-c")
    term.wait_for(r"one more kills the shell process " + re.escape(pid))
    term.keys("C-c")
    screen = term.wait_for(r"shell process exited with reason: killed")
    assert screen.index("one more kills") < screen.index("exited with reason: killed")
    term.wait_prompt(1)
    new_pid = term.after(term.run("self()", 2), "pyex(1)> self()")[0]
    assert new_pid.startswith("#PID<") and new_pid != pid


# -- 6. output keeps program order -------------------------------------------------


def test_an_input_prompt_comes_after_what_was_printed_before_it(term: TmuxConsole) -> None:
    term.line('print("line A"); answer = input("prompt B? ")')
    screen = term.wait_for(r"^prompt B\?\s*$")
    lines = [line.rstrip() for line in screen.split("\n")]
    assert lines[-2:] == ["line A", "prompt B?"]
    term.line("yes")
    assert "'yes'" in term.run("answer", 3)


def test_help_shows_its_text_before_its_prompt(term: TmuxConsole) -> None:
    term.line("help()")
    screen = term.wait_for(r"^help>\s*$")
    assert "Welcome to Python" in screen
    assert screen.index("Welcome to Python") < screen.rindex("help>")
    term.line("quit")
    term.wait_prompt(2)


def test_pdb_shows_where_it_is_before_its_prompt(term: TmuxConsole) -> None:
    term.line("import pdb; pdb.run('x = 1')")
    screen = term.wait_for(r"^\(Pdb\)\s*$")
    assert "<string>(1)<module>()" in screen
    assert screen.index("<string>(1)") < screen.rindex("(Pdb)")
    term.line("c")
    term.wait_prompt(2)


# -- 10. polish -------------------------------------------------------------------


def test_clear_puts_the_prompt_on_the_first_row(term: TmuxConsole) -> None:
    term.run("1 + 1", 2)
    term.line("clear()")
    term.wait_for(lambda screen: screen.split("\n")[0].rstrip() == "pyex(3)>", what="prompt on row 1")
    assert term.cursor()[0] == 0


def test_a_history_suggestion_looks_different_without_colours(term: TmuxConsole) -> None:
    term.run("'sugg' + 'estion'", 2)
    term.type("'sug")
    term.wait_for(r"pyex\(2\)> 'sugg' \+ 'estion'$")  # the rest suggested from history
    styled = term._tmux("capture-pane", "-e", "-p", "-t", "pyex")
    line = [text for text in styled.split("\n") if "pyex(2)>" in text][-1]
    assert "\x1b[4m" in line, repr(line)  # underlined, unlike the typed part
