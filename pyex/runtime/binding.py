"""Which process record the calling thread runs: the thread-local binding.

A worker thread is bound to the process it runs (workers.py); a thread the
runtime did not start is bound when it first uses the runtime (current.py
adopts it). The fast paths read ``local().proc`` directly; the compiled one
(fastpath.py) reads its own copy, which ``bind`` and ``unbind`` keep equal.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from . import fastpath

if TYPE_CHECKING:
    from .record import ProcessRecord

__all__ = ["bind", "unbind", "bound", "local"]

_local = threading.local()
_native = fastpath.native


def bind(proc: ProcessRecord) -> None:
    """Make ``proc`` the calling thread's process."""
    _local.proc = proc
    if _native is not None:
        _native.bind(proc)


def unbind(proc: ProcessRecord | None = None) -> None:
    """Unbind the calling thread (only if it is bound to ``proc``, when given)."""
    if proc is not None and getattr(_local, "proc", None) is not proc:
        return
    try:
        del _local.proc
    except AttributeError:
        pass
    if _native is not None:
        _native.unbind()


def bound() -> ProcessRecord | None:
    """The calling thread's process, or None if it has none (it is not adopted)."""
    return getattr(_local, "proc", None)


def local() -> threading.local:
    """The thread-local record the fast paths read the current process from."""
    return _local
