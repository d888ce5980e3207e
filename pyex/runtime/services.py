"""The runtime's own threads (timers, waker, reaper), each started when first needed."""

from __future__ import annotations

import threading
from typing import Callable

__all__ = ["Service"]


class Service:
    """A daemon thread running ``target``, started by the first ``ensure()``."""

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
                    thread = threading.Thread(target=self._target, name=self.name, daemon=True)
                    thread.start()
                    self._thread = thread
