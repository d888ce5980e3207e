"""The README's walkthrough is a transcript pyex printed: this keeps it true."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "shell" / "transcripts" / "seed.py"

pytestmark = pytest.mark.timeout(60)


def readme_transcript() -> str:
    """The text blocks between the seed-transcript markers, joined."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("<!-- seed-transcript:start -->")[1].split("<!-- seed-transcript:end -->")[0]
    blocks = re.findall(r"```text\n(.*?)```", section, flags=re.S)
    return "".join(blocks)


def normalize(text: str) -> str:
    """The Python version, a busy process's CPU time and its loop's line vary."""
    text = re.sub(r"'cpu_time': [0-9.e-]+", "'cpu_time': T", text)
    text = re.sub(r"'memory': [0-9]+", "'memory': M", text)  # an estimate: sizes vary by Python
    text = re.sub(r"(\('<pyex\(\d+\)>', )\d+\)", r"\1L)", text)
    return re.sub(r"\(Python \d+\.\d+\.\d+\S*\)", "(Python X.Y.Z)", text)


@pytest.mark.slow
def test_the_readme_walkthrough_is_what_pyex_prints(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pyex", "--no-startup", "--echo"],
        input=SCRIPT.read_text(),
        capture_output=True,
        text=True,
        timeout=45,
        cwd=tmp_path,
        env=dict(os.environ, HOME=str(tmp_path), NO_COLOR="1"),
    )
    assert result.returncode == 0, result.stderr
    assert normalize(readme_transcript()) == normalize(result.stdout)


def test_the_readme_gives_the_two_setup_commands_first() -> None:
    readme = (ROOT / "README.md").read_text()
    first_block = re.search(r"```sh\n(.*?)```", readme, flags=re.S)
    assert first_block is not None
    assert "make run" in first_block.group(1) and "make test" in first_block.group(1)
