"""Starting processes: spawn, spawn_link, spawn_monitor."""

from __future__ import annotations

from typing import Any, Callable

from . import tracing, workers
from .current import current
from .exits import finish
from .frames import call_tuple, class_owner, describe_call
from .node_state import NODE, make_ref
from .record import ProcessRecord
from .sections import shielded
from .states import EXITING
from .values import Pid, Ref

__all__ = ["spawn", "spawn_link", "spawn_monitor", "describe_call", "call_tuple", "start_process"]


def _target(
    fun: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]], tuple[str, str, int]]:
    # iex's form: spawn(module, "function", [args])
    if (
        len(args) == 2
        and not kwargs
        and isinstance(args[0], str)
        and isinstance(args[1], list)
        and (not callable(fun) or hasattr(fun, args[0]))
    ):
        name, arguments = args
        function = getattr(fun, name, None)
        owner = getattr(fun, "__name__", None) or type(fun).__name__
        if function is None:
            raise AttributeError(f"{owner} has no function {name!r} to spawn")
        if not callable(function):
            raise TypeError(f"{owner}.{name} is not callable, so it cannot be spawned")
        if isinstance(fun, type):
            owner = class_owner(fun)
        return (function, tuple(arguments), {}), (owner, name, len(arguments))
    if not callable(fun):
        raise TypeError(
            f"spawn needs a callable (or an object, a function name and a list of "
            f"arguments), got {fun!r} ({type(fun).__name__})"
        )
    return (fun, args, kwargs), describe_call(fun, len(args) + len(kwargs))


def start_process(
    fun: Any,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    link: bool = False,
    monitor: bool = False,
    initial_call: tuple[str, str, int] | None = None,
) -> tuple[Pid, Ref | None]:
    """Create and start a process, linked to and/or monitored by the caller.

    ``initial_call`` overrides what info() shows as the process's initial
    call: for a layer whose own function starts the user's code (a
    GenServer's ``init``, the shell).
    """
    target, described = _target(fun, args, kwargs)
    if initial_call is None:
        initial_call = described
    parent = current()
    proc = ProcessRecord(target, initial_call, parent.group_leader)
    ref = make_ref() if monitor else None
    with shielded(parent):
        pid = NODE.table.add(proc)
        if link:
            proc.links.add(parent.pid)
            with parent.lock:
                parent.links.add(pid)
        if ref is not None:
            proc.monitored_by[ref] = parent.pid
            with parent.lock:
                parent.monitors[ref] = pid
        try:
            workers.start(proc)
        except BaseException as exc:
            proc.lifecycle = EXITING
            proc.exit_reason = "no thread"
            proc.links.clear()
            proc.monitored_by.clear()
            with parent.lock:
                parent.links.discard(pid)
                if ref is not None:
                    parent.monitors.pop(ref, None)
            finish(proc)
            raise RuntimeError(
                f"cannot spawn: the system refused a new thread "
                f"({NODE.table.count()} processes alive): {exc}"
            ) from exc
    if tracing.GUARD[0]:
        tracing.emit(parent, "spawn", pid)
    return pid, ref


def spawn(fun: Any, *args: Any, **kwargs: Any) -> Pid:
    """Start a process running ``fun(*args, **kwargs)``; returns its pid.

    Also iex's form ``spawn(obj, "name", [args])``, which runs ``obj.name(*args)``.
    """
    return start_process(fun, args, kwargs)[0]


def spawn_link(fun: Any, *args: Any, **kwargs: Any) -> Pid:
    """spawn(), linked to the caller before the new process runs."""
    return start_process(fun, args, kwargs, link=True)[0]


def spawn_monitor(fun: Any, *args: Any, **kwargs: Any) -> tuple[Pid, Ref]:
    """spawn(), monitored by the caller; returns ``(pid, ref)``."""
    pid, ref = start_process(fun, args, kwargs, monitor=True)
    assert ref is not None
    return pid, ref
