"""What runs before the first prompt: the startup file, and a file given with -i."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.console.pty_console import PtyConsole

pytestmark = [pytest.mark.console, pytest.mark.timeout(60)]


def test_the_startup_file_runs_in_the_shell_process(spawn_console, tmp_path: Path) -> None:
    (tmp_path / ".pyex.py").write_text("startup_pid = self()\n")
    console: PtyConsole = spawn_console(startup=True)
    assert "True" in console.run("startup_pid == self()", 2)


def test_an_error_in_the_startup_file_is_shown_not_fatal(spawn_console, tmp_path: Path) -> None:
    (tmp_path / ".pyex.py").write_text("1 / 0\n")
    console: PtyConsole = spawn_console(startup=True, banner=False)
    console.expect(r"error in .*\.pyex\.py")
    console.expect(r"\*\* \(ZeroDivisionError\) division by zero")
    console.expect_prompt(1)
    assert "'alive'" in console.run("'alive'", 2)


def test_dash_i_runs_a_file_then_stays_interactive(spawn_console, tmp_path: Path) -> None:
    script = tmp_path / "setup_session.py"
    script.write_text("ready = 'yes'\nprint('set up')\n")
    console: PtyConsole = spawn_console("-i", str(script), banner=False)
    console.expect("set up")
    console.expect_prompt(1)
    assert "'yes'" in console.run("ready", 2)
