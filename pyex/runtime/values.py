"""Pids and references: the runtime's two kinds of identity values."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["Pid", "Ref", "pid", "require_pid"]


class Pid:
    """A process identifier, shown as ``#PID<0.84.0>``.

    Immutable, hashable and totally ordered. Two pids are equal when their three
    numbers are; a pid stays valid (and simply names a dead process) after its
    process has exited.
    """

    __slots__ = ("node", "serial", "creation", "_proc")

    node: int
    serial: int
    creation: int
    _proc: Any  # the runtime's record of the process, once looked up

    def __init__(self, node: int, serial: int, creation: int = 0) -> None:
        object.__setattr__(self, "node", node)
        object.__setattr__(self, "serial", serial)
        object.__setattr__(self, "creation", creation)
        # The process this pid names, resolved lazily by the runtime (an
        # implementation detail that never takes part in equality).
        object.__setattr__(self, "_proc", None)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Pid is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Pid is immutable")

    def _key(self) -> tuple[int, int, int]:
        return (self.node, self.serial, self.creation)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Pid:
            return NotImplemented
        return (
            self.serial == other.serial  # type: ignore[attr-defined]
            and self.node == other.node  # type: ignore[attr-defined]
            and self.creation == other.creation  # type: ignore[attr-defined]
        )

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        return hash((Pid, self.node, self.serial, self.creation))

    def __lt__(self, other: Pid) -> bool:
        if other.__class__ is not Pid:
            return NotImplemented
        return self._key() < other._key()

    def __le__(self, other: Pid) -> bool:
        if other.__class__ is not Pid:
            return NotImplemented
        return self._key() <= other._key()

    def __gt__(self, other: Pid) -> bool:
        if other.__class__ is not Pid:
            return NotImplemented
        return self._key() > other._key()

    def __ge__(self, other: Pid) -> bool:
        if other.__class__ is not Pid:
            return NotImplemented
        return self._key() >= other._key()

    def __repr__(self) -> str:
        return f"#PID<{self.node}.{self.serial}.{self.creation}>"

    __str__ = __repr__

    def __reduce__(self) -> tuple[Any, ...]:
        return (Pid, self._key())

    def __copy__(self) -> Pid:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Pid:
        return self


# ASCII digits only (no other script's), brackets both or neither, at most
# _MAX_DIGITS digits a number (int() of a longer one is slow, or refused).
_MAX_DIGITS = 20
_NUMBER = rf"([0-9]{{1,{_MAX_DIGITS}}})"
_NUMBERS = rf"{_NUMBER}\.{_NUMBER}\.{_NUMBER}"
_PID_TEXT = re.compile(rf"\s*(?:(?:#PID)?<\s*{_NUMBERS}\s*>|{_NUMBERS})\s*", re.ASCII)


def _shown(text: str, limit: int = 60) -> str:
    """``repr(text)``, cut short (with its length) when it is long."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text)} characters)"


def pid(*parts: Any) -> Pid:
    """Build a pid: ``pid("0.84.0")``, ``pid("#PID<0.84.0>")`` or ``pid(0, 84, 0)``.

    Raises ValueError naming what is wrong with a malformed pid.
    """
    if len(parts) == 1:
        (text,) = parts
        if isinstance(text, Pid):
            return text
        if not isinstance(text, str):
            raise TypeError(
                f"pid() takes a string like '0.84.0' or three integers, "
                f"got {text!r} ({type(text).__name__})"
            )
        match = _PID_TEXT.fullmatch(text)
        if match is None:
            raise ValueError(
                f"malformed pid {_shown(text)}: expected three non-negative integers "
                f"(ASCII digits, at most {_MAX_DIGITS} each) separated by dots, "
                f"like '0.84.0' or '#PID<0.84.0>'"
            )
        return Pid(*(int(group) for group in match.groups() if group is not None))
    if len(parts) == 3:
        for position, part in zip(("first", "second", "third"), parts, strict=True):
            if not isinstance(part, int) or isinstance(part, bool):
                raise TypeError(
                    f"pid() takes three integers; the {position} is "
                    f"{part!r} ({type(part).__name__})"
                )
            if part < 0:
                raise ValueError(
                    f"malformed pid: the {position} number is negative ({part})"
                )
        return Pid(*parts)
    raise TypeError(
        f"pid() takes one string or three integers, got {len(parts)} arguments"
    )


class Ref:
    """A unique reference, shown as ``#Reference<0.0.0.42>``; made by make_ref() (node_state.py)."""

    __slots__ = ("number",)

    number: int

    def __init__(self, number: int) -> None:
        object.__setattr__(self, "number", number)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Ref is immutable")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Ref:
            return NotImplemented
        return self.number == other.number  # type: ignore[attr-defined]

    def __ne__(self, other: object) -> bool:
        if other.__class__ is not Ref:
            return NotImplemented
        return self.number != other.number  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((Ref, self.number))

    def __lt__(self, other: Ref) -> bool:
        if other.__class__ is not Ref:
            return NotImplemented
        return self.number < other.number

    def __repr__(self) -> str:
        return f"#Reference<0.0.0.{self.number}>"

    __str__ = __repr__

    def __reduce__(self) -> tuple[Any, ...]:
        return (Ref, (self.number,))

    def __copy__(self) -> Ref:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Ref:
        return self


def require_pid(value: Any, what: str) -> Pid:
    """Return ``value`` if it is a Pid, else raise a TypeError naming ``what`` needs one."""
    if value.__class__ is not Pid:
        raise TypeError(f"{what} needs a pid, got {value!r} ({type(value).__name__})")
    return value
