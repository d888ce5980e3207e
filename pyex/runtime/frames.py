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
    "is_pyex_file",
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


def is_pyex_file(filename: str) -> bool:
    """Whether code of ``filename`` is pyex's own: the one test of what a user never sees.

    info()'s current function and stack, crash reports' tracebacks and the
    shell's error frames all leave out the frames this says True for.
    """
    return filename.startswith(PYEX_DIR)

# What a frame's code is to the observer.
USER = 0  # the user's code: it shows
PYEX = 1  # pyex's own: never shows
BOTTOM = 2  # where a process's stack starts (the worker's runner): below is the thread's
HOLDER = 3  # pyex's, and it keeps its process's state in a local (a server loop)

# id(code) -> (code, (owner, name, arity), kind) — the code object is kept so
# that an id reused by a new code object is never taken for the old one.
_described: dict[int, tuple[CodeType, tuple[str, str, int], int]] = {}
_MAX_DESCRIBED = 20_000

# id(code) -> (code, kind) declared by stack_bottom() and hold_state(), and the
# name of the local a HOLDER keeps the state in.
_declared: dict[int, tuple[CodeType, int]] = {}
_state_locals: dict[int, str] = {}

_METHOD_FIRST = ("self", "cls")
_RUNPY = getattr(__import__("runpy"), "__file__", "")


def stack_bottom(code: CodeType) -> None:
    """Declare that a frame running ``code`` is where every process's stack begins."""
    _declared[id(code)] = (code, BOTTOM)
    _described.pop(id(code), None)


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


def _describe(code: CodeType, module: str) -> tuple[CodeType, tuple[str, str, int], int]:
    key = id(code)
    entry = _described.get(key)
    if entry is not None and entry[0] is code:
        return entry
    qualname = getattr(code, "co_qualname", code.co_name)
    owner, name = _split(qualname)
    arity = code.co_argcount + code.co_kwonlyargcount
    if owner is not None and arity and code.co_varnames[0] in _METHOD_FIRST:
        arity -= 1  # self or cls: not something the caller passes
    mfa = (owner if owner is not None else module, name, arity)
    declared = _declared.get(key)
    if declared is not None and declared[0] is code:
        kind = declared[1]
    elif code.co_filename == _RUNPY:
        kind = BOTTOM  # ``python -m``'s launcher: below it is nobody's code
    else:
        kind = PYEX if is_pyex_file(code.co_filename) else USER
    if len(_described) >= _MAX_DESCRIBED:
        _described.clear()
    entry = (code, mfa, kind)
    _described[key] = entry
    return entry


def describe_code(frame: FrameType) -> tuple[str, str, int]:
    """``(owner, name, arity)`` of the function a frame runs."""
    return _describe(frame.f_code, frame.f_globals.get("__name__", "?"))[1]


def kind_of(frame: FrameType) -> int:
    """What a frame's code is: USER, PYEX, BOTTOM or HOLDER."""
    code = frame.f_code
    entry = _described.get(id(code))
    if entry is None or entry[0] is not code:
        entry = _describe(code, frame.f_globals.get("__name__", "?"))
    return entry[2]


def user_frames(frame: FrameType | None, limit: int = 64) -> list[FrameType]:
    """The user's frames of a process's stack, innermost first (pyex's own left out)."""
    frames: list[FrameType] = []
    while frame is not None and len(frames) < limit:
        kind = kind_of(frame)
        if kind == USER:
            frames.append(frame)
        elif kind == BOTTOM:
            break
        frame = frame.f_back
    return frames


def scan(frame: FrameType | None) -> tuple[FrameType | None, Any]:
    """``(innermost user frame or None, held state or NO_STATE)`` in one walk of a stack."""
    # kind_of(), inline: a sample of 5,000 processes walks 25,000 frames here.
    described = _described
    first = None
    while frame is not None:
        code = frame.f_code
        entry = described.get(id(code))
        if entry is None or entry[0] is not code:
            entry = _describe(code, frame.f_globals.get("__name__", "?"))
        kind = entry[2]
        if kind == USER:
            if first is None:
                first = frame
        elif kind == HOLDER:
            # A server loop: below it is only how it started.
            try:
                return first, frame.f_locals.get(_state_locals[id(code)], _NO_STATE)
            except Exception:  # a frame being torn down
                return first, _NO_STATE
        elif kind == BOTTOM:
            break
        frame = frame.f_back
    return first, _NO_STATE


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
    _declared[id(code)] = (code, HOLDER)
    _state_locals[id(code)] = local
    _described.pop(id(code), None)


_NO_STATE: Any = object()


def state_local(frame: FrameType | None) -> Any:
    """The state a process's stack holds (see hold_state), or ``NO_STATE``."""
    return scan(frame)[1]


NO_STATE = _NO_STATE
