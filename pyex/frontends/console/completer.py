"""Tab completion: names, attributes, keywords and helpers of the shell's namespace.

Attributes are found by walking a dotted name with getattr (``Process.mon``);
nothing is called or evaluated, so completing never runs the user's code
beyond attribute access.
"""

from __future__ import annotations

import builtins
import inspect
import keyword
import re
from typing import Any, Callable, Iterable

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

__all__ = ["ShellCompleter", "candidates"]

_WORD = re.compile(r"[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*\.?$|[A-Za-z_]\w*$")
_MISSING = object()


def _kind(value: Any) -> str:
    if inspect.ismodule(value):
        return "module"
    if inspect.isclass(value):
        return "class"
    if callable(value):
        return "function"
    return type(value).__name__


def candidates(word: str, namespace: dict[str, Any]) -> list[tuple[str, str]]:
    """Completions of ``word``: (completed word, what it is), sorted."""
    head, dot, prefix = word.rpartition(".")
    if dot:
        obj: Any = _resolve(head, namespace)
        if obj is _MISSING:
            return []
        try:
            names = dir(obj)
        except Exception:
            return []
        results = []
        for name in names:
            if not name.startswith(prefix) or (name.startswith("_") and not prefix.startswith("_")):
                continue
            try:
                value = inspect.getattr_static(obj, name)
            except AttributeError:
                value = None
            results.append((f"{head}.{name}", _kind(value)))
        return sorted(results)
    found: dict[str, str] = {}
    for name in [*keyword.kwlist, *getattr(keyword, "softkwlist", [])]:
        if name.startswith(prefix):
            found[name] = "keyword"
    for source in (_beneath(namespace), namespace):
        for name, value in list(source.items()):
            if name.startswith(prefix) and (not name.startswith("_") or prefix.startswith("_")):
                found[name] = _kind(value)
    return sorted(found.items())


def _resolve(dotted: str, namespace: dict[str, Any]) -> Any:
    first, *rest = dotted.split(".")
    if first in namespace:
        value = namespace[first]
    elif first in _beneath(namespace):
        value = _beneath(namespace)[first]
    else:
        return _MISSING
    for part in rest:
        try:
            value = inspect.getattr_static(value, part)
        except AttributeError:
            return _MISSING
        if isinstance(value, (staticmethod, classmethod)):
            value = value.__func__
    return value


def _beneath(namespace: dict[str, Any]) -> dict[str, Any]:
    """The builtins layer of ``namespace`` (the shell keeps its helpers there)."""
    layer = namespace.get("__builtins__", builtins)
    return layer if isinstance(layer, dict) else vars(layer)


class ShellCompleter(Completer):
    """prompt_toolkit completer over a function giving ``(text, kind)`` candidates.

    The console's prompt process asks the runtime's process (where the
    namespace lives) through ``lookup``, which answers at once: ``synchronous``
    tells the Tab binding it may ask right away (see keys.complete).
    """

    synchronous = True

    def __init__(self, lookup: Callable[[str], list[tuple[str, str]]]) -> None:
        self.lookup = lookup

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        match = _WORD.search(document.text_before_cursor)
        if match is None:
            return
        word = match.group()
        for text, kind in self.lookup(word):
            shown = text.rpartition(".")[2]
            yield Completion(text, start_position=-len(word), display=shown, display_meta=kind)
