"""Sending and selective receiving: the mailbox of every process, as users see it.

A message travels ``send`` -> copy_message -> ``deliver`` (delivery.py) into the
receiver's inbox (a ``queue.SimpleQueue``, so per-sender order holds and no
message is lost) -> ``receive`` -> ``take`` (taking.py), which takes messages
out in arrival order, keeps the ones no pattern wants, and returns the first
that matches. ``send`` and ``receive`` keep a copy of their fastest case
inline, compiled when it can be (fastpath.py).
"""

from __future__ import annotations

import sys
import time
from queue import Empty
from typing import Any, Callable

from . import fastpath, hooks, remote
from .binding import local
from .copying import ATOMIC_TYPES, copy_message
from .current import current
from .delivery import deliver, resolve
from .patterns import compile_patterns
from .record import ProcessRecord
from .sections import check_signals, wait
from .states import DEAD, TIMEOUT, WAKE
from .taking import NOTHING, UNSET, take
from .timeouts import wait_time
from .values import Pid

__all__ = [
    "send",
    "receive",
    "flush",
    "printable",
    "sleep",
    "receive_matching",
    "UNSET",
]

_local = local()


def send(dest: Any, message: Any) -> Any:
    """Send ``message`` to ``dest`` (a pid or a registered name) and return the message.

    The receiver gets a copy: mutating ``message`` afterwards never shows in its
    mailbox. Sending to a dead pid does nothing; to an unregistered name raises.
    """
    proc = dest._proc if dest.__class__ is Pid else None
    if proc is None:
        if remote.is_remote(dest):
            _send_remote(dest, message)
            return message
        proc = resolve(remote.local_name(dest))
        if proc is None:
            return message
    elif not hooks.active:
        # deliver(), inline: the fastest case (see hooks.py).
        proc.put(message if message.__class__ in ATOMIC_TYPES else copy_message(message))
        try:
            _local.proc.sent += 1
        except AttributeError:
            pass
        return message
    deliver(proc, message if message.__class__ in ATOMIC_TYPES else copy_message(message))
    return message


def _send_remote(dest: Any, message: Any) -> None:
    """Hand a message for another node to the distribution layer (dropped if there is none)."""
    handler = remote.handler()
    if handler is not None:
        proc = getattr(_local, "proc", None)
        handler.send(proc.pid if proc is not None else None, dest, message)


def receive(*patterns: Any, timeout: float | None = None, default: Any = UNSET) -> Any:
    """Take the first message, in arrival order, that matches any of ``patterns``.

    With no patterns any message matches. Messages that do not match stay in the
    mailbox, in order. ``timeout`` is in seconds (0 polls); when it passes,
    return ``default`` if given, else raise ReceiveTimeout.
    Patterns: ANY, a type, a predicate, a tuple/list/dict of patterns, or a value.
    """
    try:
        proc: ProcessRecord = _local.proc
    except AttributeError:
        proc = current()
    if not patterns and timeout is None and not proc.saved and not hooks.active:
        # take()'s fastest case, inline (see hooks.py).
        try:
            for item in proc.drain:  # noqa: B007 (held at once: taking.py)
                break
        except Empty:
            pass
        else:
            if item is not WAKE:
                proc.received += 1
                return item
            check_signals(proc)
    if proc.lifecycle is DEAD:
        # An adopted thread whose process was killed under it: a new process now.
        proc = current()
    return take(proc, compile_patterns(patterns) if patterns else None, timeout, default)


# The same two functions, their fast cases compiled when the C module is built
# (fastpath.py): the names every importer gets.
if fastpath.native is not None:
    fastpath.native.configure(Pid, ProcessRecord, ATOMIC_TYPES, copy_message, WAKE, check_signals, Empty)
send = fastpath.accelerated(send, "send")
receive = fastpath.accelerated(receive, "receive")


def receive_matching(
    match: Callable[[Any], bool] | None, timeout: float | None = None, default: Any = UNSET
) -> Any:
    """receive() with a ready-made matcher function (for the OTP layer's hot paths)."""
    return take(current(), match, timeout, default)


def flush() -> None:
    """Print every message in the mailbox, one repr per line, oldest first, and remove them.

    A message whose ``repr`` raises is shown as ``<unprintable ...>``; the others
    are printed all the same. Interrupted (Ctrl+C), it loses nothing: the
    message it was showing stays first in the mailbox.
    """
    proc = current()
    write = sys.stdout.write
    while True:
        message = take(proc, None, 0, NOTHING)
        if message is NOTHING:
            return
        written = False
        try:
            line = printable(message) + "\n"
            # Written as an iterator's step, so that no interrupt can land
            # between the write and the flag that says it is done (taking.py).
            for _ in map(write, (line,)):
                written = True
        except BaseException:
            if not written:
                proc.saved.appendleft(message)  # back first, where it was
                proc.received -= 1
            raise


def printable(message: Any) -> str:
    """``repr(message)``, or a placeholder saying why there is none (never raises)."""
    try:
        return repr(message)
    except Exception as exc:  # a broken __repr__ must not stop the others
        try:
            why = f"{type(exc).__name__}: {exc}"
        except Exception:
            why = type(exc).__name__
        return f"<unprintable {type(message).__name__} object: {why}>"


def sleep(seconds: float | None) -> None:
    """Sleep ``seconds`` (None: forever). Messages that arrive wait in the mailbox."""
    timeout = wait_time(seconds, "sleep time")
    proc = current()
    deadline = None if timeout is None else time.monotonic() + timeout
    remaining = timeout
    while remaining is None or remaining > 0:
        if wait(proc, remaining) is TIMEOUT:
            return
        if deadline is not None:
            remaining = deadline - time.monotonic()
