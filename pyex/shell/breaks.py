"""``break_(function)``: pry whenever a function is entered, without editing its code (IEx's break!).

Python 3.12+ uses ``sys.monitoring`` (a ``PY_START`` event on the function's
code only: nothing else is slowed down). Before 3.12 a trace function can only
be set for the calling thread, and processes run on threads that exist
already; so the function's ``__code__`` is swapped for a small trampoline
(same number of free variables) that, in whichever thread calls it, traces
just the call of an untouched copy of the function and pries at its ``call``
event, its arguments bound. ``remove_breaks()`` (or the last pending stop)
puts the original code back.
"""

from __future__ import annotations

import inspect
import sys
import threading
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from types import CodeType, FrameType
from typing import Any

from ..runtime import Pid
from ..runtime import self as self_pid
from ..runtime.internal import need_every_message, runs_compiled
from .pry import pry_frame

__all__ = ["USES_MONITORING", "Break", "list_breaks", "remove_breaks", "set_break"]

USES_MONITORING = sys.version_info >= (3, 12)
_TOOL_NAME = "pyex break_"

_lock = threading.Lock()
_breaks: dict[int, Break] = {}  # id -> break
# id() of the code a hit is recognised by -> break (by identity: equal code
# objects, by value, can belong to different functions); the break holds the code.
_by_code: dict[int, Break] = {}
_ids = 0
_tool_id: int | None = None


@dataclass
class Break:
    """One break: the function, the process it stops (None: any), how many stops are left."""

    id: int
    function: types.FunctionType
    pid: Pid | None
    pending: int
    original: CodeType
    untouched: Callable[..., Any] | None = None  # before 3.12: the copy the trampoline calls
    trampoline: CodeType | None = None
    hits: int = field(default=0)
    # Set on send/receive, whose commonest calls run compiled: while it is
    # set, every call takes the Python way, where it stops.
    uncompiled: bool = False

    def name(self) -> str:
        module = getattr(self.function, "__module__", None) or "?"
        return f"{module}.{self.function.__qualname__}/{self.original.co_argcount}"


def _plain_function(function: Any) -> types.FunctionType:
    target = getattr(function, "__func__", function)  # a bound method, a classmethod
    target = inspect.unwrap(target) if hasattr(target, "__wrapped__") else target
    if not isinstance(target, types.FunctionType):
        raise TypeError(f"break_() needs a Python function or method, got {function!r}")
    flags = target.__code__.co_flags
    if flags & (inspect.CO_GENERATOR | inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR):
        raise TypeError(f"break_() cannot stop in a generator or coroutine function: {function!r}")
    return target


def _take_stop(brk: Break) -> bool:
    """Whether this call stops (right process, a stop left); the last one removes the break."""
    if brk.pid is not None and self_pid() != brk.pid:
        return False
    with _lock:
        if brk.pending <= 0 or brk.id not in _breaks:
            return False
        brk.pending -= 1
        brk.hits += 1
        last = brk.pending == 0
    if last:
        _remove(brk)
    return True


# -- 3.12+: sys.monitoring ----------------------------------------------------------


def _monitoring_tool() -> int:
    global _tool_id
    monitoring = sys.monitoring  # type: ignore[attr-defined]
    if _tool_id is None:
        for tool in (monitoring.DEBUGGER_ID, 3, 4, 5):
            if monitoring.get_tool(tool) is None:
                monitoring.use_tool_id(tool, _TOOL_NAME)
                monitoring.register_callback(tool, monitoring.events.PY_START, _on_start)
                _tool_id = tool
                break
        else:
            raise RuntimeError("break_(): no sys.monitoring tool id is free")
    return _tool_id


def _on_start(code: CodeType, offset: int) -> Any:
    brk = _by_code.get(id(code))
    if brk is None or not _take_stop(brk):
        return None
    frame = sys._getframe(1)
    try:
        pry_frame(frame, line=code.co_firstlineno)
    finally:
        del frame
    return None


def _watch(brk: Break) -> None:
    monitoring = sys.monitoring  # type: ignore[attr-defined]
    tool = _monitoring_tool()
    monitoring.set_local_events(tool, brk.original, monitoring.events.PY_START)


def _unwatch(brk: Break) -> None:
    if _tool_id is not None:
        sys.monitoring.set_local_events(_tool_id, brk.original, 0)  # type: ignore[attr-defined]


# -- before 3.12: a trampoline in __code__ -------------------------------------------

_TRAMPOLINES: dict[int, CodeType] = {}


def _trampoline_code(free: int) -> CodeType:
    """``def f(*args, **kwargs)`` with ``free`` free variables, calling ``_enter``."""
    code = _TRAMPOLINES.get(free)
    if code is None:
        names = [f"_pyex_free_{n}" for n in range(free)]
        lines = ["def _outer():"]
        lines += [f"    {name} = None" for name in names]
        lines.append("    def _pyex_break_trampoline(*args, **kwargs):")
        if names:
            lines.append(f"        ({', '.join(names)})")
        lines.append("        return _pyex_break_enter(args, kwargs)")
        lines.append("    return _pyex_break_trampoline")
        namespace: dict[str, Any] = {}
        exec(compile("\n".join(lines), "<pyex break_>", "exec"), namespace)  # our own source
        code = namespace["_outer"]().__code__
        _TRAMPOLINES[free] = code
    return code


def _enter(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """The trampoline's body: call the copy, prying at its entry if this call stops."""
    code = sys._getframe(1).f_code
    brk = _by_code.get(id(code))
    if brk is None:  # removed meanwhile, by another thread: the original is back
        raise RuntimeError("break_(): a removed break's trampoline was called")
    copy = brk.untouched
    assert copy is not None
    if not _take_stop(brk):
        return copy(*args, **kwargs)
    previous = sys.gettrace()

    def at_entry(frame: FrameType, event: str, arg: Any) -> Any:
        if event != "call" or frame.f_code is not brk.original:
            return None
        sys.settrace(previous)  # before prying: next_() then traces as from here
        pry_frame(frame, line=brk.original.co_firstlineno)
        return None

    sys.settrace(at_entry)
    try:
        return copy(*args, **kwargs)
    finally:
        if sys.gettrace() is at_entry:
            sys.settrace(previous)


def _install_enter(function: types.FunctionType) -> None:
    """The trampoline runs with the function's own globals and builtins: _enter is a builtin."""
    import builtins

    builtins._pyex_break_enter = _enter  # type: ignore[attr-defined]
    own = getattr(function, "__builtins__", None)  # 3.10+: the builtins its frames use
    if isinstance(own, dict):
        own["_pyex_break_enter"] = _enter


def _patch(brk: Break) -> None:
    function = brk.function
    copy = types.FunctionType(
        brk.original, function.__globals__, function.__name__, function.__defaults__, function.__closure__
    )
    copy.__kwdefaults__ = function.__kwdefaults__
    copy.__qualname__ = function.__qualname__
    copy.__module__ = function.__module__
    brk.untouched = copy
    # A code object of its own (a fresh replace()), so that a hit finds its break.
    trampoline = _trampoline_code(len(brk.original.co_freevars))
    brk.trampoline = trampoline.replace(co_name=brk.original.co_name)
    _install_enter(function)
    _by_code[id(brk.trampoline)] = brk
    function.__code__ = brk.trampoline


def _unpatch(brk: Break) -> None:
    if brk.function.__code__ is brk.trampoline:
        brk.function.__code__ = brk.original


# -- the helpers' work -------------------------------------------------------------------


def set_break(function: Callable[..., Any], pid: Pid | None = None, times: int = 1) -> int:
    """Set a break on ``function``; returns its id."""
    global _ids
    if not isinstance(times, int) or times < 1:
        raise ValueError(f"break_(): times must be a positive int, got {times!r}")
    if pid is not None and not isinstance(pid, Pid):
        raise TypeError(f"break_(): pid must be a Pid or None, got {pid!r}")
    target = _plain_function(function)
    with _lock:
        for existing in _breaks.values():
            if existing.function is target:
                existing.pending, existing.pid = times, pid
                return existing.id
        _ids += 1
        original = target.__code__
        brk = Break(_ids, target, pid, times, original, uncompiled=runs_compiled(target))
        _breaks[brk.id] = brk
        if brk.uncompiled:
            need_every_message(f"break {brk.id}", True)
        if USES_MONITORING:
            _by_code[id(original)] = brk
            _watch(brk)
        else:
            _patch(brk)
    return brk.id


def _remove(brk: Break) -> None:
    with _lock:
        if _breaks.pop(brk.id, None) is None:
            return
        if brk.uncompiled:
            need_every_message(f"break {brk.id}", False)
        if USES_MONITORING:
            _by_code.pop(id(brk.original), None)
            _unwatch(brk)
        else:
            _unpatch(brk)
            # The trampoline stays known: a call already in it finds its copy.


def list_breaks() -> list[Break]:
    """The breaks set now, oldest first."""
    with _lock:
        return sorted(_breaks.values(), key=lambda brk: brk.id)


def remove_breaks(function: Callable[..., Any] | None = None) -> int:
    """Remove every break (or those on ``function``); returns how many."""
    target = None if function is None else _plain_function(function)
    removed = [brk for brk in list_breaks() if target is None or brk.function is target]
    for brk in removed:
        _remove(brk)
    return len(removed)
