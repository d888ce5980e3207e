"""The runtime's record of one process (internal: users hold only its Pid).

The record is data; what acts on it lives in the modules that own each concern:
delivery.py puts messages in its mailbox and taking.py takes them out,
sections.py moves its thread in and out of the runtime's sections, exits.py
delivers exit signals and runs its exit, current.py binds it to its thread.
Only modules of ``pyex.runtime`` touch its fields; the layers above hold a
record only as an opaque handle to pass back to ``pyex.runtime.internal``.

Every field another thread may change is guarded by ``lock``. Lock order: a
process's lock is never held while taking another process's lock (the
registry's lock may be held while taking a process's lock).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from itertools import repeat
from queue import SimpleQueue
from typing import Any, Callable, Iterator

from .states import ALIVE, RUNNING
from .values import Pid, Ref

__all__ = ["ProcessRecord", "Target", "raise_verdict"]

# What a spawned process runs: (function, args, kwargs).
Target = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]

_NOT_BLOCKING = repeat(False)  # the argument of every get() a drain makes (it has no state)


class ProcessRecord:
    """One process: its pid, mailbox, links, monitors, flags and exit state."""

    __slots__ = (
        "pid",
        "inbox",
        "put",
        "drain",
        "saved",
        "lock",
        "lifecycle",
        "activity",
        "exit_reason",
        "trap_exit",
        "links",
        "monitors",
        "monitored_by",
        "aliases",
        "name",
        "dictionary",
        "initial_call",
        "ident",
        "group_leader",
        "target",
        "interrupt_pending",
        "adopted",
        "wake_slot",
        "on_exit",
        "settled",
        "reaping",
        "zombie",
        "raised_into",
        "monitor_names",
        "label",
        "cpu_start",
        "waits",
        "received",
        "sent",
        "__weakref__",
    )

    pid: Pid

    def __init__(
        self,
        target: Target | None,
        initial_call: tuple[str, str, int],
        group_leader: Any = None,
        adopted: bool = False,
    ) -> None:
        # Messages from other threads arrive in ``inbox`` (through ``put``,
        # which becomes a no-op once the process is dead); ``saved`` holds, in
        # order, those the owner has taken out but not yet consumed (skipped by
        # a selective receive). Only the owner's thread touches ``saved``.
        self.inbox: SimpleQueue[Any] = SimpleQueue()
        self.put: Callable[[Any], None] = self.inbox.put
        # The inbox's items, one per step, as an iterator (raising Empty when
        # there is none): how the owner takes them out, so that an interrupt
        # can never land between an item's leaving the inbox and its being
        # held (see taking.py).
        self.drain: Iterator[Any] = map(self.inbox.get, _NOT_BLOCKING)
        self.saved: deque[Any] = deque()
        self.lock = threading.Lock()
        self.lifecycle = ALIVE
        self.activity = RUNNING
        self.exit_reason: Any = None
        self.trap_exit = False
        self.links: set[Pid] = set()
        self.monitors: dict[Any, Any] = {}  # monitors this process holds: ref -> pid
        self.monitored_by: dict[Any, Pid] = {}  # monitors held on this process: ref -> pid
        # Monitors this process holds by registered name: ref -> (name, node),
        # what their DOWN message names instead of the pid (None while none).
        self.monitor_names: dict[Ref, tuple[str, str]] | None = None
        self.aliases: set[Any] = set()
        self.name: str | None = None
        self.dictionary: dict[Any, Any] = {}
        self.initial_call = initial_call
        self.ident: int | None = threading.get_ident() if adopted else None
        self.group_leader = group_leader
        self.target = target
        self.interrupt_pending = False
        self.adopted = adopted
        self.wake_slot = False  # holds one of the waker's slots (see wakeups)
        self.settled = False  # its code has ended and its exit reason is fixed
        self.reaping = False  # the reaper watches it (see reaper)
        # Finished by the reaper while its code runs on: it may no longer act
        # (send, spawn, link...) -- see hooks.zombies.
        self.zombie = False
        self.raised_into = False  # an exception was raised into its thread by another
        # Called with (pid, reason) once the exit is complete; see exits.watch_exit().
        self.on_exit: Callable[[Pid, Any], None] | None = None
        self.label: Any = None  # Process.set_label's term
        # The thread's CPU clock when the process started on it (threads are
        # reused: a process's CPU time is the clock's advance since then).
        self.cpu_start = time.thread_time() if adopted else 0.0
        # How many times it has blocked in wait() (sections.py): an observer
        # that finds the same count and the process still waiting knows it
        # has not run since.
        self.waits = 0
        # Messages it has taken out of its mailbox and sent (each counted by
        # the owner's thread only: taking.py, mailbox.py / delivery.py).
        self.received = 0
        self.sent = 0

    def __repr__(self) -> str:
        return f"<ProcessRecord {self.pid} {self.lifecycle}>"


def raise_verdict(proc: ProcessRecord) -> Callable[[], bool | None]:
    """Whether an exception raised into ``proc``'s thread may land now (safe_points' verdict).

    Asked by the thread itself: False once its process has settled (never);
    None while it is in one of the runtime's sections, which raise for
    themselves (later); True while it runs its code.
    """

    def verdict() -> bool | None:
        if proc.settled:
            return False
        return True if proc.activity is RUNNING else None

    return verdict
