"""Random kills inside a supervision tree, a thousand times: it comes back whole, and leaves no thread.

The tree::

    root (one_for_one)
    ├── 'solo'       worker, registered as 'solo'
    ├── 'all'        supervisor (one_for_all): 'a1' (registered), 'a2' (traps exits), 'a3'
    ├── 'rest'       supervisor (rest_for_one): 'r1', 'r2' (traps exits), 'r3' (registered)
    ├── 'jobs'       dynamic supervisor with three children
    └── 'keeper'     worker that traps exits

Targets are every worker, the two inner supervisors and the dynamic
supervisor's children, picked at random (from a fixed seed) from what the
supervisors report; kills do not wait for the restarts, so many land while
supervisors are still restarting.
"""

from __future__ import annotations

import random
import threading

import pytest

from pyex import (
    DynamicSupervisor,
    Exit,
    GenServer,
    Process,
    Supervisor,
    alive,
    processes,
)
from pyex import self as self_pid
from pyex.runtime import workers
from tests.helpers import eventually

pytestmark = pytest.mark.timeout(60)

KILLS = 1000
LOTS = {"max_restarts": 1_000_000, "max_seconds": 60}


class Quiet(GenServer):
    """A worker that does nothing; with ``trap`` it traps exits and ignores stray EXITs."""

    def init(self, trap):
        if trap:
            Process.flag("trap_exit", True)
        return ("ok", trap)

    def handle_info(self, message, state):
        return ("noreply", state)


def quiet(child_id, trap=False, name=None):
    options = {"name": name} if name else {}
    return {"id": child_id, "start": (GenServer.start_link, [Quiet, trap], options)}


def inner(child_id, strategy, children):
    return {
        "id": child_id,
        "start": (Supervisor.start_link, [children], {"strategy": strategy, **LOTS}),
    }


def tree():
    return [
        quiet("solo", name="solo"),
        inner("all", "one_for_all", [quiet("a1", name="a1"), quiet("a2", trap=True), quiet("a3")]),
        inner("rest", "rest_for_one", [quiet("r1"), quiet("r2", trap=True), quiet("r3", name="r3")]),
        {"id": "jobs", "start": (DynamicSupervisor.start_link, [], dict(LOTS))},
        quiet("keeper", trap=True),
    ]


EXPECTED = {"all": ["a3", "a2", "a1"], "rest": ["r3", "r2", "r1"]}
NAMED = {"solo": ("root",), "a1": ("all",), "r3": ("rest",)}


def children_of(sup, dynamic=False):
    """which_children, or [] if the supervisor died meanwhile."""
    try:
        if dynamic:
            return DynamicSupervisor.which_children(sup)
        return Supervisor.which_children(sup)
    except Exit:
        return []


def targets(root):
    found = []
    for child_id, pid, _, _ in children_of(root):
        if pid is None:
            continue
        if child_id == "jobs":
            found += [(("jobs", n), child) for n, (_, child, _, _) in
                      enumerate(children_of(pid, dynamic=True))]
            continue
        found.append((child_id, pid))
        if child_id in EXPECTED:
            found += [(grandchild, child) for grandchild, child, _, _ in children_of(pid)
                      if child is not None]
    return found


def whole(root):
    """The tree as it was built, every process alive: the children by supervisor, or None."""
    top = children_of(root)
    if [child_id for child_id, *_ in top] != ["keeper", "jobs", "rest", "all", "solo"]:
        return None
    if not all(pid is not None and alive(pid) for _, pid, _, _ in top):
        return None
    by_id = {child_id: pid for child_id, pid, _, _ in top}
    for sup_id, ids in EXPECTED.items():
        children = children_of(by_id[sup_id])
        if [child_id for child_id, *_ in children] != ids:
            return None
        if not all(pid is not None and alive(pid) for _, pid, _, _ in children):
            return None
        if Supervisor.count_children(by_id[sup_id]) != {
            "specs": 3, "active": 3, "supervisors": 0, "workers": 3,
        }:
            return None
        by_id.update({child_id: pid for child_id, pid, _, _ in children})
    jobs = children_of(by_id["jobs"], dynamic=True)
    if len(jobs) != 3 or not all(alive(pid) for _, pid, _, _ in jobs):
        return None
    if any(Process.whereis(name) != by_id[name] for name in NAMED):
        return None
    return by_id


def busy_worker_threads():
    pool = [t for t in threading.enumerate() if t.name.startswith("pyex-worker-")]
    return len(pool) - workers.idle_count()


@pytest.mark.slow
def test_a_thousand_random_kills_leave_the_tree_whole_and_no_thread_behind():
    me = self_pid()
    busy_before = busy_worker_threads()
    status, root = Supervisor.start_link(tree(), **LOTS)
    assert status == "ok"
    jobs = Supervisor.which_children(root)[1][1]
    for n in range(3):
        assert DynamicSupervisor.start_child(jobs, quiet(("job", n), trap=n == 1))[0] == "ok"
    before = whole(root)
    assert before is not None
    assert Supervisor.count_children(root) == {
        "specs": 5, "active": 5, "supervisors": 3, "workers": 2,
    }

    rng = random.Random(20240604)
    kills = 0
    killed = set()
    while kills < KILLS:
        candidates = [(who, pid) for who, pid in targets(root) if alive(pid)]
        if not candidates:
            continue
        who, pid = rng.choice(candidates)
        killed.add(who)
        if who not in ("all", "rest") and who not in ("a2", "r2", "keeper") and rng.random() < 0.3:
            Process.exit(pid, "boom")  # a worker that does not trap exits dies of it too
        else:
            Process.exit(pid, "kill")
        kills += 1

    after = eventually(lambda: whole(root), timeout=20)
    assert set(after) == set(before)
    assert alive(root)
    # Every process of the tree that was killed was replaced by a new one.
    assert killed >= set(before) - {"jobs"}
    assert all(after[who] != before[who] for who in set(before) - {"jobs"})

    # Stop it all: no process and no busy worker thread is left behind.
    Process.unlink(root)
    assert Supervisor.stop(root) == "ok"
    eventually(lambda: processes() == [me], timeout=20)
    eventually(lambda: busy_worker_threads() <= busy_before, timeout=20)
