"""Issue 8, item 1: an exit lands in the process's own code, never inside the standard library's.

A kill (or an interrupt) raised into code busy in the standard library waits
until that code is back in the process's own: landing in the library can leave
its locks held (logging's ``acquire()`` before its ``try``, ``release()`` in
its ``finally``). Where it landed is where its traceback ends.
"""

from __future__ import annotations

import copy
import io
import json
import logging
import os
import sysconfig
import textwrap
import threading
from fractions import Fraction

import pytest

import pyex.runtime
from pyex import Process, receive, send, spawn
from pyex import self as self_pid
from tests.helpers import wait_down

pytestmark = pytest.mark.timeout(60)

_STDLIB = sysconfig.get_paths()["stdlib"]
_RUNTIME = os.path.dirname(os.path.abspath(pyex.runtime.__file__))

_DATA = {"rows": [{"n": n, "tags": ["a", "b"], "more": {"x": [n] * 5}} for n in range(40)]}
_TEXT = "the quick brown fox jumps over the lazy dog " * 40
_LOG = logging.getLogger("tests.exit_landing")
_LOG.propagate = False
_LOG.addHandler(logging.StreamHandler(io.StringIO()))
_LOG.setLevel(logging.INFO)

# Work that spends nearly all its time in the standard library's Python code.
WORKS = {
    "json": lambda: json.dumps(_DATA, indent=1),
    "deepcopy": lambda: copy.deepcopy(_DATA),
    "textwrap": lambda: textwrap.fill(_TEXT, 30),
    "fractions": lambda: sum(Fraction(1, n) for n in range(1, 60)),
    "logging": lambda: _LOG.info("row %s", _DATA["rows"][3]),
}


def landed_at(exc: BaseException) -> str:
    """The file of the frame an exception was raised in: its traceback's last but the runtime's.

    (Raised from the runtime's trace function, the traceback's last frame is that function's.)
    """
    tb = exc.__traceback__
    landed = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.startswith(_RUNTIME):
            landed = filename
        tb = tb.tb_next
    assert landed is not None
    return landed


def kill_when_ready(body) -> None:
    """Spawn ``body(parent)``, which sends ('ready', pid) when it is busy; kill it; await its DOWN."""
    pid = spawn(body, self_pid())
    receive(("ready", pid), timeout=5)
    ref = Process.monitor(pid)
    Process.exit(pid, "kill")
    assert wait_down(ref, timeout=10) == "killed"


@pytest.mark.parametrize("work", sorted(WORKS))
def test_a_kill_of_code_busy_in_the_standard_library_lands_in_the_process_own_code(work):
    landings: list[str] = []

    def body(parent):
        run = WORKS[work]
        try:
            run()
            send(parent, ("ready", self_pid()))  # then busy in the library till killed
            while True:
                run()
        except BaseException as exc:
            landings.append(landed_at(exc))
            raise

    for _ in range(15):
        kill_when_ready(body)
    assert len(landings) == 15
    in_library = [f for f in landings if f.startswith(_STDLIB)]
    assert in_library == [], f"exits landed in the standard library: {in_library}"


class Guard:
    """A context manager of the user's own, around a lock."""

    def __init__(self, lock):
        self.lock = lock

    def __enter__(self):
        self.lock.acquire()
        return self

    def __exit__(self, *exc):
        self.lock.release()


def test_a_kill_never_lands_between_a_with_block_and_its_exit():
    # A with statement's __exit__ runs at its own line again, outside the
    # block's handler: an exit landing there would leave the lock held.
    lock = threading.Lock()
    condition = threading.Condition(threading.Lock())
    guard_lock = threading.Lock()
    guard = Guard(guard_lock)

    def body(parent):
        n = 0
        send(parent, ("ready", self_pid()))
        while True:
            with lock:
                n += 1
            with condition:
                n += 1
            with guard:
                n += 1

    for _ in range(60):
        kill_when_ready(body)
        for held in (lock, condition, guard_lock):
            assert held.acquire(timeout=5), f"a kill left {held} held"
            held.release()
