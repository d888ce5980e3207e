"""The shell's debugging helpers (iex's dbg, IEx.pry, break!, whereami, continue)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .dbg import dbg

if TYPE_CHECKING:
    from .session import Session

__all__ = ["DEBUG_NAMES", "debug_helpers"]

DEBUG_NAMES = ("dbg",)


def debug_helpers(session: Session) -> dict[str, Any]:
    """The debugging helpers of ``session``, by name."""
    return {"dbg": dbg}
