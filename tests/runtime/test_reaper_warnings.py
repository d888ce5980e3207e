"""The reaper's warning: for a thread that is stuck, not for one that never got a CPU."""

from __future__ import annotations

import logging
import threading
import time
from queue import SimpleQueue

import pytest

from pyex import Process, receive, spawn
from pyex.runtime import reaper

pytestmark = pytest.mark.timeout(30)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: SimpleQueue[str] = SimpleQueue()

    def emit(self, record: logging.LogRecord) -> None:
        self.records.put(record.getMessage())


def test_a_process_stuck_in_a_c_call_is_finished_with_a_warning():
    handler = _Collect()
    logging.getLogger("pyex").addHandler(handler)
    try:
        started: SimpleQueue[None] = SimpleQueue()

        def stuck() -> None:
            started.put(None)
            time.sleep(3)  # a C call: no exception can land before it returns

        pid = spawn(stuck)
        started.get(timeout=10)
        ref = Process.monitor(pid)
        Process.exit(pid, "kill")
        assert receive(("DOWN", ref, "process", pid, "killed"), timeout=10)
        message = handler.records.get(timeout=10)
        assert f"Process {pid} did not stop within" in message
    finally:
        logging.getLogger("pyex").removeHandler(handler)


def test_a_sleeping_thread_is_stuck_and_a_busy_one_ran():
    stop = threading.Event()
    ready: SimpleQueue[int] = SimpleQueue()

    def busy() -> None:
        ready.put(threading.get_ident())
        while not stop.is_set():
            pass

    def sleeping() -> None:
        ready.put(threading.get_ident())
        stop.wait()

    threads = [threading.Thread(target=busy), threading.Thread(target=sleeping)]
    for thread in threads:
        thread.start()
    try:
        busy_ident, sleeping_ident = ready.get(timeout=10), ready.get(timeout=10)
        if busy_ident != threads[0].ident:
            busy_ident, sleeping_ident = sleeping_ident, busy_ident
        # Blocked in C: not waiting for a CPU, so not starved (it is warned of).
        assert not reaper._runnable(sleeping_ident)
        assert not reaper._starved(sleeping_ident, reaper._cpu_seconds(sleeping_ident))
        # Busy: it has used CPU since, so it is not starved either.
        before = reaper._cpu_seconds(busy_ident)
        assert before is not None
        while (reaper._cpu_seconds(busy_ident) or 0) - before < 0.01:
            time.sleep(0.001)
        assert not reaper._starved(busy_ident, before)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
