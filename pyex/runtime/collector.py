"""The garbage collector, paused for the sections no collection may run in (a leaf module).

``sys._current_frames()`` holds the interpreter's lock on its list of threads
while it makes frame objects (CPython 3.11, gh-106883). A collection set off
there runs ``gc.callbacks`` and finalizers: Python code, which may hand the GIL
to another thread while the lock is still held. A thread that is ending holds
the GIL and waits for that lock, and the two wait for each other for good. It
was seen in the test suite: 1,600 worker threads ending at once while the
reaper or a test read every frame, with a library's gc callback installed.

So every read of all frames goes through ``current_frames()``, which runs it
with the collector off. Pauses nest and may overlap between threads: the
collector comes back on when the last one ends, if it was on before the first.
"""

from __future__ import annotations

import gc
import sys
import threading
from types import FrameType, TracebackType

__all__ = ["paused", "current_frames"]

_lock = threading.Lock()  # a leaf: nothing is taken while it is held
_pauses = 0  # pauses under way, in every thread
_resume = False  # whether the collector was on when the first of them began


class paused:
    """``with paused():`` runs its block with no garbage collection."""

    __slots__ = ()

    def __enter__(self) -> None:
        global _pauses, _resume
        with _lock:
            if _pauses == 0:
                _resume = gc.isenabled()
                gc.disable()
            _pauses += 1

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        global _pauses
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()


def current_frames() -> dict[int, FrameType]:
    """``sys._current_frames()``: every thread's current frame, by thread id, read safely."""
    with paused():
        return sys._current_frames()
