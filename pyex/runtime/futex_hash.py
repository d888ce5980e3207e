"""Sizing the kernel's futex hash for the threads the runtime runs (Linux 6.16+).

Every lock, queue and condition a thread blocks on is a futex, and Linux
finds a futex's waiters through a hash table. Since 6.16 a threaded process
gets a table of its own, sized for its CPUs -- 16 buckets on a 2-core machine
-- however many threads it has. With 20,000 processes blocked in receive,
each wake-up (a message, a lock released, the GIL handed over) then walks a
chain of more than a thousand waiters: ending 20,000 raw threads took 6 s
instead of 1.8 s. So as the worker pool grows, ``fit`` asks for at least two
buckets a thread (``prctl(PR_FUTEX_HASH, PR_FUTEX_HASH_SET_SLOTS)``).
Elsewhere (another system, an older kernel) it does nothing.
"""

from __future__ import annotations

import ctypes
import sys
import threading
from typing import Any

__all__ = ["fit", "slots"]

_PR_FUTEX_HASH = 78
_SET_SLOTS = 1
_GET_SLOTS = 2
_FIRST = 64  # threads: below this the kernel's own table is enough
_MAX_SLOTS = 1 << 17  # 128Ki buckets (8 MB of kernel memory at most)

_prctl: Any = None
if sys.platform.startswith("linux"):
    try:
        _prctl = ctypes.CDLL(None, use_errno=True).prctl
        _prctl.restype = ctypes.c_int
        _prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong,
                           ctypes.c_ulong]
    except (OSError, AttributeError):
        _prctl = None

_lock = threading.Lock()
_next = _FIRST if _prctl is not None else -1  # the thread count at which to grow next (-1: never)


def fit(threads: int) -> None:
    """Make the futex hash fit ``threads`` threads, if it has fallen behind (cheap otherwise)."""
    global _next
    if _next < 0 or threads < _next:
        return
    with _lock:
        if _next < 0 or threads < _next:
            return
        _next = threads * 4  # grows in steps: a resize rehashes every waiter
        wanted = min(_MAX_SLOTS, 1 << (2 * threads - 1).bit_length())
        if _prctl(_PR_FUTEX_HASH, _SET_SLOTS, wanted, 0, 0) != 0:
            _next = -1  # not supported here (EINVAL) or refused: stop asking


def slots() -> int | None:
    """The size of the process's private futex hash (0: the global one; None: unknown)."""
    if _prctl is None:
        return None
    answer = int(_prctl(_PR_FUTEX_HASH, _GET_SLOTS, 0, 0, 0))
    return answer if answer >= 0 else None
