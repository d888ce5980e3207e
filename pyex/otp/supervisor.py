"""Supervisor: a process that starts children, watches them, and restarts them.

::

    children = [
        (Stack, ['hello']),                                   # Stack.child_spec(['hello'])
        {'id': 'cache', 'start': (GenServer.start_link, [Cache, {}], {'name': 'cache'})},
    ]
    status, sup = Supervisor.start_link(children, strategy='one_for_one')  # ('ok', pid)

Children start in order and stop in reverse order. When a child exits, the
strategy says what is restarted: ``'one_for_one'`` that child,
``'one_for_all'`` every child, ``'rest_for_one'`` that child and those started
after it. A child's ``restart`` type says whether it is: ``'permanent'``
always, ``'transient'`` only after an abnormal exit, ``'temporary'`` never
(and its spec is dropped). More than ``max_restarts`` restarts within
``max_seconds`` seconds and the supervisor gives up: it stops every child and
exits with reason ``'shutdown'``.

The supervisor is a GenServer underneath; it traps exits, so its children's
exits reach it as messages, and when its parent exits it stops its children
(in reverse order) and exits with the parent's reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..runtime import ANY
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
    shutdown_child,
    start_child,
    try_again_later,
)
from .system import stop as system_stop

__all__ = ["Supervisor", "SupervisorState", "Child", "STRATEGIES"]

STRATEGIES = ("one_for_one", "one_for_all", "rest_for_one")


@dataclass(eq=False)
class Child:
    """A supervisor's record of one child: its spec and, while it runs, its pid."""

    id: Any
    pid: Any  # Pid, or None while not running
    spec: dict[str, Any] = field(repr=False)

    @property
    def restart(self) -> str:
        return self.spec["restart"]

    @property
    def type(self) -> str:
        return self.spec["type"]


@dataclass(eq=False)
class SupervisorState:
    """What ``get_state(supervisor)`` shows: the strategy, the restart record, the children."""

    strategy: str
    intensity: Intensity
    children: list[Child]  # in start order

    def find(self, child_id: Any) -> Child | None:
        for child in self.children:
            if child.id == child_id:
                return child
        return None

    def find_pid(self, pid: Any) -> Child | None:
        for child in self.children:
            if child.pid == pid:
                return child
        return None


class _SupervisorServer(GenServer):
    """The GenServer callbacks that make a process a supervisor."""

    def init(self, arg: Any) -> Any:
        children, strategy, max_restarts, max_seconds = arg
        set_trap_exit(True)
        state = SupervisorState(strategy, Intensity(max_restarts, max_seconds), [])
        for spec in children:
            status, value = start_child(spec)
            if status == "ok":
                if value is None and spec["restart"] == "temporary":
                    continue
                state.children.append(Child(spec["id"], value, spec))
            else:
                _stop_children(state, list(state.children))
                return ("stop", ("shutdown", ("failed_to_start_child", spec["id"], value)))
        return ("ok", state)

    def handle_call(self, request: Any, from_: Any, state: SupervisorState) -> Any:
        kind = request[0] if request.__class__ is tuple and request else request
        if kind == "which_children":
            return ("reply", [_describe(child) for child in reversed(state.children)], state)
        if kind == "count_children":
            return ("reply", _count(state.children), state)
        if kind == "start_child":
            return ("reply", _start_new(state, request[1]), state)
        if kind == "terminate_child":
            return ("reply", _terminate_child(state, request[1]), state)
        if kind == "restart_child":
            return ("reply", _restart_child(state, request[1]), state)
        if kind == "delete_child":
            return ("reply", _delete_child(state, request[1]), state)
        return ("reply", ("error", ("unknown_call", request)), state)

    def handle_cast(self, request: Any, state: SupervisorState) -> Any:
        if is_try_again(request):
            child = state.find(request[1])
            if (
                child is not None
                and child.pid is None
                and not restart_counted(state.intensity, _restart, state, child)
            ):
                return ("stop", "shutdown", state)
        return ("noreply", state)

    def handle_info(self, message: Any, state: SupervisorState) -> Any:
        if is_exit(message, ANY):
            child = state.find_pid(message[1])
            if child is None:
                return ("noreply", state)  # not a child (any more): nothing to do
            child.pid = None
            if child.restart == "temporary":
                state.children.remove(child)  # never restarted
            elif not restart_after_exit(
                state.intensity, child.restart, message[2], _restart, state, child
            ):
                return ("stop", "shutdown", state)
            return ("noreply", state)
        return super().handle_info(message, state)

    def terminate(self, reason: Any, state: Any) -> Any:
        if isinstance(state, SupervisorState):
            _stop_children(state, list(state.children))
        return "ok"


# -- what the supervisor process does ---------------------------------------


def _describe(child: Child) -> tuple[Any, Any, str, Any]:
    return (child.id, child.pid, child.type, child.spec["modules"])


def _count(children: list[Child]) -> dict[str, int]:
    supervisors = sum(1 for child in children if child.type == "supervisor")
    return {
        "specs": len(children),
        "active": sum(1 for child in children if child.pid is not None),
        "supervisors": supervisors,
        "workers": len(children) - supervisors,
    }


def _stop_children(state: SupervisorState, children: list[Child]) -> None:
    """Stop ``children`` in reverse order; temporary ones leave the supervisor."""
    for child in reversed(children):
        if child.pid is not None:
            shutdown_child(child.pid, child.spec["shutdown"])
            child.pid = None
        if child.restart == "temporary" and child in state.children:
            state.children.remove(child)


def _start_group(state: SupervisorState, group: list[Child]) -> None:
    """Start ``group`` in order; on a failure, try again later (counted as a restart)."""
    for child in group:
        if child not in state.children or child.pid is not None:
            continue
        status, value = start_child(child.spec)
        if status != "ok":
            child.pid = None
            try_again_later(child.id)
            return
        child.pid = value


def _restart(state: SupervisorState, child: Child) -> None:
    """Restart after ``child`` exited, as the strategy says."""
    if state.strategy == "one_for_one":
        group = [child]
    elif state.strategy == "one_for_all":
        group = list(state.children)
    else:  # rest_for_one
        group = state.children[state.children.index(child):]
    _stop_children(state, [other for other in group if other is not child])
    _start_group(state, group)


def _start_new(state: SupervisorState, spec: dict[str, Any]) -> Any:
    existing = state.find(spec["id"])
    if existing is not None:
        if existing.pid is not None:
            return ("error", ("already_started", existing.pid))
        return ("error", "already_present")
    status, value = start_child(spec)
    if status != "ok":
        return (status, value)
    if not (value is None and spec["restart"] == "temporary"):
        state.children.append(Child(spec["id"], value, spec))
    return ("ok", value)


def _terminate_child(state: SupervisorState, child_id: Any) -> Any:
    child = state.find(child_id)
    if child is None:
        return ("error", "not_found")
    _stop_children(state, [child])
    return "ok"


def _restart_child(state: SupervisorState, child_id: Any) -> Any:
    child = state.find(child_id)
    if child is None:
        return ("error", "not_found")
    if child.pid is not None:
        return ("error", "running")
    status, value = start_child(child.spec)
    if status != "ok":
        return (status, value)
    child.pid = value
    return ("ok", value)


def _delete_child(state: SupervisorState, child_id: Any) -> Any:
    child = state.find(child_id)
    if child is None:
        return ("error", "not_found")
    if child.pid is not None:
        return ("error", "running")
    state.children.remove(child)
    return "ok"


# -- the public face ----------------------------------------------------------


def _call(sup: Any, request: Any) -> Any:
    return call(sup, CALL, request, "infinity")


class Supervisor:
    """Elixir's Supervisor: ``Supervisor.start_link(children, strategy=...)`` and friends.

    A namespace of functions; every function is documented on its own
    (``h(Supervisor.start_link)``).
    """

    def __init__(self) -> None:
        raise TypeError("Supervisor is a namespace of functions, not a class to instantiate")

    @staticmethod
    def start_link(
        children: Any,
        strategy: str = "one_for_one",
        max_restarts: int = 3,
        max_seconds: float = 5,
        name: str | None = None,
    ) -> Any:
        """Start a supervisor of ``children``, linked to the caller; returns ``('ok', pid)``.

        Each child is a spec dict, ``(Class, arg)`` or a ``Class`` (see
        ``pyex.otp.child_spec``); they start in order. If one fails to start,
        the ones started are stopped and the result is ``('error', ('shutdown',
        ('failed_to_start_child', id, reason)))`` -- an exit that takes a linked
        caller that does not trap exits with it. Malformed specs raise
        ``ChildSpecError`` at once, naming the problem.
        """
        if strategy not in STRATEGIES:
            raise ValueError(
                f"strategy must be one of {', '.join(map(repr, STRATEGIES))}, got {strategy!r}"
            )
        check_flags(max_restarts, max_seconds)
        normalized = specs.normalize_all(children)
        return start_server(
            _SupervisorServer,
            (normalized, strategy, max_restarts, max_seconds),
            name=name,
            link=True,
            behaviour="Supervisor",
            dictionary={"$initial_call": ("Supervisor", "init", 1), "$behaviour": "Supervisor"},
        )

    @staticmethod
    def child_spec(child: Any, **overrides: Any) -> dict[str, Any]:
        """The spec dict ``child`` stands for, with ``overrides`` (e.g. ``id='second'``) applied."""
        spec = dict(specs.to_spec(child))
        spec.update(overrides)
        specs.normalize(spec)  # raises if the result is not a valid spec
        return spec

    @staticmethod
    def which_children(sup: Any) -> list[tuple[Any, Any, str, Any]]:
        """``[(id, pid_or_None, type, modules)]``, one per child, the last started first."""
        return _call(sup, "which_children")

    @staticmethod
    def count_children(sup: Any) -> dict[str, int]:
        """``{'specs': n, 'active': n, 'supervisors': n, 'workers': n}``."""
        return _call(sup, "count_children")

    @staticmethod
    def start_child(sup: Any, child: Any) -> Any:
        """Add a child and start it: ``('ok', pid)`` | ``('error', reason)``.

        ``('error', ('already_started', pid))`` if a running child has that id,
        ``('error', 'already_present')`` if a stopped one does.
        """
        return _call(sup, ("start_child", specs.normalize(child)))

    @staticmethod
    def terminate_child(sup: Any, child_id: Any) -> Any:
        """Stop the child ``child_id`` (its spec stays, unless temporary): ``'ok'`` | ``('error', 'not_found')``."""
        return _call(sup, ("terminate_child", child_id))

    @staticmethod
    def restart_child(sup: Any, child_id: Any) -> Any:
        """Start a stopped child again: ``('ok', pid)`` | ``('error', 'running' | 'not_found' | reason)``."""
        return _call(sup, ("restart_child", child_id))

    @staticmethod
    def delete_child(sup: Any, child_id: Any) -> Any:
        """Forget a stopped child's spec: ``'ok'`` | ``('error', 'running' | 'not_found')``."""
        return _call(sup, ("delete_child", child_id))

    @staticmethod
    def stop(sup: Any, reason: Any = "normal", timeout: Any = None) -> str:
        """Stop the supervisor: its children stop in reverse order, then it exits with ``reason``."""
        return system_stop(sup, reason, timeout, "GenServer")


specs.SUPERVISOR_STARTS.add(Supervisor.start_link)
