"""breakpoint() where nobody is at a prompt, and PYTHONBREAKPOINT."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.debugging.piped_session import run_piped

pytestmark = pytest.mark.timeout(60)


@pytest.mark.slow
def test_breakpoint_in_dash_c_lets_the_code_go_on(tmp_path: Path) -> None:
    environment = dict(os.environ, HOME=str(tmp_path), NO_COLOR="1")
    environment.pop("PYTHONBREAKPOINT", None)
    result = subprocess.run(
        [sys.executable, "-m", "pyex", "-c", "x = 1; breakpoint(); print('after', x)"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=40,
        cwd=tmp_path,
        env=environment,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "after 1\n"
    assert "Request to pry #PID<0." in result.stderr and "no prompt to pry at" in result.stderr


@pytest.mark.slow
def test_pythonbreakpoint_0_turns_breakpoint_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONBREAKPOINT", "0")
    output = run_piped("breakpoint()\n'went on'\n", tmp_path)
    assert "Request to pry" not in output
    assert "pyex(1)> \npyex(2)> 'went on'\n" in output


@pytest.mark.slow
def test_breakpoint_pries_in_a_piped_session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTHONBREAKPOINT", raising=False)
    script = "def f():\n    secret = 42\n    breakpoint()\n    return secret\n\nf()\ny\nsecret\ncontinue_()\n"
    output = run_piped(script, tmp_path, "--echo")
    assert "Request to pry #PID<0.84.0> at <pyex(1)>:3. Allow? [Yn] y\n" in output
    assert "pry(1)> secret\n42\npry(2)> continue_()\n42\npyex(3)>" in output
