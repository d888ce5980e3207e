"""Task: run one function in its own process and collect its result.

::

    task = Task.async_(lambda: 21 * 2)
    Task.await_(task)                     # -> 42

``Task.async_`` links the task to its caller (its owner) and monitors it: if
the task raises, the owner exits with the same reason -- unless it traps
exits, and then ``Task.await_`` raises ``Exit`` with the task's reason. Only the
owner can await a task. The trailing underscores are because ``async`` and
``await`` are Python keywords.

Exit reasons keep Elixir's shapes with Python names:
``('timeout', ('Task', 'await_', [task, timeout]))`` when no result came in
time, ``(reason, ('Task', 'await_', [task, timeout]))`` when the task died;
``Task.await_many`` says ``'await_many'`` and lists all the tasks.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from ..runtime import ANY, Exit, Pid, Process, Ref, send
from ..runtime.internal import (
    demonitor,
    describe_call,
    dictionary_defaults,
    down_of,
    exit_signal,
    is_down,
    is_reply,
    receive_matching,
    reply_or_down,
    snapshot,
    start_process,
    unlink,
    wait_time,
)
from . import crash_reports
from .calls import NO_REPLY
from .starting import ancestors_of_caller

__all__ = ["Task"]


def _task_main(
    owner: Pid,
    fun: Callable[..., Any],
    args: tuple[Any, ...],
    reply: bool,
    dictionary: dict[str, Any],
) -> None:
    me = Process.self()
    ref = None
    dictionary_defaults(me, dictionary)
    if reply:
        # The owner's monitor was set up before this process started: its
        # reference is the task's, and tags the reply.
        shot = snapshot(me)
        for monitor_ref, watcher in (shot.monitored_by if shot is not None else {}).items():
            if watcher == owner:
                ref = monitor_ref
                break
    try:
        result = fun(*args)
    except Exit as exc:
        if not crash_reports.is_normal_exit(exc.reason):
            crash_reports.task_terminating(me, owner, exc.reason, fun, args)
        raise
    except Exception as exc:
        crash_reports.task_terminating(me, owner, exc, fun, args)
        raise Exit(exc) from None
    if ref is not None:
        send(owner, (ref, result))


def _spawn(fun: Any, args: tuple[Any, ...], link: bool, reply: bool) -> tuple[Pid, Ref | None, Any]:
    if not callable(fun):
        raise TypeError(f"a task runs a function, got {fun!r} ({type(fun).__name__})")
    me = Process.self()
    mfa = describe_call(fun, len(args))
    callers = Process.get("$callers")
    dictionary = {
        "$ancestors": ancestors_of_caller(),
        "$callers": [me, *callers] if isinstance(callers, list) else [me],
        "$initial_call": mfa,
        "$behaviour": "Task",
    }
    pid, ref = start_process(
        _task_main,
        (me, fun, args, reply, dictionary),
        {},
        link=link,
        monitor=reply,
        initial_call=mfa,
    )
    # Describe it now, so that whoever looks at it next (the shell's i()) sees
    # what it is; whichever of us and the task comes first does it.
    dictionary_defaults(pid, dictionary)
    return pid, ref, mfa


@dataclass(frozen=True)
class Task:
    """A running task, as ``Task.async_`` returns it (Elixir's ``%Task{}``).

    ``pid`` runs the function; ``ref`` tags its result message ``(ref, result)``
    and its monitor's DOWN; ``owner`` is the process that may await it; ``mfa``
    is ``(module, function, arity)`` of what it runs. The class is also the
    namespace of the Task functions (``Task.async_``, ``Task.await_``...).
    """

    pid: Pid
    ref: Ref
    owner: Pid
    mfa: tuple[str, str, int]

    @staticmethod
    def async_(fun: Callable[..., Any], *args: Any) -> Task:
        """Run ``fun(*args)`` in a new process linked to and monitored by the caller."""
        pid, ref, mfa = _spawn(fun, args, link=True, reply=True)
        assert ref is not None
        return Task(pid, ref, Process.self(), mfa)

    @staticmethod
    def await_(task: Task, timeout: Any = 5.0) -> Any:
        """Wait for the task's result (``timeout`` seconds; None waits forever) and return it.

        Raises ``Exit`` with ``('timeout', ('Task', 'await_', [task, timeout]))``
        if it does not come in time (the task goes on running), or with
        ``(reason, ('Task', 'await_', [task, timeout]))`` if the task died.
        Only the task's owner may await it.
        """
        _check_owner(task, "await_")
        wait = wait_time(timeout)
        message = receive_matching(reply_or_down(task.ref), wait, NO_REPLY)
        if message is NO_REPLY:
            raise Exit(("timeout", ("Task", "await_", [task, timeout])))
        if len(message) == 2:
            demonitor(task.ref, flush=True)
            return message[1]
        raise Exit((message[4], ("Task", "await_", [task, timeout])))

    @staticmethod
    def yield_(task: Task, timeout: Any = 5.0) -> Any:
        """Wait up to ``timeout`` seconds: ``('ok', result)``, ``('exit', reason)`` if it died, or None.

        After None the task goes on; ``yield_`` or ``await_`` it again later.
        """
        _check_owner(task, "yield_")
        wait = wait_time(timeout)
        message = receive_matching(reply_or_down(task.ref), wait, None)
        if message is None:
            return None
        if len(message) == 2:
            demonitor(task.ref, flush=True)
            return ("ok", message[1])
        return ("exit", message[4])

    @staticmethod
    def await_many(tasks: list[Task], timeout: Any = 5.0) -> list[Any]:
        """Await every task within one overall ``timeout``; their results, in order.

        Raises ``Exit`` with ``(why, ('Task', 'await_many', [tasks, timeout]))``
        if time runs out (``'timeout'``) or a task dies (its reason).
        """
        tasks = list(tasks)
        for task in tasks:
            _check_owner(task, "await_many")
        wait = wait_time(timeout)
        # A task listed twice gets its result twice (Elixir's [3, 3]).
        pending: dict[Ref, list[int]] = {}
        for index, task in enumerate(tasks):
            pending.setdefault(task.ref, []).append(index)
        results: list[Any] = [None] * len(tasks)

        def answer(message: Any) -> bool:
            return (is_reply(message, ANY) and message[0] in pending) or (
                is_down(message, ANY) and message[1] in pending
            )

        deadline = None if wait is None else time.monotonic() + wait
        while pending:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            message = receive_matching(answer, remaining, NO_REPLY)
            if message is NO_REPLY:
                raise Exit(("timeout", ("Task", "await_many", [tasks, timeout])))
            if len(message) == 5:
                raise Exit((message[4], ("Task", "await_many", [tasks, timeout])))
            ref = message[0]
            for index in pending.pop(ref):
                results[index] = message[1]
            demonitor(ref, flush=True)
        return results

    @staticmethod
    def shutdown(task: Task, shutdown: Any = 5.0) -> Any:
        """Stop the task: ``('ok', result)`` if it finished first, ``('exit', reason)`` if it
        had died of something else, else None.

        ``shutdown`` is how long it may take to stop (seconds) before it is
        killed, or ``'brutal_kill'``.
        """
        _check_owner(task, "shutdown")
        unlink(task.pid)
        exit_signal(task.pid, "kill" if shutdown == "brutal_kill" else "shutdown")
        wait = None if shutdown == "brutal_kill" else wait_time(shutdown, "shutdown")
        down = down_of(task.ref)
        message = receive_matching(down, wait, None)
        if message is None:
            exit_signal(task.pid, "kill")
            message = receive_matching(down)
        reply = receive_matching(reply_or_down(task.ref), 0, None)
        if reply is not None:
            return ("ok", reply[1])
        reason = message[4]
        if reason.__class__ is str and reason in ("shutdown", "killed", "noproc"):
            return None
        return ("exit", reason)

    @staticmethod
    def start(fun: Callable[..., Any], *args: Any) -> tuple[str, Pid]:
        """Run ``fun(*args)`` in a new process nobody awaits (not linked): ``('ok', pid)``."""
        return ("ok", _spawn(fun, args, link=False, reply=False)[0])

    @staticmethod
    def start_link(fun: Callable[..., Any], *args: Any) -> tuple[str, Pid]:
        """``Task.start``, linked to the caller (how a supervisor starts a task)."""
        return ("ok", _spawn(fun, args, link=True, reply=False)[0])

    @staticmethod
    def child_spec(arg: Any) -> dict[str, Any]:
        """The spec of ``(Task, fun)`` among a supervisor's children: a temporary worker."""
        return {"id": Task, "start": (Task.start_link, [arg]), "restart": "temporary"}


def _check_owner(task: Any, function: str) -> None:
    if not isinstance(task, Task):
        raise TypeError(f"Task.{function} needs a Task (from Task.async_), got {task!r}")
    me = Process.self()
    if task.owner != me:
        raise ValueError(
            f"task {task!r} must be queried from the owner but was queried from {me!r}"
        )
