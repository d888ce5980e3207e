"""Every test runs as a fresh process and leaves no process behind."""

from __future__ import annotations

import pytest

from pyex.runtime import table
from pyex.runtime.current import retire_current
from pyex.runtime.states import ALIVE


def _kill_all_but(keep: set[object]) -> None:
    from pyex import Process, receive

    leftovers = [proc.pid for proc in table.live() if proc.pid not in keep and not proc.adopted]
    refs = []
    for pid in leftovers:
        refs.append(Process.monitor(pid))
        Process.exit(pid, "kill")
    for ref in refs:
        receive(lambda m, ref=ref: m.__class__ is tuple and len(m) == 5 and m[1] == ref, timeout=10)


@pytest.fixture(autouse=True)
def fresh_process():
    """The test thread becomes a new process; processes the test started are killed after it."""
    before = {proc.pid for proc in table.live() if proc.lifecycle is ALIVE}
    retire_current()
    yield
    retire_current()
    _kill_all_but(before)
    retire_current()
