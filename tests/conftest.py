"""Every test runs as a fresh process and leaves no process behind."""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback

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


# -- the run ends when its tests do ----------------------------------------------

_status = [0]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _status[0] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """End the interpreter with the run's status, and fail the run on a leaked thread.

    A thread a test left running (not a daemon) would keep the interpreter
    alive after the summary, and CI would wait for it until its own deadline.
    Such a thread is a leak: it is named here with its stack, the run fails,
    and the interpreter ends at once instead of waiting for it.
    """
    deadline = time.monotonic() + 5
    lingering = []
    for thread in threading.enumerate():
        if thread is threading.main_thread() or thread.daemon:
            continue
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            lingering.append(thread)
    status = _status[0]
    if lingering:
        frames = sys._current_frames()
        out = sys.__stderr__
        print(f"\n{len(lingering)} thread(s) left running after the tests:", file=out)
        for thread in lingering:
            print(f"--- {thread.name} ---", file=out)
            frame = frames.get(thread.ident or 0)
            if frame is not None:
                traceback.print_stack(frame, file=out)
        status = status or 1
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass
    # Nothing the tests left behind (a daemon thread holding a lock that an
    # exit handler wants) can hold the interpreter open now.
    os._exit(status)
