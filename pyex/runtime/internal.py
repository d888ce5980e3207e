"""The runtime's inner boundary: what the OTP layer and the shell use, and nothing else.

The layers above see a process as its Pid (the public API: ``pyex.runtime``)
and, where a hot path needs it, as an opaque handle: the ``ProcessRecord``
that ``current()`` returns, passed back to the functions here. They never read
or write its fields; everything they need is one of these:

- messages in and out: ``deliver`` (the one way into a mailbox) and ``take``
  (the one way out), ``deliver_to``, ``deliver_to_alias``, ``has_messages``;
- calls: ``send_request`` and the rest of requests.py (monitor-with-alias);
- the console's Ctrl+C: ``interrupt``, ``clear_interrupt``;
- observing: ``snapshot`` (a ``ProcessSnapshot``), ``watch_exit``,
  ``runtime_counts``; ``Sampler`` / ``sample_all`` (every process at once, for
  a live view), ``dictionary_of``, ``held_state_of`` (a server's state, read
  from its stack), and ``class_owner`` / ``hold_state`` (the one naming rule
  of info(), and how a server loop declares where it keeps its state);
- tracing: ``TRACING`` (the one guard, ``TRACING[0]`` True while anything
  is traced) and ``trace_event`` (a behaviour's events: a call, its return);
- a process's own data: ``pid_of``, ``group_leader_of``, ``set_group_leader``,
  ``update_dictionary``, ``dictionary_defaults``;
- this node's state (node_state.py): ``node_identity`` / ``set_node_identity``
  (its name and creation, which a distribution layer sets), ``reset_node``
  (a fresh state for the next test: node_reset.py), and the clocks timers
  count on (``SYSTEM_CLOCK``, a test's ``ManualClock``: clock.py);
- other nodes: ``is_remote``, ``local_name``, ``node_of`` and ``remote``
  (remote.py: where a destination that is not local goes, the handler's
  door), ``inbound`` (inbound.py: what a remote peer does to local processes);
- and, re-exported so that this module and ``pyex.runtime`` are the only two a
  layer above imports: the parts of the runtime's modules that are not in the
  public API (``start_process``, ``receive_matching``, the matchers of the
  runtime's own messages (``down_of``, ``exit_from``, ``reply_or_down``...),
  ``copy_message``, ``schedule_timer``...).
"""

from __future__ import annotations

from typing import Any, Callable

from . import inbound, remote, workers
from .api import register
from .async_exc import clear_pending
from .binding import bound
from .clock import SYSTEM_CLOCK, Clock, ManualClock
from .copying import ATOMIC_TYPES, copy_message
from .current import current, retire_current
from .delivery import deliver, deliver_to, deliver_to_alias, named_pid, resolve
from .exits import watch_exit as _watch_exit
from .fastpath import compiled as runs_compiled
from .frames import class_owner, hold_state, is_pyex_file, stack_bottom
from .hooks import need as need_every_message
from .interrupts import clear_interrupt, interrupt
from .introspection import (
    NO_STATE,
    ProcessSnapshot,
    Sample,
    Sampler,
    dictionary_of,
    held_state_of,
    sample_all,
    snapshot,
)
from .links import demonitor, link, monitor, set_trap_exit, unlink
from .links import exit as exit_signal
from .mailbox import receive_matching
from .matchers import down_of, exit_from, is_down, is_exit, is_reply, reply_or_down
from .node_reset import reset_node
from .node_state import NO_NODE, NODE
from .record import ProcessRecord
from .registry import check_name
from .remote import is_remote, local_name, node_of
from .requests import (
    abandon_request,
    close_request,
    drop_alias,
    drop_request,
    open_request,
    send_request,
)
from .safe_points import register_thread
from .spawning import describe_call, start_process
from .taking import NOTHING, UNSET, has_messages, mark, take
from .thread_state import keep as keep_thread_local
from .timeouts import LONGEST, wait_time
from .tracing import EVENTS as TRACE_EVENTS
from .tracing import GUARD as TRACING
from .tracing import emit as trace_event
from .tracing import traced_by
from .values import Pid, Ref

__all__ = [
    "TRACING",
    "TRACE_EVENTS",
    "trace_event",
    "traced_by",
    "NO_STATE",
    "Sample",
    "Sampler",
    "class_owner",
    "is_pyex_file",
    "dictionary_of",
    "held_state_of",
    "hold_state",
    "stack_bottom",
    "sample_all",
    "ATOMIC_TYPES",
    "is_remote",
    "remote",
    "inbound",
    "local_name",
    "node_of",
    "check_name",
    "clear_pending",
    "copy_message",
    "demonitor",
    "describe_call",
    "down_of",
    "exit_from",
    "exit_signal",
    "is_down",
    "is_exit",
    "is_reply",
    "reply_or_down",
    "link",
    "monitor",
    "receive_matching",
    "register",
    "schedule_timer",
    "reset_node",
    "Clock",
    "ManualClock",
    "SYSTEM_CLOCK",
    "node_identity",
    "set_node_identity",
    "NO_NODE",
    "keep_thread_local",
    "set_trap_exit",
    "start_process",
    "unlink",
    "ProcessRecord",
    "ProcessSnapshot",
    "NOTHING",
    "UNSET",
    "bound",
    "LONGEST",
    "wait_time",
    "clear_interrupt",
    "abandon_request",
    "close_request",
    "current",
    "deliver",
    "deliver_to",
    "deliver_to_alias",
    "dictionary_defaults",
    "drop_alias",
    "drop_request",
    "find",
    "group_leader_of",
    "has_messages",
    "interrupt",
    "mark",
    "named_pid",
    "open_request",
    "pid_of",
    "resolve",
    "retire_current",
    "run_here",
    "runtime_counts",
    "send_request",
    "set_group_leader",
    "snapshot",
    "take",
    "update_dictionary",
    "watch_exit",
    "runs_compiled",
    "need_every_message",
]


def schedule_timer(seconds: float, fire: Callable[[], None]) -> Ref:
    """Call ``fire()`` from the node's timer thread in ``seconds``; returns the timer's ref."""
    return NODE.timers.schedule(seconds, fire)


def node_identity() -> tuple[str, int]:
    """This node's name and creation (``('nonode@nohost', 0)`` while it is not distributed)."""
    return NODE.name, NODE.creation


def set_node_identity(name: str, creation: int) -> None:
    """Make this runtime the node ``name``/``creation`` (a distribution layer's start; ``NO_NODE``, 0 at its stop)."""
    NODE.become(name, creation)


def find(pid: Pid) -> ProcessRecord | None:
    """The handle of the process ``pid`` (None if it names none here; check ``alive`` for life)."""
    return NODE.table.lookup(pid)


def pid_of(proc: ProcessRecord) -> Pid:
    """The pid of the process ``proc`` is the handle of."""
    return proc.pid


def group_leader_of(proc: ProcessRecord | None) -> Any:
    """The group leader of ``proc`` (where its output goes), or None."""
    return proc.group_leader if proc is not None else None


def set_group_leader(pid: Pid, leader: Any) -> bool:
    """Make ``leader`` the group leader of ``pid`` (and of the processes it spawns next)."""
    proc = NODE.table.lookup(pid)
    if proc is None:
        return False
    with proc.lock:
        proc.group_leader = leader
    return True


def watch_exit(pid: Pid, callback: Callable[[Pid, Any], None]) -> None:
    """Call ``callback(pid, reason)`` once ``pid`` has exited (at once if it has)."""
    proc = NODE.table.lookup(pid)
    if proc is None:
        callback(pid, "noproc")
        return
    _watch_exit(proc, callback)


def update_dictionary(entries: dict[Any, Any]) -> None:
    """Store every entry in the calling process's dictionary at once."""
    me = current()
    with me.lock:
        me.dictionary.update(entries)


def dictionary_defaults(pid: Pid, entries: dict[Any, Any]) -> None:
    """Store in ``pid``'s dictionary each entry whose key it does not hold yet."""
    proc = NODE.table.lookup(pid)
    if proc is None:
        return
    with proc.lock:
        for key, value in entries.items():
            proc.dictionary.setdefault(key, value)


def run_here(
    fun: Callable[[], Any],
    on_start: Callable[[Pid], None],
    initial_call: tuple[str, str, int] | None = None,
) -> None:
    """Run ``fun()`` as a new process in the calling thread, until the process has exited.

    ``on_start(pid)`` is called first, from the calling thread. For a thread
    that must host a process itself (a console's main thread, the only one a
    signal can wake from a blocking call); it must not be a process already
    (an adopted one is retired first).
    """
    retire_current()
    register_thread(adopted=True)  # (so exits raised into it land at safe points)
    proc = ProcessRecord((fun, (), {}), initial_call or describe_call(fun, 0))
    pid = NODE.table.add(proc)
    on_start(pid)
    workers.run(proc)


def runtime_counts() -> dict[str, int]:
    """How many processes, registered names, pending timers, worker threads (and idle ones)."""
    return {
        "processes": NODE.table.count(),
        "registered": len(NODE.registry.registered()),
        "timers": NODE.timers.pending(),
        "workers": workers.thread_count(),
        "idle_workers": workers.idle_count(),
    }
