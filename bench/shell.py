"""The console under load: how fast `1 + 1` answers with 20 busy processes.

pyex runs in a real pseudo-terminal (pexpect); busy processes spin in
`while True: pass`; the time is from typing `1 + 1` and Enter to the `2` on
the screen, median of several. The same is measured with CPython's default
switch interval (5 ms) for comparison: that is the limit pyex starts from.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from typing import Any

from .common import Result

BUSY = 20
SAMPLES = 15


def _console(switch_interval: float | None = None) -> object:
    import pexpect

    home = tempfile.mkdtemp(prefix="pyex-bench-")
    env = dict(
        os.environ,
        HOME=home,
        PYEX_HISTORY=os.path.join(home, "history"),
        TERM="xterm",
        PROMPT_TOOLKIT_NO_CPR="1",
    )
    env.pop("NO_COLOR", None)  # with colours: highlighting a result is part of the cost
    if switch_interval is not None:
        env["PYEX_SWITCH_INTERVAL"] = str(switch_interval)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "pyex", "--no-startup"],
        env=env,
        encoding="utf-8",
        timeout=120,
        dimensions=(24, 120),
    )
    child.delaybeforesend = None
    return child


def huge_result_latency(samples: int = 5) -> tuple[float, float]:
    """Median seconds from Enter on ``list(range(10**6))`` to the next prompt, and on ``[0]``."""
    child: Any = _console()
    try:
        child.expect(r"pyex\(1\)>")
        prompt = 2
        huge, small = [], []
        for _ in range(samples):
            for command, times in (("list(range(10**6))", huge), ("[0]", small)):
                start = time.perf_counter()
                child.send(command + "\r")
                child.expect(r"pyex\(%d\)>" % prompt)
                times.append(time.perf_counter() - start)
                prompt += 1
        child.sendcontrol("d")
        child.expect(pexpect_eof())
    finally:
        child.close(force=True)
    return statistics.median(huge), statistics.median(small)


def pexpect_eof() -> Any:
    import pexpect

    return pexpect.EOF


def answer_latency(switch_interval: float | None, busy: int = BUSY, samples: int = SAMPLES) -> float:
    """Median seconds from typing `1 + 1` to seeing `2`, with ``busy`` spinning processes."""
    import pexpect

    home = tempfile.mkdtemp(prefix="pyex-bench-")
    env = dict(
        os.environ,
        HOME=home,
        PYEX_HISTORY=os.path.join(home, "history"),
        TERM="xterm",
        NO_COLOR="1",
        PROMPT_TOOLKIT_NO_CPR="1",
    )
    if switch_interval is not None:
        env["PYEX_SWITCH_INTERVAL"] = str(switch_interval)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "pyex", "--no-startup"],
        env=env,
        encoding="utf-8",
        timeout=120,
        dimensions=(24, 120),
    )
    child.delaybeforesend = None
    try:
        child.expect(r"pyex\(1\)>")
        child.send(f"busy = [spawn(lambda: exec('while True: pass')) for _ in range({busy})]\r")
        child.expect(r"pyex\(2\)>")
        times = []
        for number in range(samples):
            start = time.perf_counter()
            child.send("1 + 1\r")
            child.expect(r"(?:\n|\x1b\[\?2004l)2\r\n")
            times.append(time.perf_counter() - start)
            child.expect(r"pyex\(%d\)>" % (number + 3))
        child.sendcontrol("d")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    return statistics.median(times)


def run() -> list[Result]:
    ours = answer_latency(None) * 1000
    default = answer_latency(0.005) * 1000
    huge, small = huge_result_latency()
    return [
        Result(
            "console shows list(range(10**6)), prompt back (median)",
            huge * 1000,
            "ms",
            small * 1000,
            "the same for [0]",
            "< 500 ms",
            huge < 0.5,
        ),
        Result(
            f"console answers `1 + 1`, {BUSY} busy processes (median)",
            ours,
            "ms",
            default,
            "CPython's default 5 ms switch interval",
            "< 100 ms",
            ours < 100,
        )
    ]
