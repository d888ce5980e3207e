"""A process: a pid, a mailbox, links and monitors, and the rules of its exit.

Every process runs in a thread of its own. Other threads act on it only through
the methods here, each under the process's lock:

- ``signal_exit`` delivers an exit signal (a link's or ``Process.exit``'s), which
  either becomes an ``('EXIT', from, reason)`` message (trapping exits) or makes
  the process exit;
- ``interrupt`` raises KeyboardInterrupt in it (the console's Ctrl+C);
- ``deliver_down`` and ``deliver_alias`` put the messages that only arrive while
  a monitor or alias is active.

How a signal reaches the process's code depends on its ``status``, which the
process changes only under its lock. While ``RUNNING`` user code, an exception is
raised into its thread (see async_exc). While ``WAITING`` in the runtime's
blocking wait, or ``SHIELDED`` in one of the runtime's critical sections, no
exception is ever raised into it: the signal leaves a flag and a wake-up token in
the inbox, and the process raises for itself once the section is over. So a
signal can never land half-way through the runtime's own bookkeeping, and a
message taken from the inbox is never lost to an interrupt.

An exit signal that reaches running code can be caught by it (``except
BaseException``); the reaper (reaper.py) raises it again until the code has
unwound, and past a deadline finishes the process on its behalf, so that a kill
always takes effect for every other process.

Lock order: a process's lock is never held while taking another process's lock
(the registry's lock may be held while taking a process's lock).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from queue import Empty, SimpleQueue
from typing import Any, Callable

from . import reaper, registry, table, wakeups
from .async_exc import clear_pending, raise_in_thread
from .errors import Exit, ProcessExit
from .values import Pid, Ref

__all__ = [
    "Process",
    "current",
    "ALIVE",
    "EXITING",
    "DEAD",
    "RUNNING",
    "WAITING",
    "SHIELDED",
    "WAKE",
    "TIMEOUT",
    "NORMAL_RETURN",
]

# Lifecycle states.
ALIVE = "alive"
EXITING = "exiting"
DEAD = "dead"

# What the process's thread is doing (only meaningful while ALIVE).
RUNNING = "running"
WAITING = "waiting"
SHIELDED = "shielded"


class _Token:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


WAKE = _Token("wake")  # put in an inbox to wake its owner for a signal
TIMEOUT = _Token("timeout")  # returned by Process.wait when time ran out
NORMAL_RETURN = _Token("normal return")  # a process function returned


def _drop(message: Any) -> None:
    """The inbox of a dead process: messages sent to it vanish."""


class Process:
    """The runtime's record of one process (internal; users hold only its Pid)."""

    __slots__ = (
        "pid",
        "inbox",
        "put",
        "saved",
        "lock",
        "state",
        "status",
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
        "raised_into",
        "monitor_names",
        "label",
        "cpu_start",
        "waits",
        "__weakref__",
    )

    pid: Pid

    def __init__(
        self,
        target: tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None,
        initial_call: tuple[str, str, int],
        group_leader: Any = None,
        adopted: bool = False,
    ) -> None:
        # Messages from other threads arrive in ``inbox``; ``saved`` holds, in
        # order, those the owner has taken out but not yet consumed (skipped by
        # a selective receive). Only the owner's thread touches ``saved``.
        self.inbox: SimpleQueue[Any] = SimpleQueue()
        self.put: Callable[[Any], None] = self.inbox.put
        self.saved: deque[Any] = deque()
        self.lock = threading.Lock()
        self.state = ALIVE
        self.status = RUNNING
        self.exit_reason: Any = None
        self.trap_exit = False
        self.links: set[Pid] = set()
        self.monitors: dict[Ref, Pid] = {}  # monitors this process holds
        self.monitored_by: dict[Ref, Pid] = {}  # monitors held on this process
        # Monitors this process holds by registered name: ref -> (name, node),
        # what their DOWN message names instead of the pid (None while none).
        self.monitor_names: dict[Ref, tuple[str, str]] | None = None
        self.aliases: set[Ref] = set()
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
        self.raised_into = False  # an exception was raised into its thread by another
        # Called with (pid, reason) once the exit is complete; see watch_exit().
        self.on_exit: Callable[[Pid, Any], None] | None = None
        self.label: Any = None  # Process.set_label's term
        # The thread's CPU clock when the process started on it (threads are
        # reused: a process's CPU time is the clock's advance since then).
        self.cpu_start = time.thread_time() if adopted else 0.0
        # How many times it has blocked in wait(): an observer that finds the
        # same count and the process still waiting knows it has not run since.
        self.waits = 0

    def __repr__(self) -> str:
        return f"<Process {self.pid} {self.state}>"

    # -- the owner's side -------------------------------------------------

    def enter(self, status: str) -> None:
        """Leave user code for a runtime section (WAITING or SHIELDED).

        Raises at once if a signal already ended the process or an interrupt is
        pending, so a section never starts on borrowed time.
        """
        with self.lock:
            if self.state is ALIVE:
                if not self.interrupt_pending:
                    self.status = status
                    return
                self.interrupt_pending = False
                raise KeyboardInterrupt
        raise self.exit_now()

    def leave(self) -> None:
        """Return to user code; raise what was signalled during the section."""
        self._raise_signalled(RUNNING)

    def exit_now(self) -> ProcessExit:
        """The owner found that a signal ended its process: the exception to raise.

        No worker runs an adopted thread's exit, so it is finished here; a
        worker's process is watched by the reaper until its code has unwound,
        in case that code catches the exception and carries on.
        """
        if self.adopted:
            self.finish()
            if getattr(_local, "proc", None) is self:
                del _local.proc  # the thread's next use of the runtime adopts it anew
        elif not self.reaping:
            self.reaping = True
            reaper.watch(self)
        elif self.state is DEAD:
            # The reaper finished it while its code ran on, and that code keeps
            # catching the exit and calling the runtime again: let it idle.
            time.sleep(reaper.GIVE_UP_SECONDS)
        return ProcessExit(self.exit_reason)

    def wait(self, timeout: float | None) -> Any:
        """Block for the next item of the inbox, at most ``timeout`` seconds.

        Returns ``TIMEOUT``, ``WAKE``, or a message, which is then also the last
        item of ``saved`` (kept there so that nothing is lost if a signal is
        raised now). Raises ProcessExit or KeyboardInterrupt when signalled.
        """
        self.waits += 1
        self.enter(WAITING)
        try:
            item = self.inbox.get(True, timeout)
        except Empty:
            item = TIMEOUT
        except BaseException:
            # A real signal (Ctrl+C in the main thread) interrupted the wait.
            with self.lock:
                self.status = RUNNING
            raise
        if item is not TIMEOUT and item is not WAKE:
            self.saved.append(item)
        self.leave()
        return item

    def check_signals(self) -> None:
        """Raise what a WAKE token stands for, if it still stands for anything."""
        self._raise_signalled(None)

    def _raise_signalled(self, status: str | None) -> None:
        """Set ``status`` (unless None), then raise what was signalled, if anything."""
        with self.lock:
            if status is not None:
                self.status = status
            if self.state is ALIVE:
                if not self.interrupt_pending:
                    return
                self.interrupt_pending = False
                raise KeyboardInterrupt
        raise self.exit_now()

    # -- other threads' side ----------------------------------------------

    def _raise_locked(self, exc_type: type[BaseException]) -> bool:
        """Make the owner raise ``exc_type``; call with the lock held.

        Returns True when the caller *is* the owner running user code, and
        must raise itself once it has released the lock.
        """
        ident = self.ident
        if ident is None:
            return False  # not started: the worker sees the state first
        if self.status is RUNNING:
            if ident == threading.get_ident():
                return True
            self.raised_into = True
            raise_in_thread(ident, exc_type)
        elif self.status is WAITING and not self.adopted:
            wakeups.wake_to_exit(self)
        # SHIELDED: leave() will see the new state. An adopted thread WAITING
        # is woken by signal_exit, once it has finished its process.
        return False

    def signal_exit(self, sender: Pid, reason: Any, linked: bool = False) -> None:
        """Deliver an exit signal from ``sender`` with ``reason`` (Erlang's rules).

        ``linked`` signals come from a linked process's exit and count only
        while the link stands; others come from ``Process.exit``.
        """
        raise_now = False
        with self.lock:
            if self.state is not ALIVE:
                return
            if linked:
                if sender not in self.links:
                    return
                self.links.discard(sender)
            if not linked and reason.__class__ is str and reason == "kill":
                reason = "killed"
            elif self.trap_exit:
                self.inbox.put(("EXIT", sender, reason))
                return
            elif reason.__class__ is str and reason == "normal" and (
                linked or sender != self.pid
            ):
                return
            self.state = EXITING
            self.exit_reason = reason
            status = self.status
            raise_now = self._raise_locked(ProcessExit)
        if self.adopted:
            # No worker will run this process's exit: do it now, unless the
            # thread is in a runtime section, whose leave() will (finishing
            # now could miss a link or monitor the section is making).
            if status is not SHIELDED:
                self.finish()
                if status is WAITING:
                    self.inbox.put(WAKE)  # after finish(), which empties the inbox
        elif status is RUNNING and self.ident is not None and not self.reaping:
            # The exception raised into its code may be caught: watch it.
            self.reaping = True
            reaper.watch(self)
        if raise_now:
            raise ProcessExit(reason)

    def interrupt(self) -> bool:
        """Raise KeyboardInterrupt in the process (the console's Ctrl+C)."""
        with self.lock:
            if self.state is not ALIVE or self.ident is None:
                return False
            if self.status is RUNNING:
                if self.ident == threading.get_ident():
                    raise KeyboardInterrupt
                self.raised_into = True
                raise_in_thread(self.ident, KeyboardInterrupt)
                # If it blocks in the runtime's wait before the exception is
                # raised, the token wakes it so that the exception can be.
                self.inbox.put(WAKE)
            else:
                self.interrupt_pending = True
                self.inbox.put(WAKE)
        return True

    def deliver_down(self, ref: Ref, watched: Pid, reason: Any) -> None:
        """Put the DOWN message of monitor ``ref``, unless it was demonitored."""
        with self.lock:
            if self.monitors.pop(ref, None) is None:
                return
            names = self.monitor_names
            if names is not None and ref in names:
                watched = names.pop(ref)  # a monitor by name: DOWN names (name, node)
            self.inbox.put(("DOWN", ref, "process", watched, reason))

    def deliver_alias(self, ref: Ref, message: Any) -> bool:
        """Put ``message`` only while the alias ``ref`` is active."""
        with self.lock:
            if ref not in self.aliases:
                return False
            self.inbox.put(message)
            return True

    def forget_watcher(self, ref: Ref) -> None:
        with self.lock:
            self.monitored_by.pop(ref, None)

    # -- exit ---------------------------------------------------------------

    def begin(self) -> bool:
        """Called by the worker before running the target: False if already ended."""
        self.cpu_start = time.thread_time()
        with self.lock:
            self.ident = threading.get_ident()
            return self.state is ALIVE

    def settle(self, outcome: Any) -> bool:
        """Fix the exit reason from how the code ended; True if it crashed.

        After this, no signal will raise into the thread any more, and one that
        was raised but not yet delivered is cancelled.
        """
        crashed = False
        with self.lock:
            if self.state is ALIVE:
                self.state = EXITING
                if outcome is NORMAL_RETURN:
                    reason: Any = "normal"
                elif isinstance(outcome, Exit):
                    reason = outcome.reason
                elif isinstance(outcome, ProcessExit):
                    reason = "killed"
                else:
                    reason = outcome
                    crashed = True
                self.exit_reason = reason
            self.settled = True
        if self.raised_into or self.reaping:
            # No exception raised into the thread may outlive the process.
            clear_pending()
            if self.reaping:
                reaper.disarm()
        return crashed

    def finish(self) -> None:
        """Tell links and monitors, drop the name, leave the table (once)."""
        with self.lock:
            if self.state is DEAD:
                return
            if self.state is ALIVE:  # an adopted thread that ended
                self.exit_reason = "normal"
            self.state = DEAD
            self.put = _drop
            links, self.links = self.links, set()
            watchers, self.monitored_by = self.monitored_by, {}
            monitors, self.monitors = self.monitors, {}
            self.monitor_names = None
            name, self.name = self.name, None
            self.aliases.clear()
            reason = self.exit_reason
            wake_slot, self.wake_slot = self.wake_slot, False
            on_exit, self.on_exit = self.on_exit, None
        if wake_slot:
            wakeups.release_slot()
        if name is not None:
            registry.release(name, self)
        table.remove(self)
        for ref, watched in monitors.items():
            other = table.lookup(watched) if watched.__class__ is Pid else None
            if other is not None:
                other.forget_watcher(ref)
        for linked_pid in sorted(links):
            other = table.lookup(linked_pid)
            if other is not None:
                other.signal_exit(self.pid, reason, linked=True)
        for ref, watcher in watchers.items():
            other = table.lookup(watcher)
            if other is not None:
                other.deliver_down(ref, self.pid, reason)
        # Messages left behind are garbage now.
        self.saved.clear()
        try:
            while True:
                self.inbox.get_nowait()
        except Empty:
            pass
        self.dictionary = {}
        self.target = None
        if on_exit is not None:
            try:
                on_exit(self.pid, reason)
            except Exception:  # an observer's bug must not break the runtime
                pass

    def watch_exit(self, callback: Callable[[Pid, Any], None]) -> None:
        """Call ``callback(pid, reason)`` once this process has exited (at once if it has).

        For layers above the runtime that observe a process from a thread that
        is not a process (a console's front end); processes use monitors.
        """
        with self.lock:
            if self.state is not DEAD:
                self.on_exit = callback
                return
            reason = self.exit_reason
        callback(self.pid, reason)


class shielded:
    """``with shielded(proc):`` runs a runtime critical section that no signal interrupts."""

    __slots__ = ("proc",)

    def __init__(self, proc: Process) -> None:
        self.proc = proc

    def __enter__(self) -> Process:
        self.proc.enter(SHIELDED)
        return self.proc

    def __exit__(self, *exc_info: Any) -> None:
        if exc_info[0] is None:
            self.proc.leave()
            return
        with self.proc.lock:
            self.proc.status = RUNNING
            ended = self.proc.state is not ALIVE
        if ended:
            # A signal that came during the section wins over its error.
            raise self.proc.exit_now() from exc_info[1]


# -- the current process ------------------------------------------------------

_local = threading.local()


class _ThreadEndGuard:
    """Lives in an adopted thread's local storage; ends its process with the thread."""

    __slots__ = ("proc",)

    def __init__(self, proc: Process) -> None:
        self.proc = proc

    def __del__(self) -> None:
        try:
            self.proc.finish()
        except Exception:  # interpreter shutdown: nothing left to tell
            pass


def adopt() -> Process:
    """Make the calling thread (not started by the runtime) a process."""
    name = threading.current_thread().name
    proc = Process(None, ("thread", name, 0), adopted=True)
    table.add(proc)
    _local.proc = proc
    _local.guard = _ThreadEndGuard(proc)
    return proc


def current() -> Process:
    """The calling thread's process, making the thread one if it is not yet."""
    try:
        proc: Process = _local.proc
    except AttributeError:
        return adopt()
    if proc.state is DEAD and proc.adopted:
        return adopt()
    return proc


def retire_current() -> None:
    """End the calling thread's adopted process (exit reason 'normal').

    The thread's next use of the runtime makes it a fresh process, with a new
    pid and an empty mailbox: what a test harness wants between tests.
    """
    proc = getattr(_local, "proc", None)
    if proc is None or not proc.adopted:
        return
    proc.finish()
    del _local.proc
    _local.guard = None


def bind(proc: Process | None) -> None:
    """Make ``proc`` the calling worker thread's process (None to unbind)."""
    if proc is None:
        try:
            del _local.proc
        except AttributeError:
            pass
    else:
        _local.proc = proc


def local() -> threading.local:
    """The thread-local record the fast paths read the current process from."""
    return _local
