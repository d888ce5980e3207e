"""pyex never crashes from what a user types (issue 7, item 8), through pyex.Shell."""

from __future__ import annotations

import pytest

from pyex import Shell

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def shell():
    with Shell(width=80) as shell:
        yield shell


def test_processes_lists_only_the_users_processes(shell):
    calls = shell.eval("[info(p)['initial_call'] for p in processes()]").value
    assert calls == [("__main__", "shell", 0)]  # the shell process, never a frame of pyex


def test_killing_every_process_leaves_the_shell_working(shell):
    shell.eval("workers = [spawn(receive) for _ in range(5)]")
    killed = shell.eval("for p in reversed(processes()): Process.exit(p, 'kill')")
    assert killed.shell_exited
    assert "shell process exited with reason: killed" in killed.text
    assert shell.eval("6 * 7").value == 42
    assert shell.eval("[alive(p) for p in workers]").value == [False] * 5
    for number in range(80, 100):  # whatever pid the user makes up
        shell.eval(f"Process.exit(pid(0, {number}, 0), 'kill')")
    assert shell.eval("'still here'").value == "still here"


def test_a_traceback_after_respawn_shows_the_code_that_ran(shell):
    shell.eval("def broken():\n    return 1 / 0")  # pyex(1)
    shell.eval("respawn()")
    shell.eval("unrelated = 'a later line'")  # pyex(1) of the new shell process
    text = shell.eval("broken()").text
    assert "return 1 / 0" in text
    assert "a later line" not in text


def test_a_failed_command_does_not_lend_its_prompt_number_to_the_next(shell):
    shell.eval("def later():\n    raise ValueError('mine')\nraise KeyError('first')")  # pyex(1) fails
    shell.eval("x = 'second command at pyex(1)'")
    text = shell.eval("later()").text
    assert "raise ValueError('mine')" in text
    assert "second command" not in text


@pytest.mark.slow
def test_an_expression_too_deep_to_compile_is_an_error(shell):
    deep = shell.eval("1" + " + 1" * 200_000)
    assert deep.text.startswith("** (RecursionError)")
    assert "ast.py" not in deep.text
    nested = shell.eval("[" * 100_000 + "]" * 100_000)
    assert nested.text.startswith("** (SyntaxError) too many nested parentheses")
    assert len(nested.text) < 400
    assert shell.eval("1 + 1").value == 2


def test_a_recursion_error_shows_a_short_traceback(shell):
    shell.eval("def down(n):\n    return down(n + 1)")
    text = shell.eval("down(0)").text
    assert text.startswith("** (RecursionError) maximum recursion depth exceeded")
    assert text.count("in down") == 3
    assert "[the frame above repeated" in text
    assert len(text.split("\n")) < 15


def test_exception_notes_and_groups_are_shown(shell):
    text = shell.eval("e = ValueError('x'); e.add_note('a note'); raise e").text
    assert text == "** (ValueError) x\n    a note"
    text = shell.eval("raise ExceptionGroup('many', [ValueError(1), KeyError(2)])").text
    assert "** (ExceptionGroup) many (2 sub-exceptions)" in text
    assert "+-- 1:" in text and "** (ValueError) 1" in text and "** (KeyError) 2" in text


def test_a_helper_called_wrongly_counts_the_users_arguments_only(shell):
    assert shell.eval("i(1, 2)").text == (
        "** (TypeError) i() takes from 0 to 1 positional arguments but 2 were given"
    )
    assert shell.eval("pwd(1)").text == "** (TypeError) pwd() takes 0 positional arguments but 1 was given"
