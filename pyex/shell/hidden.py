"""When a variable hides a helper: say so, and how to get the helper back.

The helpers live beneath the user's names (see namespace.py), and their names
(``i``, ``v``, ``h``, ``c``, ``r``) are the commonest variable names there are:
``for i in range(3): ...`` then ``i(1)`` fails with ``'int' object is not
callable``. That error is then followed by a line naming the hidden helper.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from .namespace import shell_builtins

__all__ = ["hidden_helper_hint"]

_NOT_CALLABLE = re.compile(r"^'([^']+)' object is not callable$")


def _called_names(source: str) -> list[str]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    return [
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    ]


def hidden_helper_hint(error: BaseException, source: str, namespace: dict[str, Any]) -> str | None:
    """The line that explains ``error`` as a call of a helper a variable hides, or None."""
    if not isinstance(error, TypeError):
        return None
    match = _NOT_CALLABLE.match(str(error))
    if match is None:
        return None
    beneath = shell_builtins(namespace)
    for name in _called_names(source):
        if name not in namespace or name not in beneath or name.startswith("_"):
            continue
        value = namespace[name]
        if callable(value) or type(value).__name__ != match.group(1):
            continue
        return (
            f"    (the variable {name} = {_short_repr(value)} hides the helper {name}(); "
            f"`del {name}` brings it back)"
        )
    return None


def _short_repr(value: Any) -> str:
    try:
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 30 else text[:27] + "..."
