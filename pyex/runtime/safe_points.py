"""Where an exit may land: at a safe point of the process's own code, as the thread decides.

An exit signal, an interrupt or the reaper's insistence reaches a running
process's thread as an exception raised from outside. Landing in the standard
library's code can break its invariants for every other process: ``logging``'s
``Handler.handle`` does ``self.acquire()`` and only then ``try:``, and calls
``self.release()`` from its ``finally`` -- an exception raised just after the
lock was taken, or as ``release`` starts, leaves the handler's lock held for
ever: no process can log again, and the interpreter cannot exit.

So an exception is raised only at a *safe point*, in code that is not the
standard library's (nor a frozen module's): the start of a function, before
any of it has run (not an ``__exit__``, which a with statement relies on, nor
a generator's: its resumption may be a close() in a finalizer), or the start
of a loop's round. Not at any line: a with statement's ``__exit__``
call runs at the start of the ``with`` line again, outside the block's
handler, and a ``finally``'s lines are cleanup. User code that a library calls
back while holding a lock (a handler's ``emit``) has safe points: the
exception unwinds through the library's ``finally``, which releases the lock.

And the thread decides that for itself. Looking from outside at where it runs
and then raising would race with it: between the look and the raise it can
enter ``logging``. Instead the raiser installs a trace function on the
thread's state (as CPython's ``threading.settrace_all_threads`` does in 3.12);
at the thread's next trace event it traces its stack, and at the first safe
point it asks ``verdict()`` -- True: raise now; None: not yet (the process is
inside one of the runtime's sections, which raise for themselves); False:
never (the process has settled) -- and raises from the trace function, which
lands the exception exactly there. A thread blocked in C gets there once the
call returns; the reaper finishes its process on its behalf meanwhile. A trace
function the thread had (a debugger's) is replaced.

CPython turns tracing off when a trace function raises, so one raise is one
exception. A ``Repeating`` exception comes back: when a handler that caught it
is done with it (the object is freed in the thread), it is raised again at
the next safe point, one handler per try, until the code has unwound.

CPython 3.13 does not export ``_PyEval_SetTrace``: there ``sys.monitoring``
gives the same safe points (``PY_START``, ``LINE`` at loop heads, and each
instruction of the code the thread runs), for every thread while a raise is
pending. Without either, or for a thread not registered here, the raise falls
back to an asynchronous exception (async_exc).
"""

from __future__ import annotations

import ctypes
import dis
import inspect
import os
import sys
import threading
from types import CodeType, FrameType
from typing import Any, Callable, NoReturn

from .collector import current_frames

__all__ = [
    "is_library_file",
    "register_thread",
    "unregister_thread",
    "stop_frames_at",
    "raise_at_safe_point",
    "cancel_safe_point",
    "Repeating",
    "Verdict",
]

Verdict = Callable[[], bool | None]  # True: raise now; None: not yet; False: never

# The standard library's folder: that of a module every Python has.
_STDLIB = os.path.dirname(os.path.abspath(threading.__file__)) + os.sep
_THIRD_PARTY = (os.sep + "site-packages" + os.sep, os.sep + "dist-packages" + os.sep)

_known: dict[str, bool] = {}  # filename -> library code or not


def is_library_file(filename: str) -> bool:
    """True for a file of the standard library (or a frozen module), not for packages."""
    known = _known.get(filename)
    if known is None:
        if filename.startswith("<frozen "):
            known = True
        else:
            path = filename if os.path.isabs(filename) else os.path.abspath(filename)
            known = path.startswith(_STDLIB) and not any(part in path for part in _THIRD_PARTY)
        if len(_known) < 100_000:
            _known[filename] = known
    return known


# -- CPython's API --------------------------------------------------------------

_TRACE_FUNC = ctypes.PYFUNCTYPE(
    ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p
)
_api = ctypes.pythonapi
_thread_state = _api.PyThreadState_Get
_thread_state.restype = ctypes.c_void_p
_thread_state.argtypes = []
_interpreter = _api.PyInterpreterState_Get
_interpreter.restype = ctypes.c_void_p
_interpreter.argtypes = []
_first_state = _api.PyInterpreterState_ThreadHead
_first_state.restype = ctypes.c_void_p
_first_state.argtypes = [ctypes.c_void_p]
_next_state = _api.PyThreadState_Next
_next_state.restype = ctypes.c_void_p
_next_state.argtypes = [ctypes.c_void_p]
try:
    _set_trace: Any = _api._PyEval_SetTrace
    _set_trace.restype = ctypes.c_int
    _set_trace.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
except AttributeError:  # not exported (3.13): sys.monitoring, below
    _set_trace = None
# Where _PyEval_SetTrace is not exported (CPython 3.13), sys.monitoring (PEP 669)
# gives the same safe points: events for every thread while a raise is pending.
_MONITORING: Any = getattr(sys, "monitoring", None) if _set_trace is None else None
_CAN_RAISE = _set_trace is not None or _MONITORING is not None


def _state_exists(state: int) -> bool:
    """True if ``state`` is one of the interpreter's thread states now (call with the GIL)."""
    current = _first_state(_interpreter())
    while current:
        if current == state:
            return True
        current = _next_state(current)
    return False


# -- threads that may be traced from outside -------------------------------------

# thread ident -> (its PyThreadState*, whether the thread is a plain one the
# runtime adopted: such a thread does not unregister, so its state is checked)
_states: dict[int, tuple[int, bool]] = {}
_pending: dict[int, _Raise] = {}  # thread ident -> what it is to raise at its next safe point
# Guards _states and _pending. Re-entrant, and no Python function is called
# while it is held: a trace event or a finalizer (Repeating's) may run in the
# middle of any code, and takes it too.
_lock = threading.RLock()
# The runtime's runners (a worker's loop, its run of one process): their frames,
# those below them and the calls they make themselves (settling the process's
# exit) are no safe points.
_runners: set[CodeType] = set()


class _Raise:
    """What a thread is to raise at its next safe point, and whether it still is."""

    __slots__ = ("exc_type", "verdict", "frame")

    def __init__(self, exc_type: type[BaseException], verdict: Verdict) -> None:
        self.exc_type = exc_type
        self.verdict = verdict
        # The frame the thread ran when the raise was asked for, made to report
        # each instruction: a loop on one line (``while True: pass``) has no
        # other event for the tracer to take.
        self.frame: FrameType | None = None

    def done(self) -> None:
        """The raise is taken or dropped: the frame reports lines only again."""
        frame, self.frame = self.frame, None
        if frame is not None:
            frame.f_trace_opcodes = False


def register_thread(adopted: bool = False) -> None:
    """Called by a thread that runs processes: it may be traced from outside.

    A worker thread calls ``unregister_thread`` before it ends; an ``adopted``
    (plain) thread need not: its state is looked up before each use.
    """
    if _CAN_RAISE:
        state = _thread_state()
        with _lock:
            _states[threading.get_ident()] = (state, adopted)


def unregister_thread() -> None:
    """Called by a worker thread before it ends (its thread state is freed after)."""
    ident = threading.get_ident()
    with _lock:
        _states.pop(ident, None)
        _pending.pop(ident, None)
        _unmonitor_if_idle()


def stop_frames_at(*codes: CodeType) -> None:
    """The code of the runtime's runners: their frames, those below and their calls are its own."""
    _runners.update(codes)


def raise_at_safe_point(ident: int, exc_type: type[BaseException], verdict: Verdict) -> bool:
    """Make thread ``ident`` raise ``exc_type`` at its next safe point; False if it cannot.

    Call it holding the lock that keeps the thread alive (its process's, while
    the process has not settled). ``verdict()`` is asked in the thread, at the
    safe point (see the module's docstring). A raise still pending is replaced.
    """
    if not _CAN_RAISE:
        return False
    entry = _Raise(exc_type, verdict)  # (no Python-level call under _lock: see _lock)
    with _lock:
        known = _states.get(ident)
    if known is None:
        return False
    state, adopted = known
    if adopted and not _state_exists(state):
        # That thread has ended. (One that is ending waits for the lock the
        # caller holds: its state lives until the caller lets go.)
        with _lock:
            if _states.get(ident) == known:
                del _states[ident]
        return False
    frame = current_frames().get(ident)
    if frame is not None and is_library_file(frame.f_code.co_filename):
        frame = None
    if frame is not None and _MONITORING is None:
        frame.f_trace_opcodes = True
        entry.frame = frame
    with _lock:
        if _states.get(ident) != known:
            entry.done()
            return False
        previous = _pending.get(ident)
        _pending[ident] = entry
        # Under the lock: the thread, which takes it to find its raise, sees
        # either no tracer yet or this one with the raise in place.
        if _MONITORING is not None:
            _monitor(frame.f_code if frame is not None else None)
        else:
            _set_trace(state, _handover_address, None)
    if previous is not None:
        previous.done()
    return True


def cancel_safe_point() -> None:
    """In a thread whose process settled: forget a raise still pending, and its tracing."""
    ident = threading.get_ident()
    if ident not in _pending:  # (a hint only: one added later meets a settled verdict)
        return
    with _lock:
        entry = _pending.pop(ident, None)
        _unmonitor_if_idle()
    if entry is not None:
        entry.done()
    if _MONITORING is None and sys.gettrace() in (None, _at_event):
        sys.settrace(None)


# -- in the thread ---------------------------------------------------------------


def _handover(obj: Any, frame_address: Any, what: int, arg: Any) -> int:
    """The C-level tracer set from outside: at the thread's next event, trace in Python.

    Nothing is raised here (an exception cannot leave a ctypes callback): the
    Python-level ``_at_event`` raises, through CPython's own trace machinery.
    """
    try:
        with _lock:
            wanted = threading.get_ident() in _pending
        if wanted:
            _trace_stack(ctypes.cast(frame_address, ctypes.py_object).value)
            sys.settrace(_at_event)
        else:
            sys.settrace(None)
    except BaseException:  # nothing may escape a C trace function
        pass
    return 0


_handover_tracer = _TRACE_FUNC(_handover)
_handover_address = ctypes.cast(_handover_tracer, ctypes.c_void_p).value


def _trace_stack(frame: FrameType | None) -> None:
    """Have ``frame`` and its callers, up to the worker's runner, traced line by line.

    Library frames are left out: the code they return to is traced.
    """
    runners = _runners
    while frame is not None and frame.f_code not in runners:
        if not is_library_file(frame.f_code.co_filename):
            frame.f_trace = _at_event
        frame = frame.f_back


def _untrace_stack(frame: FrameType | None) -> None:
    """Undo _trace_stack, and stop tracing the thread."""
    while frame is not None:
        if frame.f_trace is _at_event:
            frame.f_trace = None
        frame = frame.f_back
    sys.settrace(None)


def _loop_heads(code: CodeType) -> frozenset[int]:
    """The offsets in ``code`` where a loop's round begins (the heads of its cycles).

    Not every backward jump's target: Python 3.12 places handlers and some
    blocks after the code they return to. A head is where a cycle of the
    control flow (jumps, fall-throughs, exception handlers) closes, found by
    a depth-first walk; the ``NO_INTERRUPT`` cycles of ``await`` and
    ``yield from`` are left out.
    """
    heads = _heads.get(code)
    if heads is None:
        heads = frozenset(_cycle_heads(code))
        if len(_heads) >= 10_000:
            _heads.clear()
        _heads[code] = heads
    return heads


_ENDS = frozenset(
    {"RETURN_VALUE", "RETURN_CONST", "RAISE_VARARGS", "RERAISE", "JUMP_FORWARD",
     "JUMP_BACKWARD", "JUMP_ABSOLUTE", "JUMP", "JUMP_BACKWARD_NO_INTERRUPT", "JUMP_NO_INTERRUPT"}
)  # instructions after which control does not fall through


def _cycle_heads(code: CodeType) -> set[int]:
    instructions = list(dis.get_instructions(code))
    edges: dict[int, list[int]] = {ins.offset: [] for ins in instructions}
    for here, ins in enumerate(instructions):
        out = edges[ins.offset]
        if (ins.opcode in dis.hasjrel or ins.opcode in dis.hasjabs) and isinstance(ins.argval, int):
            if "NO_INTERRUPT" not in ins.opname and ins.argval in edges:
                out.append(ins.argval)
        if ins.opname not in _ENDS and here + 1 < len(instructions):
            out.append(instructions[here + 1].offset)
    for entry in getattr(dis.Bytecode(code), "exception_entries", ()):  # (3.11 and later)
        for offset in range(entry.start, entry.end, 2):
            if offset in edges:
                edges[offset].append(entry.target)
    heads: set[int] = set()
    if not instructions:
        return heads
    # Iterative depth-first walk: an edge to an offset on the walk's path closes a cycle.
    on_path: set[int] = set()
    seen: set[int] = set()
    start = instructions[0].offset
    stack = [(start, iter(edges[start]))]
    on_path.add(start)
    seen.add(start)
    while stack:
        node, successors = stack[-1]
        for successor in successors:
            if successor in on_path:
                heads.add(successor)
            elif successor not in seen:
                seen.add(successor)
                on_path.add(successor)
                stack.append((successor, iter(edges[successor])))
                break
        else:
            stack.pop()
            on_path.discard(node)
    return heads


_heads: dict[CodeType, frozenset[int]] = {}
# Functions whose start is no safe point: the cleanup a with statement relies on,
# and generators and coroutines, whose "start" may be a resumption by close() from
# a finalizer (all() done with a generator expression), where an exception is lost.
_CLEANUPS = frozenset({"__exit__", "__aexit__", "__del__"})
_RESUMABLE = (
    inspect.CO_GENERATOR
    | inspect.CO_COROUTINE
    | inspect.CO_ASYNC_GENERATOR
    | inspect.CO_ITERABLE_COROUTINE
)


def _at_event(frame: FrameType, event: str, arg: Any) -> Any:
    """The Python-level tracer: raise the pending exception at the first safe point.

    Safe points, in code that is not the standard library's: the start of a
    function (``_safe_start``) and the start of a loop's round
    (``_safe_round``). Not any line: a with statement's ``__exit__`` call, for
    one, runs at the start of the ``with`` line again, outside the block's
    handler.
    """
    code = frame.f_code
    if is_library_file(code.co_filename):
        if event != "call":
            frame.f_trace = None  # (a line traced as _trace_stack walked past it)
        return None  # its lines are not safe points: not traced
    if event == "call":
        if not _safe_start(frame):
            # A runner's own step (settling the exit) is not traced at all.
            return None if _runner_step(frame) else _at_event
    elif code in _runners:
        frame.f_trace = None
        return None
    elif (event != "line" and event != "opcode") or not _safe_round(code, frame.f_lasti):
        return _at_event
    if _take(frame):
        return _at_event  # in a runtime section: at a safe point after it
    return None


def _runner_step(frame: FrameType) -> bool:
    """True for a function a runner calls itself: it must not be undone."""
    caller = frame.f_back
    return caller is not None and caller.f_code in _runners


def _safe_start(frame: FrameType) -> bool:
    """Whether the start of ``frame``'s function is a safe point (nothing of it has run)."""
    code = frame.f_code
    return not (
        is_library_file(code.co_filename)
        or code.co_name in _CLEANUPS
        or code.co_flags & _RESUMABLE
        or _runner_step(frame)
    )


def _safe_round(code: CodeType, offset: int) -> bool:
    """Whether the instruction at ``offset`` of ``code`` is a safe point: a loop's round begins."""
    return (
        code not in _runners
        and not is_library_file(code.co_filename)
        and offset in _loop_heads(code)
    )


def _take(frame: FrameType) -> bool:
    """At a safe point of the calling thread: raise its pending exception, if the verdict says so.

    Returns True to be asked again at a later safe point (the process is in a
    runtime section), False when there is nothing (any more) to raise.
    """
    ident = threading.get_ident()
    with _lock:
        entry = _pending.get(ident)
    verdict = None if entry is None else entry.verdict()
    if entry is not None:
        if verdict is None:
            return True
        with _lock:
            if _pending.get(ident) is entry:
                del _pending[ident]
            _unmonitor_if_idle()
        entry.done()
    if _MONITORING is None:
        _untrace_stack(frame)
    if entry is None or not verdict:
        return False
    # Raised from a trace function (or a monitoring callback), it lands in
    # this frame, right here; CPython turns tracing off.
    _raise(entry, ident)


def _raise(entry: _Raise, ident: int) -> NoReturn:
    """Raise ``entry``'s exception (a Repeating one knows how to come back)."""
    exc = entry.exc_type()
    if isinstance(exc, Repeating):
        exc.repeat = (ident, entry.verdict)
    try:
        raise exc
    finally:
        del exc  # (no reference from this frame, which its traceback holds)


class Repeating(BaseException):
    """An exception raised again at the next safe point each time a handler swallows it."""

    repeat: tuple[int, Verdict] | None = None  # (thread, verdict) once raised at a safe point

    def __del__(self) -> None:
        repeat = self.repeat
        if repeat is None or repeat[0] != threading.get_ident():
            return
        ident, verdict = repeat
        try:
            if verdict() is False:
                return
            entry = _Raise(type(self), verdict)
            with _lock:
                if ident in _pending:
                    return  # another raise is on its way
                _pending[ident] = entry
                if _MONITORING is not None:
                    _monitor(None)
                    return
            _trace_stack(sys._getframe(1))
            sys.settrace(_at_event)
        except BaseException:  # never fail in a finalizer
            pass


# -- the same with sys.monitoring (CPython 3.13) ----------------------------------

_tool: list[int] = []  # the monitoring tool id pyex holds, once claimed
_local_codes: set[CodeType] = set()  # code objects with per-instruction events on


def _monitor(code: CodeType | None) -> None:
    """Turn the safe points' events on (call with _lock held); ``code`` runs a loop on one line?

    ``PY_START`` and ``LINE`` for every thread (the callbacks look at their
    own thread's raise only); each instruction of ``code``, the code the
    thread runs now, as ``f_trace_opcodes`` does. An exception raised from a
    ``JUMP`` callback skips the frame's handlers (3.13.0): not used.
    """
    monitoring = _MONITORING
    events = monitoring.events
    if not _tool:
        for candidate in (4, 3):
            try:
                monitoring.use_tool_id(candidate, "pyex")
            except ValueError:  # taken by another tool
                continue
            monitoring.register_callback(candidate, events.PY_START, _on_start)
            monitoring.register_callback(candidate, events.LINE, _on_line)
            monitoring.register_callback(candidate, events.INSTRUCTION, _on_instruction)
            _tool.append(candidate)
            break
        else:
            return
    tool = _tool[0]
    monitoring.set_events(tool, events.PY_START | events.LINE)
    if code is not None and code not in _local_codes:
        monitoring.set_local_events(tool, code, events.INSTRUCTION)
        _local_codes.add(code)


def _unmonitor_if_idle() -> None:
    """Turn the events off once no raise is pending (call with _lock held)."""
    if _pending or not _tool:
        return
    tool = _tool[0]
    _MONITORING.set_events(tool, 0)
    for code in _local_codes:
        _MONITORING.set_local_events(tool, code, 0)
    _local_codes.clear()


def _on_start(code: CodeType, offset: int) -> Any:
    if not _pending:  # (a hint only, for every thread's every call: _take looks under the lock)
        return None
    frame = sys._getframe(1)
    if _safe_start(frame):
        _take(frame)
    return None


def _on_line(code: CodeType, line: int) -> Any:
    if not _pending:
        return None
    frame = sys._getframe(1)
    if _safe_round(code, frame.f_lasti):
        _take(frame)
    return None


def _on_instruction(code: CodeType, offset: int) -> Any:
    if not _pending:
        return None
    if _safe_round(code, offset):
        _take(sys._getframe(1))
    return None
