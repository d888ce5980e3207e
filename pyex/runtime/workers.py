"""The threads processes run on.

Each process runs in a thread of its own, but a thread outlives its process:
when the process ends, the thread waits a while for the next process to run
instead of exiting, so spawning rarely pays for a new thread. Idle threads
beyond ``MAX_IDLE``, or idle for ``IDLE_SECONDS``, exit.
"""

from __future__ import annotations

import logging
import threading
from queue import Empty, SimpleQueue
from typing import Any

from . import futex_hash
from .binding import bind, local, unbind
from .exits import begin, finish, settle
from .record import ProcessRecord
from .safe_points import register_thread, stop_frames_at, unregister_thread
from .states import NORMAL_RETURN
from .thread_state import keep, reset_locals, run_fresh

__all__ = ["start", "thread_count", "idle_count", "trim_idle", "IDLE_SECONDS", "MAX_IDLE"]

IDLE_SECONDS = 2.0
MAX_IDLE = 512

logger = logging.getLogger("pyex")

_jobs: SimpleQueue[ProcessRecord | None] = SimpleQueue()  # None: an idle thread is to exit
_lock = threading.Lock()
# Invariant (under _lock): _idle == idle threads waiting on _jobs - jobs queued.
_idle = 0
_threads = 0
_thread_names = 0


def start(proc: ProcessRecord) -> None:
    """Run ``proc`` on an idle thread, or on a new one."""
    global _idle, _threads, _thread_names
    with _lock:
        if _idle > 0:
            _idle -= 1
            reuse = True
        else:
            _threads += 1
            _thread_names += 1
            reuse = False
            name = f"pyex-worker-{_thread_names}"
    if reuse:
        _jobs.put(proc)
        return
    futex_hash.fit(_threads)
    try:
        thread = threading.Thread(target=_work, args=(proc,), name=name, daemon=True)
        thread.start()
    except BaseException:
        with _lock:
            _threads -= 1
        raise


def thread_count() -> int:
    """How many worker threads exist (busy or idle)."""
    return _threads


def idle_count() -> int:
    """How many worker threads wait for a process to run."""
    return _idle


def trim_idle() -> int:
    """Make every idle worker thread exit now (as if IDLE_SECONDS had passed).

    Returns how many were told to. They exit as soon as they run; threads
    busy with a process are untouched.
    """
    global _idle
    with _lock:
        count, _idle = _idle, 0
        for _ in range(count):
            _jobs.put(None)
    return count


def _work(proc: ProcessRecord) -> None:
    register_thread()  # the runtime may trace it from outside (safe_points)
    try:
        _serve(proc)
    finally:
        unregister_thread()


def _serve(proc: ProcessRecord) -> None:
    global _idle, _threads
    while True:
        try:
            run(proc)
        except BaseException as exc:  # a second signal landed while the first was handled
            settle(proc, exc)
            finish(proc)
            unbind()
        with _lock:
            if _idle >= MAX_IDLE:
                _threads -= 1
                return
            _idle += 1
        while True:
            try:
                job = _jobs.get(True, IDLE_SECONDS)
            except Empty:
                with _lock:
                    if _idle > 0:
                        # More idle threads than queued jobs: this one may go.
                        _idle -= 1
                        _threads -= 1
                        return
                # A job is queued for this thread: take it.
                continue
            if job is None:  # trim_idle() counted this thread out already
                with _lock:
                    _threads -= 1
                return
            proc = job
            break


keep(local())  # the runtime's record of which process the thread runs


def run(proc: ProcessRecord) -> None:
    """Run one process to its end in the calling thread, then its exit.

    The process starts with the thread-local state of a new thread (see
    thread_state), whatever processes the thread ran before.
    """
    reset_locals()
    bind(proc)
    outcome: Any = None
    started = False
    crashed = False
    # A kill raises ProcessExit at any bytecode until settle() returns; the
    # loop makes sure the exit is settled whatever instant it lands at.
    while True:
        try:
            if not started:
                started = True
                target = proc.target
                proc.target = None
                if begin(proc) and target is not None:
                    fun, args, kwargs = target
                    run_fresh(fun, args, kwargs)
                outcome = NORMAL_RETURN
            crashed = settle(proc, outcome)
            break
        except BaseException as exc:  # every ending is an exit
            if outcome is None:
                outcome = exc
    if crashed:
        report_crash(proc.pid, outcome)
    outcome = None
    finish(proc)
    unbind()


stop_frames_at(run.__code__, _serve.__code__)


def report_crash(pid: Any, exc: BaseException) -> None:
    """Log a process's crash through the ``pyex`` logger, with its traceback."""
    tb = exc.__traceback__
    # The first frames are the runtime's runner: not the user's concern.
    while tb is not None and tb.tb_frame.f_code in (run.__code__, run_fresh.__code__):
        tb = tb.tb_next
    try:
        logger.error(
            "Process %s raised an exception",
            pid,
            exc_info=(type(exc), exc, tb),
            extra={"pyex_pid": pid},
        )
    except Exception:  # a broken handler must not break the runtime
        pass
