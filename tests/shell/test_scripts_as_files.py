"""Scripts read as a .py file is (issue 7, item 7): piped, with `pyex -`, and as FILE.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(60)


def run(*args: str, stdin: bytes, tmp_path: Path) -> subprocess.CompletedProcess[bytes]:
    environment = dict(os.environ, HOME=str(tmp_path), NO_COLOR="1", PYTHONUNBUFFERED="1")
    return subprocess.run(
        [sys.executable, "-m", "pyex", "--no-startup", *args],
        input=stdin,
        capture_output=True,
        timeout=45,
        cwd=tmp_path,
        env=environment,
    )


BLOCKS = b"""\
x = 0
if x:
    where = 'if'
# a comment at column 0, inside the if statement
else:
    where = 'else'
class A:
    def f(self):
        return 'f'
# between two methods
    def g(self):
        return 'g'
print(where, A().g())
"""


@pytest.mark.slow
def test_comments_at_column_0_do_not_break_a_block(tmp_path: Path) -> None:
    done = run(stdin=BLOCKS, tmp_path=tmp_path)
    assert b"else g\n" in done.stdout
    assert b"Error" not in done.stdout, done.stdout.decode()
    assert done.returncode == 0
    script = tmp_path / "blocks.py"
    script.write_bytes(BLOCKS)
    assert run(str(script), stdin=b"", tmp_path=tmp_path).stdout == b"else g\n"


@pytest.mark.slow
def test_bytes_that_are_not_utf8_fail_that_command_only(tmp_path: Path) -> None:
    done = run(stdin=b"print('before')\nprint('\xff')\nprint('after')\n", tmp_path=tmp_path)
    out = done.stdout.decode()
    assert "before" in out and "after" in out
    assert "** (UnicodeDecodeError) 'utf-8' codec can't decode byte 0xff" in out
    assert "Traceback" not in out + done.stderr.decode()
    assert done.returncode == 0


@pytest.mark.slow
def test_a_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    done = run(stdin=b"\xef\xbb\xbfprint('no bom')\n", tmp_path=tmp_path)
    assert b"pyex(1)> no bom\n" in done.stdout
    script = tmp_path / "bom.py"
    script.write_bytes(b"\xef\xbb\xbfprint('file bom')\n")
    assert run(str(script), stdin=b"", tmp_path=tmp_path).stdout == b"file bom\n"


@pytest.mark.slow
def test_text_written_to_stderr_goes_to_standard_error(tmp_path: Path) -> None:
    done = run(stdin=b"import sys\nprint('err text', file=sys.stderr)\nprint('out text')\n",
               tmp_path=tmp_path)
    assert b"err text" in done.stderr
    assert b"err text" not in done.stdout
    assert b"out text" in done.stdout


@pytest.mark.slow
def test_dash_reads_standard_input(tmp_path: Path) -> None:
    done = run("-", stdin=b"6 * 7\n", tmp_path=tmp_path)
    assert b"pyex(1)> 42\n" in done.stdout
    assert done.returncode == 0
