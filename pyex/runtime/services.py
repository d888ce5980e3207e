"""The runtime's own threads (timers, waker, reaper), each started when first needed."""

from __future__ import annotations

import sys
import threading
import time
import traceback
from typing import Callable

__all__ = ["Service"]


class Service:
    """A daemon thread running ``target``, started by the first ``ensure()``.

    Every process depends on these threads (a kill, a timer, a wake-up), so
    one must never end: if ``target`` raises, the error is written to the
    original stderr (not through ``logging``, whose handlers a user process
    may hold) and ``target`` runs again. Each target is a loop over its own
    module's queue, so nothing queued is lost by the restart.
    """

    def __init__(self, name: str, target: Callable[[], None]) -> None:
        self.name = name
        self._target = target
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def ensure(self) -> None:
        """Start the thread if it is not running yet (safe from any thread)."""
        if self._thread is None:
            with self._lock:
                if self._thread is None:
                    thread = threading.Thread(target=self._serve, name=self.name, daemon=True)
                    thread.start()
                    self._thread = thread

    def _serve(self) -> None:
        while True:
            try:
                self._target()
            except BaseException:  # a service thread must go on
                try:
                    stream = sys.__stderr__
                    if stream is not None:
                        stream.write(f"pyex: the runtime's {self.name} thread failed "
                                     f"and starts again:\n{traceback.format_exc()}")
                        stream.flush()
                except BaseException:  # nothing may end the thread
                    pass
                time.sleep(0.05)  # a target that fails at once must not spin
