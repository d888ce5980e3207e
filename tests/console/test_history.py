"""History: suggestions, kept across runs, a block recalled whole; pasted blocks."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.console.pty_console import CTRL_D, ENTER, PASTE_END, PASTE_START, UP, PtyConsole

pytestmark = [pytest.mark.console, pytest.mark.timeout(90)]


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.split("\n")]


def test_history_is_kept_across_runs_in_the_pyex_history_file(spawn_console, tmp_path: Path) -> None:
    first = spawn_console()
    assert "'firstrun'" in lines(first.run("'first' + 'run'", 2))
    first.send(CTRL_D)
    assert first.wait_exit() == 0
    assert "'first' + 'run'" in (tmp_path / "history").read_text()
    assert not (tmp_path / ".pyex_history").exists()  # PYEX_HISTORY moved it

    second = spawn_console()
    second.send(UP)
    second.expect(r"'first' \+ 'run'")  # recalled, drawn at the prompt
    second.send(ENTER)
    assert "'firstrun'" in lines(second.expect_prompt(2))


def test_a_block_is_kept_whole_across_runs(spawn_console) -> None:
    first = spawn_console()
    first.line("for i in range(2):")
    first.line("print('kept', i)")
    first.send(ENTER)
    first.expect_prompt(2)
    first.send(CTRL_D)
    assert first.wait_exit() == 0

    second = spawn_console()
    second.send(UP)
    second.expect(r"for i in range\(2\):\n\.\.\.\(1\)>     print\('kept', i\)")
    second.send(ENTER)
    out = second.expect_prompt(2)
    assert ["kept 0", "kept 1"] == [line for line in lines(out) if line.startswith("kept")]


def test_history_defaults_to_the_home_folder(spawn_console, tmp_path: Path) -> None:
    console = spawn_console(env={"PYEX_HISTORY": ""})
    console.run("'in' + 'home'", 2)
    console.send(CTRL_D)
    assert console.wait_exit() == 0
    assert "'in' + 'home'" in (tmp_path / ".pyex_history").read_text()


def test_a_block_comes_back_whole_with_one_up_and_runs_again(console: PtyConsole) -> None:
    console.line("for i in range(2):")
    console.line("print('loop', i * 10)")
    console.send(ENTER)
    out = console.expect_prompt(2)
    assert ["loop 0", "loop 10"] == [line for line in lines(out) if line.startswith("loop")]

    console.send(UP)
    console.expect(r"for i in range\(2\):\n\.\.\.\(2\)>     print\('loop', i \* 10\)")
    console.send(ENTER)  # unedited from history: one Enter runs it
    out = console.expect_prompt(3)
    assert ["loop 0", "loop 10"] == [line for line in lines(out) if line.startswith("loop")]


def test_an_edited_block_from_history_needs_the_empty_line_again(console: PtyConsole) -> None:
    console.line("for i in range(2):")
    console.line("print('loop', i)")
    console.send(ENTER)
    console.expect_prompt(2)
    console.send(UP + "; print('more')" + ENTER)
    console.expect(r"\.\.\.\(2\)>     print\('loop', i\); print\('more'\)\n\.\.\.\(2\)>")
    console.send("print('end')" + ENTER + ENTER)
    out = console.expect_prompt(3)
    assert lines(out).count("more") == 2
    assert lines(out).count("end") == 2  # the line added to the block


def test_a_suggestion_comes_from_history(console: PtyConsole) -> None:
    assert "'autosuggest'" in lines(console.run("'auto' + 'suggest'", 2))
    console.send("'au")
    console.expect(r"to' \+ 'suggest'")  # drawn after the cursor
    console.send("\x1b[C" + ENTER)  # the right arrow takes it
    assert "'autosuggest'" in lines(console.expect_prompt(3))


def test_a_pasted_block_runs_on_one_enter(console: PtyConsole) -> None:
    block = "def triple(x):\n    return x * 3\n\nprint('pasted', triple(14))"
    console.send(PASTE_START + block + PASTE_END)
    console.expect(r"\.\.\.\(1\)> print\('pasted', triple\(14\)\)")
    console.send(ENTER)
    out = console.expect_prompt(2)
    assert "pasted 42" in lines(out)
    # Pasted as it is: no auto-indent was added to the pasted lines.
    assert "...(1)>     return x * 3" in out


def test_a_pasted_block_ending_in_a_new_line_runs_on_one_enter(console: PtyConsole) -> None:
    block = "total = 0\nfor n in range(5):\n    total += n\n\n"
    console.send(PASTE_START + block + PASTE_END)
    console.expect(r"\.\.\.\(1\)>     total \+= n")
    console.send(ENTER)
    console.expect_prompt(2)
    assert "10" in lines(console.run("total", 3))


def test_a_pasted_incomplete_block_waits_for_more(console: PtyConsole) -> None:
    console.send(PASTE_START + "def half(x):" + PASTE_END)
    console.send(ENTER)  # incomplete: a new, indented line
    console.expect(r"\.\.\.\(1\)>")
    console.send("return x // 2" + ENTER + ENTER)
    console.expect_prompt(2)
    assert "21" in lines(console.run("half(42)", 3))
