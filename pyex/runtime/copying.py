"""Share nothing: a message is copied when sent, so later mutation never shows.

Immutable values (numbers, strings, bytes, pids, refs, functions, classes and
tuples/frozensets made only of them) pass as they are, at the cost of one type
check. Everything else is deep-copied. An object that cannot be copied (a lock,
a socket, a generator) is passed by reference: such objects exist to be shared.
"""

from __future__ import annotations

import copy
import types
from collections import deque
from typing import Any

from .values import Pid, Ref

__all__ = ["copy_message", "Shared", "ATOMIC_TYPES"]


class Shared:
    """Wraps a value that the runtime must pass by reference, never copying it.

    Internal layers use it for values that are not messages between users'
    processes (a shell handing a result to its own front end).
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"Shared({self.value!r})"


ATOMIC_TYPES: frozenset[type] = frozenset(
    {
        int,
        float,
        complex,
        bool,
        str,
        bytes,
        type(None),
        type(Ellipsis),
        type(NotImplemented),
        range,
        Pid,
        Ref,
        Shared,
        type,
        types.FunctionType,
        types.BuiltinFunctionType,
        types.MethodType,
        types.ModuleType,
        types.CodeType,
    }
)


def _immutable(value: Any) -> bool:
    cls = value.__class__
    if cls in ATOMIC_TYPES:
        return True
    if cls is tuple or cls is frozenset:
        return all(map(_immutable, value))
    return False


def copy_message(message: Any) -> Any:
    """Return ``message`` as the receiver must see it: itself if immutable, else a deep copy."""
    cls = message.__class__
    if cls in ATOMIC_TYPES:
        return message
    if (cls is tuple or cls is frozenset) and all(map(_immutable, message)):
        return message
    try:
        return copy.deepcopy(message)
    except Exception:
        # Something inside cannot be copied: copy what can be, share the rest.
        return _copy(message, {})


def _copy(value: Any, memo: dict[int, Any]) -> Any:
    if _immutable(value):
        return value
    key = id(value)
    if key in memo:
        return memo[key]
    cls = value.__class__
    if cls is list:
        result: Any = []
        memo[key] = result
        result.extend(_copy(item, memo) for item in value)
        return result
    if cls is dict:
        result = {}
        memo[key] = result
        for k, v in value.items():
            result[_copy(k, memo)] = _copy(v, memo)
        return result
    if cls is tuple:
        result = tuple(_copy(item, memo) for item in value)
        memo[key] = result
        return result
    if cls is set or cls is frozenset:
        result = cls(_copy(item, memo) for item in value)
        memo[key] = result
        return result
    if cls is deque:
        result = deque(maxlen=value.maxlen)
        memo[key] = result
        result.extend(_copy(item, memo) for item in value)
        return result
    try:
        result = copy.deepcopy(value, memo)
    except Exception:
        result = value  # uncopyable: shared by reference
    memo[key] = result
    return result
