"""Auto-indent of the console: how far the next line goes in, and what dedents itself.

As in IPython and ptpython: a line ending in ``:`` opens a block (the next
line goes one level in); ``return``, ``pass``, ``break``, ``continue`` and
``raise`` end one (the next line goes one level out); and ``else``, ``elif``,
``except``, ``finally`` and ``case`` move back to the statement they belong
to as soon as they are typed, so a block is never sent with its ``else``
stuck in the body.
"""

from __future__ import annotations

import re

__all__ = ["INDENT", "indent_of", "next_indent", "dedented"]

INDENT = "    "

# The keyword of a clause that continues a statement, and the clauses it may follow.
_FOLLOWS = {
    "else": ("if", "elif", "for", "while", "try", "except"),
    "elif": ("if", "elif"),
    "except": ("try", "except"),
    "finally": ("try", "except", "else"),
    "case": ("case",),
}
_CLAUSE = re.compile(r"(else|finally)\s*:|(elif|except)\b|(case)\b.*:\s*(#.*)?$")
_OPENER = re.compile(r"(if|elif|for|while|try|except|else|case|async\s+for|match)\b")
_ENDS_BLOCK = re.compile(r"(return|pass|break|continue|raise)\b(?!\s*[=.(\[,])")


def indent_of(line: str) -> str:
    """The whitespace ``line`` starts with."""
    return line[: len(line) - len(line.lstrip())]


def next_indent(line: str) -> str:
    """The indentation of the line that follows ``line`` when Enter is pressed after it."""
    indent = indent_of(line)
    code = line.strip()
    if _strip_comment(code).endswith(":"):
        return indent + INDENT
    if _ENDS_BLOCK.match(code) and indent:
        return indent[: max(0, len(indent) - len(INDENT))]
    return indent


def _strip_comment(code: str) -> str:
    if "#" not in code:
        return code
    return code.split("#", 1)[0].rstrip() if "'" not in code and '"' not in code else code


def _clause(code: str) -> str | None:
    match = _CLAUSE.match(code)
    if match is None:
        return None
    return match.group(1) or match.group(2) or match.group(3)


def dedented(before: list[str], line: str) -> str:
    """``line`` moved back to the statement it continues, when it is such a clause.

    ``before`` are the lines above it. The line is returned unchanged when it
    is no clause, is already where it belongs, or follows nothing it could
    belong to.
    """
    code = line.strip()
    keyword = _clause(code)
    if keyword is None:
        return line
    width = len(indent_of(line))
    for previous in reversed(before):
        text = previous.strip()
        if not text or text.startswith("#"):
            continue
        level = len(indent_of(previous))
        if level > width:
            continue
        opener = _OPENER.match(text)
        name = opener.group(1) if opener is not None else None
        if name is not None and _strip_comment(text).endswith(":"):
            if keyword == "case" and name == "match" and level < width:
                return indent_of(previous) + INDENT + code
            if name in _FOLLOWS[keyword]:
                return indent_of(previous) + code
        if level < width:
            return line  # an enclosing statement that the clause cannot belong to
    return line
