"""Showing a value within limits, as iex's Inspect does (``limit:``, ``printable_limit:``).

A result of a million items must not take the console a minute to show: a
collection shows its first ``limit`` items and ends in ``...``; a string or
bytes longer than ``printable_limit`` is cut and followed by `` ...``; and
the whole value has at most ``limit * limit`` items shown, however it nests.
The value itself is untouched (``_`` and ``v(n)`` hold all of it): what is
pretty-printed is a cut copy of the collections pprint knows, built in time
proportional to what is shown, never to the value's size.
"""

from __future__ import annotations

import collections
import itertools
import pprint
from typing import Any, ClassVar

__all__ = ["limited", "pformat_limited", "DEFAULT_LIMIT", "DEFAULT_PRINTABLE_LIMIT"]

DEFAULT_LIMIT = 50  # Inspect.Opts' default
DEFAULT_PRINTABLE_LIMIT = 4096


class _Cut:
    """Stands for the items left out; shown as ``...``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "..."


CUT: Any = _Cut()

# A cut dict gets one more item, shown as ``...`` once formatted.
_KEY_MARK = "\x00pyex-cut\x00"
_DICT_CUT = f"{_KEY_MARK!r}: {_KEY_MARK!r}"


class _CutText(str):
    """A string cut at the printable limit: its repr says so."""

    def __repr__(self) -> str:
        return str.__repr__(self) + " ..."


class _CutBytes(bytes):
    def __repr__(self) -> str:
        return bytes.__repr__(self) + " ..."


class _CutSet(list):  # type: ignore[type-arg]
    """The first items of a set too big to show: shown as a set ending in ``...``."""

    frozen = False

    def __repr__(self) -> str:
        inner = ", ".join(repr(item) for item in self)
        return f"frozenset({{{inner}}})" if self.frozen else f"{{{inner}}}"


class _Recursive:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


class _Printer(pprint.PrettyPrinter):
    """pprint, knowing how to lay out a cut set over several lines."""

    _dispatch: ClassVar[dict[Any, Any]] = dict(pprint.PrettyPrinter._dispatch)  # type: ignore[attr-defined]

    def _pprint_cut_set(
        self, obj: _CutSet, stream: Any, indent: int, allowance: int, context: Any, level: int
    ) -> None:
        start, end = ("frozenset({", "})") if obj.frozen else ("{", "}")
        stream.write(start)
        self._format_items(obj, stream, indent + len(start) - 1, allowance + len(end), context, level)  # type: ignore[attr-defined]
        stream.write(end)

    _dispatch[_CutSet.__repr__] = _pprint_cut_set


class _Budget:
    __slots__ = ("left", "limit", "printable")

    def __init__(self, limit: int | None, printable: int | None) -> None:
        self.limit = limit
        self.printable = printable
        self.left = None if limit is None else max(limit, limit * limit)

    def take(self, wanted: int) -> int:
        """How many of ``wanted`` items may be shown."""
        if self.limit is not None:
            wanted = min(wanted, self.limit)
        if self.left is not None:
            wanted = min(wanted, self.left)
            self.left -= wanted
        return wanted


_SEQUENCES = (list, tuple, collections.deque)
_SETS = (set, frozenset)
_MAPPINGS = (dict, collections.OrderedDict, collections.defaultdict)


def limited(value: Any, limit: int | None, printable_limit: int | None) -> Any:
    """A copy of ``value`` cut to the limits (None: no limit), for pretty-printing only."""
    return _limit(value, _Budget(limit, printable_limit), set())


def _limit(value: Any, budget: _Budget, active: set[int]) -> Any:
    kind = type(value)
    if kind is str:
        if budget.printable is not None and len(value) > budget.printable:
            return _CutText(value[: budget.printable])
        return value
    if kind is bytes:
        if budget.printable is not None and len(value) > budget.printable:
            return _CutBytes(value[: budget.printable])
        return value
    if kind not in _SEQUENCES and kind not in _SETS and kind not in _MAPPINGS:
        return value
    if id(value) in active:
        return _Recursive("{...}" if kind in _MAPPINGS or kind in _SETS else "[...]")
    active.add(id(value))
    try:
        size = len(value)
        shown = budget.take(size)
        if kind in _MAPPINGS:
            return _limit_mapping(value, shown, size, budget, active)
        items = [_limit(item, budget, active) for item in itertools.islice(value, shown)]
        if kind in _SETS:
            if shown == size:
                return kind(items) if all(_hashable(item) for item in items) else value
            cut = _CutSet(_sorted(items) + [CUT])
            cut.frozen = kind is frozenset
            return cut
        if shown < size:
            items.append(CUT)
        if kind is tuple:
            return tuple(items)
        if kind is collections.deque:
            return collections.deque(items)
        return items
    finally:
        active.discard(id(value))


def _limit_mapping(value: Any, shown: int, size: int, budget: _Budget, active: set[int]) -> Any:
    pairs = [
        (key, _limit(item, budget, active))
        for key, item in itertools.islice(value.items(), shown)
    ]
    if shown < size:
        pairs.append((_KEY_MARK, _KEY_MARK))
    if type(value) is collections.defaultdict:
        return collections.defaultdict(value.default_factory, pairs)
    return type(value)(pairs)


def _hashable(item: Any) -> bool:
    try:
        hash(item)
    except TypeError:
        return False
    return True


def _sorted(items: list[Any]) -> list[Any]:
    try:
        return sorted(items)
    except TypeError:
        return items


def pformat_limited(
    value: Any, width: int, limit: int | None = DEFAULT_LIMIT, printable_limit: int | None = DEFAULT_PRINTABLE_LIMIT
) -> str:
    """``value`` pretty-printed to ``width`` columns, within the limits."""
    text = _Printer(width=width, sort_dicts=False, compact=True).pformat(limited(value, limit, printable_limit))
    if _KEY_MARK[1:-1] in text:
        text = text.replace(_DICT_CUT, "...")
    return text
