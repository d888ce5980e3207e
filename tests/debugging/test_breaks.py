"""break_(), breaks(), remove_breaks() and pry_last(), through pyex.Shell and piped."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyex import Shell, send
from pyex.runtime import hooks
from tests.debugging.piped_session import run_piped
from tests.helpers import eventually

pytestmark = pytest.mark.timeout(60)

ADD = "def add(a, b=2):\n    c = a + b\n    return c * 10"


@pytest.fixture
def shell():
    with Shell() as shell:
        shell.eval(ADD)
        yield shell
        shell.eval("remove_breaks()")


def test_break_pries_when_the_function_is_entered(shell):
    assert isinstance(shell.eval("break_(add)").value, int)
    paused = shell.eval("add(1)")
    assert paused.extra.get("paused")
    assert shell.prompt == f"Request to pry {shell.pid} at <pyex(1)>:1. Allow? [Yn] "
    assert "-> 1: def add(a, b=2):" in shell.eval("y").text
    assert shell.eval("a, b").value == (1, 2)
    shell.eval("a = 5")  # an argument, changed before the body runs
    assert shell.eval("continue_()").value == 70
    # One stop by default: the break is gone, the function runs untouched.
    assert shell.eval("add(1)").value == 30
    assert shell.eval("add.__code__.co_varnames[:3]").value == ("a", "b", "c")


def test_breaks_lists_them_and_remove_breaks_removes_them(shell):
    shell.eval("def other(x):\n    return x")
    shell.eval("break_(add, times=3)")
    shell.eval("break_(other, pid=self())")
    table = shell.eval("breaks()").output.splitlines()
    assert table[0].split() == ["ID", "Function", "Process", "Pending", "stops"]
    assert table[2].split()[1:] == ["__main__.add/2", "any", "3"]
    assert table[3].split()[1:] == ["__main__.other/1", str(shell.pid), "1"]
    assert int(table[3].split()[0]) == int(table[2].split()[0]) + 1
    shell.eval("remove_breaks(other)")
    assert len(shell.eval("breaks()").output.splitlines()) == 3
    shell.eval("remove_breaks()")
    assert shell.eval("breaks()").output == "No breakpoints set\n"
    assert shell.eval("add(1) + other(1)").value == 31


def test_a_break_for_one_process_leaves_the_others_alone(shell):
    shell.eval("parent = self()")
    shell.eval("def call_add():\n    receive('go')\n    send(parent, ('sum', add(1)))")
    free = shell.eval("spawn(call_add)").value
    stopped = shell.eval("stopped = spawn(call_add); stopped").value
    assert shell.eval("break_(add, pid=stopped, times=2)").error is None
    send(free, "go")
    assert shell.eval("receive(('sum', ANY), timeout=10)").value == ("sum", 30)
    send(stopped, "go")
    eventually(lambda: shell.prompt.startswith(f"Request to pry {stopped} "))
    shell.eval("y")
    assert shell.eval("next_()").text.count("-> 2:     c = a + b") == 1
    assert "-> 3:     return c * 10" in shell.eval("next_()").text
    shell.eval("c = 100")
    shell.eval("continue_()")
    assert shell.eval("receive(('sum', ANY), timeout=10)").value == ("sum", 1000)
    assert "__main__.add/2" in shell.eval("breaks()").output  # one stop left


def test_a_break_on_receive_stops_even_where_receive_runs_compiled(shell):
    # A plain receive() with a message waiting is the case send/receive run in
    # C (runtime/fastpath.py): the break must stop there all the same.
    shell.eval("import threading; go = threading.Event(); parent = self()")
    shell.eval("def take_one():\n    go.wait()\n    send(parent, ('took', receive()))")
    pid = shell.eval("pid = spawn(take_one); pid").value
    assert shell.eval("break_(receive, pid=pid)").error is None
    send(pid, "hello")  # waiting in its mailbox before it calls receive()
    shell.eval("go.set()")
    eventually(lambda: shell.prompt.startswith(f"Request to pry {pid} "))
    shell.eval("y")
    shell.eval("continue_()")
    assert shell.eval("receive(('took', ANY), timeout=10)").value == ("took", "hello")
    assert shell.eval("breaks()").output == "No breakpoints set\n"
    assert not hooks.active  # the compiled way is back


def test_pry_last_opens_at_the_frame_that_raised(shell):
    shell.eval("def boom(n):\n    k = n * 3\n    return 1 / (k - 9)")
    assert shell.eval("boom(3)").error is not None
    opened = shell.eval("pry_last()")
    assert "-> 3:     return 1 / (k - 9)" in opened.text
    assert shell.prompt == "pry(1)> "
    assert shell.eval("k, n").value == (9, 3)
    assert "finished" in shell.eval("next_()").text
    shell.eval("continue_()")
    assert shell.prompt.startswith("pyex(")
    assert shell.eval("1 + 1").value == 2


@pytest.mark.slow
def test_pry_last_without_an_error_says_so(tmp_path: Path):
    output = run_piped("pry_last()\n", tmp_path, "--echo")
    assert "** (RuntimeError) pry_last(): no command has raised yet" in output



@pytest.mark.slow
def test_break_in_a_piped_session(tmp_path: Path):
    script = ADD + "\n\nbreak_(add)\nadd(1)\ny\na\na = 5\ncontinue_()\nbreaks()\nadd(1)\n"
    output = run_piped(script, tmp_path, "--echo")
    assert "pyex(3)> add(1)\n" in output
    assert "Request to pry #PID<0.84.0> at <pyex(1)>:1. Allow? [Yn] y\n" in output
    assert "-> 1: def add(a, b=2):\n" in output
    assert "pry(1)> a\n1\npry(2)> a = 5\npry(3)> continue_()\n70\n" in output
    assert "pyex(4)> breaks()\nNo breakpoints set\npyex(5)> add(1)\n30\n" in output
