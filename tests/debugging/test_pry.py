"""pry() and breakpoint() through pyex.Shell: the shell evaluates in the paused frame."""

from __future__ import annotations

import sys

import pytest

from pyex import Process, Shell, info, send
from tests.helpers import eventually, wait_exit

pytestmark = pytest.mark.timeout(60)

QUESTION = "Request to pry {pid} at <pyex(1)>:{line}. Allow? [Yn] "

WORKER = (
    "def work(x):\n"
    "    receive('go')\n"
    "    y = x * 2\n"
    "    pry()\n"
    "    send(parent, ('after', y))\n"
    "    return y\n"
)


@pytest.fixture
def shell():
    with Shell() as shell:
        shell.eval(WORKER)
        shell.eval("parent = self()")
        yield shell


def asked(shell: Shell) -> str:
    return eventually(lambda: shell.prompt if shell.prompt.startswith("Request") else "")


def test_pry_in_a_spawned_process(shell):
    pid = shell.eval("pid = spawn(work, 5); pid").value
    shell.eval("send(pid, 'go')")
    assert asked(shell) == QUESTION.format(pid=pid, line=4)
    shown = shell.eval("y")
    assert "-> 4:     pry()" in shown.text
    assert shell.prompt == "pry(1)> "
    assert shell.eval("y").value == 10
    assert shell.eval("x + y").text == "15"
    assert shell.eval("self() == pid").value is True
    assert shell.prompt == "pry(4)> "
    assert info(pid)["status"] == "waiting"
    whereami = shell.eval("whereami()")
    assert whereami.output.startswith("Location: <pyex(1)>:4\n")
    assert "   3:     y = x * 2\n-> 4:     pry()\n   5:" in whereami.output
    assert shell.eval("continue_()").text == ""
    assert shell.prompt == "pyex(5)> "
    assert shell.eval("receive(timeout=10)").value == ("after", 10)


def test_assigning_a_local_in_a_pry_takes_effect(shell):
    shell.eval("send(spawn(work, 5), 'go')")
    asked(shell)
    shell.eval("")  # Enter: yes
    shell.eval("y = 100")
    shell.eval("continue_()")
    assert shell.eval("receive(timeout=10)").value == ("after", 100)


def test_declining_lets_the_process_go_on(shell):
    shell.eval("send(spawn(work, 1), 'go')")
    asked(shell)
    assert shell.eval("n").text == ""
    assert shell.prompt == "pyex(4)> "
    assert shell.eval("receive(timeout=10)").value == ("after", 2)


def test_requests_queue_and_are_offered_in_turn(shell):
    first = shell.eval("first = spawn(work, 1); first").value
    shell.eval("send(first, 'go')")
    assert asked(shell).startswith(f"Request to pry {first} ")
    shell.eval("y")
    # Made while the first is pried: its request waits for the first pry to end.
    second = shell.eval("second = spawn(work, 2); send(second, 'go'); second").value
    assert shell.eval("x").value == 1
    assert shell.prompt == "pry(3)> "
    shell.eval("continue_()")
    assert asked(shell).startswith(f"Request to pry {second} ")
    shell.eval("y")
    assert shell.eval("x").value == 2
    shell.eval("continue_()")
    assert sorted([shell.eval("receive(timeout=10)").value for _ in range(2)]) == [
        ("after", 2),
        ("after", 4),
    ]


def test_other_processes_keep_running_while_one_is_pried(shell):
    shell.eval("send(spawn(work, 1), 'go')")
    asked(shell)
    shell.eval("y")
    # Evaluated in the pried process: it spawns a process that talks to the shell process.
    shell.eval("spawn(lambda: [send(parent, ('tick', n)) for n in range(3)])")
    shell.eval("continue_()")
    ticks = [shell.eval("receive(('tick', ANY), timeout=10)").value for _ in range(3)]
    assert ticks == [("tick", 0), ("tick", 1), ("tick", 2)]


def test_killing_the_pried_process_ends_the_pry(shell):
    pid = shell.eval("spawn(work, 1)").value
    send(pid, "go")
    asked(shell)
    shell.eval("y")
    assert shell.prompt.startswith("pry(")
    Process.exit(pid, "kill")
    assert wait_exit(pid) in ("killed", "noproc")
    eventually(lambda: shell.prompt == "pyex(4)> ")
    assert shell.eval("1 + 1").value == 2


def test_breakpoint_in_the_shell_process_and_next(shell):
    shell.eval(
        "def g():\n"
        "    z = 1\n"
        "    breakpoint()\n"
        "    z += 1\n"
        "    return z\n"
    )
    paused = shell.eval("g()")
    assert paused.extra.get("paused")
    assert shell.prompt == QUESTION.format(pid=shell.pid, line=3).replace("pyex(1)", "pyex(3)")
    shell.eval("y")
    assert shell.eval("z").value == 1
    stepped = shell.eval("next_()")
    assert "-> 4:     z += 1" in stepped.text
    shell.eval("z = 41")
    assert "-> 5:     return z" in shell.eval("next_()").text
    assert shell.eval("z").value == 42
    result = shell.eval("continue_()")
    assert result.value == 42
    assert shell.prompt == "pyex(5)> "


def test_pry_helpers_outside_a_pry_say_so(shell):
    assert "no pry is on" in shell.eval("whereami()").text
    assert "no pry is on" in shell.eval("continue_()").text


def test_pry_in_a_module_function_sees_the_shell_helpers(shell, tmp_path):
    (tmp_path / "pried_module.py").write_text(
        "from pyex import pry, receive\n"
        "\n"
        "def wait_here(token):\n"
        "    receive('go')\n"
        "    pry()\n"
        "    return token\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        shell.eval("import pried_module")
        pid = shell.eval("spawn(pried_module.wait_here, 'tok')").value
        send(pid, "go")
        assert asked(shell).startswith(f"Request to pry {pid} at {tmp_path}/pried_module.py:5.")
        shell.eval("y")
        assert shell.eval("token").value == "tok"
        assert shell.eval("info(self())['initial_call']").value == ("pried_module", "wait_here", 1)
        assert shell.eval("whereami()").output.count("-> 5:     pry()") == 1
        shell.eval("continue_()")
    finally:
        sys.path.remove(str(tmp_path))


def test_ctrl_c_or_d_at_a_question(shell):
    """What the console does for Ctrl+C / Ctrl+D at a question, through the session."""
    session = shell._session
    shell.eval("send(spawn(work, 1), 'go')")
    asked(shell)
    assert session.cancel_prompt().extra.get("released")  # declined
    assert shell.eval("receive(timeout=10)").value == ("after", 2)
    # A process reading a line: Ctrl+D is end of input, Ctrl+C interrupts it.
    shell.eval(
        "from pyex.shell.pry import read_line\n"
        "def reader():\n"
        "    send(parent, ('read', repr(read_line('> '))))\n"
        "    receive('again')\n"
        "    try:\n"
        "        read_line('> ')\n"
        "    except KeyboardInterrupt:\n"
        "        send(parent, ('read', 'interrupted'))"
    )
    reader = shell.eval("spawn(reader)").value
    eventually(lambda: shell.prompt == "> ")
    session.cancel_prompt(eof=True)
    assert shell.eval("receive(('read', ANY), timeout=10)").value == ("read", "''")
    send(reader, "again")
    eventually(lambda: shell.prompt == "> ")
    session.cancel_prompt()
    assert shell.eval("receive(('read', ANY), timeout=10)").value == ("read", "interrupted")


def test_a_command_waiting_for_the_pried_process_ends_after_the_pry(shell):
    paused = shell.eval(
        "pid = spawn(work, 5); send(pid, 'go'); receive(('after', ANY), timeout=30)"
    )
    assert paused.extra.get("paused")
    pid = shell.namespace["pid"]
    assert shell.prompt == QUESTION.format(pid=pid, line=4)
    shell.eval("y")
    assert info(pid)["status"] == "waiting"
    assert info(pid)["current_function"] == ("__main__", "work", 1)
    shell.eval("y = 'changed'")
    result = shell.eval("continue_()")
    assert result.value == ("after", "changed")  # the command's own result, at last
    assert shell.prompt == "pyex(4)> "
