"""pyex.Shell: the shell core driven from code, as a test or a tool would."""

from __future__ import annotations

import re

import pytest

from pyex import Exit, Pid, Shell, alive, receive, send
from pyex import self as self_pid

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def shell():
    with Shell() as shell:
        yield shell


def test_values_are_shown_as_iex_shows_them(shell):
    evaluation = shell.eval("1 + 1")
    assert evaluation.value == 2
    assert evaluation.text == "2"
    assert evaluation.error is None


def test_none_is_not_shown(shell):
    assert shell.eval("None").text == ""
    assert shell.eval("x = 5").text == ""
    assert shell.eval("x").text == "5"


def test_every_command_runs_in_the_same_shell_process(shell):
    first = shell.eval("self()").value
    second = shell.eval("self()").value
    assert isinstance(first, Pid)
    assert first == second == shell.pid
    assert shell.eval("self()").text == repr(first)
    assert re.fullmatch(r"#PID<0\.\d+\.0>", shell.eval("self()").text)


def test_messages_wait_in_the_shell_mailbox_until_flushed(shell):
    send(shell.pid, ("hello", 1))
    shell.eval("send(self(), 'hi')")
    evaluation = shell.eval("flush()")
    assert evaluation.output == "('hello', 1)\n'hi'\n"
    assert evaluation.text == "('hello', 1)\n'hi'"
    assert shell.eval("flush()").output == ""


def test_receive_in_the_shell_takes_messages_sent_to_it(shell):
    me = self_pid()
    shell.namespace["test_pid"] = me
    shell.eval("send(test_pid, ('shell says', self()))")
    assert receive(timeout=5) == ("shell says", shell.pid)
    send(shell.pid, 42)
    assert shell.eval("receive(timeout=5)").value == 42


def test_an_exception_prints_iex_style_and_the_shell_lives_on(shell):
    pid = shell.pid
    send(pid, "kept")
    evaluation = shell.eval("raise RuntimeError('boom')")
    assert isinstance(evaluation.error, RuntimeError)
    assert evaluation.text == "** (RuntimeError) boom"
    assert shell.pid == pid
    assert shell.eval("self()").value == pid
    assert shell.eval("receive(timeout=1)").value == "kept"


def test_tracebacks_show_only_the_users_frames(shell):
    shell.eval("def inner(x):\n    return 1 / x\n")
    shell.eval("def outer():\n    return inner(0)\n")
    text = shell.eval("outer()").text
    lines = text.split("\n")
    assert lines[0] == "** (ZeroDivisionError) division by zero"
    assert "pyex" not in "".join(line for line in lines if "site-packages" in line)
    assert "in inner" in lines[1] and "return 1 / x" in lines[2]
    assert "in outer" in lines[3]
    assert not any("evaluator" in line or "session.py" in line for line in lines)


def test_syntax_errors_name_the_problem(shell):
    evaluation = shell.eval("1 +")
    assert isinstance(evaluation.error, SyntaxError)
    assert evaluation.text.startswith("** (SyntaxError) ")
    assert "^" in evaluation.text


def test_an_exit_raised_in_a_command_prints_exit_and_keeps_the_process(shell):
    pid = shell.pid
    evaluation = shell.eval("raise Exit('boom')")
    assert isinstance(evaluation.error, Exit)
    assert evaluation.text == "** (exit) 'boom'"
    assert shell.pid == pid


def test_killing_the_shell_process_starts_a_new_one(shell):
    old = shell.pid
    send(old, "lost with the old mailbox")
    evaluation = shell.eval("Process.exit(self(), 'kill')")
    assert evaluation.shell_exited
    assert evaluation.text == f"** (EXIT from {old}) shell process exited with reason: killed"
    new = shell.pid
    assert new != old
    assert not alive(old)
    assert shell.eval("self()").value == new
    assert shell.eval("receive(timeout=0, default='empty')").value == "empty"


def test_variables_survive_a_new_shell_process(shell):
    shell.eval("x = 41")
    shell.eval("Process.exit(self(), 'kill')")
    assert shell.eval("x + 1").value == 42


def test_a_linked_crash_takes_the_shell_process_down(shell):
    old = shell.pid
    evaluation = shell.eval(
        "spawn_link(lambda: (_ for _ in ()).throw(ValueError('bad')))\n"
        "receive(timeout=25)"
    )
    assert evaluation.shell_exited
    assert evaluation.text.startswith(
        f"** (EXIT from {old}) shell process exited with reason: an exception was raised:\n"
        "    ** (ValueError) bad"
    )
    assert shell.pid != old


def test_a_linked_exit_with_a_reason_takes_the_shell_down(shell):
    old = shell.pid
    shell.eval("def die():\n    raise Exit('boom')\n")
    evaluation = shell.eval("spawn_link(die)\nreceive(timeout=25)")
    assert evaluation.shell_exited
    assert evaluation.text == f"** (EXIT from {old}) shell process exited with reason: 'boom'"


def test_trapping_exits_in_the_shell_turns_a_linked_exit_into_a_message(shell):
    shell.eval("Process.flag('trap_exit', True)")
    shell.eval("def die():\n    raise Exit('boom')\n")
    evaluation = shell.eval("p = spawn_link(die)\nreceive(('EXIT', p, ANY), timeout=5)")
    assert evaluation.error is None, evaluation.text
    assert evaluation.value[2] == "boom"
    assert not evaluation.shell_exited


def test_results_are_numbered_and_v_returns_them(shell):
    assert shell.prompt == "pyex(1)> "
    shell.eval("10")
    shell.eval("raise ValueError()")  # errors do not take a number
    assert shell.prompt == "pyex(2)> "
    shell.eval("20")
    assert shell.eval("v(1)").value == 10
    assert shell.eval("v(2)").value == 20
    assert shell.eval("v(-1)").value == 20
    assert shell.eval("_").value == 20
    evaluation = shell.eval("v(99)")
    assert isinstance(evaluation.error, ValueError)
    assert "pyex(99)" in evaluation.text


def test_a_new_shell_process_starts_again_at_one(shell):
    shell.eval("1")
    shell.eval("2")
    shell.eval("Process.exit(self(), 'kill')")
    assert shell.prompt == "pyex(1)> "


def test_output_of_the_command_is_captured_before_its_value(shell):
    evaluation = shell.eval("print('hello')\nprint('world', end='')\n3")
    assert evaluation.output == "hello\nworld"
    assert evaluation.value == 3
    assert evaluation.text == "hello\nworld\n3"


def test_other_processes_output_is_background(shell):
    me = self_pid()
    shell.namespace["test_pid"] = me
    shell.eval("spawn(lambda: print('from elsewhere') or send(test_pid, 'printed'))")
    assert receive(timeout=5) == "printed"
    assert shell.background_output() == "from elsewhere\n"
    assert shell.background_output() == ""


def test_crash_reports_reach_the_shell_in_iex_shape(shell):
    me = self_pid()
    shell.namespace["test_pid"] = me
    shell.eval(
        "def crash():\n    raise RuntimeError('boom')\n\n"
        "p, ref = spawn_monitor(crash)\n"
        "receive(('DOWN', ref, ANY, ANY, ANY), timeout=5)"
    )
    report = shell.background_output()
    assert re.match(
        r"\n\d\d:\d\d:\d\d\.\d{3} \[error\] Process #PID<0\.\d+\.0> raised an exception\n"
        r"\*\* \(RuntimeError\) boom\n"
        r"    pyex\(1\):2: in crash\n",
        report,
    ), report


def test_respawn_gives_a_new_process_and_keeps_variables(shell):
    shell.eval("x = 1")
    old = shell.pid
    evaluation = shell.eval("respawn()")
    assert evaluation.restarted
    assert shell.pid != old
    assert not alive(old)
    assert shell.eval("x").value == 1
    assert shell.prompt == "pyex(2)> "


def test_interrupting_a_blocked_receive_keeps_pid_and_mailbox(shell):
    import threading

    pid = shell.pid
    send(pid, "keep me")

    def interrupt_when_waiting():
        from pyex import info
        from tests.helpers import eventually

        eventually(lambda: (info(pid) or {}).get("status") == "waiting" and shell.interrupt())

    thread = threading.Thread(target=interrupt_when_waiting)
    thread.start()
    evaluation = shell.eval("receive('never')")
    thread.join()
    assert isinstance(evaluation.error, KeyboardInterrupt)
    assert evaluation.text == "** (KeyboardInterrupt)"
    assert shell.pid == pid
    assert shell.eval("receive(timeout=1)").value == "keep me"


@pytest.mark.slow
def test_eval_timeout_interrupts_a_busy_command(shell):
    pid = shell.pid
    with pytest.raises(TimeoutError):
        shell.eval("while True: pass", timeout=0.5)
    assert shell.pid == pid
    assert shell.eval("1 + 1").value == 2


def test_exit_reports_an_exit_code(shell):
    assert shell.eval("exit(3)").exit_code == 3


def test_close_stops_the_shell_process():
    shell = Shell()
    pid = shell.pid
    shell.close()
    assert not alive(pid)


def test_pretty_printing_follows_the_width():
    with Shell(width=30) as shell:
        text = shell.eval("list(range(20))").text
    assert len(text.split("\n")) > 1
    assert all(len(line) <= 30 for line in text.split("\n"))


def test_a_partial_line_from_another_process_is_not_lost(shell):
    from tests.helpers import eventually

    shell.eval("spawn(lambda: print('no newline', end=''))")
    seen: list[str] = []
    eventually(lambda: seen.append(shell.background_output()) or "".join(seen) == "no newline")


def test_an_eval_timeout_interrupts_a_loop_on_one_line(shell):
    pid = shell.pid
    with pytest.raises(TimeoutError, match="was interrupted"):
        shell.eval("while True: pass", timeout=0.3)
    assert shell.pid == pid  # interrupted, not killed
    assert shell.eval("1 + 1").value == 2
