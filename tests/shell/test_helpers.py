"""The shell's helpers, as a user calls them at the prompt."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pyex import Shell

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def shell():
    with Shell(width=100) as shell:
        yield shell


def test_h_lists_every_helper_with_a_summary(shell):
    output = shell.eval("h()").output
    for call in ("h([obj])", "i([term])", "v(n=-1)", "flush()", "clear()", "respawn()",
                 "c(path)", "r(module)", "ls(path='.')", "pwd()", "cd(path='~')",
                 "runtime_info()", "exports(obj)", "state(server", "pid(*parts)"):
        assert call in output, call
    assert "GenServer, Supervisor, DynamicSupervisor, Agent, Task" in output
    assert "object at 0x" not in output


def test_every_helper_and_preloaded_function_has_a_docstring(shell):
    names = shell.eval(
        "[name for name in ('h', 'i', 'v', 'flush', 'clear', 'respawn', 'c', 'r', 'ls', 'pwd',"
        " 'cd', 'runtime_info', 'exports', 'state', 'pid', 'self', 'spawn', 'spawn_link',"
        " 'spawn_monitor', 'send', 'receive', 'alive', 'info', 'processes', 'make_ref')"
        " if not (eval(name).__doc__ or '').strip()]"
    ).value
    assert names == []


def test_h_of_a_function_shows_its_signature_and_doc(shell):
    output = shell.eval("h(Process.monitor)").output
    assert output.startswith("monitor(target)\n")
    assert "DOWN" in output
    assert shell.eval("h('receive')").output.startswith("receive(*patterns, timeout=None")


def test_h_of_a_class_lists_its_functions(shell):
    output = shell.eval("h(GenServer)").output
    assert output.startswith("class GenServer")
    assert "call(" in output and "start_link(" in output


def test_h_of_an_unknown_name_names_it(shell):
    evaluation = shell.eval("h('no_such_thing')")
    assert isinstance(evaluation.error, NameError)
    assert "no_such_thing" in evaluation.text


def test_i_describes_a_value(shell):
    output = shell.eval("i([1, 2])").output
    assert output.startswith("Term\n  [1, 2]\nData type\n  list\n")
    assert "Implemented protocols\n  Iterable, Sized, Container" in output


def test_i_of_a_pid_shows_its_process(shell):
    output = shell.eval("i(self())").output
    assert "Data type\n  Pid\nAlive\n  true\n" in output
    assert "message_queue_len" in output and "status" in output


def test_i_of_a_genserver_shows_its_module_and_state(shell):
    shell.eval(
        "class Counter(GenServer):\n"
        "    def init(self, start):\n"
        "        return ('ok', start)\n"
    )
    shell.eval("ok, counter = GenServer.start_link(Counter, 41)")
    output = shell.eval("i(counter)").output
    assert "Behaviour\n  GenServer\n" in output
    assert "Module\n  Counter\n" in output
    assert "State\n  41\n" in output
    assert shell.eval("state(counter)").value == 41


def test_c_runs_a_file_and_returns_the_names_it_defined(shell, tmp_path: Path):
    script = tmp_path / "defs.py"
    script.write_text("def double(x):\n    return 2 * x\n\nTWELVE = 12\n")
    shell.namespace["script_path"] = str(script)
    assert shell.eval("c(script_path)").value == ["TWELVE", "double"]
    assert shell.eval("double(TWELVE)").value == 24


def test_r_reloads_a_module(shell, tmp_path: Path, monkeypatch):
    (tmp_path / "reloadme_pyex.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    shell.eval("import reloadme_pyex")
    (tmp_path / "reloadme_pyex.py").write_text("VALUE = 2\n")
    os.utime(tmp_path / "reloadme_pyex.py", (1, 1))  # reload must not trust the old .pyc
    assert shell.eval("r(reloadme_pyex).VALUE").value == 2


def test_pwd_cd_and_ls(shell, tmp_path: Path):
    (tmp_path / "folder").mkdir()
    (tmp_path / "file.txt").write_text("")
    here = os.getcwd()
    try:
        shell.namespace["target"] = str(tmp_path)
        assert shell.eval("cd(target)").output == f"{tmp_path}\n"
        assert shell.eval("pwd()").output == f"{tmp_path}\n"
        assert shell.eval("ls()").output.split() == ["file.txt", "folder/"]
    finally:
        os.chdir(here)


def test_runtime_info_reports_the_runtime(shell):
    output = shell.eval("runtime_info()").output
    for label in ("Python", "Uptime", "Live processes", "All threads", "Worker threads",
                  "Resident", "Switch interval"):
        assert label in output, label


def test_exports_lists_functions_with_arity(shell):
    output = shell.eval("exports(Process)").output
    assert "monitor/1" in output and "exit/2" in output and "send_after/3" in output


def test_v_and_underscore(shell):
    shell.eval("'a'")
    shell.eval("'b'")
    assert shell.eval("v(1) + v(-1) + _").value == "abb"


def test_helpers_live_beneath_the_users_names(shell):
    shell.eval("for i in range(3): pass")
    failed = shell.eval("i(1)")
    assert "'int' object is not callable" in failed.text
    assert "the variable i = 2 hides the helper i(); `del i` brings it back" in failed.text
    assert "i([term])" in shell.eval("h()").output  # h() lists the helper, not the int
    shell.eval("del i")
    assert "Data type" in shell.eval("i(1)").output
    shell.eval("spawn = 3")
    shell.eval("del spawn")
    assert callable(shell.eval("spawn").value)


def test_a_callable_that_replaces_a_helper_gets_no_hint(shell):
    shell.eval("def v(n): return n * 2")
    assert shell.eval("v(21)").value == 42
    assert "hides" not in shell.eval("v(1)(2)").text
