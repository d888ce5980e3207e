"""The console as a person uses it: banner, prompts, values, blocks, Tab, suggestions, h(), exit()."""

from __future__ import annotations

import re

import pytest

from pyex import __version__
from tests.console.pty_console import BACKSPACE, CTRL_D, ENTER, TAB, PtyConsole

pytestmark = [pytest.mark.console, pytest.mark.timeout(60)]


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.split("\n")]


def test_banner_names_the_version_and_help_then_the_first_prompt(spawn_console) -> None:
    console = spawn_console(banner=False)
    match = console.expect(r"pyex (\S+) \(Python [\d.]+\S*\) - press Ctrl\+D to exit \(type h\(\) ENTER for help\)")
    assert match.group(1) == __version__
    console.expect_prompt(1)


def test_a_value_is_shown_and_the_prompt_counts_up(console: PtyConsole) -> None:
    assert "42" in lines(console.run("6 * 7", 2))
    assert "'abcd'" in lines(console.run("'ab' + 'cd'", 3))
    # A statement shows nothing and still counts; an empty line does not.
    assert "" == lines(console.run("x = 5", 4))[-1]
    console.send(ENTER)
    out = console.run("x * 2", 5)
    assert "10" in lines(out)


def test_an_error_is_shown_and_the_shell_lives_on(console: PtyConsole) -> None:
    pid = re.search(r"#PID<[\d.]+>", console.run("self()", 2)).group()
    console.line("1 / 0")
    console.expect(r"\*\* \(ZeroDivisionError\) division by zero")
    assert pid in console.run("self()", 3)  # as in iex, a failed command did not count


def test_a_def_continues_with_the_continuation_prompt_and_auto_indent(console: PtyConsole) -> None:
    console.line("def double(x):")
    console.expect(r"\.\.\.\(1\)>")
    console.line("return x * 2")  # no indent typed: the console indents the body
    console.expect(r"\.\.\.\(1\)>")
    console.send(ENTER)  # an empty line ends the block
    console.expect_prompt(2)
    assert "...(1)>     return x * 2" in console.text
    assert "42" in lines(console.run("double(21)", 3))


def test_backspace_in_the_indentation_removes_one_level(console: PtyConsole) -> None:
    console.line("def where():")
    console.line("if True:")
    console.line("where = 'inner'")  # now at 8 spaces
    console.send(BACKSPACE)  # back to 4, not 7
    console.line("return 'outer'")
    console.send(ENTER)
    console.expect_prompt(2)
    assert "'outer'" in lines(console.run("where()", 3))


def test_tab_completes_a_name_to_the_common_part_and_lists_the_rest(console: PtyConsole) -> None:
    console.send("spa" + TAB)
    console.expect("spawn_link")  # the menu lists the candidates
    console.expect("spawn_monitor")
    console.send("(lambda: None)" + ENTER)
    out = console.expect_prompt(2)
    assert re.search(r"^#PID<[\d.]+>$", out, re.M), out


def test_tab_completes_an_attribute(console: PtyConsole) -> None:
    console.send("ref = Process.mon" + TAB + "(spawn(lambda: None))" + ENTER)
    console.expect_prompt(2)
    out = console.run("type(ref).__name__", 3)
    assert "'Ref'" in lines(out), out


def test_tab_completes_a_helper_and_a_keyword(console: PtyConsole) -> None:
    console.send("runtime_i" + TAB + "()" + ENTER)
    out = console.expect_prompt(2)
    assert "NameError" not in out
    console.send("(lamb" + TAB + " x: x * 2)(21)" + ENTER)
    out = console.expect_prompt(3)
    assert "42" in lines(out)



def test_h_lists_the_helpers(console: PtyConsole) -> None:
    out = console.run("h()", 2)
    for helper in ("h(", "flush(", "respawn(", "runtime_info("):
        assert helper in out
    assert "Processes:" in out


@pytest.mark.parametrize("command, status", [("exit()", 0), ("exit(3)", 3), ("quit(4)", 4)])
def test_exit_leaves_with_its_status(console: PtyConsole, command: str, status: int) -> None:
    console.line(command)
    assert console.wait_exit() == status


def test_ctrl_d_at_an_empty_prompt_exits_with_status_0(console: PtyConsole) -> None:
    console.send(CTRL_D)
    assert console.wait_exit() == 0
