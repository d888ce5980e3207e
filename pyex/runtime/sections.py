"""The owner's side: leaving user code for the runtime's sections, and back.

A process's thread is ``RUNNING`` its code, ``WAITING`` in ``wait`` (the
runtime's one blocking wait), or ``SHIELDED`` in a critical section
(``with shielded(proc):``). No signal is raised into a thread that is not
running its code: a signal that comes meanwhile is raised by ``leave`` when the
section is over. So a shielded section runs to its end or not at all: a kill
landing during one takes effect at the moment the section is left.
"""

from __future__ import annotations

from queue import Empty
from typing import Any

from .exits import exit_now
from .record import ProcessRecord
from .states import ALIVE, RUNNING, SHIELDED, TIMEOUT, WAITING, WAKE

__all__ = ["enter", "leave", "wait", "check_signals", "shielded"]

_BLOCKING = (True,)


def enter(proc: ProcessRecord, activity: str) -> None:
    """Leave user code for a runtime section (WAITING or SHIELDED).

    Raises at once if a signal already ended the process or an interrupt is
    pending, so a section never starts on borrowed time.
    """
    try:
        with proc.lock:
            if proc.lifecycle is ALIVE:
                if not proc.interrupt_pending:
                    proc.activity = activity
                    return
                proc.interrupt_pending = False
                raise KeyboardInterrupt
    except BaseException as exc:
        # Also an exception raised into the thread just before it entered,
        # landing as the lock is released: the section has not begun, the
        # thread runs its code again -- marked so, or later signals would
        # wait for a section that never ends.
        if _back_to_code(proc):
            raise exit_now(proc) from exc
        raise
    raise exit_now(proc)


def _back_to_code(proc: ProcessRecord) -> bool:
    """An exception leaves a section: mark the thread RUNNING; True if a signal ended it."""
    with proc.lock:
        proc.activity = RUNNING
        return proc.lifecycle is not ALIVE


def leave(proc: ProcessRecord) -> None:
    """Return to user code; raise what was signalled during the section."""
    _raise_signalled(proc, RUNNING)


def check_signals(proc: ProcessRecord) -> None:
    """Raise what a WAKE token stands for, if it still stands for anything."""
    _raise_signalled(proc, None)


def _raise_signalled(proc: ProcessRecord, activity: str | None) -> None:
    """Set ``activity`` (unless None), then raise what was signalled, if anything."""
    with proc.lock:
        if activity is not None:
            proc.activity = activity
        if proc.lifecycle is ALIVE:
            if not proc.interrupt_pending:
                return
            proc.interrupt_pending = False
            raise KeyboardInterrupt
    raise exit_now(proc)


def wait(proc: ProcessRecord, timeout: float | None) -> Any:
    """Block for the next item of the inbox, at most ``timeout`` seconds.

    Returns ``TIMEOUT``, ``WAKE``, or a message, which is then also the last
    item of ``saved`` (kept there so that nothing is lost if a signal is raised
    now). Raises ProcessExit or KeyboardInterrupt when signalled.
    """
    proc.waits += 1  # before it shows WAITING (see introspection.Sampler)
    enter(proc, WAITING)
    try:
        try:
            # As an iterator's item: held at once, so that no interrupt can
            # land between the get and the append (see taking.py).
            for item in map(proc.inbox.get, _BLOCKING, (timeout,)):  # noqa: B007
                break
        except Empty:
            item = TIMEOUT
        if item is not TIMEOUT and item is not WAKE:
            proc.saved.append(item)
    except BaseException as exc:
        # A real signal (Ctrl+C in the main thread) interrupted the wait.
        if _back_to_code(proc):
            raise exit_now(proc) from exc
        raise
    leave(proc)
    return item


class shielded:
    """``with shielded(proc):`` runs a runtime critical section that no signal interrupts."""

    __slots__ = ("proc",)

    def __init__(self, proc: ProcessRecord) -> None:
        self.proc = proc

    def __enter__(self) -> ProcessRecord:
        enter(self.proc, SHIELDED)
        return self.proc

    def __exit__(self, *exc_info: Any) -> None:
        proc = self.proc
        if exc_info[0] is None:
            leave(proc)
            return
        if _back_to_code(proc):
            # A signal that came during the section wins over its error.
            raise exit_now(proc) from exc_info[1]
