"""Running ``pyex`` with a script piped into it, as the debugging tests do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_piped(script: str, tmp_path: Path, *args: str) -> str:
    """pyex's standard output for ``script``; the session must end with status 0."""
    environment = dict(os.environ, HOME=str(tmp_path), NO_COLOR="1", PYTHONUNBUFFERED="1")
    result = subprocess.run(  # noqa: PLW1510 - the status is asserted
        [sys.executable, "-m", "pyex", "--no-startup", *args],
        input=script,
        capture_output=True,
        text=True,
        timeout=40,
        cwd=tmp_path,
        env=environment,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout
