"""Raising an exception inside another thread: how a signal reaches busy code.

CPython checks for a pending asynchronous exception between bytecodes, so one
raised with ``PyThreadState_SetAsyncExc`` ends even a pure-Python
``while True: pass``. It cannot interrupt a blocking C call; the runtime's own
blocking waits are woken through the process's mailbox instead.
"""

from __future__ import annotations

import ctypes

__all__ = ["raise_in_thread", "clear_pending"]

_set = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.py_object)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi)
)
_clear = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p)(
    ("PyThreadState_SetAsyncExc", ctypes.pythonapi)
)


def raise_in_thread(ident: int, exc_type: type[BaseException]) -> bool:
    """Make the thread ``ident`` raise ``exc_type`` at its next bytecode boundary."""
    return _set(ident, exc_type) == 1


def clear_pending(ident: int) -> None:
    """Forget an asynchronous exception set for ``ident`` that has not been raised yet."""
    _clear(ident, None)
