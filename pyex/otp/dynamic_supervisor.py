"""DynamicSupervisor: a supervisor that starts with no children and adds them on demand.

::

    status, sup = DynamicSupervisor.start_link(max_children=100)
    status, pid = DynamicSupervisor.start_child(sup, (Worker, 'job-1'))
    DynamicSupervisor.terminate_child(sup, pid)

Children are known by pid (their ids do not matter). Each is restarted as its
restart type says, within the same restart intensity as a Supervisor's; when
the supervisor stops, all its children get the shutdown signal at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..runtime import ANY, Pid, make_ref
from ..runtime.internal import is_exit, set_trap_exit
from . import child_spec as specs
from .calls import call
from .gen_server import CALL, GenServer, start_server
from .supervision import (
    Intensity,
    check_flags,
    is_try_again,
    restart_after_exit,
    restart_counted,
    shutdown_children,
    start_child,
    try_again_later,
)
from .system import stop as system_stop

__all__ = ["DynamicSupervisor", "DynamicSupervisorState"]


@dataclass(eq=False)
class DynamicSupervisorState:
    """What ``get_state(dynamic_supervisor)`` shows."""

    intensity: Intensity
    max_children: int | None
    extra_arguments: list[Any]
    children: dict[Pid, dict[str, Any]]  # pid -> spec, in start order
    restarting: dict[Any, dict[str, Any]]  # specs whose restart failed, to try again


class _DynamicServer(GenServer):
    """The GenServer callbacks that make a process a dynamic supervisor."""

    def init(self, arg: Any) -> Any:
        max_children, max_restarts, max_seconds, extra_arguments = arg
        set_trap_exit(True)
        return (
            "ok",
            DynamicSupervisorState(
                Intensity(max_restarts, max_seconds), max_children, extra_arguments, {}, {}
            ),
        )

    def handle_call(self, request: Any, from_: Any, state: DynamicSupervisorState) -> Any:
        kind = request[0] if request.__class__ is tuple and request else request
        if kind == "start_child":
            return ("reply", _start_new(state, request[1]), state)
        if kind == "terminate_child":
            child = request[1]
            spec = state.children.pop(child, None) if child.__class__ is Pid else None
            if spec is None:
                return ("reply", ("error", "not_found"), state)
            shutdown_children([(request[1], spec["shutdown"])])
            return ("reply", "ok", state)
        if kind == "which_children":
            return (
                "reply",
                [
                    ("undefined", pid, spec["type"], spec["modules"])
                    for pid, spec in state.children.items()
                ],
                state,
            )
        if kind == "count_children":
            supervisors = sum(
                1 for spec in state.children.values() if spec["type"] == "supervisor"
            )
            count = len(state.children)
            return (
                "reply",
                {
                    "specs": count,
                    "active": count,
                    "supervisors": supervisors,
                    "workers": count - supervisors,
                },
                state,
            )
        return ("reply", ("error", ("unknown_call", request)), state)

    def handle_cast(self, request: Any, state: DynamicSupervisorState) -> Any:
        if is_try_again(request):
            spec = state.restarting.pop(request[1], None)
            if spec is not None and not restart_counted(state.intensity, _restart, state, spec):
                return ("stop", "shutdown", state)
        return ("noreply", state)

    def handle_info(self, message: Any, state: DynamicSupervisorState) -> Any:
        if is_exit(message, ANY):
            spec = state.children.pop(message[1], None)
            if spec is not None and not restart_after_exit(
                state.intensity, spec["restart"], message[2], _restart, state, spec
            ):
                return ("stop", "shutdown", state)
            return ("noreply", state)
        return super().handle_info(message, state)

    def terminate(self, reason: Any, state: Any) -> Any:
        if isinstance(state, DynamicSupervisorState):
            children = [(pid, spec["shutdown"]) for pid, spec in state.children.items()]
            state.children.clear()
            shutdown_children(children)
        return "ok"


def _start_new(state: DynamicSupervisorState, spec: dict[str, Any]) -> Any:
    if state.max_children is not None and len(state.children) >= state.max_children:
        return ("error", "max_children")
    if state.extra_arguments:
        fun, args, kwargs = spec["start"]
        spec = {**spec, "start": (fun, [*state.extra_arguments, *args], kwargs)}
    status, value = start_child(spec)
    if status != "ok":
        return (status, value)
    if value is None:
        return "ignore"
    state.children[value] = spec
    return ("ok", value)


def _restart(state: DynamicSupervisorState, spec: dict[str, Any]) -> None:
    status, value = start_child(spec)
    if status == "ok":
        if value is not None:
            state.children[value] = spec
        return
    key = make_ref()
    state.restarting[key] = spec
    try_again_later(key)


class DynamicSupervisor:
    """Elixir's DynamicSupervisor: children started on demand, known by pid.

    A namespace of functions; every function is documented on its own.
    """

    def __init__(self) -> None:
        raise TypeError(
            "DynamicSupervisor is a namespace of functions, not a class to instantiate"
        )

    @staticmethod
    def start_link(
        max_children: int | None = None,
        name: str | None = None,
        strategy: str = "one_for_one",
        max_restarts: int = 3,
        max_seconds: float = 5,
        extra_arguments: list[Any] | tuple[Any, ...] = (),
    ) -> Any:
        """Start a dynamic supervisor with no children, linked to the caller: ``('ok', pid)``.

        ``max_children`` (None: no limit) caps how many children run at once.
        ``extra_arguments`` go before each child's own start arguments.
        """
        if strategy != "one_for_one":
            raise ValueError(f"a DynamicSupervisor's strategy is 'one_for_one', got {strategy!r}")
        if max_children is not None and (
            not isinstance(max_children, int) or isinstance(max_children, bool) or max_children < 0
        ):
            raise ValueError(f"max_children must be None or an integer >= 0, got {max_children!r}")
        check_flags(max_restarts, max_seconds)
        return start_server(
            _DynamicServer,
            (max_children, max_restarts, max_seconds, list(extra_arguments)),
            name=name,
            link=True,
            behaviour="DynamicSupervisor",
            dictionary={
                "$initial_call": ("DynamicSupervisor", "init", 1),
                "$behaviour": "DynamicSupervisor",
            },
        )

    @staticmethod
    def child_spec(options: Any = None) -> dict[str, Any]:
        """The spec of ``(DynamicSupervisor, {'name': ..., 'max_children': ...})`` in a supervisor."""
        options = dict(options) if isinstance(options, dict) else {}
        return {
            "id": options.get("name") or DynamicSupervisor,
            "start": (DynamicSupervisor.start_link, [], options),
            "type": "supervisor",
        }

    @staticmethod
    def start_child(sup: Any, child: Any) -> Any:
        """Start a child under ``sup``: ``('ok', pid)`` | ``'ignore'`` | ``('error', reason)``.

        ``('error', 'max_children')`` when ``sup`` already runs ``max_children``.
        """
        return call(sup, CALL, ("start_child", specs.normalize(child)), "infinity")

    @staticmethod
    def terminate_child(sup: Any, pid: Pid) -> Any:
        """Stop the child ``pid``: ``'ok'`` | ``('error', 'not_found')``.

        ``pid`` must be a pid (children are known by pid): anything else is a
        TypeError here, in the caller, and the supervisor never hears of it.
        """
        if pid.__class__ is not Pid:
            raise TypeError(
                f"DynamicSupervisor.terminate_child() needs the child's pid, got {pid!r} "
                f"({type(pid).__name__})"
            )
        return call(sup, CALL, ("terminate_child", pid), "infinity")

    @staticmethod
    def which_children(sup: Any) -> list[tuple[Any, Any, str, Any]]:
        """``[('undefined', pid, type, modules)]``, one per running child, in start order."""
        return call(sup, CALL, "which_children", "infinity")

    @staticmethod
    def count_children(sup: Any) -> dict[str, int]:
        """``{'specs': n, 'active': n, 'supervisors': n, 'workers': n}``."""
        return call(sup, CALL, "count_children", "infinity")

    @staticmethod
    def stop(sup: Any, reason: Any = "normal", timeout: Any = None) -> str:
        """Stop the supervisor: all children get the shutdown signal, then it exits with ``reason``."""
        return system_stop(sup, reason, timeout, "GenServer")


specs.SUPERVISOR_STARTS.add(DynamicSupervisor.start_link)
