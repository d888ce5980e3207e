"""``dbg(value)``: print an expression's source text and value, as Elixir's ``dbg/1``.

The text of the argument is recovered from the calling frame: its source
(through ``linecache``, where the shell registers every command it runs) and,
on Python 3.11+, the exact position of the call the frame is executing
(``co_positions``); on 3.10 the call is looked for on the frame's line.
"""

from __future__ import annotations

import ast
import linecache
import sys
from types import CodeType, FrameType
from typing import Any

from .display import format_value

__all__ = ["dbg", "argument_text", "frame_location"]


def frame_location(frame: FrameType) -> str:
    """``[FILE:LINE: function]`` (``(file)`` at a module's top level), as Elixir's dbg."""
    code = frame.f_code
    name = getattr(code, "co_qualname", code.co_name)
    where = "(file)" if name == "<module>" else name
    return f"[{code.co_filename}:{frame.f_lineno}: {where}]"


def _source(filename: str) -> str | None:
    lines = linecache.getlines(filename)
    return "".join(lines) if lines else None


def _current_position(frame: FrameType) -> tuple[int, int, int, int] | None:
    positions = getattr(frame.f_code, "co_positions", None)
    if positions is None or frame.f_lasti < 0:
        return None
    for index, position in enumerate(positions()):
        if index == frame.f_lasti // 2:
            if None in position:
                return None
            return position  # type: ignore[return-value]
    return None


def _calls_on_line(tree: ast.AST, line: int) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and node.lineno <= line <= (node.end_lineno or node.lineno)
    ]


def argument_text(frame: FrameType, name: str = "dbg") -> str | None:
    """The source text of the first argument of the call ``frame`` is executing, or None."""
    code: CodeType = frame.f_code
    source = _source(code.co_filename)
    if source is None:
        return None
    try:
        tree = ast.parse(source, code.co_filename)
    except (SyntaxError, ValueError):
        return None
    position = _current_position(frame)
    call: ast.Call | None = None
    if position is not None:
        start_line, end_line, start_col, end_col = position
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and node.lineno == start_line
                and node.end_lineno == end_line
                and node.col_offset == start_col
                and node.end_col_offset == end_col
            ):
                call = node
                break
    if call is None:  # 3.10, or no exact position: the call of ``name`` on the line
        named = [
            node
            for node in _calls_on_line(tree, frame.f_lineno)
            if isinstance(node.func, ast.Name) and node.func.id == name
        ]
        if len(named) == 1:
            call = named[0]
    if call is None or len(call.args) != 1:
        return None
    return ast.get_source_segment(source, call.args[0])


def dbg(value: Any) -> Any:
    """Print the argument's source text and value (``1 + 2 #=> 3``) with the location; returns the value.

    Works in any process: its output goes where the process's output goes
    (above the prompt in the console for a process that is not the shell).
    """
    frame = sys._getframe(1)
    try:
        location = frame_location(frame)
        source = argument_text(frame) or "dbg(...)"
    finally:
        del frame
    shown = format_value(value) if value is not None else "None"
    print(f"{location}\n{source} #=> {shown}\n", flush=True)
    return value
