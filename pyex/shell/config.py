"""The shell's settings, as ``IEx.configure``: ``configure(inspect_limit=20, ...)``.

One ``Config`` per session. The shell process reads ``inspect_limit``,
``printable_limit`` and ``width`` when it shows a result, and keeps the
results of the last ``history_size`` commands for ``v(n)``; ``colors`` is the
console's (its prompt process is told with each result). The startup file
``.pyex.py`` may call ``configure`` too.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, fields
from typing import Any

from .inspect_limits import DEFAULT_LIMIT, DEFAULT_PRINTABLE_LIMIT

__all__ = ["Config", "DEFAULT_HISTORY_SIZE"]

DEFAULT_HISTORY_SIZE = 20  # as iex


@dataclass
class _Settings:
    colors: bool | None = None  # None: as the terminal and NO_COLOR say
    inspect_limit: int | None = DEFAULT_LIMIT  # items of a collection shown; None: all
    printable_limit: int | None = DEFAULT_PRINTABLE_LIMIT  # characters of a string shown
    width: int | None = None  # columns results are laid out in; None: the terminal's
    history_size: int = DEFAULT_HISTORY_SIZE  # results v(n) keeps; negative: all


_HELP = {
    "colors": "True, False, or None (as the terminal and NO_COLOR say)",
    "inspect_limit": "items of a collection a result shows, then ...; None for all",
    "printable_limit": "characters of a string a result shows, then ...; None for all",
    "width": "columns results are laid out in; None for the terminal's",
    "history_size": "how many results v(n) keeps; negative for all",
}


class Config:
    """A session's settings; ``update`` checks each one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._settings = _Settings()

    def get(self, name: str) -> Any:
        with self._lock:
            return getattr(self._settings, name)

    def as_dict(self) -> dict[str, Any]:
        with self._lock:
            return asdict(self._settings)

    def update(self, **changes: Any) -> None:
        """Change settings; raises (and changes nothing) for an unknown key or a bad value."""
        known = {field.name for field in fields(_Settings)}
        for name, value in changes.items():
            if name not in known:
                raise TypeError(
                    f"configure() has no setting {name!r}; the settings are: {', '.join(sorted(known))}"
                )
            _check(name, value)
        with self._lock:
            for name, value in changes.items():
                setattr(self._settings, name, value)

    def rows(self) -> list[tuple[str, str]]:
        """``(name=value, what it means)`` for each setting."""
        values = self.as_dict()
        return [(f"{name}={values[name]!r}", _HELP[name]) for name in values]


def _check(name: str, value: Any) -> None:
    if name == "colors":
        if value is not None and not isinstance(value, bool):
            raise TypeError(f"configure(colors=...) takes True, False or None, got {value!r}")
        return
    if name == "history_size":
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"configure(history_size=...) takes an int, got {value!r}")
        return
    if value is None:
        return
    lowest = 20 if name == "width" else 1
    if not isinstance(value, int) or isinstance(value, bool) or value < lowest:
        raise ValueError(f"configure({name}=...) takes an int >= {lowest} or None, got {value!r}")
