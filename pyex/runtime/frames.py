"""What code a process runs, as ``(owner, name, arity)``: the one rule of info().

``owner`` is the class for a method (also for a class defined inside a
function: its name without the ``make.<locals>.`` prefix), else the module;
``name`` is the plain function name; ``arity`` counts the parameters a caller
passes (not ``self`` or ``cls``). pyex's own frames never show: a process
waiting in ``receive`` shows the user's function that called it.
"""

from __future__ import annotations

import os
from types import CodeType, FrameType
from typing import Any

__all__ = [
    "call_tuple",
    "class_owner",
    "describe_call",
    "describe_code",
    "is_pyex_code",
    "user_frames",
    "stacktrace",
    "scan",
    "stack_bottom",
    "state_local",
    "hold_state",
    "PYEX_DIR",
]

# Every file of the pyex package (runtime, OTP, shell, front ends) is pyex's own.
PYEX_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep

# Code objects whose frame holds a process's state in a local variable (the
# OTP layer's server loop registers its own): code -> the local's name.
_STATE_FRAMES: dict[int, tuple[CodeType, str]] = {}

# id(code) -> (code, (owner, name, arity), is pyex's) — the code object is kept
# so that an id reused by a new code object is never taken for the old one.
_described: dict[int, tuple[CodeType, tuple[str, str, int], bool]] = {}
_MAX_DESCRIBED = 20_000

_METHOD_FIRST = ("self", "cls")

# id(code) -> code of the frames a process's stack starts from (the worker's
# runner): what lies below them is the thread's, not the process's.
_BOTTOMS: dict[int, CodeType] = {}


def stack_bottom(code: CodeType) -> None:
    """Declare that a frame running ``code`` is where every process's stack begins."""
    _BOTTOMS[id(code)] = code


def _split(qualname: str) -> tuple[str | None, str]:
    """``(class owner or None, plain name)`` of a qualified name."""
    parts = qualname.split(".")
    name = parts[-1]
    if len(parts) < 2 or parts[-2] == "<locals>":
        return None, name
    start = 0
    for index, part in enumerate(parts[:-1]):
        if part == "<locals>":
            start = index + 1
    return ".".join(parts[start:-1]), name


def class_owner(cls: Any) -> str:
    """The name a class shows as an owner: its qualified name without a function's ``<locals>``."""
    qualname = getattr(cls, "__qualname__", None) or getattr(cls, "__name__", None) or repr(cls)
    return qualname.rpartition("<locals>.")[2]


def call_tuple(module: str, qualname: str, arity: int) -> tuple[str, str, int]:
    """``(owner, name, arity)``: a method's class stands for its module."""
    owner, name = _split(qualname)
    return (owner if owner is not None else module, name, arity)


def describe_call(fun: Any, arity: int) -> tuple[str, str, int]:
    """``(owner, name, arity)`` of a callable called with ``arity`` arguments."""
    function = getattr(fun, "__func__", fun)  # a bound method: its function's names
    name = getattr(function, "__qualname__", None) or getattr(function, "__name__", None)
    if name is None:
        name = type(fun).__qualname__
    return call_tuple(getattr(function, "__module__", None) or "builtins", name, arity)


def _describe(code: CodeType, module: str) -> tuple[tuple[str, str, int], bool]:
    key = id(code)
    entry = _described.get(key)
    if entry is not None and entry[0] is code:
        return entry[1], entry[2]
    qualname = getattr(code, "co_qualname", code.co_name)
    owner, name = _split(qualname)
    arity = code.co_argcount + code.co_kwonlyargcount
    if owner is not None and arity and code.co_varnames[0] in _METHOD_FIRST:
        arity -= 1  # self or cls: not something the caller passes
    mfa = (owner if owner is not None else module, name, arity)
    mine = code.co_filename.startswith(PYEX_DIR)
    if len(_described) >= _MAX_DESCRIBED:
        _described.clear()
    _described[key] = (code, mfa, mine)
    return mfa, mine


def describe_code(frame: FrameType) -> tuple[str, str, int]:
    """``(owner, name, arity)`` of the function a frame runs."""
    return _describe(frame.f_code, frame.f_globals.get("__name__", "?"))[0]


def is_pyex_code(frame: FrameType) -> bool:
    """True for a frame of pyex's own code."""
    return _describe(frame.f_code, frame.f_globals.get("__name__", "?"))[1]


def user_frames(frame: FrameType | None, limit: int = 64) -> list[FrameType]:
    """The user's frames of a stack, innermost first (pyex's own left out)."""
    frames = []
    bottoms = _BOTTOMS
    while frame is not None and len(frames) < limit:
        code = frame.f_code
        key = id(code)
        if key in bottoms and bottoms[key] is code:
            break
        entry = _described.get(key)
        if entry is not None and entry[0] is code:
            mine = entry[2]
        else:
            mine = _describe(code, frame.f_globals.get("__name__", "?"))[1]
        if not mine:
            frames.append(frame)
        frame = frame.f_back
    return frames


def scan(frame: FrameType | None) -> tuple[FrameType | None, Any]:
    """``(innermost user frame or None, held state or NO_STATE)`` in one walk of a stack."""
    described = _described
    bottoms = _BOTTOMS
    holders = _STATE_FRAMES
    first = None
    state = _NO_STATE
    while frame is not None:
        code = frame.f_code
        key = id(code)
        entry = described.get(key)
        if entry is not None and entry[0] is code:
            mine = entry[2]
        else:
            if key in bottoms and bottoms[key] is code:
                break
            mine = _describe(code, frame.f_globals.get("__name__", "?"))[1]
        if mine:
            if key in bottoms and bottoms[key] is code:
                break
            held = holders.get(key)
            if held is not None and held[0] is code:
                try:
                    state = frame.f_locals.get(held[1], _NO_STATE)
                except Exception:  # a frame that is being torn down
                    pass
                break  # a server loop: below it is only how it started
        elif first is None:
            first = frame
        frame = frame.f_back
    return first, state


def stacktrace(frame: FrameType | None, limit: int = 64) -> list[tuple[str, str, int, tuple[str, int]]]:
    """``[(owner, name, arity, (filename, line)), ...]``, innermost first, the user's frames only."""
    return [
        (*describe_code(f), (f.f_code.co_filename, f.f_lineno or 0))  # type: ignore[misc]
        for f in user_frames(frame, limit)
    ]


def hold_state(code: CodeType, local: str = "state") -> None:
    """Declare that a frame running ``code`` keeps its process's state in ``local``.

    For the layers above the runtime (a server loop): info()'s memory estimate
    and the observer's state view read it from there, without messaging the
    process.
    """
    _STATE_FRAMES[id(code)] = (code, local)


_NO_STATE: Any = object()


def state_local(frame: FrameType | None) -> Any:
    """The state a process's stack holds (see hold_state), or ``NO_STATE``."""
    while frame is not None:
        held = _STATE_FRAMES.get(id(frame.f_code))
        if held is not None and held[0] is frame.f_code:
            try:
                return frame.f_locals.get(held[1], _NO_STATE)
            except Exception:  # a frame that is being torn down
                return _NO_STATE
        frame = frame.f_back
    return _NO_STATE


NO_STATE = _NO_STATE
