"""Agent: a process that just holds a value, read and changed through functions.

::

    status, counter = Agent.start_link(lambda: 0)   # ('ok', pid)
    Agent.update(counter, lambda n: n + 1)      # -> 'ok'
    Agent.get(counter, lambda n: n)             # -> 1

The functions run inside the agent's process, one at a time. An Agent is a
GenServer underneath: a failed ``get`` raises ``Exit`` with the shapes of
``GenServer.call``.
"""

from __future__ import annotations

from typing import Any, Callable

from ..runtime.internal import describe_call
from .calls import call
from .gen_server import CALL, GenServer, start_server
from .system import stop as system_stop

__all__ = ["Agent"]


class _AgentServer(GenServer):
    """The GenServer callbacks of an Agent: the state is the agent's value."""

    def init(self, fun: Callable[[], Any]) -> Any:
        return ("ok", fun())

    def handle_call(self, request: Any, from_: Any, state: Any) -> Any:
        kind, fun = request
        if kind == "get":
            return ("reply", fun(state), state)
        if kind == "get_and_update":
            result = fun(state)
            if result.__class__ is not tuple or len(result) != 2:
                raise ValueError(
                    f"the function given to Agent.get_and_update must return "
                    f"(value, new_state), got {result!r}"
                )
            return ("reply", result[0], result[1])
        if kind == "update":
            return ("reply", "ok", fun(state))
        return super().handle_call(request, from_, state)

    def handle_cast(self, request: Any, state: Any) -> Any:
        kind, fun = request
        if kind == "cast":
            return ("noreply", fun(state))
        return super().handle_cast(request, state)


def _start(fun: Callable[[], Any], name: str | None, link: bool, timeout: Any) -> Any:
    if not callable(fun):
        raise TypeError(f"an Agent starts from a function returning its value, got {fun!r}")
    return start_server(
        _AgentServer,
        fun,
        name=name,
        link=link,
        behaviour="Agent",
        dictionary={"$initial_call": describe_call(fun, 0), "$behaviour": "Agent"},
        timeout=timeout,
    )


def _check(fun: Any) -> None:
    if not callable(fun):
        raise TypeError(f"expected a function of the agent's value, got {fun!r}")


class Agent:
    """Elixir's Agent: a value held by a process. A namespace of functions."""

    def __init__(self) -> None:
        raise TypeError("Agent is a namespace of functions, not a class to instantiate")

    @staticmethod
    def start_link(
        fun: Callable[[], Any], name: str | None = None, timeout: Any = None
    ) -> Any:
        """Start an agent holding ``fun()``, linked to the caller: ``('ok', pid)``."""
        return _start(fun, name, True, timeout)

    @staticmethod
    def start(fun: Callable[[], Any], name: str | None = None, timeout: Any = None) -> Any:
        """``start_link`` without the link."""
        return _start(fun, name, False, timeout)

    @staticmethod
    def get(agent: Any, fun: Callable[[Any], Any], timeout: Any = 5.0) -> Any:
        """``fun(value)``, computed in the agent."""
        _check(fun)
        return call(agent, CALL, ("get", fun), timeout)

    @staticmethod
    def update(agent: Any, fun: Callable[[Any], Any], timeout: Any = 5.0) -> str:
        """Replace the value with ``fun(value)``; returns ``'ok'`` once done."""
        _check(fun)
        return call(agent, CALL, ("update", fun), timeout)

    @staticmethod
    def get_and_update(agent: Any, fun: Callable[[Any], Any], timeout: Any = 5.0) -> Any:
        """``fun(value)`` returns ``(result, new_value)``: store ``new_value``, return ``result``."""
        _check(fun)
        return call(agent, CALL, ("get_and_update", fun), timeout)

    @staticmethod
    def cast(agent: Any, fun: Callable[[Any], Any]) -> str:
        """Replace the value with ``fun(value)`` without waiting; returns ``'ok'``."""
        _check(fun)
        return GenServer.cast(agent, ("cast", fun))

    @staticmethod
    def stop(agent: Any, reason: Any = "normal", timeout: Any = None) -> str:
        """Stop the agent with ``reason``; returns ``'ok'``."""
        return system_stop(agent, reason, timeout, "GenServer")

    @staticmethod
    def child_spec(fun: Callable[[], Any]) -> dict[str, Any]:
        """The spec of ``(Agent, fun)`` among a supervisor's children."""
        return {"id": Agent, "start": (Agent.start_link, [fun])}
