"""Child specs: how a supervisor knows how to start, restart and stop a child.

A spec is a dict, as in Elixir::

    {'id': 'cache',
     'start': (GenServer.start_link, [Cache, {}], {'name': 'cache'}),
     'restart': 'permanent',      # or 'transient', 'temporary'
     'shutdown': 5,               # seconds, or 'brutal_kill', or 'infinity'
     'type': 'worker',            # or 'supervisor'
     'modules': [Cache]}

Only ``id`` and ``start`` are required. ``start`` is ``(callable, args)`` or
``(callable, args, kwargs)``; calling it must start the child linked to the
caller and return ``('ok', pid)`` (or ``'ignore'``, or ``('error', reason)``).
A child may also be given as ``(Class, arg)`` -- ``Class.child_spec(arg)`` turns
it into a spec -- or as a bare ``Class``, which means ``(Class, [])``.
"""

from __future__ import annotations

import sys
from typing import Any, Callable

from ..runtime.internal import wait_time

__all__ = [
    "ChildSpecError",
    "to_spec",
    "normalize",
    "normalize_all",
    "SUPERVISOR_STARTS",
    "RESTARTS",
    "TYPES",
]

RESTARTS = ("permanent", "transient", "temporary")
TYPES = ("worker", "supervisor")
KEYS = ("id", "start", "restart", "shutdown", "type", "modules")

# Start functions of supervisors: a child started by one defaults to
# type 'supervisor' and shutdown 'infinity'. Filled in by the supervisor modules.
SUPERVISOR_STARTS: set[Callable[..., Any]] = set()
# Start functions whose first argument is the callback class (GenServer.start_link...):
# such a child's modules default to [that class].
CLASS_STARTS: set[Callable[..., Any]] = set()


class ChildSpecError(ValueError):
    """A child spec is malformed; the message says what is wrong with which child."""


def to_spec(child: Any) -> dict[str, Any]:
    """The spec dict a child stands for: a dict as is, ``(Class, arg)`` or ``Class`` via ``child_spec``."""
    if isinstance(child, dict):
        return child
    if isinstance(child, type):
        child = (child, [])
    if child.__class__ is tuple and len(child) == 2:
        owner, arg = child
        make = getattr(owner, "child_spec", None)
        if callable(make):
            spec = make(arg)
            if not isinstance(spec, dict):
                raise ChildSpecError(
                    f"{_name(owner)}.child_spec({arg!r}) must return a child spec dict, "
                    f"got {spec!r}"
                )
            return spec
        raise ChildSpecError(
            f"cannot make a child spec of {child!r}: {_name(owner)} has no child_spec() "
            f"(use a spec dict with 'id' and 'start')"
        )
    raise ChildSpecError(
        f"a child must be a spec dict, a (Class, arg) pair or a Class with child_spec(), "
        f"got {child!r} ({type(child).__name__})"
    )


def normalize(child: Any) -> dict[str, Any]:
    """A complete, checked copy of the spec ``child`` stands for (defaults filled in).

    Raises ChildSpecError naming what is wrong: a missing id or start, a start
    that is not callable, an unknown restart type...
    """
    spec = to_spec(child)
    unknown = [key for key in spec if key not in KEYS]
    if unknown:
        raise ChildSpecError(
            f"unknown key(s) {', '.join(map(repr, unknown))} in child spec {spec!r} "
            f"(allowed: {', '.join(KEYS)})"
        )
    if "id" not in spec:
        raise ChildSpecError(f"child spec {spec!r} has no 'id'")
    child_id = spec["id"]
    try:
        hash(child_id)
    except TypeError:
        raise ChildSpecError(f"child id {child_id!r} must be hashable") from None
    where = f"child {child_id!r}"
    if "start" not in spec:
        raise ChildSpecError(f"{where} has no 'start' (a (callable, args) pair)")
    start = spec["start"]
    if not isinstance(start, (tuple, list)) or len(start) not in (2, 3):
        raise ChildSpecError(
            f"{where}: 'start' must be (callable, args) or (callable, args, kwargs), "
            f"got {start!r}"
        )
    fun, args = start[0], start[1]
    kwargs = start[2] if len(start) == 3 else {}
    if not callable(fun):
        raise ChildSpecError(f"{where}: the start function {fun!r} is not callable")
    if not isinstance(args, (list, tuple)):
        raise ChildSpecError(f"{where}: the start arguments must be a list, got {args!r}")
    if not isinstance(kwargs, dict) or not all(isinstance(key, str) for key in kwargs):
        raise ChildSpecError(
            f"{where}: the start keyword arguments must be a dict of str keys, got {kwargs!r}"
        )
    restart = spec.get("restart", "permanent")
    if restart not in RESTARTS:
        raise ChildSpecError(
            f"{where}: restart must be one of {', '.join(map(repr, RESTARTS))}, got {restart!r}"
        )
    is_supervisor = _member(fun, SUPERVISOR_STARTS)
    kind = spec.get("type", "supervisor" if is_supervisor else "worker")
    if kind not in TYPES:
        raise ChildSpecError(
            f"{where}: type must be 'worker' or 'supervisor', got {kind!r}"
        )
    shutdown = spec.get("shutdown", "infinity" if kind == "supervisor" else 5)
    shutdown = _check_shutdown(where, shutdown)
    modules = spec.get("modules")
    if modules is None:
        modules = default_modules(fun, args)
    elif not (isinstance(modules, list) or modules == "dynamic"):
        raise ChildSpecError(f"{where}: modules must be a list or 'dynamic', got {modules!r}")
    return {
        "id": child_id,
        "start": (fun, list(args), dict(kwargs)),
        "restart": restart,
        "shutdown": shutdown,
        "type": kind,
        "modules": list(modules) if isinstance(modules, list) else modules,
    }


def normalize_all(children: Any) -> list[dict[str, Any]]:
    """Normalize a supervisor's children; their ids must be distinct."""
    if not isinstance(children, (list, tuple)):
        raise ChildSpecError(f"children must be a list, got {children!r}")
    specs = [normalize(child) for child in children]
    seen: set[Any] = set()
    for spec in specs:
        if spec["id"] in seen:
            raise ChildSpecError(
                f"duplicate child id {spec['id']!r}: each child of a supervisor needs "
                f"its own id (Supervisor.child_spec(spec, id=...) gives another one)"
            )
        seen.add(spec["id"])
    return specs


def _check_shutdown(where: str, shutdown: Any) -> Any:
    if shutdown.__class__ is str and shutdown == "brutal_kill":
        return shutdown
    try:
        seconds = wait_time(shutdown, "shutdown")
    except (TypeError, ValueError):
        raise ChildSpecError(
            f"{where}: shutdown must be a number of seconds, 'brutal_kill' or 'infinity', "
            f"got {shutdown!r}"
        ) from None
    # Beyond what the clock holds is forever too (timeouts.wait_time).
    return "infinity" if seconds is None else shutdown


def default_modules(fun: Any, args: Any) -> list[Any]:
    """``modules`` when a spec gives none: the callback class, else the start function's owner."""
    if _member(fun, CLASS_STARTS) and args and isinstance(args[0], type):
        return [args[0]]
    owner = getattr(fun, "__self__", None)
    if isinstance(owner, type):
        return [owner]
    found = _owner_class(fun)
    return [found if found is not None else fun]


def _owner_class(fun: Any) -> type | None:
    qualname = getattr(fun, "__qualname__", "")
    path = qualname.split(".")[:-1]
    if not path or "<locals>" in path:
        return None
    value: Any = sys.modules.get(getattr(fun, "__module__", None) or "")
    for part in path:
        value = getattr(value, part, None)
    return value if isinstance(value, type) else None


def _member(fun: Any, functions: set[Callable[..., Any]]) -> bool:
    try:
        return fun in functions
    except TypeError:  # an unhashable callable
        return False


def _name(value: Any) -> str:
    return getattr(value, "__qualname__", None) or repr(value)
