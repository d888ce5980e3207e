"""Where an exit may land: never inside the standard library's own code.

An exit signal reaches running code as an asynchronous exception (async_exc),
raised at the thread's next check point. Landing in the standard library's
code can break its invariants for every other process: ``logging``'s
``Handler.handle`` does ``self.acquire()`` and only then ``try:``, so an
exception raised just after the lock was taken leaves the handler's lock held
for ever -- no process can log again, and the interpreter cannot exit.

So the runtime raises into a thread directly only while the thread's
innermost Python frame is not library code (the standard library, or a frozen
module such as importlib's). The exception then lands at the thread's very
next check point: in that frame, or at the entry of the next function it
calls, before a line of it has run -- never between a library's ``acquire()``
and its ``try``. User code that a library calls back while holding a lock (a
handler's ``emit``) is not library code: an exit landing there unwinds through
the library's ``finally``, which releases the lock.

A worker thread found in library code gets a trace function instead
(``raise_at_safe_point``), installed from outside on its thread state as
CPython's own ``threading.settrace_all_threads`` does in 3.12: at the next
*call* event (a function about to start: nothing of it has run) it removes
itself and raises the exception there. A thread
blocked in C never gets there; the reaper finishes its process on its behalf
as before. A trace function the thread had (a debugger's) is replaced: the
thread is being stopped.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from types import FrameType
from typing import Any, Callable

__all__ = [
    "in_library_code",
    "is_library_file",
    "register_thread",
    "unregister_thread",
    "raise_at_safe_point",
    "cancel_safe_point",
]

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


def in_library_code(ident: int, frames: dict[int, FrameType] | None = None) -> bool:
    """True while the thread ``ident`` runs library code (its innermost Python frame).

    ``frames`` is ``sys._current_frames()``, if the caller already has it.
    """
    if frames is None:
        frames = sys._current_frames()
    frame = frames.get(ident)
    return frame is not None and is_library_file(frame.f_code.co_filename)


# -- raising at the next safe point ---------------------------------------------

_TRACE_FUNC = ctypes.PYFUNCTYPE(
    ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p
)
_thread_state = ctypes.pythonapi.PyThreadState_Get
_thread_state.restype = ctypes.c_void_p
_thread_state.argtypes = []
try:
    _set_trace: Any = ctypes.pythonapi._PyEval_SetTrace
    _set_trace.restype = ctypes.c_int
    _set_trace.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
except AttributeError:  # not CPython 3.10/3.11's API: raise directly, as before
    _set_trace = None

_states: dict[int, int] = {}  # thread ident -> its PyThreadState*, for registered threads
# thread ident -> (exception type, still wanted?) for threads whose tracer is set
_pending: dict[int, tuple[type[BaseException], Callable[[], bool]]] = {}
_lock = threading.Lock()


def register_thread() -> None:
    """Called by a worker thread as it starts: it may be traced from outside."""
    if _set_trace is not None:
        _states[threading.get_ident()] = _thread_state()


def unregister_thread() -> None:
    """Called by a worker thread before it ends (its thread state is freed after)."""
    _states.pop(threading.get_ident(), None)
    _pending.pop(threading.get_ident(), None)


def _trace(obj: Any, frame: Any, what: int, arg: Any) -> int:
    """The C-level tracer set from outside: hand over to a Python-level one at once.

    Nothing is raised here (an exception cannot leave a ctypes callback); the
    Python-level ``_at_call`` raises through CPython's own trace machinery.
    """
    try:
        sys.settrace(_at_call)
    except BaseException:  # nothing may escape a C trace function
        pass
    return 0


def _at_call(frame: FrameType, event: str, arg: Any) -> Any:
    """Raise the pending exception as the next function starts: nothing of it has run."""
    if event != "call":
        return None
    with _lock:
        entry = _pending.pop(threading.get_ident(), None)
    sys.settrace(None)
    if entry is not None and entry[1]():
        # Raised from a trace function: it lands in the starting frame, and
        # CPython turns tracing off.
        raise entry[0]
    return None


_tracer = _TRACE_FUNC(_trace)
_tracer_address = ctypes.cast(_tracer, ctypes.c_void_p).value


def raise_at_safe_point(
    ident: int, exc_type: type[BaseException], wanted: Callable[[], bool]
) -> bool:
    """Make thread ``ident`` raise ``exc_type`` at its next safe point; False if it cannot.

    Call it holding the lock that keeps the thread alive (its process's, while
    the process has not settled). ``wanted()`` is asked in the thread, just
    before raising: False (the process settled meanwhile) raises nothing.
    """
    state = _states.get(ident)
    if state is None or _set_trace is None:
        return False
    with _lock:
        _pending[ident] = (exc_type, wanted)
    _set_trace(state, _tracer_address, None)
    return True


def cancel_safe_point() -> None:
    """In a thread whose process settled: drop a tracer set by raise_at_safe_point."""
    ident = threading.get_ident()
    if ident in _pending:
        with _lock:
            entry = _pending.pop(ident, None)
        if entry is not None and sys.gettrace() in (None, _at_call):
            _set_trace(_thread_state(), None, None)
