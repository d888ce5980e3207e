"""dbg() and top-level await, through pyex.Shell and in a piped session."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

from pyex import Shell
from tests.debugging.piped_session import run_piped

pytestmark = pytest.mark.timeout(60)



@pytest.fixture
def shell():
    with Shell() as shell:
        yield shell


def test_dbg_shows_source_and_value_and_returns_the_value(shell):
    evaluation = shell.eval("dbg(1 + 2)")
    assert evaluation.value == 3
    assert evaluation.output == "[<pyex(1)>:1: (file)]\n1 + 2 #=> 3\n\n"


def test_dbg_finds_its_own_call_among_several_on_a_line(shell):
    shell.eval("def f(x):\n    return dbg(x * 2) + dbg([x,\n                            x])[0]")
    evaluation = shell.eval("f(3)")
    assert evaluation.value == 9
    assert "x * 2 #=> 6\n" in evaluation.output
    assert "[x,\n                            x] #=> [3, 3]\n" in evaluation.output
    assert "[<pyex(1)>:2: f]" in evaluation.output


def test_dbg_in_another_process_prints_where_its_output_goes(shell):
    shell.eval("pid, ref = spawn_monitor(lambda: dbg('hi'.upper()))")
    shell.eval("receive(('DOWN', ref, ANY, ANY, ANY), timeout=10)")
    assert "'hi'.upper() #=> 'HI'" in shell.background_output()


@pytest.mark.slow
def test_dbg_in_a_piped_session(tmp_path: Path):
    output = run_piped("x = [1, 2]\ndbg(len(x) + 1)\n", tmp_path)
    assert "pyex(2)> [<pyex(2)>:1: (file)]\nlen(x) + 1 #=> 3\n\n3\n" in output


def test_top_level_await_keeps_one_loop_for_the_session(shell):
    shell.eval("import asyncio")
    shell.eval("queue = asyncio.Queue()")
    shell.eval("await queue.put('first')")
    assert shell.eval("await queue.get()").value == "first"
    shell.eval("task = asyncio.ensure_future(asyncio.sleep(0, 'later'))")
    assert shell.eval("await task").value == "later"


def test_awaited_code_runs_in_the_shell_process(shell):
    shell.eval("import asyncio\nasync def who():\n    await asyncio.sleep(0)\n    return self()")
    assert shell.eval("await who()").value == shell.pid


def test_await_in_blocks_and_async_for(shell):
    shell.eval(
        "async def numbers():\n"
        "    for n in range(3):\n"
        "        yield n\n"
    )
    evaluation = shell.eval("total = 0\nasync for n in numbers():\n    total += n\ntotal")
    assert evaluation.value == 3


def test_interrupting_an_await_cancels_the_task_and_the_loop_lives_on(shell):
    shell.eval("import asyncio\nstarted = asyncio.Event()")
    shell.eval("async def wait_long():\n    started.set()\n    await asyncio.sleep(60)")
    shell.eval("task = asyncio.ensure_future(wait_long())")
    done = threading.Event()
    result = {}

    def run() -> None:
        result["evaluation"] = shell.eval("await task")
        done.set()

    threading.Thread(target=run, daemon=True).start()
    # The loop runs in the shell process; interrupt once the task is waiting.
    while not done.is_set():
        if shell.namespace["started"].is_set() and shell.interrupt():
            break
    assert done.wait(20)
    assert result["evaluation"].text == "** (KeyboardInterrupt)"
    assert shell.eval("task.cancelled()").value is True
    assert shell.eval("await asyncio.sleep(0, 'alive')").value == "alive"


@pytest.mark.slow
def test_top_level_await_piped(tmp_path: Path):
    script = (
        "import asyncio\n"
        "queue = asyncio.Queue()\n"
        "await queue.put(41)\n"
        "async with asyncio.timeout(5):\n"
        "    value = await queue.get()\n"
        "value + 1\n"
    )
    if sys.version_info < (3, 11):
        script = script.replace("async with asyncio.timeout(5):\n    ", "")
    output = run_piped(script, tmp_path)
    assert "pyex(6)> 42\n" in output or "pyex(5)> 42\n" in output
    assert "**" not in output
