"""What ``i(term)`` prints for each kind of value (iex's IEx.Info).

Sections as in iex: Term, Data type, then what the kind of value has to say
(a module, a description, a signature, a process's info table...).
"""

from __future__ import annotations

import inspect
import sys
from typing import Any

from ..otp import get_state
from ..runtime import Pid, Ref
from ..runtime import info as process_info
from .display import format_value, plain_signature

__all__ = ["describe"]


def _section(title: str, body: str) -> list[str]:
    lines = [title]
    lines += ["  " + line for line in body.split("\n")]
    return lines


def _summary(obj: Any) -> str:
    doc = inspect.getdoc(obj) or ""
    return doc.strip().split("\n\n", 1)[0]


def _protocols(value: Any) -> str:
    checks = [
        ("Iterable", "__iter__"),
        ("Sized", "__len__"),
        ("Container", "__contains__"),
        ("Callable", "__call__"),
        ("Hashable", "__hash__"),
        ("Context manager", "__enter__"),
        ("Awaitable", "__await__"),
    ]
    mro = type(value).__mro__

    def defines(method: str) -> bool:
        for klass in mro:
            if method in vars(klass):
                return vars(klass)[method] is not None
        return False

    names = [label for label, method in checks if defines(method)]
    return ", ".join(names) or "none"


def describe(term: Any) -> str:
    """The text of ``i(term)``."""
    if isinstance(term, Pid):
        return _describe_pid(term)
    kind = type(term)
    lines = _section("Term", format_value(term, 76) if term is not None else "None")
    lines += _section("Data type", kind.__qualname__)
    module = getattr(kind, "__module__", "builtins")
    lines += _section("Reference modules", module)
    if isinstance(term, Ref):
        lines += _section("Description", "A unique reference, made by make_ref() or Process.monitor().")
    elif inspect.ismodule(term):
        lines += _section("Module", term.__name__)
        source = getattr(term, "__file__", None)
        if source:
            lines += _section("Source", source)
        if _summary(term):
            lines += _section("Description", _summary(term))
    elif inspect.isclass(term) or callable(term):
        signature = plain_signature(term)
        name = getattr(term, "__qualname__", getattr(term, "__name__", repr(term)))
        lines += _section("Signature", f"{name}{signature}")
        where = _where(term)
        if where:
            lines += _section("Defined in", where)
        if _summary(term):
            lines += _section("Description", _summary(term))
    else:
        if _summary(kind):
            lines += _section("Description", _summary(kind))
        try:
            lines += _section("Size", f"{sys.getsizeof(term)} bytes")
        except TypeError:
            pass
    lines += _section("Implemented protocols", _protocols(term))
    return "\n".join(lines)


def _where(obj: Any) -> str:
    try:
        filename = inspect.getsourcefile(obj) or inspect.getfile(obj)
        _, line = inspect.getsourcelines(obj)
        return f"{filename}:{line}"
    except (TypeError, OSError):
        return getattr(obj, "__module__", "") or ""


def _describe_pid(pid: Pid) -> str:
    lines = _section("Term", repr(pid))
    lines += _section("Data type", "Pid")
    details = process_info(pid)
    lines += _section("Alive", "true" if details is not None else "false")
    if details is None:
        return "\n".join(lines)
    name = details.get("registered_name")
    if name is not None:
        lines += _section("Name", repr(name))
    dictionary = details.get("dictionary") or {}
    behaviour = dictionary.get("$behaviour")
    if behaviour:
        lines += _section("Behaviour", str(behaviour))
        module = dictionary.get("$module")
        if module is not None:
            lines += _section("Module", getattr(module, "__qualname__", repr(module)))
        # A Task runs its function, not a loop that could tell its state.
        state = _state_of(pid) if behaviour != "Task" else _NO_STATE
        if state is not _NO_STATE:
            lines += _section("State", format_value(state, 76))
    rows = []
    width = max(len(key) for key in details)
    for key, value in details.items():
        if key == "dictionary":
            value = {k: v for k, v in value.items() if not str(k).startswith("$")}
        rows.append(f"{key:<{width}}  {value!r}")
    lines += _section("Process info", "\n".join(rows))
    lines += _section("Description", "A process: its mailbox, links and monitors are listed above.")
    return "\n".join(lines)


_NO_STATE: Any = object()


def _state_of(pid: Pid) -> Any:
    try:
        return get_state(pid, 1.0)
    except Exception:
        return _NO_STATE
