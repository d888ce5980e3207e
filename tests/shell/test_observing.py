"""tree(), top() and i(self()) through pyex.Shell, and the model behind the live view."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from pyex import Shell
from pyex.runtime.errors import Exit

pytestmark = pytest.mark.timeout(60)

SETUP = '''
class Stack(GenServer):
    def init(self, items):
        return ("ok", items)

    def handle_call(self, request, from_, state):
        return ("reply", state, state)

inner = {"id": "inner", "start": (Supervisor.start_link, [[(Stack, [1])]], {"strategy": "one_for_all"}),
         "type": "supervisor"}
temp = {"id": "temp", "start": (GenServer.start_link, [Stack, []]), "restart": "temporary"}
ok, sup = Supervisor.start_link([(Stack, [1, 2]), inner, temp], name="app_sup", max_restarts=5)
'''


@pytest.fixture
def shell() -> Iterator[Shell]:
    with Shell() as shell:
        yield shell


def test_tree_draws_every_top_level_supervisor(shell: Shell) -> None:
    assert shell.eval(SETUP).error is None
    text = shell.eval("tree()").output
    lines = text.rstrip("\n").split("\n")
    assert re.fullmatch(r"#PID<[\d.]+> 'app_sup' Supervisor one_for_one, restarts 0/5 in 5 s", lines[0])
    assert re.fullmatch(r"├── Stack #PID<[\d.]+> worker permanent", lines[1])
    assert re.fullmatch(
        r"├── 'inner' #PID<[\d.]+> supervisor permanent Supervisor one_for_all, restarts 0/3 in 5 s",
        lines[2],
    )
    assert re.fullmatch(r"│   └── Stack #PID<[\d.]+> worker permanent", lines[3])
    assert re.fullmatch(r"└── 'temp' #PID<[\d.]+> worker temporary", lines[4])
    assert len(lines) == 5  # the nested supervisor is not drawn again as a root
    assert shell.eval("tree('app_sup')").output == text


def test_tree_counts_restarts_and_shows_a_child_that_is_down(shell: Shell) -> None:
    shell.eval(SETUP)
    shell.eval("first = Supervisor.which_children(sup)[-1][1]")  # the first child, Stack
    shell.eval("ref = Process.monitor(first); Process.exit(first, 'kill'); receive(('DOWN', ref, ANY, ANY, ANY))")
    shell.eval("Supervisor.terminate_child(sup, 'temp')")
    text = shell.eval("tree(sup)").output
    assert "restarts 1/5 in 5 s" in text.split("\n")[0]
    assert "'temp'" not in text  # a temporary child is forgotten once stopped
    shell.eval("Supervisor.terminate_child(sup, 'inner')")
    text = shell.eval("tree(sup)").output
    assert re.search(r"'inner' \(not running\) supervisor permanent", text)


def test_tree_of_no_supervisors_and_of_a_plain_process(shell: Shell) -> None:
    assert shell.eval("tree()").output == "(no supervisors)\n"
    text = shell.eval("tree(spawn(receive, 'never'))").output
    assert text.endswith("(not a supervisor)\n")


@pytest.mark.slow
def test_tree_does_not_wait_for_a_supervisor_that_cannot_answer(shell: Shell) -> None:
    # A supervisor still starting its children (one never finishes) answers nothing.
    shell.eval(
        "def never_starts():\n"
        "    receive('never')\n"
        "stuck = spawn(lambda: Supervisor.start_link("
        "[{'id': 'slow', 'start': (never_starts, [])}], name='stuck_sup'))"
    )
    shell.eval("import time\nwhile Process.whereis('stuck_sup') is None: time.sleep(0.01)")
    evaluation = shell.eval("tree()", timeout=10)
    assert re.search(r"'stuck_sup' Supervisor \(no answer within 1 s\)", evaluation.output)


def test_tree_survives_children_dying_while_it_walks() -> None:
    import time

    from pyex import GenServer, Process, Supervisor, receive
    from pyex.otp import get_state
    from pyex.shell.observer import tree_lines

    class Worker(GenServer):
        def init(self, arg):
            return ("ok", arg)

    inner_spec = {
        "id": "inner",
        "start": (Supervisor.start_link, [[(Worker, 1)]], {}),
        "type": "supervisor",
        "restart": "temporary",
    }
    ok, sup = Supervisor.start_link([inner_spec, (Worker, 2)])
    inner = Supervisor.which_children(sup)[-1][1]
    asked = []

    def get_state_killing_inner(pid, timeout):
        asked.append(pid)
        if pid == inner:
            ref = Process.monitor(inner)
            Process.exit(inner, "kill")  # it dies just before it is asked
            receive(("DOWN", ref, "process", inner, "killed"), timeout=5)
        return get_state(pid, timeout)

    lines = tree_lines(sup, time.monotonic() + 5, get_state_killing_inner)
    assert asked[0] == sup and inner in asked
    assert re.search(r"'inner' #PID<[\d.]+> supervisor temporary \(exited\)", "\n".join(lines))
    assert re.search(r"Worker #PID<[\d.]+> worker permanent", lines[-1])

    def never_answers(pid, timeout):
        raise Exit(("timeout", ("sys", "get_state", [pid, timeout])))

    assert tree_lines(sup, time.monotonic() + 5, never_answers) == [
        f"{sup} Supervisor (no answer within 1 s)"
    ]
    assert tree_lines(sup, time.monotonic() - 1, never_answers) == [
        f"{sup} Supervisor (not asked: the walk ran out of time)"
    ]
    Supervisor.stop(sup)


def test_top_in_a_programmatic_shell_prints_one_table(shell: Shell) -> None:
    shell.eval(SETUP)
    evaluation = shell.eval("top(sort='pid')")
    assert evaluation.error is None and evaluation.value is None
    lines = evaluation.output.rstrip("\n").split("\n")
    assert re.fullmatch(r"\d+ processes, CPU \d+% over 0\.\d s, sampled in [\d.]+ ms", lines[0])
    assert lines[1].split() == [
        "PID", "NAME", "STATUS", "QUEUE", "CPU", "%", "CPU", "TIME", "MSGS/S", "MEMORY", "CURRENT", "FUNCTION",
    ]
    rows = "\n".join(lines[2:])
    assert re.search(r"#PID<[\d.]+>\s+app_sup\s+waiting\s+0\s+[\d.]+\s+[\d.]+s\s+\d+\s+[\d.]+ KB\s+Supervisor\.init/1", rows)
    assert re.search(r"\s+Stack\.init/1\s+waiting", rows)
    assert "pyex." not in rows.replace("pyex.runtime.mailbox", "")  # no pyex frame anywhere
    assert shell.eval("top(sort='nope')").error.__class__ is ValueError


def test_i_of_the_shell_process_shows_no_pyex_frame(shell: Shell) -> None:
    text = shell.eval("i(self())").output
    assert "pyex" not in re.sub(r"<pyex\(\d+\)>", "", text)
    current = shell.eval("info(self())['current_function']").value
    initial = shell.eval("info(self())['initial_call']").value
    assert current == ("__main__", "<module>", 0)
    assert initial == ("__main__", "shell", 0)


def test_the_live_views_model_pages_sorts_filters_and_details(shell: Shell) -> None:
    from pyex.shell.observer import TopModel

    shell.eval(SETUP)
    shell.eval("Process.set_label('the shell')")
    model = TopModel()
    page = model.handle({"op": "top_page", "refresh": True, "sort": "pid", "limit": 3})
    assert page["op"] == "top_page" and len(page["rows"]) == 3 and page["total"] >= 6
    pids = [row[0] for row in page["rows"]]
    assert pids == sorted(pids, key=lambda text: int(text.split(".")[1]))
    filtered = model.handle({"op": "top_page", "filter": "APP_SUP", "limit": 10})
    assert [row[1] for row in filtered["rows"]] == ["app_sup"]
    shell_pid = str(shell.pid)
    jumped = model.handle({"op": "top_page", "sort": "pid", "limit": 2, "select": shell_pid})
    assert jumped["rows"][jumped["selected"] - jumped["offset"]][0] == shell_pid
    assert jumped["rows"][jumped["selected"] - jumped["offset"]][1] == "'the shell'"
    sup = shell.eval("sup").value
    detail = model.handle({"op": "top_detail", "pid": str(sup)})
    sections = dict(detail["sections"])
    assert "SupervisorState(strategy='one_for_one'" in sections["State"]
    assert "'$behaviour': 'Supervisor'" in sections["Dictionary"]
    assert "links" in sections["Links and monitors"]
    # While a process is shown in detail it is traced: its events show there.
    assert sections["Recent trace"].startswith("(no events yet")
    shell.eval("send(sup, 'hello')")
    import time

    deadline = time.monotonic() + 10
    while "<< 'hello'" not in dict(model.handle({"op": "top_detail", "pid": str(sup)})["sections"])["Recent trace"]:
        assert time.monotonic() < deadline, "the message never showed in the recent trace"
        time.sleep(0.01)
    model.handle({"op": "top_page", "limit": 5})  # back to the list: no longer traced
    from pyex.runtime import tracing

    assert not tracing.GUARD[0]
    tree = model.handle({"op": "top_tree"})
    assert tree["text"].startswith(f"{sup} 'app_sup' Supervisor one_for_one")
    stack = shell.eval("Supervisor.which_children(sup)[-1][1]").value
    killed = model.handle({"op": "top_kill", "pid": str(stack)})
    assert killed == {"op": "top_notice", "text": f"killed {stack}"}
    gone = model.handle({"op": "top_detail", "pid": "0.99999.0"})
    assert gone["sections"] == [["Info", "the process is not alive"]]
    model.close()


def run_piped(tmp_path: Path, stdin: str, *args: str) -> str:
    """What ``pyex --no-startup ARGS < stdin`` prints (it must exit 0)."""
    result = subprocess.run(
        [sys.executable, "-m", "pyex", "--no-startup", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=30,
        cwd=tmp_path,
        env=dict(os.environ, HOME=str(tmp_path), NO_COLOR="1"),
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.slow
def test_top_is_one_table_in_a_piped_session(tmp_path: Path) -> None:
    out = run_piped(tmp_path, "spawn(receive, 'never')\nProcess.set_label('my worker')\ntop(sort='pid')\n1 + 1\n")
    assert re.search(r"\d+ processes, CPU \d+% over 0\.\d s", out)
    assert re.search(r"PID\s+NAME\s+STATUS", out)
    assert re.search(r"#PID<0\.84\.0>\s+'my worker'\s+running", out)
    assert re.search(r"#PID<0\.85\.0>\s+pyex\.runtime\.mailbox\.rec\S*\s+waiting", out)
    assert "pyex(4)> 2" in out


def _background_until(shell: Shell, pattern: str, timeout: float = 10.0) -> str:
    """What other processes printed, once it shows ``pattern`` (the printer runs on its own)."""
    import time

    seen = ""
    deadline = time.monotonic() + timeout
    while not re.search(pattern, seen, flags=re.M):
        if time.monotonic() > deadline:
            raise AssertionError(f"{pattern!r} never printed; printed:\n{seen}")
        seen += shell.background_output()
        time.sleep(0.01)
    return seen


def test_trace_prints_events_and_stops_after_its_limit(shell: Shell) -> None:
    shell.eval(SETUP)
    shell.eval("echo = spawn(lambda: [send(m[0], ('echo', m[1])) for m in iter(receive, None)])")
    echo = shell.eval("echo").value
    me = shell.pid
    evaluation = shell.eval("trace(echo, limit=3)")
    assert evaluation.output == f"tracing {echo} (at most 3 events; untrace({echo!r}) stops it)\n"
    # One at a time: a reply comes only after its 'send' event went to the printer.
    assert shell.eval("send(echo, (self(), 'hi')); receive()").value == ("echo", "hi")
    assert shell.eval("send(echo, (self(), 'ho')); receive()").value == ("echo", "ho")
    printed = _background_until(shell, r"stopped after 3 events")
    lines = printed.rstrip("\n").split("\n")
    assert lines[0] == f"{echo} << ({me}, 'hi')"
    assert lines[1] == f"{echo} ! ('echo', 'hi') -> {me}"
    assert lines[2] == f"{echo} << ({me}, 'ho')"
    assert lines[3] == f"trace of {echo} stopped after 3 events (trace({echo!r}, limit=N) for more)"
    assert len(lines) == 4  # the limit, then the notice: the fourth event is not printed
    shell.eval("send(echo, (self(), 'quiet'))")
    assert shell.eval("receive()").value == ("echo", "quiet")
    assert shell.background_output() == ""


def test_trace_shows_a_gen_servers_calls_and_untrace_stops_it(shell: Shell) -> None:
    shell.eval(SETUP)
    shell.eval("stack = Supervisor.which_children(sup)[-1][1]")
    stack = shell.eval("stack").value
    shell.eval("trace(stack)")
    assert shell.eval("GenServer.call(stack, 'peek')").value == [1, 2]
    printed = _background_until(shell, r"-> reply \[1, 2\]")
    assert f"{stack} <- call 'peek' from {shell.pid}" in printed
    assert shell.eval("untrace(stack)").output == f"untraced {stack}\n"
    assert shell.eval("untrace()").output == "nothing is traced\n"
    shell.eval("GenServer.call(stack, 'peek')")
    assert "call" not in shell.background_output()


def test_tracing_ends_when_the_shell_process_goes(shell: Shell) -> None:
    from pyex.runtime import tracing

    shell.eval("worker = spawn(receive, 'never')")
    shell.eval("trace(worker)")
    assert tracing.GUARD[0]
    shell.eval("respawn()")
    import time

    deadline = time.monotonic() + 10
    while tracing.GUARD[0]:
        assert time.monotonic() < deadline, "tracing outlived the shell process"
        time.sleep(0.01)
    shell.eval("Process.exit(worker, 'kill')")


def test_trace_helpers_check_their_arguments(shell: Shell) -> None:
    assert isinstance(shell.eval("trace('nobody')").error, ValueError)
    assert isinstance(shell.eval("trace(self(), limit=0)").error, ValueError)
    assert shell.eval("untrace()").output == "nothing is traced\n"
    text = shell.eval("h(trace)").output
    assert text.startswith("trace(pid, limit=100)")
    assert "#PID<0.90.0> << 'hi'" in text


@pytest.mark.slow
def test_the_readmes_tree_is_what_the_example_prints(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text()
    section = readme.split("## Watching processes")[1]
    block = re.search(r"```text\n\$ pyex -i examples/watched_app.py\n(.*?)```", section, flags=re.S)
    assert block is not None
    out = run_piped(tmp_path, "tree()\n", "--echo", "-i", str(root / "examples" / "watched_app.py"))
    assert block.group(1) in out
