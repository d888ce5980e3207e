"""What a process is doing: alive(), info(), processes(), and samples of them all.

``info(pid)`` describes one process; ``sample_all()`` (or a ``Sampler``, for
repeated samples) samples every process in one pass (one look at all
threads' stacks for the whole batch, so sampling 5,000 processes costs
O(processes), a few milliseconds), for views such as the shell's ``top()``;
``snapshot(pid)`` is one process's fields at one instant, for the layers above.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from queue import SimpleQueue
from types import FrameType
from typing import Any, NamedTuple

from . import workers
from .collector import current_frames, paused
from .frames import NO_STATE, describe_code, scan, stack_bottom, stacktrace, state_local
from .node_state import NODE
from .record import ProcessRecord
from .states import ALIVE, DEAD, EXITING, WAITING
from .thread_clock import thread_cpu_seconds
from .values import Pid, require_pid

__all__ = [
    "alive",
    "info",
    "processes",
    "current_function",
    "snapshot",
    "ProcessSnapshot",
    "sample_all",
    "Sample",
    "Sampler",
    "cpu_time",
    "memory",
    "held_state",
    "held_state_of",
    "dictionary_of",
    "NO_STATE",
]

stack_bottom(workers.run.__code__)

_getsizeof = sys.getsizeof
_current_frames = current_frames

# What every process costs before it holds anything: its record, inbox,
# saved queue, lock, link and monitor sets.
_EMPTY_PARTS: tuple[object, ...] = (
    object.__new__(ProcessRecord),
    SimpleQueue(),
    deque(),
    threading.Lock(),
    set(),
    set(),
    {},
    {},
)
_BASE_SIZE = sum(_getsizeof(part) for part in _EMPTY_PARTS)
_UNSIZED_MESSAGE = 64  # a message still in the inbox, which cannot be looked at
_CONTAINERS = (tuple, list, set, frozenset, deque)


def alive(pid: Pid) -> bool:
    """True while the process ``pid`` is alive (False once it is exiting)."""
    require_pid(pid, "alive()")
    proc = NODE.table.lookup(pid)
    return proc is not None and proc.lifecycle is ALIVE


def processes() -> list[Pid]:
    """Every live process's pid, oldest first."""
    return [proc.pid for proc in NODE.table.live() if proc.lifecycle is ALIVE]


def _frame_of(proc: ProcessRecord, frames: dict[int, FrameType] | None = None) -> FrameType | None:
    ident = proc.ident
    if ident is None:
        return None
    if frames is None:
        if ident == threading.get_ident():
            return sys._getframe()
        frames = _current_frames()
    return frames.get(ident)


def _current(proc: ProcessRecord, frame: FrameType | None) -> tuple[str, str, int]:
    """The innermost user function on the stack, else the initial call."""
    return _current_of(proc, scan(frame)[0])


def _current_of(proc: ProcessRecord, first: FrameType | None) -> tuple[str, str, int]:
    if first is None:
        return proc.initial_call
    mfa = describe_code(first)
    initial = proc.initial_call
    if mfa[0] == initial[0] and mfa[1] == initial[1]:
        return initial  # the same function: the arity its caller passed
    return mfa


def current_function(proc: ProcessRecord) -> tuple[str, str, int]:
    """The innermost function of the user's code that ``proc`` is executing."""
    return _current(proc, _frame_of(proc))


def cpu_time(proc: ProcessRecord) -> float:
    """Seconds of CPU ``proc`` has used: its thread's clock since the process started on it."""
    ident = proc.ident
    if ident is None:
        return 0.0
    if ident == threading.get_ident():
        used = time.thread_time() - proc.cpu_start
    else:
        now = thread_cpu_seconds(ident)
        if now is None:  # its thread just ended
            return 0.0
        used = now - proc.cpu_start
    return used if used > 0.0 else 0.0


def deep_size(root: Any, budget: int = 64) -> int:
    """An estimate in bytes of ``root`` and what it holds, looking at ``budget`` objects at most.

    Counts containers, their items and instances' attributes; classes,
    functions and modules are shared, not held, and count nothing.
    """
    total = 0
    seen: set[int] = set()
    stack = [root]
    try:
        while stack and budget > 0:
            obj = stack.pop()
            key = id(obj)
            if key in seen:
                continue
            seen.add(key)
            budget -= 1
            cls = obj.__class__
            if cls in _CONTAINERS:
                total += _getsizeof(obj)
                stack.extend(obj)
            elif cls is dict:
                total += _getsizeof(obj)
                stack.extend(obj.keys())
                stack.extend(obj.values())
            elif isinstance(obj, (type, type(deep_size), type(sys))):
                continue
            else:
                total += _getsizeof(obj)
                attributes = getattr(obj, "__dict__", None)
                if attributes.__class__ is dict:
                    stack.append(attributes)
    except Exception:  # changed under us by its owner: what was counted stands
        pass
    return total


def _memory(proc: ProcessRecord, state: Any, budget: int, unsized: int = _UNSIZED_MESSAGE) -> int:
    size = _BASE_SIZE + proc.inbox.qsize() * unsized
    if proc.saved:
        size += deep_size(list(proc.saved), budget)
    if proc.dictionary:
        size += deep_size(proc.dictionary, budget)
    if state is not NO_STATE:
        size += deep_size(state, budget)
    return size


def memory(proc: ProcessRecord) -> int:
    """An estimate in bytes of what ``proc`` holds: its mailbox, dictionary and server state."""
    return _memory(proc, state_local(_frame_of(proc)), 64)


def held_state(proc: ProcessRecord) -> Any:
    """The state a server loop of ``proc`` holds (read from its stack), or ``NO_STATE``."""
    return state_local(_frame_of(proc))


def dictionary_of(pid: Pid) -> dict[Any, Any] | None:
    """A copy of the process dictionary of ``pid``, or None if it is not alive (cheaper than info())."""
    proc = NODE.table.lookup(pid)
    if proc is None:
        return None
    with proc.lock:
        if proc.lifecycle is not ALIVE:
            return None
        return dict(proc.dictionary)


def held_state_of(pid: Pid) -> Any:
    """The state a server loop of ``pid`` holds, read from its stack (``NO_STATE`` if none)."""
    proc = NODE.table.lookup(pid)
    if proc is None or proc.lifecycle is not ALIVE:
        return NO_STATE
    return held_state(proc)


def _status(proc: ProcessRecord) -> str:
    return "waiting" if proc.activity is WAITING else "running"


@dataclass(frozen=True)
class ProcessSnapshot:
    """A process as it was at one instant, for the layers that observe processes.

    ``status`` is what info() shows ('running', 'waiting' or 'exiting');
    ``monitors`` maps each monitor the process holds to what it watches (a pid,
    or ``(name, node)`` for a monitor by name); ``monitored_by`` maps each
    monitor held on it to its watcher; ``thread_ident`` is its thread's (None
    before it starts).
    """

    pid: Pid
    status: str
    registered_name: str | None
    initial_call: tuple[str, str, int]
    links: list[Pid]
    monitors: dict[Any, Any]
    monitored_by: dict[Any, Pid]
    trap_exit: bool
    dictionary: dict[Any, Any]
    message_queue_len: int
    thread_ident: int | None
    group_leader: Any


def _snapshot(proc: ProcessRecord) -> ProcessSnapshot | None:
    with proc.lock:
        lifecycle = proc.lifecycle
        if lifecycle is DEAD:
            return None
        status = "exiting" if lifecycle is EXITING else (
            "waiting" if proc.activity is WAITING else "running"
        )
        names = proc.monitor_names or {}
        return ProcessSnapshot(
            pid=proc.pid,
            status=status,
            registered_name=proc.name,
            initial_call=proc.initial_call,
            links=sorted(proc.links),
            monitors={ref: names.get(ref, watched) for ref, watched in proc.monitors.items()},
            monitored_by=dict(proc.monitored_by),
            trap_exit=proc.trap_exit,
            dictionary=dict(proc.dictionary),
            message_queue_len=proc.inbox.qsize() + len(proc.saved),
            thread_ident=proc.ident,
            group_leader=proc.group_leader,
        )


def snapshot(pid: Pid) -> ProcessSnapshot | None:
    """A snapshot of the process ``pid``, or None if it is dead."""
    proc = NODE.table.lookup(pid)
    return _snapshot(proc) if proc is not None else None


def info(pid: Pid) -> dict[str, Any] | None:
    """A dict describing the process ``pid``, or None once it is not alive.

    Keys: current_function, initial_call, status ('running' or 'waiting'),
    message_queue_len, links, dictionary, trap_exit, registered_name, monitors,
    monitored_by, label, cpu_time (seconds), messages_received and
    messages_sent (since it started), memory (bytes, an estimate of its
    mailbox, dictionary and server state), current_stacktrace (the user's
    frames, innermost first: (owner, function, arity, (file, line))).
    """
    require_pid(pid, "info()")
    proc = NODE.table.lookup(pid)
    if proc is None or proc.lifecycle is not ALIVE:
        # (before _frame_of: sys._current_frames() costs a look at every thread)
        return None
    frame = _frame_of(proc)
    with proc.lock:
        if proc.lifecycle is not ALIVE:
            return None
        status = _status(proc)
        links = sorted(proc.links)
        # A monitor by name shows as ('process', (name, node)), as in Erlang.
        names = proc.monitor_names or {}
        monitors = [("process", names.get(ref, watched)) for ref, watched in proc.monitors.items()]
        monitored_by = sorted(set(proc.monitored_by.values()))
        trap_exit = proc.trap_exit
        name = proc.name
        dictionary = dict(proc.dictionary)
        queue_len = proc.inbox.qsize() + len(proc.saved)
        label = proc.label
    return {
        "current_function": _current(proc, frame),
        "initial_call": proc.initial_call,
        "status": status,
        "message_queue_len": queue_len,
        "links": links,
        "dictionary": dictionary,
        "trap_exit": trap_exit,
        "registered_name": name,
        "monitors": monitors,
        "monitored_by": monitored_by,
        "label": label,
        "cpu_time": round(cpu_time(proc), 6),
        "messages_received": proc.received,
        "messages_sent": proc.sent,
        "memory": _memory(proc, state_local(frame), 64),
        "current_stacktrace": stacktrace(frame),
    }


class Sample(NamedTuple):
    """One process as a Sampler saw it."""

    pid: Pid
    registered_name: str | None
    label: Any
    initial_call: tuple[str, str, int]
    current_function: tuple[str, str, int]
    status: str
    message_queue_len: int
    cpu_time: float
    memory: int
    messages_received: int
    messages_sent: int


class Sampler:
    """Samples every live process, oldest first, in one pass over the table.

    All threads' stacks are read at most once per sample, and only for the
    processes that have run since the last one: a process still blocked in the
    same wait as last time (its ``waits`` count unchanged) has the same stack,
    state and CPU time, so only its mailbox is looked at again. Keep one
    Sampler for repeated samples (a live view); ``snapshot()`` makes a fresh one.
    ``memory_budget`` bounds the objects looked at per process for its memory
    estimate.
    """

    def __init__(self, memory_budget: int = 64) -> None:
        self.memory_budget = memory_budget
        # serial -> (proc, waits, current function, cpu time, memory but the inbox)
        self._still: dict[int, tuple[ProcessRecord, int, tuple[str, str, int], float, int]] = {}

    def sample(self) -> list[Sample]:
        """Every live process, as it is now."""
        # Thousands of new tuples would set off collections of the whole heap.
        with paused():
            return self._sample()

    def _sample(self) -> list[Sample]:
        frames: dict[int, FrameType] | None = None
        me = threading.get_ident()
        clock = time.clock_gettime
        clock_of = time.pthread_getcpuclockid
        budget = self.memory_budget
        previous = self._still
        still: dict[int, tuple[ProcessRecord, int, tuple[str, str, int], float, int]] = {}
        samples: list[Sample] = []
        append = samples.append
        new = tuple.__new__
        for proc in NODE.table.live():
            if proc.lifecycle is not ALIVE:
                continue
            waiting = proc.activity is WAITING  # read before waits (see ProcessRecord.waits)
            waits = proc.waits
            serial = proc.pid.serial
            queued = proc.inbox.qsize()
            known = previous.get(serial) if waiting else None
            if known is not None and known[0] is proc and known[1] == waits:
                _, _, current, cpu, held = known
            else:
                ident = proc.ident
                if frames is None:
                    frames = _current_frames()
                frame = frames.get(ident) if ident is not None else None
                first, state = scan(frame)
                current = proc.initial_call if first is None else _current_of(proc, first)
                if ident is None:
                    cpu = 0.0
                elif ident == me:
                    cpu = time.thread_time() - proc.cpu_start
                else:
                    try:
                        cpu = clock(clock_of(ident)) - proc.cpu_start
                    except (OSError, OverflowError):
                        cpu = 0.0
                if cpu < 0.0:
                    cpu = 0.0
                if state is NO_STATE and not proc.saved and not proc.dictionary:
                    held = _BASE_SIZE  # holds nothing yet: no need to look
                else:
                    held = _memory(proc, state, budget, 0)
            if waiting:
                still[serial] = (proc, waits, current, cpu, held)
            append(
                new(  # Sample(...) without the Python-level __new__: 5,000 of them add up
                    Sample,
                    (
                        proc.pid,
                        proc.name,
                        proc.label,
                        proc.initial_call,
                        current,
                        "waiting" if waiting else "running",
                        queued + len(proc.saved),
                        cpu,
                        held + queued * _UNSIZED_MESSAGE,
                        proc.received,
                        proc.sent,
                    ),
                )
            )
        self._still = still
        return samples


def sample_all() -> list[Sample]:
    """A sample of every live process, oldest first (see Sampler)."""
    return Sampler().sample()
