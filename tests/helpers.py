"""Helpers for tests: waiting on conditions that no message announces."""

from __future__ import annotations

import time
from typing import Callable, TypeVar

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
