"""The runtime's own threads never end: a failing loop starts again."""

from __future__ import annotations

from queue import SimpleQueue

import pytest

from pyex.runtime.services import Service

pytestmark = pytest.mark.timeout(20)


def test_a_service_whose_loop_raises_serves_what_is_queued_after(capfd):
    jobs: SimpleQueue[object] = SimpleQueue()
    done: SimpleQueue[object] = SimpleQueue()

    def loop() -> None:
        while True:
            job = jobs.get()
            if job == "bad":
                raise ValueError("a bug in the loop")
            done.put(job)

    service = Service("pyex-test-service", loop)
    service.ensure()
    jobs.put("bad")
    jobs.put("after")
    assert done.get(timeout=10) == "after"
    assert "pyex-test-service thread failed" in capfd.readouterr().err
