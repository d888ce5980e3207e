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


def enter(proc: ProcessRecord, activity: str) -> None:
    """Leave user code for a runtime section (WAITING or SHIELDED).

    Raises at once if a signal already ended the process or an interrupt is
    pending, so a section never starts on borrowed time.
    """
    with proc.lock:
        if proc.lifecycle is ALIVE:
            if not proc.interrupt_pending:
                proc.activity = activity
                return
            proc.interrupt_pending = False
            raise KeyboardInterrupt
    raise exit_now(proc)


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
        item = proc.inbox.get(True, timeout)
    except Empty:
        item = TIMEOUT
    except BaseException:
        # A real signal (Ctrl+C in the main thread) interrupted the wait.
        with proc.lock:
            proc.activity = RUNNING
        raise
    if item is not TIMEOUT and item is not WAKE:
        proc.saved.append(item)
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
        with proc.lock:
            proc.activity = RUNNING
            ended = proc.lifecycle is not ALIVE
        if ended:
            # A signal that came during the section wins over its error.
            raise exit_now(proc) from exc_info[1]
