"""The seed's hand-made SimpleGenServer, for real: a GenServer under a Supervisor.

The article pyex grew from ("Long-lived processes in Elixir") builds a
process that loops forever on ``receive``, stores the values it is sent and
sends them all back on request. Here is the same store as a ``GenServer``,
started by a ``Supervisor``: we kill it, and the supervisor starts a new one.

Run it with ``python examples/supervised_store.py`` (or ``pyex
examples/supervised_store.py`` to run it inside a shell process).
"""

from __future__ import annotations

from typing import Any

from pyex import GenServer, Process, Supervisor, flush, receive, send
from pyex import self as self_pid


class Store(GenServer):
    """Keeps the values it is given, newest first, and gives them all back."""

    def init(self, values: list[Any]) -> Any:
        return ("ok", list(values))

    # The GenServer way: a cast to store, a call to read.
    def handle_cast(self, request: Any, values: list[Any]) -> Any:
        _store, value = request
        return ("noreply", [value, *values])

    def handle_call(self, request: Any, from_: Any, values: list[Any]) -> Any:
        if request == "all_values":
            return ("reply", values, values)
        return ("reply", ("error", ("unknown request", request)), values)

    # The article's plain messages still work: they arrive in handle_info.
    def handle_info(self, message: Any, values: list[Any]) -> Any:
        if message[0] == "store":
            return ("noreply", [message[1], *values])
        if message[0] == "send_all_values":
            send(message[1], ("all_values", values))
        return ("noreply", values)

    @classmethod
    def child_spec(cls, values: list[Any]) -> dict[str, Any]:
        """Under a supervisor, the store is registered as 'store'."""
        return {"id": "store", "start": (GenServer.start_link, [cls, values], {"name": "store"})}


def store(value: Any) -> str:
    """Store ``value`` (without waiting)."""
    return GenServer.cast("store", ("store", value))


def all_values() -> list[Any]:
    """Every value stored so far, newest first."""
    return GenServer.call("store", "all_values")


def main() -> None:
    status, sup = Supervisor.start_link([(Store, [])], strategy="one_for_one")
    print("supervisor:", sup, status)

    store(23)
    store("hello")
    print("all values:", all_values())

    # The article's way: plain messages, and flush() to see the answer. (The
    # call makes sure it has come: the store handles messages in order, so it
    # answers the call after it has sent the values.)
    send("store", ("store", "plain"))
    send("store", ("send_all_values", self_pid()))
    all_values()
    flush()

    # Kill it. A monitor tells us when it is gone; by then the supervisor has
    # been told too (links are told before monitors), so the next call to the
    # supervisor is answered only after it has started a new store.
    old = Process.whereis("store")
    ref = Process.monitor(old)
    Process.exit(old, "kill")
    down = receive(("DOWN", ref, "process", old, object), timeout=5)
    print("the store died:", down[4])
    print("children:", Supervisor.which_children(sup))
    new = Process.whereis("store")
    print(f"old store {old}, new store {new}: {'the same' if old == new else 'a new one'}")

    # A restarted child starts from its spec: the values it held are gone.
    print("all values now:", all_values())
    store("after the restart")
    print("all values now:", all_values())
    print("counts:", Supervisor.count_children(sup))

    Process.unlink(sup)
    Supervisor.stop(sup)
    print("supervisor stopped; store registered:", Process.whereis("store"))


if __name__ == "__main__":
    main()
