"""A reused worker thread starts each process with fresh thread-local state.

A worker thread serves one process after another (workers.py), but processes
share nothing: what one process put in a ``threading.local`` or changed in its
``decimal`` context must not be there for the next. So before each process:

- every ``threading.local`` value of the thread is dropped (CPython keeps them
  in the thread state's dictionary, one entry per local object; without its
  entry, the next access makes a fresh one and runs the subclass's
  ``__init__``, as in a new thread) -- except the runtime's own (``keep``);
- the process's code runs in a new, empty ``contextvars.Context`` (where
  ``decimal`` keeps its context), which is what a new thread starts with.
"""

from __future__ import annotations

import contextvars
import ctypes
import threading
from typing import Any, Callable

__all__ = ["keep", "reset_locals", "run_fresh"]

_dict_of_thread = ctypes.pythonapi.PyThreadState_GetDict
# A borrowed reference: taken as an address, then as an object (which counts it).
_dict_of_thread.restype = ctypes.c_void_p
_dict_of_thread.argtypes = []


def _get_dict() -> dict[Any, Any]:
    """The calling thread's thread-state dictionary."""
    return ctypes.cast(_dict_of_thread(), ctypes.py_object).value  # type: ignore[no-any-return]

_kept: set[str] = set()


def _probe_prefix() -> str | None:
    """How CPython names a local's entry (``thread.local.0x...``), or None if it does not."""
    probe = threading.local()
    probe.value = True
    names = [key for key in _get_dict() if isinstance(key, str) and key.endswith(f"{id(probe):x}")]
    if len(names) != 1:
        return None
    return names[0][: -len(f"{id(probe):x}")]


try:
    _prefix = _probe_prefix()
except Exception:  # not CPython's thread state: leave locals alone
    _prefix = None


def keep(local: threading.local) -> None:
    """Keep ``local``'s values across processes (for the runtime's own per-thread state)."""
    if _prefix is not None:
        _kept.add(f"{_prefix}{id(local):x}")


def reset_locals() -> None:
    """Drop the calling thread's ``threading.local`` values, but those kept."""
    if _prefix is None:
        return
    state = _get_dict()
    stale = [
        key
        for key in state
        if key.__class__ is str and key.startswith(_prefix) and key not in _kept
    ]
    for key in stale:
        del state[key]


def run_fresh(fun: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Call ``fun(*args, **kwargs)`` in a new, empty context (fresh ``decimal`` context...)."""
    return contextvars.Context().run(fun, *args, **kwargs)
