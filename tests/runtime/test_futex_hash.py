"""The kernel's futex hash grows with the worker threads (Linux 6.16+), else nothing happens."""

from __future__ import annotations

import pytest

from pyex import Process, receive, spawn
from pyex.runtime import futex_hash, workers

pytestmark = pytest.mark.timeout(60)


def _idle():
    receive()


def test_many_blocked_processes_get_at_least_two_futex_buckets_a_thread():
    if futex_hash.slots() is None:
        pytest.skip("no prctl(PR_FUTEX_HASH) here")
    pids = [spawn(_idle) for _ in range(300)]
    try:
        assert workers.thread_count() >= 300
        if futex_hash._next == -1:
            pytest.skip("this kernel has no private futex hash to size")
        # Grown at 64 and 256 threads at least: 16 buckets (2 CPUs) made every
        # wake-up walk a chain of all the waiters.
        assert futex_hash.slots() >= 512
    finally:
        refs = {Process.monitor(pid) for pid in pids}
        for pid in pids:
            Process.exit(pid, "kill")
        while refs:
            message = receive(timeout=30)
            refs.discard(message[1])
