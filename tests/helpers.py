"""Helpers for tests: waiting for what a message announces, and for what none does."""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, TypeVar

T = TypeVar("T")


def eventually(check: Callable[[], T], timeout: float = 5.0, interval: float = 0.005) -> T:
    """Poll ``check`` until it returns a truthy value, or fail after ``timeout`` seconds.

    Only for states no message or monitor announces (a thread count, a status).
    """
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s: {check}")
        time.sleep(interval)


def is_down(ref: Any) -> Callable[[Any], bool]:
    """A receive pattern for the DOWN message of monitor ``ref``."""
    from pyex.runtime.links import down_of

    return down_of(ref)


def wait_down(ref: Any, timeout: float = 5.0) -> Any:
    """Receive the DOWN message of monitor ``ref`` and return its reason."""
    from pyex import receive

    return receive(is_down(ref), timeout=timeout)[4]


def wait_exit(pid: Any, timeout: float = 5.0) -> Any:
    """Monitor ``pid`` and wait for it to exit; returns the exit reason."""
    from pyex import Process

    return wait_down(Process.monitor(pid), timeout)


def worker_threads() -> list[threading.Thread]:
    """The runtime's worker threads that are alive now."""
    return [t for t in threading.enumerate() if t.name.startswith("pyex-worker-")]


def drain() -> list[Any]:
    """Take every message out of the caller's mailbox, without waiting."""
    from pyex import receive

    nothing = object()
    messages = []
    while (message := receive(timeout=0, default=nothing)) is not nothing:
        messages.append(message)
    return messages


def run_isolated(script: str, timeout: float = 30.0) -> str:
    """Run ``script`` in a fresh interpreter (for what could wedge the runtime); its stdout.

    Fails the test with the script's stderr if it exits non-zero or outlives
    ``timeout`` seconds (the interpreter is then killed).
    """
    import subprocess
    import sys
    import textwrap

    try:
        done = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(script)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as expired:
        raise AssertionError(
            f"the script wedged (killed after {timeout} s); its output: {expired.stdout!r}"
        ) from None
    assert done.returncode == 0, f"the script failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout
