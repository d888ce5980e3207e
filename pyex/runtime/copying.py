"""Share nothing: a message is copied when sent, so later mutation never shows.

Immutable values (numbers, strings, bytes, pids, refs, functions, classes,
modules and tuples/frozensets made only of them) pass as they are, at the cost
of one type check. Everything else is deep-copied: containers, instances, and
bound methods with the object they are bound to (a fun takes its values along,
as Erlang's do). A plain function passes as itself, like a module's global:
what its closure refers to is not copied.

An object that cannot be copied -- a lock, a generator, a file, a socket, any
object whose copy raises -- is never shared behind the sender's back: ``send``
raises ``UncopyableError`` (a TypeError) naming its type. To hand such a
resource over on purpose, by reference, wrap it: ``send(pid, Shared(sock))``;
the receiver finds the very same object in ``message.value``.
"""

from __future__ import annotations

import copy
import types
from collections import deque
from typing import Any

from . import fastpath
from .values import Pid, Ref

__all__ = ["copy_message", "Shared", "UncopyableError", "ATOMIC_TYPES"]


class Shared:
    """``Shared(obj)`` hands ``obj`` over by reference: a message the runtime never copies.

    Messages are copied when sent; a lock, a socket, a file or a generator
    cannot be, and ``send`` refuses them. Wrapped, ``obj`` travels as it is,
    inside any message (``send(pid, ('conn', Shared(sock)))``), and the
    receiver uses the same object as ``.value``: sharing it is then a choice,
    made where it shows.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"Shared({self.value!r})"

    def __copy__(self) -> Shared:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Shared:
        return self


class UncopyableError(TypeError):
    """A message holds an object that cannot be copied (wrap it in ``Shared`` to share it)."""


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
        types.ModuleType,
        types.CodeType,
        *fastpath.FUNCTION_TYPES,
    }
)


def _immutable(value: Any) -> bool:
    cls = value.__class__
    if cls in ATOMIC_TYPES:
        return True
    if cls is tuple or cls is frozenset:
        return all(map(_immutable, value))
    return False


def copy_message(message: Any, strict: bool = True) -> Any:
    """Return ``message`` as the receiver must see it: itself if immutable, else a deep copy.

    Raises ``UncopyableError`` (a TypeError) if something in it cannot be
    copied; with ``strict=False`` (the runtime's introspection: a server's
    state for ``get_state``) that thing is shared instead.
    """
    cls = message.__class__
    if cls in ATOMIC_TYPES:
        return message
    if (cls is tuple or cls is frozenset) and all(map(_immutable, message)):
        return message
    try:
        return copy.deepcopy(message)
    except Exception:
        # Something inside cannot be copied: find it (or, not strict, share it).
        return _copy(message, {}, strict)


def _refuse(value: Any, error: Exception) -> UncopyableError:
    cls = value.__class__
    name = cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    try:
        why = str(error)
    except Exception:
        why = type(error).__name__
    return UncopyableError(
        f"cannot send a {name}: messages are copied, and copying it failed ({why}). "
        f"To hand it over by reference, on purpose, send Shared(obj) instead "
        f"(from pyex import Shared); the receiver gets the same object as .value"
    )


def _copy(value: Any, memo: dict[int, Any], strict: bool) -> Any:
    if _immutable(value):
        return value
    key = id(value)
    if key in memo:
        return memo[key]
    cls = value.__class__
    if cls is list:
        result: Any = []
        memo[key] = result
        result.extend(_copy(item, memo, strict) for item in value)
        return result
    if cls is dict:
        result = {}
        memo[key] = result
        for k, v in value.items():
            result[_copy(k, memo, strict)] = _copy(v, memo, strict)
        return result
    if cls is tuple:
        result = tuple(_copy(item, memo, strict) for item in value)
        memo[key] = result
        return result
    if cls is set or cls is frozenset:
        result = cls(_copy(item, memo, strict) for item in value)
        memo[key] = result
        return result
    if cls is deque:
        result = deque(maxlen=value.maxlen)
        memo[key] = result
        result.extend(_copy(item, memo, strict) for item in value)
        return result
    try:
        result = copy.deepcopy(value, memo)
    except Exception as exc:
        if strict:
            raise _refuse(value, exc) from None
        result = value  # not strict: shared by reference
    memo[key] = result
    return result
