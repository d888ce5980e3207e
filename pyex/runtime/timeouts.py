"""The one rule for timeouts: what a number of seconds given by a user means.

Every blocking call of pyex (``receive``, ``Process.sleep``, ``send_after``,
``GenServer.call``, ``Task.await_``, a GenServer's timeout return, a child's
``shutdown``...) reads its timeout through ``wait_time`` (or ``delay``), so
they all agree:

- ``None``, ``float('inf')`` and ``'infinity'`` (Elixir's ``:infinity``) wait
  forever;
- a non-negative real number is seconds; one beyond what the clock can hold
  (``LONGEST``, about a century; ``10**400`` included) also waits forever,
  since no wait that long can end anyway -- never an ``OverflowError``;
- anything else (negative, NaN, a bool, a string, ...) is a ``TypeError`` or
  ``ValueError`` that names the argument.

The runtime's own threads wait at most ``LONGEST`` at a time (``clamp``), so
no deadline can stop them.
"""

from __future__ import annotations

import math
import numbers
import threading
from typing import Any

__all__ = ["LONGEST", "wait_time", "delay", "clamp"]

# The longest wait handed to a lock or queue: far below threading.TIMEOUT_MAX
# (about 292 years on Linux), so that ``monotonic() + LONGEST`` never overflows
# the C clock either.
LONGEST = min(100 * 365 * 86400.0, threading.TIMEOUT_MAX / 2)

_INFINITY = math.inf


def _seconds(value: Any, what: str) -> float:
    """``value`` as seconds (math.inf for the infinite ones), or raise naming ``what``."""
    if value.__class__ is float and 0.0 <= value:  # the fast path (NaN fails the test)
        return value
    if value is None or (value.__class__ is str and value == "infinity"):
        return _INFINITY
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{what} must be a number of seconds, None or 'infinity', got {value!r} "
            f"({type(value).__name__})"
        )
    try:
        seconds = float(value)
    except OverflowError:  # an int (or Fraction) beyond any float
        huge: Any = value  # a Real too big for a float still compares with 0
        seconds = _INFINITY if huge > 0 else -_INFINITY
    if math.isnan(seconds) or seconds < 0:
        text = repr(value) if len(repr(value)) <= 40 else f"{repr(value)[:37]}..."
        raise ValueError(f"{what} must be a non-negative number of seconds, got {text}")
    return seconds


def wait_time(value: Any, what: str = "timeout") -> float | None:
    """How long to wait, in seconds, for a user's ``value``: None means forever.

    ``None``, infinity, ``'infinity'`` and anything longer than ``LONGEST``
    are forever. Raises TypeError/ValueError naming ``what`` for bad input.
    """
    if value.__class__ is float and 0.0 <= value <= LONGEST:  # the fast path (a call's 5.0)
        return value
    seconds = _seconds(value, what)
    return None if seconds > LONGEST else seconds


def delay(value: Any, what: str = "delay") -> float:
    """A delay that must be given as a number (``send_after``): seconds, possibly ``math.inf``.

    A finite delay beyond ``LONGEST`` is returned as ``math.inf`` (it never
    ends); ``None`` and infinity themselves are refused.
    """
    if value is None or (value.__class__ is str and value == "infinity") or (
        value.__class__ is float and math.isinf(value)
    ):
        raise ValueError(f"{what} must be a finite number of seconds, got {value!r}")
    seconds = _seconds(value, what)
    return _INFINITY if seconds > LONGEST else seconds


def clamp(seconds: float | None) -> float | None:
    """A wait the runtime can hand to a lock or queue: None, or at most ``LONGEST``.

    For the runtime's own threads, which wait for deadlines others set: a wait
    cut short just makes them look again.
    """
    if seconds is None:
        return None
    return min(max(seconds, 0.0), LONGEST)
