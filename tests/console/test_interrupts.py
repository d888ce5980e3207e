"""Ctrl+C at the prompt and during a command; Ctrl+D while processes spin; the shell process killed."""

from __future__ import annotations

import re
import time

import pytest

from tests.console.pty_console import CTRL_C, CTRL_D, ENTER, PASTE_END, PASTE_START, PtyConsole

pytestmark = [pytest.mark.console, pytest.mark.timeout(90)]

PID = r"#PID<\d+\.\d+\.\d+>"


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.split("\n")]


def test_ctrl_c_at_the_prompt_clears_the_line(console: PtyConsole) -> None:
    console.send("1 +")
    console.expect(r"1 \+")
    console.send(CTRL_C)
    console.expect_prompt(1)  # a fresh prompt, same number
    out = console.run("'cleared'", 2)  # would be 1 +'cleared', a TypeError, had the line stayed
    assert "'cleared'" in lines(out)
    assert "Error" not in out


def test_ctrl_c_in_a_block_at_the_prompt_drops_the_whole_block(console: PtyConsole) -> None:
    console.line("def unfinished():")
    console.expect(r"\.\.\.\(1\)>")
    console.send(CTRL_C)
    console.expect_prompt(1)
    assert "'fresh'" in lines(console.run("'fresh'", 2))


# Says "blocked" once the process it watches waits in receive(): Ctrl+C then
# reaches a command that is surely in receive(), as when a person presses it.
WHEN_WAITING = (
    "def when_waiting(pid):\n"
    "    while Process.info(pid)['status'] != 'waiting':\n"
    "        Process.sleep(0.01)\n"
    "    print('blocked')\n"
)


def define_when_waiting(console: PtyConsole, prompt: int) -> None:
    console.send(PASTE_START + WHEN_WAITING + PASTE_END + ENTER)
    console.expect_prompt(prompt + 1)


def test_ctrl_c_during_receive_interrupts_it_and_the_shell_process_lives_on(console: PtyConsole) -> None:
    pid = re.search(PID, console.run("self()", 2)).group()
    console.run("send(self(), 'kept')", 3)
    define_when_waiting(console, 3)
    # A receive that the message in the mailbox does not match: it waits.
    console.line("spawn(when_waiting, self()); receive(lambda m: m == 'never')")
    console.expect(r"\nblocked\n")
    console.send(CTRL_C)
    console.expect(r"\*\* \(KeyboardInterrupt\)")
    console.expect_prompt(4)  # the interrupted command did not count
    assert pid in console.run("self()", 5)  # the same shell process
    out = console.run("receive(timeout=0)", 6)  # and its mailbox
    assert "'kept'" in lines(out)


def test_ctrl_c_during_a_plain_receive(console: PtyConsole) -> None:
    pid = re.search(PID, console.run("self()", 2)).group()
    define_when_waiting(console, 2)
    console.line("spawn(when_waiting, self()); receive()")
    console.expect(r"\nblocked\n")
    console.send(CTRL_C)
    console.expect(r"\*\* \(KeyboardInterrupt\)")
    console.expect_prompt(3)
    assert pid in console.run("self()", 4)


def test_every_ctrl_c_during_a_busy_loop_interrupts_it(console: PtyConsole) -> None:
    # The console's thread waits for the result while the shell process spins:
    # a press must reach the command whichever thread the kernel gives the
    # signal to. Several rounds, as one lost press in a few was the symptom.
    pid = re.search(PID, console.run("self()", 2)).group()
    for round in range(6):
        console.send(PASTE_START + f"print('spinning', {round})\nwhile True: pass" + PASTE_END + ENTER)
        console.expect(rf"\nspinning {round}\n")
        console.send(CTRL_C)
        console.expect(r"\*\* \(KeyboardInterrupt\)")
        console.expect_prompt(2)
    assert pid in console.run("self()", 3)
    # Nothing printed twice: the output routers held no line over the interrupt.
    assert all(console.text.count(f"\nspinning {round}\n") == 1 for round in range(6))


def test_three_ctrl_c_kill_a_command_that_will_not_stop(console: PtyConsole) -> None:
    old = re.search(PID, console.run("self()", 2)).group()
    stubborn = (
        "while True:\n"
        "    try:\n"
        "        print('waiting')\n"
        "        while True: Process.sleep(0.05)\n"
        "    except KeyboardInterrupt:\n"
        "        print('caught')\n"
    )
    console.send(PASTE_START + stubborn + PASTE_END + ENTER)
    console.expect(r"\nwaiting\n")
    for _ in range(2):
        console.send(CTRL_C)
        console.expect(r"caught\nwaiting\n")
    console.send(CTRL_C)  # the third: the shell process is killed and replaced
    match = console.expect(rf"\*\* \(EXIT from ({PID})\) shell process exited with reason: killed\n")
    assert match.group(1) == old
    console.expect(r"press Ctrl\+D to exit")
    console.expect_prompt(1)
    assert old not in console.run("self()", 2)


def test_ctrl_c_as_a_command_ends_never_ends_pyex(console: PtyConsole) -> None:
    # Ctrl+C pressed at every moment around a short command's end: during it,
    # as it ends, as the prompt comes back. Each either interrupts the command
    # or clears the line; none may end pyex or show a traceback.
    for i in range(40):
        console.send(f"Process.sleep(0.02); {i}" + ENTER)
        time.sleep(0.01 + i * 0.0007)  # sweeps the press across the command's end
        console.send(CTRL_C)
        console.expect(rf"\n{i}\n|\*\* \(KeyboardInterrupt\)|\^C")
    console.send(ENTER)
    console.line("'still' + 'alive'")
    console.expect(r"'stillalive'")
    assert console.child.isalive()
    assert "Traceback" not in console.text
    assert "Exception" not in console.text


def test_ctrl_d_exits_at_once_while_processes_spin(console: PtyConsole) -> None:
    console.run("busy = [spawn(lambda: exec('while True: pass')) for _ in range(10)]", 2)
    assert "10" in lines(console.run("sum(alive(p) for p in busy)", 3))
    start = time.monotonic()
    console.send(CTRL_D)
    status = console.wait_exit(timeout=30)
    elapsed = time.monotonic() - start
    assert status == 0
    assert elapsed < 5, f"Ctrl+D took {elapsed:.1f} s to exit"
    # Cleanly: the terminal is left as it was, bracketed paste off, cursor shown.
    assert console.raw.rfind("\x1b[?2004l") > console.raw.rfind("\x1b[?2004h")
    assert console.raw.rfind("\x1b[?25h") > console.raw.rfind("\x1b[?25l")


def test_exit_while_processes_spin(console: PtyConsole) -> None:
    console.run("busy = [spawn(lambda: exec('while True: pass')) for _ in range(10)]", 2)
    start = time.monotonic()
    console.line("exit(7)")
    status = console.wait_exit(timeout=30)
    assert status == 7
    assert time.monotonic() - start < 5


def test_the_shell_process_killed_while_idle_at_the_prompt(console: PtyConsole) -> None:
    old = re.search(PID, console.run("shell_pid = self(); shell_pid", 2)).group()
    console.run("send(self(), 'old mail')", 3)
    console.run("spawn(lambda: (Process.sleep(0.3), Process.exit(shell_pid, 'kill')))", 4)
    # Nothing is typed: the notice and a new banner come above the prompt,
    # which starts again at 1.
    match = console.expect(rf"\*\* \(EXIT from ({PID})\) shell process exited with reason: killed\n")
    assert match.group(1) == old
    console.expect(r"press Ctrl\+D to exit \(type h\(\) ENTER for help\)\n")
    console.expect_prompt(1)
    new = re.search(PID, console.run("self()", 2)).group()
    assert new != old
    # A new mailbox, empty; the namespace is kept.
    assert "'empty'" in lines(console.run("receive(timeout=0, default='empty')", 3))
    assert "False" in lines(console.run("shell_pid == self()", 4))


def test_the_shell_process_killed_while_a_line_is_typed_keeps_the_line(console: PtyConsole) -> None:
    console.run("shell_pid = self()", 2)
    console.run("spawn(lambda: (Process.sleep(0.5), Process.exit(shell_pid, 'kill')))", 3)
    console.send("'typed' + 'before'")
    console.expect(r"shell process exited with reason")
    console.expect(r"press Ctrl\+D to exit")
    console.expect(r"pyex\(1\)> 'typed' \+ 'before'")  # redrawn with what was typed
    console.send("\r")
    assert "'typedbefore'" in lines(console.expect_prompt(2))


def test_the_shell_process_killed_during_a_command(console: PtyConsole) -> None:
    old = re.search(PID, console.run("shell_pid = self(); shell_pid", 2)).group()
    console.line("spawn(lambda: (Process.sleep(0.2), Process.exit(shell_pid, 'boom'))); receive()")
    match = console.expect(rf"\*\* \(EXIT from ({PID})\) shell process exited with reason: 'boom'\n")
    assert match.group(1) == old
    console.expect(r"press Ctrl\+D to exit")
    console.expect_prompt(1)
    assert old not in console.run("self()", 2)
