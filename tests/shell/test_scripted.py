"""Scripted sessions and the command line: pyex run as a program, input piped in."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(60)

HERE = Path(__file__).parent
TRANSCRIPTS = HERE / "transcripts"


def normalize(text: str) -> str:
    """Make a transcript comparable across runs.

    Clock times, the Python version, a busy process's CPU time and the line
    its loop is at vary.
    """
    text = re.sub(r"\d\d:\d\d:\d\d\.\d{3} \[", "HH:MM:SS.mmm [", text)
    text = re.sub(r"'cpu_time': [0-9.e-]+", "'cpu_time': T", text)
    text = re.sub(r"'memory': [0-9]+", "'memory': M", text)  # an estimate: sizes vary by Python
    text = re.sub(r"(\('<pyex\(\d+\)>', )\d+\)", r"\1L)", text)
    return re.sub(r"\(Python \d+\.\d+\.\d+\S*\)", "(Python X.Y.Z)", text)


def run_pyex(
    *args: str, stdin: str = "", tmp_path: Path, timeout: float = 30, env: dict | None = None
) -> subprocess.CompletedProcess[str]:
    environment = dict(os.environ, HOME=str(tmp_path), NO_COLOR="1", PYTHONUNBUFFERED="1")
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "pyex", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=tmp_path,
        env=environment,
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", ["seed", "exits", "otp"])
def test_transcript(name: str, tmp_path: Path) -> None:
    script = (TRANSCRIPTS / f"{name}.py").read_text()
    expected = (TRANSCRIPTS / f"{name}.expected").read_text()
    result = run_pyex("--no-startup", stdin=script, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert normalize(result.stdout) == normalize(expected)


@pytest.mark.slow
def test_end_of_input_exits_zero_while_processes_still_run(tmp_path: Path) -> None:
    script = "busy = [spawn(lambda: exec('while True: pass')) for _ in range(5)]\nlen(busy)\n"
    result = run_pyex(stdin=script, tmp_path=tmp_path, timeout=20)
    assert result.returncode == 0
    assert "pyex(2)> 5\npyex(3)> \n" in result.stdout


@pytest.mark.slow
def test_errors_do_not_stop_the_session(tmp_path: Path) -> None:
    result = run_pyex(stdin="1 / 0\nundefined_name\n1 +\n'still here'\n", tmp_path=tmp_path)
    assert result.returncode == 0
    lines = result.stdout.split("\n")
    assert lines[1] == "pyex(1)> ** (ZeroDivisionError) division by zero"
    assert lines[2] == "pyex(1)> ** (NameError) name 'undefined_name' is not defined"
    assert "pyex(1)> ** (SyntaxError) invalid syntax" in result.stdout
    assert "pyex(1)> 'still here'\npyex(2)> \n" in result.stdout


@pytest.mark.slow
def test_code_runs_as_written_in_a_py_file(tmp_path: Path) -> None:
    script = (
        "def total(values):\n"
        "    result = 0\n"
        "\n"
        "    for value in values:\n"
        "        result += value\n"
        "\n"
        "    return result\n"
        "\n"
        "\n"
        "if total([1, 2]) == 3:\n"
        "    answer = 'yes'\n"
        "else:\n"
        "    answer = 'no'\n"
        "answer\n"
        "total([1, 2, 3])\n"
    )
    result = run_pyex(stdin=script, tmp_path=tmp_path)
    assert result.returncode == 0
    assert result.stdout.split("\n")[1:5] == [
        "pyex(1)> " + "...(1)> " * 6,
        "pyex(2)> " + "...(2)> " * 3,
        "pyex(3)> 'yes'",
        "pyex(4)> 6",
    ]


@pytest.mark.slow
def test_echo_makes_a_transcript(tmp_path: Path) -> None:
    result = run_pyex("--echo", stdin="x = 1\nif x:\n    x + 1\n", tmp_path=tmp_path)
    assert result.stdout.split("\n")[1:] == [
        "pyex(1)> x = 1",
        "pyex(2)> if x:",
        "...(2)>     x + 1",
        "pyex(3)>",
        "",
    ]


@pytest.mark.slow
def test_dash_c_runs_code_in_a_shell_process(tmp_path: Path) -> None:
    result = run_pyex("-c", "print(self())", tmp_path=tmp_path)
    assert result.returncode == 0
    assert re.fullmatch(r"#PID<0\.\d+\.0>\n", result.stdout)


@pytest.mark.slow
def test_dash_c_error_exits_one_and_names_it(tmp_path: Path) -> None:
    result = run_pyex("-c", "raise ValueError('bad value')", tmp_path=tmp_path)
    assert result.returncode == 1
    assert "** (ValueError) bad value" in result.stderr


@pytest.mark.slow
def test_running_a_file(tmp_path: Path) -> None:
    script = tmp_path / "job.py"
    script.write_text(
        "import sys\n"
        "me = self()\n"
        "spawn(lambda: send(me, ('argv', sys.argv[1:])))\n"
        "print(receive(timeout=5))\n"
        "spawn(lambda: exec('while True: pass'))\n"
    )
    result = run_pyex(str(script), "one", "two", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "('argv', ['one', 'two'])\n"


@pytest.mark.slow
def test_exit_status_of_a_file(tmp_path: Path) -> None:
    script = tmp_path / "fail.py"
    script.write_text("exit(4)\n")
    assert run_pyex(str(script), tmp_path=tmp_path).returncode == 4


@pytest.mark.slow
def test_dash_i_runs_the_file_then_reads_commands(tmp_path: Path) -> None:
    script = tmp_path / "setup.py"
    script.write_text("greeting = 'hello'\n")
    result = run_pyex("-i", str(script), stdin="greeting\n", tmp_path=tmp_path)
    assert result.returncode == 0
    assert "pyex(1)> 'hello'" in result.stdout


@pytest.mark.slow
def test_version_and_help(tmp_path: Path) -> None:
    version = run_pyex("--version", tmp_path=tmp_path)
    assert re.fullmatch(r"pyex \d+\.\d+\.\d+ \(Python .+\)\n", version.stdout)
    helptext = run_pyex("--help", tmp_path=tmp_path)
    assert helptext.returncode == 0
    for option in ("-c CODE", "-i", "--no-color", "--echo", "FILE.py", "PYEX_HISTORY"):
        assert option in helptext.stdout


@pytest.mark.slow
def test_startup_file_runs_in_the_shell_process(tmp_path: Path) -> None:
    (tmp_path / ".pyex.py").write_text("startup_pid = self()\n")
    result = run_pyex(stdin="startup_pid == self()\n", tmp_path=tmp_path)
    assert "pyex(1)> True" in result.stdout


@pytest.mark.slow
def test_an_error_in_the_startup_file_is_shown_not_fatal(tmp_path: Path) -> None:
    (tmp_path / ".pyex.py").write_text("1 / 0\n")
    result = run_pyex(stdin="'alive'\n", tmp_path=tmp_path)
    assert result.returncode == 0
    assert "ZeroDivisionError" in result.stdout
    assert "pyex(1)> 'alive'" in result.stdout


@pytest.mark.slow
def test_python_dash_m_and_the_console_script_agree(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "pyex"
    if not script.exists():
        pytest.skip("the pyex console script is not installed next to this Python")
    result = subprocess.run(
        [str(script), "--no-startup"],
        input="1 + 1\n",
        capture_output=True,
        text=True,
        timeout=30,
        env=dict(os.environ, HOME=str(tmp_path)),
    )
    assert "pyex(1)> 2\n" in result.stdout
