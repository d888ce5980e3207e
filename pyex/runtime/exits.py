"""The exit protocol: exit signals arriving, the code settling, the exit finishing.

How a signal reaches a process's code depends on its activity, which the
process changes only under its lock (sections.py). While ``RUNNING`` user code,
an exception is raised into its thread (see async_exc). While ``WAITING`` in
the runtime's blocking wait, or ``SHIELDED`` in one of the runtime's critical
sections, no exception is ever raised into it: the signal leaves the
lifecycle ``EXITING`` and a wake-up token in the inbox, and the process raises
for itself once the section is over (``exit_now``). So a signal can never land
half-way through the runtime's own bookkeeping, and a message taken from the
inbox is never lost to an interrupt.

An exit signal that reaches running code can be caught by it (``except
BaseException``); the reaper (reaper.py) raises it again until the code has
unwound, and past a deadline finishes the process on its behalf, so that a kill
always takes effect for every other process.

The exit itself: ``settle`` fixes the reason from how the code ended, then
``finish`` tells links (exit signals) and monitors (DOWN), drops the name and
leaves the table -- once, whoever calls it first.
"""

from __future__ import annotations

import threading
import time
from queue import Empty
from typing import Any, Callable

from . import hooks, reaper, remote, tracing, wakeups
from .async_exc import clear_pending, raise_safely
from .binding import unbind
from .delivery import deliver, deliver_down, wake
from .errors import Exit, ProcessExit
from .node_state import NODE
from .record import ProcessRecord, raise_verdict
from .safe_points import cancel_safe_point
from .states import ALIVE, DEAD, EXITING, NORMAL_RETURN, RUNNING, SHIELDED, WAITING
from .values import Pid

__all__ = [
    "signal_exit",
    "exit_now",
    "begin",
    "settle",
    "finish",
    "watch_exit",
    "forget_watcher",
]


def _drop(message: Any) -> None:
    """The inbox of a dead process: messages sent to it vanish."""


def _raise_locked(proc: ProcessRecord, exc_type: type[BaseException]) -> bool:
    """Make the owner raise ``exc_type``; call with ``proc.lock`` held.

    Returns True when the caller *is* the owner running user code, and must
    raise itself once it has released the lock.
    """
    ident = proc.ident
    if ident is None:
        return False  # not started: the worker sees the lifecycle first
    if proc.activity is RUNNING:
        if ident == threading.get_ident():
            return True
        proc.raised_into = True
        raise_safely(ident, exc_type, raise_verdict(proc))
    elif proc.activity is WAITING and not proc.adopted:
        wakeups.wake_to_exit(proc)
    # SHIELDED: leave() will see the new lifecycle. An adopted thread WAITING
    # is woken by signal_exit, once it has finished its process.
    return False


def signal_exit(proc: ProcessRecord, sender: Pid, reason: Any, linked: bool = False) -> None:
    """Deliver an exit signal from ``sender`` with ``reason`` to ``proc`` (Erlang's rules).

    ``linked`` signals come from a linked process's exit and count only while
    the link stands; others come from ``Process.exit``.
    """
    raise_now = False
    with proc.lock:
        if proc.lifecycle is not ALIVE:
            return
        if linked:
            if sender not in proc.links:
                return
            proc.links.discard(sender)
        if not linked and reason.__class__ is str and reason == "kill":
            reason = "killed"
        elif proc.trap_exit:
            deliver(proc, ("EXIT", sender, reason))
            return
        elif reason.__class__ is str and reason == "normal" and (
            linked or sender != proc.pid
        ):
            return
        proc.lifecycle = EXITING
        proc.exit_reason = reason
        activity = proc.activity
        raise_now = _raise_locked(proc, ProcessExit)
    if proc.adopted:
        # No worker will run this process's exit: do it now, unless the
        # thread is in a runtime section, whose leave() will (finishing now
        # could miss a link or monitor the section is making).
        if activity is not SHIELDED:
            finish(proc)
            if activity is WAITING:
                wake(proc)  # after finish(), which empties the inbox
    elif activity is RUNNING and proc.ident is not None and not proc.reaping:
        # The exception raised into its code may be caught: watch it.
        proc.reaping = True
        reaper.watch(proc, finish)
    if raise_now:
        raise ProcessExit(reason)


def exit_now(proc: ProcessRecord) -> ProcessExit:
    """The owner found that a signal ended its process: the exception to raise.

    No worker runs an adopted thread's exit, so it is finished here; a worker's
    process is watched by the reaper until its code has unwound, in case that
    code catches the exception and carries on.
    """
    cancel_safe_point()  # a raise still on its way would only repeat this one
    if proc.adopted:
        finish(proc)
        unbind(proc)  # the thread's next use of the runtime adopts it anew
    elif not proc.reaping:
        proc.reaping = True
        reaper.watch(proc, finish)
    elif proc.lifecycle is DEAD:
        # The reaper finished it while its code ran on, and that code keeps
        # catching the exit and calling the runtime again: let it idle.
        return reaper.zombie_exit(proc)
    return ProcessExit(proc.exit_reason)


def begin(proc: ProcessRecord) -> bool:
    """Called by the worker before running the target: False if already ended."""
    proc.cpu_start = time.thread_time()
    with proc.lock:
        proc.ident = threading.get_ident()
        return proc.lifecycle is ALIVE


def settle(proc: ProcessRecord, outcome: Any) -> bool:
    """Fix the exit reason from how the code ended; True if it crashed.

    After this, no signal will raise into the thread any more, and one that was
    raised but not yet delivered is cancelled.
    """
    crashed = False
    with proc.lock:
        if proc.lifecycle is ALIVE:
            proc.lifecycle = EXITING
            if outcome is NORMAL_RETURN:
                reason: Any = "normal"
            elif isinstance(outcome, Exit):
                reason = outcome.reason
            elif isinstance(outcome, ProcessExit):
                reason = "killed"
            else:
                reason = outcome
                crashed = True
            proc.exit_reason = reason
        proc.settled = True
        if proc.zombie:  # its code has unwound at last
            proc.zombie = False
            hooks.zombie_gone()
    if proc.raised_into:
        # No exception raised into the thread may outlive the process.
        clear_pending()
    return crashed


def forget_watcher(proc: ProcessRecord, ref: Any) -> None:
    """Drop the monitor ``ref`` held on ``proc`` (its watcher demonitored)."""
    with proc.lock:
        proc.monitored_by.pop(ref, None)


def finish(proc: ProcessRecord) -> None:
    """Tell links and monitors, drop the name, leave the table (once)."""
    with proc.lock:
        if proc.lifecycle is DEAD:
            return
        if proc.lifecycle is ALIVE:  # an adopted thread that ended
            proc.exit_reason = "normal"
        proc.lifecycle = DEAD
        proc.put = _drop
        links, proc.links = proc.links, set()
        watchers, proc.monitored_by = proc.monitored_by, {}
        monitors, proc.monitors = proc.monitors, {}
        proc.monitor_names = None
        name, proc.name = proc.name, None
        proc.aliases.clear()
        reason = proc.exit_reason
        wake_slot, proc.wake_slot = proc.wake_slot, False
        on_exit, proc.on_exit = proc.on_exit, None
    if tracing.GUARD[0]:
        tracing.exited(proc, reason)
    if wake_slot:
        wakeups.release_slot()
    if name is not None:
        NODE.registry.release(name, proc)
    NODE.table.remove(proc)
    pid = proc.pid
    for ref, watched in monitors.items():
        other = NODE.table.lookup(watched) if watched.__class__ is Pid else None
        if other is not None:
            forget_watcher(other, ref)
    for linked_pid in sorted(links):
        other = NODE.table.lookup(linked_pid)
        if other is not None:
            signal_exit(other, pid, reason, linked=True)
    for ref, watcher in watchers.items():
        other = NODE.table.lookup(watcher)
        if other is not None:
            deliver_down(other, ref, pid, reason)
    if remote.handler() is not None:
        remote.tell_exit(pid, reason, links, watchers, monitors)
    # Messages left behind are garbage now.
    proc.saved.clear()
    try:
        while True:
            proc.inbox.get_nowait()
    except Empty:
        pass
    proc.dictionary = {}
    proc.target = None
    if on_exit is not None:
        try:
            on_exit(pid, reason)
        except Exception:  # an observer's bug must not break the runtime
            pass


def watch_exit(proc: ProcessRecord, callback: Callable[[Pid, Any], None]) -> None:
    """Call ``callback(pid, reason)`` once ``proc`` has exited (at once if it has).

    For layers above the runtime that observe a process from a thread that is
    not a process (a console's front end); processes use monitors.
    """
    with proc.lock:
        if proc.lifecycle is not DEAD:
            proc.on_exit = callback
            return
        reason = proc.exit_reason
    callback(proc.pid, reason)
