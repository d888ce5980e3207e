"""The compiled fast path of ``send`` and ``receive``, when it is built (``_fastpath.c``).

A message's cost is the Python around two C calls (``SimpleQueue.put`` and
``get``): finding the current process, the copy check, the counters. The
compiled module does exactly what the Python functions' own inline fast paths
do (mailbox.py) -- ``send`` to a live local pid, ``receive()`` with no pattern
and no timeout while a message waits, both only while nothing is hooked
(hooks.py) -- and hands every other call to the Python function, which it
wraps (its ``__wrapped__``; ``h()`` shows its signature and docstring).

Where the module was not built (no C compiler at install time), or while the
environment variable ``PYEX_PURE_PYTHON`` is set, the Python functions are used
as they are: the same behaviour, only slower.
"""

from __future__ import annotations

import functools
import os
from typing import Any, Callable, TypeVar

__all__ = ["native", "FUNCTION_TYPES", "accelerated", "compiled"]

F = TypeVar("F", bound=Callable[..., Any])

try:
    if os.environ.get("PYEX_PURE_PYTHON"):
        raise ImportError("PYEX_PURE_PYTHON is set")
    import pyex.runtime._fastpath as _fastpath
except ImportError:
    _fastpath = None  # type: ignore[assignment]

# The compiled module itself, or None (not built, or switched off). mailbox.py
# calls its ``configure``; binding.py and hooks.py its ``bind``/``unbind``/
# ``set_hooked``, directly: a C function's call is no safe point
# (safe_points.py), so no exit can land between their two updates.
native = _fastpath

# The type of ``send`` and ``receive`` once accelerated: a function, for
# copying.py (passed as it is, like any function).
FUNCTION_TYPES: tuple[type, ...] = (_fastpath.FastFunction,) if _fastpath is not None else ()


_wrapped: list[Callable[..., Any]] = []  # the Python functions accelerated() wrapped


def accelerated(function: F, kind: str) -> F:
    """``function`` (``send`` or ``receive``, as ``kind`` says) with its fast case compiled."""
    if _fastpath is None:
        return function
    fast = _fastpath.FastFunction(function, kind)
    functools.update_wrapper(fast, function)
    _wrapped.append(function)
    return fast  # type: ignore[return-value]


def compiled(function: Any) -> bool:
    """Whether calls of ``function`` (or of what wraps it) may run compiled, not its Python code.

    A debugger stopping in it must have every call take the Python way
    (``hooks.need``) while it waits for one.
    """
    return isinstance(function, FUNCTION_TYPES) or any(function is wrapped for wrapped in _wrapped)
