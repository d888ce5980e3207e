"""Issue 8, item 5: Ctrl+C never loses a message.

The shell's interrupt (what Ctrl+C does to the shell process) raises
KeyboardInterrupt asynchronously in the running command. Wherever it lands, a
message is either returned by ``receive`` or still in the mailbox, in order;
an interrupted ``GenServer.call`` cleans up as a timeout does (no monitor left,
no late reply in the mailbox); an interrupted ``Task.await_`` leaves the task
awaitable, as its timeout does.

The storms are paced so that the command's own code survives them: the next
interrupt is fired only once the command has caught the previous one and is
back inside its ``try`` (``flags.armed == flags.fired``). What the tests assert
does not depend on timing, only on where the interrupts happened to land.
"""

from __future__ import annotations

import threading

import pytest

from pyex import ANY, GenServer, Shell, info, receive, send
from tests.helpers import eventually, run_isolated

pytestmark = pytest.mark.timeout(120)

# The storm: a thread interrupting the shell's command as fast as the command
# catches the interrupts, until the command says it is done (flags.finished).
STORM = """
import sys, threading, time
from types import SimpleNamespace
from pyex import Shell

flags = SimpleNamespace(armed=-1, finished=False, stopped=False, fired=0, stuck=False)

def storm(shell):
    deadline = time.monotonic() + 60
    while not flags.finished and time.monotonic() < deadline:
        if flags.armed == flags.fired and shell.interrupt():
            flags.fired += 1
    while flags.armed != flags.fired:  # the last one, caught
        if time.monotonic() > deadline:
            flags.stuck = True  # an interrupt neither raised nor caught
            break
        time.sleep(0)
    flags.stopped = True

def run_storm(shell, command):
    sys.setswitchinterval(1e-5)  # switch threads often: interrupts land anywhere
    thread = threading.Thread(target=storm, args=(shell,))
    thread.start()
    evaluation = shell.eval(command)
    thread.join()
    sys.setswitchinterval(0.005)
    if evaluation.error is not None:
        print("command failed:", evaluation.text)
    print("interrupts:", flags.fired, "stuck:", flags.stuck)
    return evaluation.value
"""


@pytest.mark.slow
def test_a_storm_of_interrupts_loses_no_message_in_receive():
    out = run_isolated(
        STORM
        + """
from pyex import spawn, send

N = 20_000
COMMAND = '''
got, caught, finished, turn = [], 0, False, 0
while not flags.stopped:
    try:
        while not flags.stopped:
            flags.armed = caught  # every interrupt so far was caught
            if not finished:
                turn += 1
                if turn % 3 == 0:
                    message = receive()
                elif turn % 3 == 1:
                    message = receive(('n', ANY), 'end')  # skips the ('x', i)
                else:
                    message = receive(timeout=30)
                if message == 'end':
                    finished = flags.finished = True
                else:
                    got.append(message)
    except KeyboardInterrupt:
        caught += 1
rest = []
while (message := receive(timeout=0, default=None)) is not None:
    rest.append(message)
(got, rest, caught)
'''

def sender(pid):
    for i in range(N):
        send(pid, ('n', i))
        if i % 7 == 0:
            send(pid, ('x', i))
    send(pid, 'end')

with Shell(namespace={'flags': flags}) as shell:
    spawn(sender, shell.pid)
    got, rest, caught = run_storm(shell, COMMAND)
print('caught:', caught == flags.fired)
sent = [m for i in range(N) for m in ([('n', i), ('x', i)] if i % 7 == 0 else [('n', i)])]
print('each message once:', sorted(got + rest) == sorted(sent))
print('missing:', sorted(set(sent) - set(got + rest))[:5])
in_order = all(
    [m for m in part if m[0] == kind] == sorted(m for m in part if m[0] == kind)
    for part in (got, rest)
    for kind in 'nx'
)
print('in order:', in_order)
""",
        timeout=100,
    )
    assert "stuck: False" in out, out
    assert "caught: True" in out, out
    assert "missing: []" in out, out
    assert "each message once: True" in out, out
    assert "in order: True" in out, out


@pytest.mark.slow
def test_a_storm_of_interrupts_during_calls_leaves_no_monitor_and_no_reply():
    out = run_isolated(
        STORM
        + """
from pyex import GenServer, info

class Echo(GenServer):
    def init(self, arg):
        return ('ok', None)

    def handle_call(self, request, from_, state):
        return ('reply', request, state)

COMMAND = '''
wrong, answered, caught, n = [], 0, 0, 0
while not flags.stopped:
    try:
        while not flags.stopped:
            flags.armed = caught
            if n < 3000:
                n += 1
                reply = GenServer.call(echo, n, 30)
                answered += 1
                if reply != n:
                    wrong.append((n, reply))
            else:
                flags.finished = True
    except KeyboardInterrupt:
        caught += 1
(wrong, answered, caught)
'''

_, echo = GenServer.start_link(Echo, None)
with Shell(namespace={'flags': flags, 'echo': echo}) as shell:
    wrong, answered, caught = run_storm(shell, COMMAND)
    print('caught:', caught == flags.fired)
    print('wrong replies:', wrong)
    # A reply the server sent to an abandoned call is dropped on arrival:
    # once the server has answered everything, none is in the mailbox.
    GenServer.call(echo, 'sync')
    print('left in the mailbox:', repr(shell.eval('flush()').output[:200]))
    print('monitors left:', len(shell.eval("info(self())['monitors']").value))
    print('monitoring the server:', len(info(echo)['monitored_by']))
""",
        timeout=100,
    )
    assert "stuck: False" in out, out
    assert "caught: True" in out, out
    assert "wrong replies: []" in out, out
    assert "left in the mailbox: ''" in out, out
    assert "monitors left: 0" in out, out
    assert "monitoring the server: 0" in out, out


class _Slow(GenServer):
    """Answers a call only when told to (a cast), and says when it has."""

    def init(self, test):
        return ("ok", (test, None))

    def handle_call(self, request, from_, state):
        test, _ = state
        send(test, "got the call")
        return ("noreply", (test, from_))

    def handle_cast(self, request, state):
        test, from_ = state
        GenServer.reply(from_, "late reply")
        send(test, "replied")
        return ("noreply", state)


def _eval_in_background(shell: Shell, source: str) -> tuple[threading.Thread, list]:
    results: list = []
    thread = threading.Thread(target=lambda: results.append(shell.eval(source)))
    thread.start()
    return thread, results


def test_ctrl_c_during_a_call_cleans_up_as_a_timeout_does():
    from pyex import self as me

    _, server = GenServer.start_link(_Slow, me())
    with Shell(namespace={"server": server}) as shell:
        thread, results = _eval_in_background(shell, "GenServer.call(server, 'slow', 30)")
        receive("got the call", timeout=10)
        # The call waits for its reply now (or is about to): interrupt it.
        assert shell.interrupt()
        thread.join(10)
        assert results[0].text == "** (KeyboardInterrupt)"
        GenServer.cast(server, "release")
        receive("replied", timeout=10)  # the reply was dropped or delivered before this
        assert shell.eval("flush()").output == ""
        assert shell.eval("info(self())['monitors']").value == []
        assert info(server)["monitored_by"] == []


def test_ctrl_c_during_task_await_leaves_the_task_awaitable_as_a_timeout_does():
    from pyex import self as me

    with Shell(namespace={"test": me()}) as shell:
        shell.eval(
            "from pyex import Task\n"
            "def work():\n"
            "    send(test, ('task', self()))\n"
            "    receive('go')\n"
            "    return 42\n"
            "t = Task.async_(work)"
        )
        _, task_pid = receive(("task", ANY), timeout=10)
        thread, results = _eval_in_background(shell, "send(test, 'awaiting')\nTask.await_(t, 30)")
        receive("awaiting", timeout=10)
        eventually(lambda: (info(shell.pid) or {}).get("status") == "waiting")
        assert shell.interrupt()
        thread.join(10)
        assert results[0].text == "** (KeyboardInterrupt)"
        send(task_pid, "go")
        assert shell.eval("Task.await_(t, 10)").value == 42
        assert shell.eval("info(self())['monitors']").value == []
        assert shell.eval("flush()").output == ""
