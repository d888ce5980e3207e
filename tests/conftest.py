"""Every test runs as a fresh process on a fresh node, and leaves no process behind."""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import time
import traceback
import warnings

import pytest

from pyex.runtime.collector import current_frames
from pyex.runtime.internal import ManualClock, reset_node


@pytest.fixture(autouse=True)
def fresh_process():
    """Every test runs on a fresh node, as a new process: no process, name or timer of another test.

    After the test, every process it left is killed (and waited for) and
    every timer it set is dropped (see pyex/runtime/node_reset.py).
    """
    reset_node()
    yield
    troubles = _heal_logging_locks()
    try:
        reset_node()
    except RuntimeError as exc:
        troubles.append(str(exc))
    troubles += _heal_logging_locks()
    if troubles:
        # A known open defect (see the issue notes): shown in the run's warnings
        # summary, and healed, so that one leaked lock cannot wedge every later test.
        warnings.warn(pytest.PytestWarning("; ".join(troubles)), stacklevel=1)


def _heal_logging_locks() -> list[str]:
    """Give a new lock to every logging handler whose lock a thread that is gone still holds.

    A kill that lands inside ``logging`` between a lock's acquire and its
    ``try`` leaves the lock held for good, and every later log call (a crash
    report, in any process) then blocks for ever.
    """
    threads = set(current_frames())  # (sys._current_frames can deadlock: pyex/runtime/collector.py)
    loggers = [logging.getLogger()] + [
        item for item in logging.Logger.manager.loggerDict.values()
        if isinstance(item, logging.Logger)
    ]
    healed = []
    for logger in loggers:
        for handler in logger.handlers:
            owner = re.match(r"<locked .*owner=(\d+)", repr(handler.lock)) if handler.lock else None
            if owner is not None and int(owner.group(1)) not in threads:
                handler.createLock()
                healed.append(f"{handler!r}'s lock was held by a thread that is gone")
    return healed


@pytest.fixture
def clock() -> ManualClock:
    """The clock timers count on, moved by hand: ``clock.advance(0.2)`` is 0.2 s later for them.

    ``advance()`` returns once every timer then due has fired, so its message
    is in the mailbox (``receive(timeout=0)`` finds it): a timer test needs no
    wall-clock bound. The next test's reset puts the system clock back.
    Receive timeouts and ``Process.sleep`` keep real time.
    """
    manual = ManualClock()
    reset_node(clock=manual)
    return manual


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
        frames = current_frames()
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
