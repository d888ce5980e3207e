"""The shell's debugging helpers (iex's dbg, IEx.pry, break!, whereami, continue)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ..runtime import Pid
from .breaks import list_breaks, set_break
from .breaks import remove_breaks as remove_all_breaks
from .dbg import dbg
from .display import user_frames
from .pry import continue_, next_, pry, pry_frame, whereami

if TYPE_CHECKING:
    from .session import Session

__all__ = ["DEBUG_NAMES", "debug_helpers"]

DEBUG_NAMES = (
    "dbg",
    "pry",
    "whereami",
    "continue_",
    "next_",
    "break_",
    "breaks",
    "remove_breaks",
    "pry_last",
)


def break_(function: Callable[..., Any], pid: Pid | None = None, times: int = 1) -> int:
    """Pry when ``function`` is entered (in process ``pid``, or any), ``times`` times; returns the break's id."""
    return set_break(function, pid, times)


def breaks() -> None:
    """Print the breaks set with break_(): id, function/arity, process, stops left."""
    rows = [("ID", "Function", "Process", "Pending stops")]
    rows += [
        (str(brk.id), brk.name(), str(brk.pid) if brk.pid else "any", str(brk.pending))
        for brk in list_breaks()
    ]
    if len(rows) == 1:
        print("No breakpoints set")
        return
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    lines = [" ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, " ".join("-" * width for width in widths))
    print("\n".join(lines))


def remove_breaks(function: Callable[..., Any] | None = None) -> None:
    """Remove every break (or only those on ``function``); the functions run untouched again."""
    remove_all_breaks(function)


def _raising_frame(tb: TracebackType) -> TracebackType:
    """The innermost traceback entry in the user's code (the frame that raised)."""
    frames = {(summary.filename, summary.lineno) for summary in user_frames(tb)}
    chosen = tb
    while tb is not None:
        code = tb.tb_frame.f_code
        if (code.co_filename, tb.tb_lineno) in frames:
            chosen = tb
        tb = tb.tb_next  # type: ignore[assignment]
    return chosen


def pry_last() -> None:
    """Pry at the frame that raised the last error of a command (post-mortem, as IPython's %debug)."""
    tb = getattr(sys, "last_traceback", None)
    if tb is None:
        raise RuntimeError("pry_last(): no command has raised yet")
    entry = _raising_frame(tb)
    pry_frame(entry.tb_frame, ask=False, line=entry.tb_lineno, live=False)


def debug_helpers(session: Session) -> dict[str, Any]:
    """The debugging helpers of ``session``, by name."""
    return {
        "dbg": dbg,
        "pry": pry,
        "whereami": whereami,
        "continue_": continue_,
        "next_": next_,
        "break_": break_,
        "breaks": breaks,
        "remove_breaks": remove_breaks,
        "pry_last": pry_last,
    }
