"""A small supervised app to watch with tree(), top() and trace().

Start it in the console and look at it::

    pyex -i examples/watched_app.py
    pyex(1)> tree()
    pyex(2)> top()
    pyex(3)> trace("counter", limit=4)
    pyex(4)> GenServer.call("counter", "bump")

``app`` supervises a counter, a cache that holds a thousand entries, and a
pool (a supervisor of its own) of two workers, one of which keeps a core busy.
"""

from __future__ import annotations

from typing import Any

from pyex import GenServer, Process, Supervisor


class Counter(GenServer):
    """Counts the calls it gets."""

    def init(self, start: int) -> Any:
        return ("ok", start)

    def handle_call(self, request: Any, from_: Any, count: int) -> Any:
        return ("reply", count + 1, count + 1)


class Cache(GenServer):
    """Holds a dict of entries (so its memory shows in top())."""

    def init(self, size: int) -> Any:
        return ("ok", {f"key{n}": "value" * 10 + str(n) for n in range(size)})

    def handle_call(self, key: Any, from_: Any, entries: dict[str, str]) -> Any:
        return ("reply", entries.get(key), entries)


class Worker(GenServer):
    """Waits, or with ``busy`` keeps working (a timeout of 0 after each round)."""

    def init(self, busy: bool) -> Any:
        Process.set_label("busy worker" if busy else "idle worker")
        return ("ok", 0, 0) if busy else ("ok", 0)

    def handle_info(self, message: Any, rounds: int) -> Any:
        if message == "timeout":
            sum(range(20_000))  # a round of work
            return ("noreply", rounds + 1, 0)
        return ("noreply", rounds)


pool = {
    "id": "pool",
    "type": "supervisor",
    "start": (
        Supervisor.start_link,
        [[{"id": "idle", "start": (GenServer.start_link, [Worker, False])},
          {"id": "busy", "start": (GenServer.start_link, [Worker, True])}]],
        {"strategy": "one_for_all"},
    ),
}
ok, app = Supervisor.start_link(
    [
        {"id": "counter", "start": (GenServer.start_link, [Counter, 0], {"name": "counter"})},
        {"id": "cache", "start": (GenServer.start_link, [Cache, 1000]), "restart": "transient"},
        pool,
    ],
    name="app",
)
