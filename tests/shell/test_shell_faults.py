"""Issue 8, item 4: pyex.Shell from code never wedges.

close() returns within a second and leaves no process, even while another
thread's eval runs; a command that ran out of time is really abandoned and the
error says what became of it; eval from inside one of its own commands is an
error, not a deadlock.
"""

from __future__ import annotations

import threading
import time

import pytest

from pyex import Shell, alive
from tests.helpers import run_isolated

pytestmark = pytest.mark.timeout(60)


@pytest.mark.slow
def test_close_while_another_thread_evals_returns_at_once_and_leaves_no_process():
    out = run_isolated(
        """
        import threading, time
        from pyex import Shell, alive, processes, self
        self()  # the main thread is a process too (close() sends an exit signal)
        before = set(processes())
        started = threading.Event()
        shell = Shell(namespace={"started": started})
        shell_pid = shell.pid
        outcome = []

        def run():
            try:
                outcome.append(shell.eval("started.set()\\nwhile True:\\n    pass"))
            except Exception as exc:
                outcome.append(exc)

        worker = threading.Thread(target=run, daemon=True)
        worker.start()
        started.wait(10)
        begun = time.monotonic()
        shell.close()
        print("closed within a second:", time.monotonic() - begun < 1.0)
        worker.join(5)
        print("eval returned:", not worker.is_alive())
        print("eval says:", outcome[0])
        print("no process left:", set(processes()) == before and not alive(shell_pid))
        """
    )
    assert "closed within a second: True" in out
    assert "eval returned: True" in out
    assert "eval says: the shell session was closed while the command ran" in out
    assert "no process left: True" in out


@pytest.mark.slow
def test_eval_from_inside_one_of_its_own_commands_is_an_error():
    out = run_isolated(
        """
        from pyex import Shell
        with Shell() as shell:
            shell.namespace["shell"] = shell
            evaluation = shell.eval("shell.eval('1 + 1')")
            print(type(evaluation.error).__name__, evaluation.error)
            print(shell.eval("2 + 2").value)
        """
    )
    first, second = out.splitlines()[:2]
    assert first.startswith("RuntimeError eval() was called from inside a command")
    assert second == "4"


@pytest.mark.slow
def test_a_command_that_never_started_is_withdrawn_and_never_runs():
    began = threading.Event()
    with Shell(namespace={"began": began}) as shell:
        busy = threading.Thread(target=shell.eval, args=("began.set()\nProcess.sleep(0.6)",))
        started = time.monotonic()
        busy.start()
        assert began.wait(10)
        with pytest.raises(TimeoutError, match="did not start within 0.1 s.*withdrawn"):
            shell.eval("ran = True", timeout=0.1)
        busy.join(10)
        assert time.monotonic() - started < 5
        assert shell.eval("'ran' in dir()").value is False
        assert shell.eval("1 + 1", timeout=5).value == 2


def test_an_interrupted_command_says_so_and_the_shell_goes_on():
    with Shell() as shell:
        pid = shell.pid
        with pytest.raises(TimeoutError, match="ran longer than 0.2 s and was interrupted"):
            shell.eval("Process.sleep(30)", timeout=0.2)
        assert shell.eval("self()").value == pid
        assert shell.eval("1 + 1", timeout=5).value == 2


@pytest.mark.slow
def test_a_command_that_ignores_interrupts_is_ended_with_its_shell_process():
    with Shell() as shell:
        pid = shell.pid
        stubborn = "while True:\n    try:\n        Process.sleep(0.01)\n    except KeyboardInterrupt:\n        pass"
        with pytest.raises(TimeoutError, match="did not stop.*was killed"):
            shell.eval(stubborn, timeout=0.2)
        assert not alive(pid)
        evaluation = shell.eval("1 + 1", timeout=5)
        assert evaluation.value == 2
        assert shell.pid != pid
