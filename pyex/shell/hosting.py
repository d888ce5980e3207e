"""Where a session's shell process runs: a worker thread, or the main thread.

A process runs on a thread of its own, and Ctrl+C reaches its code as an
exception raised into that thread between two bytecodes. That cannot stop a
thread blocked in C (``time.sleep(30)``, ``threading.Event().wait()``,
``input()``): only the main thread is woken from those by a signal, which is
how the plain Python REPL interrupts them. So the console runs its shell
process on the main thread (``MainThreadHost``): after an interrupt has been
raised into it, ``nudge()`` sends the main thread a signal whose (empty)
handler makes the blocked call return, and the exception lands at once.

Programmatic shells and scripted sessions start their shell process on a
worker thread, as any process (``WorkerHost``).
"""

from __future__ import annotations

import signal
import threading
from queue import Empty, SimpleQueue
from typing import Any, Callable, Protocol

from ..runtime.internal import retire_current, run_here, schedule_timer, start_process

# What info() shows as a shell process's initial call: (module, function, arity).
Call = tuple[str, str, int]

__all__ = ["Host", "WorkerHost", "MainThreadHost", "from_outside", "NUDGE_SIGNAL"]

# The signal that wakes the main thread from a blocking call; its handler does nothing.
NUDGE_SIGNAL = signal.SIGUSR2
# When the nudge is sent again after the first (seconds).
NUDGE_AGAIN = (0.02, 0.1, 0.25)
# How long start() waits for the main thread to take a new shell process: it may still
# be unwinding a killed one that catches its exit; a worker thread then runs the new one.
MAIN_THREAD_WAIT = 1.0


class Host(Protocol):
    """Starts shell processes, and wakes the thread one runs on."""

    def start(self, fun: Callable[[], Any], initial_call: Call | None = None) -> Any:
        """Start a process running ``fun()`` (shown as ``initial_call``); returns its pid."""

    def nudge(self) -> None:
        """Wake the shell process's thread from a blocking call (after an interrupt)."""


def from_outside(action: Callable[..., Any], *args: Any) -> Any:
    """Run ``action(*args)`` in a short-lived thread, so the caller never becomes a process.

    Spawning and exit signals come from a process; a front end's thread that
    became one would be listed by ``processes()``, and a user who killed it
    would end pyex. The helping thread's process ends at once, normally
    (nothing is linked to it).
    """
    results: list[Any] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            results.append(action(*args))
        except BaseException as exc:  # handed to the caller
            failed.append(exc)
        finally:
            retire_current()

    thread = threading.Thread(target=run, name="pyex-shell-starter")
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
    return results[0]


def _spawn_from_outside(fun: Callable[[], Any], initial_call: Call | None) -> Any:
    """Spawn ``fun()`` from a short-lived thread; its pid."""
    return from_outside(start_process, fun, (), {}, False, False, initial_call)[0]


class WorkerHost:
    """Shell processes on worker threads, as every process."""

    def start(self, fun: Callable[[], Any], initial_call: Call | None = None) -> Any:
        return _spawn_from_outside(fun, initial_call)

    def nudge(self) -> None:
        pass  # a worker thread cannot be woken from C; the interrupt lands when it returns


class _Job:
    """A shell process to start on the main thread: taken by it, or given up by start()."""

    def __init__(self, fun: Callable[[], Any], initial_call: Call | None) -> None:
        self.fun = fun
        self.initial_call = initial_call
        self.lock = threading.Lock()
        self.state = "waiting"  # -> "taken" (by the main thread) or "given up" (by start())
        self.pids: SimpleQueue[Any] = SimpleQueue()

    def claim(self, by: str) -> bool:
        with self.lock:
            if self.state != "waiting":
                return False
            self.state = by
            return True


class MainThreadHost:
    """Shell processes on the thread that calls ``serve()``: the main thread.

    ``serve()`` runs one shell process at a time, for as long as the program
    runs; another thread (the console's) calls ``start()``. Should the main
    thread still be busy when a new shell process is wanted (a killed one's
    code catching its exit), the new one runs on a worker thread instead.
    """

    def __init__(self) -> None:
        self._jobs: SimpleQueue[_Job | None] = SimpleQueue()
        self._ident: int | None = None
        self._hosting = False  # a shell process runs on the main thread now

    def start(self, fun: Callable[[], Any], initial_call: Call | None = None) -> Any:
        job = _Job(fun, initial_call)
        self._jobs.put(job)
        try:
            return job.pids.get(True, MAIN_THREAD_WAIT)
        except Empty:
            pass
        if job.claim("given up"):
            return _spawn_from_outside(fun, initial_call)
        return job.pids.get()  # taken just now: its pid comes at once

    def nudge(self) -> None:
        """Signal the main thread now, and a few times more within NUDGE_AGAIN.

        A signal that comes just before the thread enters a blocking call (its
        handler already run at C level) does not wake it; a later one does.
        Nudging a thread that has taken its exception already does nothing.
        """
        self._signal_main()
        for delay in NUDGE_AGAIN:
            schedule_timer(delay, self._signal_main)

    def _signal_main(self) -> None:
        ident = self._ident
        if ident is not None and self._hosting:
            try:
                signal.pthread_kill(ident, NUDGE_SIGNAL)
            except (OSError, ValueError):
                pass

    def stop(self) -> None:
        """Make serve() return once the main thread is free."""
        self._jobs.put(None)

    def serve(self) -> None:
        """Run shell processes on this thread (the main one) until stop()."""
        self._ident = threading.get_ident()
        signal.signal(NUDGE_SIGNAL, _nothing)
        while True:
            try:
                job = self._jobs.get()
                if job is None:
                    return
                if not job.claim("taken"):
                    continue
                self._hosting = True
                try:
                    run_here(job.fun, job.pids.put, job.initial_call)
                finally:
                    self._hosting = False
            except BaseException:
                continue


def _nothing(signum: int, frame: Any) -> None:
    """The nudge's handler: returning is all it takes (the pending exception then lands)."""
