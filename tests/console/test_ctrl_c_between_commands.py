"""Which command a Ctrl+C pressed between two commands belongs to.

The terminal sends SIGINT only while no prompt is up, so a press the runtime
gets while no command runs came either after Enter, before the command began
(it is that command's), or as the last command ended, before the prompt came
back (it is nobody's: a command typed next must not be interrupted by it).
These drive the runtime's end of the console through its message pipes, each
in its own interpreter (the console's stdin routing is process-wide).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytestmark = [pytest.mark.console, pytest.mark.timeout(60)]

DRIVER = textwrap.dedent(
    """
    import os, threading
    from pyex.frontends.console.bridge import Bridge
    from pyex.frontends.console.protocol import MessageReader, MessageWriter

    commands_read, commands_write = os.pipe()
    events_read, events_write = os.pipe()
    bridge = Bridge(commands_read, events_write, None)
    to_bridge, from_bridge = MessageWriter(commands_write), MessageReader(events_read)
    threading.Thread(target=bridge.run, kwargs={"catch_ctrl_c": False}, daemon=True).start()

    def say(*values):  # print goes to the shell's output, here
        os.write(1, (" ".join(map(str, values)) + "\\n").encode())

    def until(op):
        while True:
            message = from_bridge.read(timeout=20)
            assert message is not None, "the runtime's end went away"
            if message["op"] == op:
                return message

    def run(source):
        to_bridge.send({"op": "eval", "source": source, "width": 80})
        return until("result")

    until("ready")
    SCENARIO
    """
)


def drive(scenario: str) -> list[str]:
    script = DRIVER.replace("SCENARIO", textwrap.dedent(scenario).strip())
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=50
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_a_press_as_a_command_ends_interrupts_no_later_command() -> None:
    lines = drive(
        """
        say(run("Process.sleep(0.01); 1")["text"])
        bridge.on_ctrl_c()  # the command is over, the prompt not back yet
        result = run("'still' + 'alive'")
        say(result["text"], result["interrupted"])
        """
    )
    assert lines == ["1", "'stillalive' False"]


def test_a_press_after_enter_before_the_command_begins_is_that_commands() -> None:
    lines = drive(
        """
        with bridge._press_lock:  # hold the serving thread before the command begins
            to_bridge.send({"op": "eval", "source": "Process.sleep(30); 'slept'", "width": 80})
            while not bridge._command_waiting():
                pass
        bridge.on_ctrl_c()
        result = until("result")
        say(result["interrupted"], "KeyboardInterrupt" in result["text"])
        """
    )
    assert lines == ["True True"]


def test_a_press_during_a_command_interrupts_it() -> None:
    lines = drive(
        """
        to_bridge.send({"op": "eval", "source": "print('began'); Process.sleep(30)", "width": 80})
        until("output")
        bridge.on_ctrl_c()
        result = until("result")
        say(result["interrupted"])
        say(run("'next'")["text"])
        """
    )
    assert lines == ["True", "'next'"]
