"""Commands as source text: is it complete, where does a block end, how to run it.

``codeop`` answers "is this Python complete?"; this module adds what a shell
needs on top: when a complete compound statement may still go on (a file's
block may hold blank lines while the next line is indented), and compiling a
command so that the value of its last expression can be shown.
"""

from __future__ import annotations

import ast
import codeop
import linecache
import re
import warnings
from dataclasses import dataclass
from types import CodeType

__all__ = [
    "Compiled",
    "is_complete",
    "may_continue",
    "continues_block",
    "compile_source",
    "register_source",
    "command_filename",
]

_CONTINUATION = re.compile(r"^(else|elif|except|finally)\b")


def is_complete(source: str) -> bool:
    """True if ``source`` is a whole command, False if more lines are needed.

    Raises SyntaxError when no continuation could make it valid.
    """
    compiler = codeop.CommandCompiler()
    compiler.compiler.flags |= ast.PyCF_ALLOW_TOP_LEVEL_AWAIT  # top-level await is a command
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compiler(source, "<pyex>", "exec") is not None


def may_continue(source: str) -> bool:
    """Whether a complete command could still take more lines (a compound statement)."""
    lines = source.rstrip("\n").split("\n")
    if len(lines) > 1:
        return any(line[:1] in (" ", "\t") for line in lines[1:])
    return lines[0].rstrip().endswith(":")


def continues_block(line: str) -> bool:
    """Whether ``line``, following a compound statement, belongs to it."""
    return bool(line.strip()) and (line[:1] in (" ", "\t") or bool(_CONTINUATION.match(line)))


@dataclass
class Compiled:
    """A command ready to run: statements to exec, then an expression to evaluate (or None)."""

    body: CodeType | None
    last_expression: CodeType | None


def command_filename(counter: int, source: str, taken: dict[str, str]) -> str:
    """``<pyex(N)>``, the name a command typed at prompt N runs under; never one taken.

    Prompt numbers come again (after an error, after a new shell process), but
    functions defined under an old name live on: their tracebacks must show
    their own lines, so a name ``taken`` (by this session, name -> source) for
    other lines gets a suffix, ``<pyex(N)#2>``. The name is then taken.
    """
    name = f"<pyex({counter})>"
    number = 1
    while taken.get(name, source) != source:
        number += 1
        name = f"<pyex({counter})#{number}>"
    taken[name] = source
    return name


def register_source(filename: str, source: str) -> None:
    """Let tracebacks show the lines of a command typed in the shell."""
    lines = [line + "\n" for line in source.splitlines()]
    linecache.cache[filename] = (len(source), None, lines, filename)


def compile_source(
    source: str, filename: str, keep_last: bool = True, flags: int = 0
) -> Compiled:
    """Compile a command; the value of a final expression statement is kept apart.

    With ``keep_last`` False (a file), everything is compiled as statements;
    ``flags`` go to ``compile`` (``ast.PyCF_ALLOW_TOP_LEVEL_AWAIT`` for a command).
    """
    if filename.startswith("<"):
        register_source(filename, source)
    try:
        return _compile(source, filename, keep_last, flags)
    except (RecursionError, MemoryError) as exc:
        # Too deep to compile: an error of the command, with no frames of the compiler's.
        raise exc.with_traceback(None) from None


def _compile(source: str, filename: str, keep_last: bool, flags: int) -> Compiled:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        tree = ast.parse(source, filename, "exec")
    last: ast.Expression | None = None
    if keep_last and tree.body and isinstance(tree.body[-1], ast.Expr):
        expr = tree.body.pop()
        last = ast.Expression(expr.value)  # type: ignore[attr-defined]
        ast.copy_location(last, expr)
    body = compile(tree, filename, "exec", flags, dont_inherit=True) if tree.body else None
    last_code = (
        compile(last, filename, "eval", flags, dont_inherit=True) if last is not None else None
    )
    return Compiled(body, last_code)
