"""pry(), breakpoint(), pdb and input() in the console, in a real terminal (tmux), as a person types."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.console.tmux_console import TIMEOUT, TmuxConsole

pytestmark = [pytest.mark.console, pytest.mark.timeout(120)]

CODE = '''\
def work(x):
    receive('go')
    y = x * 2
    pry()
    print('resumed with', y)


def chatter(parent):
    receive('talk')
    print('another process talks')
    send(parent, 'talked')


def stepping():
    z = 1
    breakpoint()
    z += 1
    return z * 10
'''


class Session:
    """A console read in order: ``expect`` finds a pattern after the last one found."""

    def __init__(self, term: TmuxConsole) -> None:
        self.term = term
        self.seen = 0

    def expect(self, pattern: str) -> None:
        regex = re.compile(pattern)
        found: list[re.Match[str]] = []

        def check(text: str) -> bool:
            match = regex.search(text, self.seen)
            if match is not None:
                found.append(match)
            return match is not None

        self.term.wait_for(check, TIMEOUT, what=repr(pattern), whole=True)
        self.seen = found[-1].end()

    def type(self, text: str) -> None:
        self.term.line(text)


@pytest.fixture
def console(spawn_term: Callable[..., TmuxConsole], tmp_path: Path) -> Iterator[Session]:
    (tmp_path / "work.py").write_text(CODE)
    session = Session(spawn_term(env={"NO_COLOR": "1"}, columns=200))  # long paths on one line
    session.type("c('work.py')")
    session.expect(r"pyex\(2\)>")
    yield session


def test_pry_in_a_spawned_process(console: Session) -> None:
    console.type("pid = spawn(work, 5)")
    console.expect(r"pyex\(3\)>")
    console.type("talker = spawn(chatter, self())")
    console.expect(r"pyex\(4\)>")
    console.type("send(pid, 'go')")
    console.expect(r"Request to pry #PID<0\.\d+\.0> at \S*work\.py:4\. Allow\? \[Yn\]")
    console.type("")  # Enter: yes
    console.expect(r"Location: \S*work\.py:4")
    console.expect(r"-> 4:     pry\(\)")
    console.expect(r"pry\(1\)>")
    console.type("y")
    console.expect(r"\n10\n")
    console.type("whereami()")
    console.expect(r"   3:     y = x \* 2\n-> 4:     pry\(\)\n   5:     print")
    console.expect(r"pry\(3\)>")
    # Another process prints while this one is pried: above the prompt.
    console.type("send(talker, 'talk')")
    console.expect(r"another process talks")
    console.expect(r"pry\(4\)>")
    console.type("continue_()")
    console.expect(r"resumed with 10")
    console.expect(r"pyex\(\d+\)>")
    console.type("receive(timeout=10)")
    console.expect(r"'talked'")


def test_breakpoint_in_the_shell_process_steps_and_continues(console: Session) -> None:
    console.type("stepping()")
    console.expect(r"Request to pry #PID<0\.\d+\.0> at \S*work\.py:16\. Allow\? \[Yn\]")
    console.type("y")
    console.expect(r"pry\(1\)>")
    console.type("z")
    console.expect(r"\n1\n")
    console.type("next_()")
    console.expect(r"-> 17:     z \+= 1")
    console.type("z = 4")
    console.expect(r"pry\(3\)>")
    console.type("continue_()")
    console.expect(r"\n50\n")  # the command's own result, once the pry ends
    console.expect(r"pyex\(3\)>")



def test_pdb_reads_through_the_console(console: Session) -> None:
    """pdb in a process gets its lines from the console's one reader, not the terminal."""
    console.type("import pdb")
    console.expect(r"pyex\(3\)>")
    console.type("spawn(lambda: (lambda value: pdb.set_trace())(7))")
    console.expect(r"\(Pdb\)")
    console.type("p value * 6")
    console.expect(r"\n42\n")
    console.type("c")
    console.expect(r"pyex\(\d+\)>")
    console.type("1 + 1")
    console.expect(r"\n2\n")


def test_input_in_a_command_reads_through_the_console(console: Session) -> None:
    console.type("name = input('name? ')")
    console.expect(r"name\?")
    console.type("Ada")
    console.expect(r"pyex\(3\)>")
    console.type("name.upper()")
    console.expect(r"'ADA'")


def test_top_level_await_and_ctrl_c_cancels_it(console: Session) -> None:
    console.type("import asyncio")
    console.expect(r"pyex\(3\)>")
    console.type("queue = asyncio.Queue()")
    console.expect(r"pyex\(4\)>")
    console.type("await queue.put('made in one command')")
    console.expect(r"pyex\(5\)>")
    console.type("await queue.get()")
    console.expect(r"'made in one command'")
    console.type("print('awaiting'); await asyncio.sleep(60)")
    console.expect(r"\nawaiting")
    console.term.keys("C-c")
    console.expect(r"\*\* \(KeyboardInterrupt\)")
    console.type("await asyncio.sleep(0, 'the loop lives on')")
    console.expect(r"'the loop lives on'")


def test_killing_the_pried_process_gives_the_prompt_back(console: Session) -> None:
    console.type("pid = spawn(work, 1)")
    console.expect(r"pyex\(3\)>")
    console.type("send(pid, 'go')")
    console.expect(r"Allow\? \[Yn\]")
    console.type("y")
    console.expect(r"pry\(1\)>")
    console.type("Process.exit(self(), 'kill')")
    console.expect(r"pyex\(4\)>")
    console.type("alive(pid)")
    console.expect(r"\nFalse\n")


def test_ctrl_c_and_ctrl_d_at_an_input_prompt(console: Session) -> None:
    console.type("input('first? ')")
    console.expect(r"first\?")
    console.term.keys("C-c")
    console.expect(r"\*\* \(KeyboardInterrupt\)")
    console.expect(r"pyex\(2\)>")
    console.type("input('second? ')")
    console.expect(r"second\?")
    console.term.keys("C-d")
    console.expect(r"\*\* \(EOFError\)")
    console.type("'still here'")
    console.expect(r"'still here'")


def test_ctrl_c_at_any_moment_around_an_input_question_interrupts_it(console: Session) -> None:
    # Pressed as the command begins, while it runs, as input() asks and as its
    # prompt comes up: each press interrupts input(), none is lost (a lost one
    # leaves input() waiting for a line).
    for i in range(12):
        console.type(f"input('q{i}? ')")
        time.sleep(i * 0.004)  # sweeps the press across the question's coming up
        console.term.keys("C-c")
        console.expect(r"\*\* \(KeyboardInterrupt\)")
        console.expect(r"pyex\(2\)>")
    console.type("'still' + 'here'")
    console.expect(r"'stillhere'")
