"""What other processes print: above the prompt, intact, even in a flood; colours and NO_COLOR."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.console.pty_console import ENTER, PASTE_END, PASTE_START, PtyConsole, colour_codes

pytestmark = [pytest.mark.console, pytest.mark.timeout(120)]

# Prints once the file ``name`` exists (in the console's folder): the test
# decides when, with no timing guessed.
WHEN_FILE = (
    "import os\n"
    "def when_file(name, text):\n"
    "    while not os.path.exists(name):\n"
    "        Process.sleep(0.01)\n"
    "    print(text)\n"
)

# Prints n lines, each coloured, about ten thousand a second.
FLOOD = (
    "def flood(n):\n"
    "    for i in range(n):\n"
    "        print(f'\\x1b[3{i % 7 + 1}mflood {i:06d} ' + 'x' * 40 + '\\x1b[0m')\n"
    "        if i % 20 == 19:\n"
    "            Process.sleep(0.002)\n"
)
FLOOD_LINE = re.compile(r"\x1b\[3(\d)mflood (\d{6}) (x{40})\x1b\[0m\r\n")


def paste(console: PtyConsole, code: str, prompt: int) -> None:
    console.send(PASTE_START + code + PASTE_END + ENTER)
    console.expect_prompt(prompt)


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.split("\n")]


def test_background_output_appears_above_the_prompt_which_is_redrawn(
    console: PtyConsole, tmp_path: Path
) -> None:
    paste(console, WHEN_FILE, 2)
    console.run("spawn(when_file, 'go', 'from the background')", 3)
    console.send("'typed' + 'meanwhile'")
    console.expect(r"'typed' \+ 'meanwhile'")
    (tmp_path / "go").touch()
    console.expect(r"from the background")
    console.expect(r"pyex\(3\)> 'typed' \+ 'meanwhile'")  # the prompt, redrawn as it was
    screen = console.screen().lines()
    assert screen[-2:] == ["from the background", "pyex(3)> 'typed' + 'meanwhile'"], screen
    # What was typed still runs.
    console.send(ENTER)
    assert "'typedmeanwhile'" in lines(console.expect_prompt(4))


def test_background_output_without_a_new_line_still_leaves_the_prompt_whole(
    console: PtyConsole, tmp_path: Path
) -> None:
    paste(console, WHEN_FILE.replace("print(text)", "print(text, end='', flush=True)"), 2)
    console.run("spawn(when_file, 'go', 'no newline')", 3)
    (tmp_path / "go").touch()
    console.expect("no newline")
    console.send("'next'" + ENTER)
    console.expect_prompt(4)
    history = console.screen().history()
    assert "pyex(3)> 'next'" in history, history
    assert any(line.startswith("no newline") for line in history), history


def test_a_flood_of_output_reaches_the_terminal_intact_and_the_prompt_stays_usable(
    console: PtyConsole,
) -> None:
    n = 20_000
    paste(console, FLOOD, 2)
    console.run(f"spawn(flood, {n})", 3)
    # A command typed during the flood, a key at a time as the lines pour
    # in, is answered; the keys are not echoed into the output.
    for index, key in enumerate("'during' + 'flood'" + ENTER):
        console.expect(rf"flood {1000 + 50 * index:06d} ")
        console.send(key)
    console.expect(r"\n'duringflood'\n")
    console.expect(rf"flood {n - 1:06d} ", timeout=60)
    console.send("'after' + 'flood'" + ENTER)
    console.expect(r"\n'afterflood'\n")
    console.expect_prompt(5)

    # Every line arrived whole: its colour codes unmangled, nothing inserted
    # into it, none lost, in order.
    found = [(int(m.group(2)), int(m.group(1))) for m in FLOOD_LINE.finditer(console.raw)]
    assert [i for i, _ in found] == list(range(n))
    assert all(colour == i % 7 + 1 for i, colour in found)
    # (Counted by number: how often the prompt redraws the typed source varies.)
    assert len(re.findall(r"flood \d{6} ", console.raw)) == n
    assert "dropped" not in console.text
    # And the prompt is whole at the bottom of the screen.
    assert console.screen().lines()[-1] == "pyex(5)>"


def test_results_are_coloured_by_default(console: PtyConsole) -> None:
    mark = console.mark()
    console.run("'colour' + 'ed'", 2)
    assert colour_codes(console.raw[mark:])


@pytest.mark.parametrize(
    "args, env",
    [((), {"NO_COLOR": "1"}), (("--no-color",), {})],
    ids=["NO_COLOR", "--no-color"],
)
def test_no_colour(spawn_console, args: tuple[str, ...], env: dict[str, str]) -> None:
    console = spawn_console(*args, env=env)
    console.run("'colour' + 'less'", 2)
    console.line("1 / 0")
    console.expect(r"\*\* \(ZeroDivisionError\)")
    console.run("print('printed'); [1, 'two', None]", 3)
    console.line("def f():")
    console.line("return 1")
    console.send(ENTER)
    console.expect_prompt(4)
    assert "'colourless'" in console.text
    assert colour_codes(console.raw) == []
