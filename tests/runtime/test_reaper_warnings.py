"""The reaper's warning: for a thread that is stuck, not for one that never got a CPU."""

from __future__ import annotations

import logging
import os
import threading
import time
from queue import SimpleQueue

import pytest

from pyex import Process, receive, spawn
from pyex.runtime import reaper
from pyex.runtime.thread_clock import thread_cpu_seconds

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
    ran: SimpleQueue[None] = SimpleQueue()
    go: SimpleQueue[None] = SimpleQueue()

    def sleeping() -> None:
        ready.put(threading.get_ident())
        stop.wait()

    def busy() -> None:
        ready.put(threading.get_ident())
        go.get()
        start = time.thread_time()
        while time.thread_time() - start < 0.01:
            pass
        ran.put(None)  # 10 ms of CPU used since the test read its clock
        while not stop.is_set():
            pass

    threads = [threading.Thread(target=sleeping), threading.Thread(target=busy)]
    try:
        threads[0].start()
        sleeping_ident = ready.get(timeout=10)
        # Blocked in C: not waiting for a CPU, so not starved (it is warned of).
        # (It says its ident just before it blocks: until then it may still run.)
        deadline = time.monotonic() + 10
        while reaper._runnable(sleeping_ident):
            assert time.monotonic() < deadline, "a thread blocked in Event.wait() stays runnable"
            os.sched_yield()
        assert not reaper._starved(sleeping_ident, thread_cpu_seconds(sleeping_ident))
        threads[1].start()
        busy_ident = ready.get(timeout=10)
        before = thread_cpu_seconds(busy_ident)
        assert before is not None
        go.put(None)
        ran.get(timeout=10)
        # Busy: it has used CPU since, so it is not starved either.
        assert not reaper._starved(busy_ident, before)
    finally:
        stop.set()
        go.put(None)
        for thread in threads:
            if thread.ident is not None:
                thread.join()
