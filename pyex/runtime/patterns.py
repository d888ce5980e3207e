"""The pattern language of selective receive.

- ``ANY`` matches anything;
- a type matches its instances;
- any other callable is a predicate, called with the message;
- a tuple or list pattern matches a sequence of the same type and length,
  element by element, recursively;
- a dict pattern matches a dict holding those keys with matching values;
- anything else matches by ``==``.
"""

from __future__ import annotations

from typing import Any, Callable

__all__ = ["ANY", "compile_pattern", "compile_patterns"]

Matcher = Callable[[Any], bool]


class _Any:
    """The pattern that matches any message."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "ANY"

    def __reduce__(self) -> str:
        return "ANY"


ANY = _Any()


def _always(message: Any) -> bool:
    return True


def compile_pattern(pattern: Any) -> Matcher:
    """Turn one pattern into a function that tells whether a message matches it."""
    if pattern is ANY:
        return _always
    if isinstance(pattern, type):
        return lambda message: isinstance(message, pattern)
    if isinstance(pattern, (tuple, list)):
        kind = type(pattern)
        size = len(pattern)
        parts = [compile_pattern(item) for item in pattern]
        if all(part is _always for part in parts):
            return lambda message: isinstance(message, kind) and len(message) == size

        def match_sequence(message: Any) -> bool:
            if not isinstance(message, kind) or len(message) != size:
                return False
            for part, item in zip(parts, message, strict=True):
                if not part(item):
                    return False
            return True

        return match_sequence
    if isinstance(pattern, dict):
        entries = [(key, compile_pattern(value)) for key, value in pattern.items()]

        def match_dict(message: Any) -> bool:
            if not isinstance(message, dict):
                return False
            for key, part in entries:
                if key not in message or not part(message[key]):
                    return False
            return True

        return match_dict
    if callable(pattern):
        return lambda message: bool(pattern(message))

    def match_equal(message: Any) -> bool:
        # A message whose __eq__ raises simply does not match.
        try:
            return bool(message == pattern)
        except Exception:
            return False

    return match_equal


def compile_patterns(patterns: tuple[Any, ...]) -> Matcher | None:
    """One matcher for several patterns (any may match); None when there are none."""
    if not patterns:
        return None
    if len(patterns) == 1:
        return compile_pattern(patterns[0])
    matchers = [compile_pattern(pattern) for pattern in patterns]
    if any(matcher is _always for matcher in matchers):
        return _always

    def match_any(message: Any) -> bool:
        for matcher in matchers:
            if matcher(message):
                return True
        return False

    return match_any
