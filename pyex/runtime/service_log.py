"""Logging for the runtime's own threads, which must never wait on a user's lock.

The reaper, the waker and the timer thread serve every process: if one of
them called ``logging`` itself, a handler a user process holds (a slow stream,
a handler's lock, a user's ``emit``) would stop it, and kills would stop taking
effect. So they only queue their records here; a thread of its own hands them
to the ``pyex`` logger. If that thread is stuck in a handler, records pile up
(at most ``MAX_QUEUED``; the rest are counted and dropped) and nothing else
waits.
"""

from __future__ import annotations

import logging
import threading
from queue import SimpleQueue
from typing import Any

from .services import Service

__all__ = ["log", "MAX_QUEUED", "dropped"]

MAX_QUEUED = 10_000

logger = logging.getLogger("pyex")

_queue: SimpleQueue[tuple[int, str, tuple[Any, ...], Any]] = SimpleQueue()
_lock = threading.Lock()  # guards _dropped only; never held while logging
_dropped = 0


def log(level: int, message: str, *args: Any, exc_info: Any = None) -> None:
    """Queue a record for the ``pyex`` logger; returns at once, whatever the handlers do."""
    global _dropped
    if _queue.qsize() >= MAX_QUEUED:
        with _lock:
            _dropped += 1
        return
    _service.ensure()
    _queue.put((level, message, args, exc_info))


def dropped() -> int:
    """How many records were dropped because the logging thread fell behind."""
    return _dropped


def _loop() -> None:
    while True:
        level, message, args, exc_info = _queue.get()
        try:
            logger.log(level, message, *args, exc_info=exc_info)
        except Exception:  # a broken handler must not stop the runtime's logging
            pass
        del exc_info


_service = Service("pyex-service-log", _loop)
