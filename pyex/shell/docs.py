"""Docstrings as ``h()`` shows them: clean text, whole summaries, 80 columns.

Docstrings are written in reST (````code````, ``:func:`name```); a person at
the console reads them as plain text, so the markup goes. A summary is the
docstring's first paragraph, however many lines it spans, never a line cut
mid-sentence; a list of helpers wraps its summaries in their column.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from typing import Any

__all__ = ["clean_doc", "doc_summary", "doc_text", "table_rows", "wrapped", "WIDTH"]

WIDTH = 80

_ROLE = re.compile(r":[a-z:]+:`~?([^`]+)`")
_LITERAL = re.compile(r"``([^`]+)``")
_INTERPRETED = re.compile(r"(?<![\w`])`([^`]+)`(?![\w`])")


def clean_doc(text: str) -> str:
    """reST markup taken out: ``:func:`x``` and ````x```` become x."""
    text = _ROLE.sub(r"\1", text)
    text = _LITERAL.sub(r"\1", text)
    return _INTERPRETED.sub(r"\1", text)


def doc_text(obj: Any, width: int = WIDTH) -> str:
    """``obj``'s whole docstring, cleaned, lines longer than ``width`` wrapped; or ''."""
    try:
        doc = inspect.getdoc(obj)
    except Exception:
        doc = None
    lines = []
    for line in clean_doc(doc or "").split("\n"):
        if len(line) <= width:
            lines.append(line)
            continue
        indent = line[: len(line) - len(line.lstrip())]
        lines.extend(wrapped(line.strip(), indent, width))
    return "\n".join(lines)


def doc_summary(obj: Any) -> str:
    """The first paragraph of ``obj``'s docstring on one line, cleaned, or ''."""
    paragraph = doc_text(obj).strip().split("\n\n", 1)[0]
    return " ".join(line.strip() for line in paragraph.split("\n"))


def wrapped(text: str, indent: str = "  ", width: int = WIDTH) -> list[str]:
    """``text`` wrapped to ``width`` columns, every line after ``indent``."""
    return textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent) or [indent]


def table_rows(rows: list[tuple[str, str]], width: int = WIDTH, indent: str = "  ") -> list[str]:
    """Two columns, the second wrapped in its column; a first cell too wide has the second below it."""
    if not rows:
        return []
    column = min(max(len(left) for left, _ in rows) + 2, width // 3)
    lines = []
    for left, right in rows:
        pad = indent + " " * column
        text = textwrap.wrap(right, width - len(pad)) or [""]
        if len(left) + 2 > column:
            lines.append(indent + left)
            lines.extend(pad + line for line in text)
        else:
            lines.append(indent + left.ljust(column) + text[0])
            lines.extend(pad + line for line in text[1:])
    return [line.rstrip() for line in lines]
