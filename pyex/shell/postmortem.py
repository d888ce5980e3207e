"""The last error a command raised, kept as Python's REPL keeps it (``sys.last_*``).

``pry_last()`` pries at its frame; ``pdb.pm()`` works on it too.
"""

from __future__ import annotations

import sys

__all__ = ["remember_error"]


def remember_error(exc: BaseException) -> None:
    """Keep the error a command raised, for pry_last() and pdb.pm()."""
    sys.last_type, sys.last_value, sys.last_traceback = type(exc), exc, exc.__traceback__
    if sys.version_info >= (3, 12):
        sys.last_exc = exc  # type: ignore[attr-defined]
