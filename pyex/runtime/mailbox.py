"""Sending and selective receiving: the mailbox of every process.

A message travels ``send`` -> copy_message -> the receiver's ``inbox`` (a
``queue.SimpleQueue``, so per-sender order holds and no message is lost) ->
``receive``, which takes messages out in arrival order, keeps the ones no pattern
wants in the receiver's ``saved`` queue, and returns the first that matches.
"""

from __future__ import annotations

import sys
import time
from queue import Empty
from typing import Any, Callable

from . import registry, table
from .copying import ATOMIC_TYPES, copy_message
from .errors import NotRegisteredError, ReceiveTimeout
from .patterns import compile_patterns
from .process import DEAD, TIMEOUT, WAKE, Process, current, local
from .timeouts import wait_time
from .values import Pid

__all__ = [
    "send",
    "receive",
    "flush",
    "printable",
    "sleep",
    "receive_matching",
    "check_timeout",
    "UNSET",
]


class _Unset:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<unset>"


UNSET: Any = _Unset()

_local = local()


def check_timeout(timeout: Any, what: str = "timeout") -> float | None:
    """Validate a timeout in seconds: None (or infinity, or beyond the clock) waits forever.

    The runtime's one rule for timeouts: see ``timeouts.wait_time``.
    """
    return wait_time(timeout, what)


def _resolve(dest: Any) -> Process | None:
    """The process ``dest`` names (None if it is a dead pid); raises for bad input."""
    if isinstance(dest, Pid):
        return table.lookup(dest)
    if isinstance(dest, str):
        proc = registry.whereis(dest)
        if proc is None:
            raise NotRegisteredError(f"no process is registered as {dest!r}")
        return proc
    raise TypeError(
        f"a message must go to a pid or a registered name, got {dest!r} "
        f"({type(dest).__name__})"
    )


def send(dest: Any, message: Any) -> Any:
    """Send ``message`` to ``dest`` (a pid or a registered name) and return the message.

    The receiver gets a copy: mutating ``message`` afterwards never shows in its
    mailbox. Sending to a dead pid does nothing; to an unregistered name raises.
    """
    proc = dest._proc if dest.__class__ is Pid else None
    if proc is None:
        proc = _resolve(dest)
        if proc is None:
            return message
    proc.put(message if message.__class__ in ATOMIC_TYPES else copy_message(message))
    return message


def receive(*patterns: Any, timeout: float | None = None, default: Any = UNSET) -> Any:
    """Take the first message, in arrival order, that matches any of ``patterns``.

    With no patterns any message matches. Messages that do not match stay in the
    mailbox, in order. ``timeout`` is in seconds (0 polls); when it passes,
    return ``default`` if given, else raise ReceiveTimeout.
    Patterns: ANY, a type, a predicate, a tuple/list/dict of patterns, or a value.
    """
    try:
        proc: Process = _local.proc
    except AttributeError:
        proc = current()
    if not patterns and timeout is None and not proc.saved:
        try:
            item = proc.inbox.get_nowait()
        except Empty:
            pass
        else:
            if item is not WAKE:
                return item
            proc.check_signals()
    if proc.state is DEAD:
        # An adopted thread whose process was killed under it: a new process now.
        proc = current()
    return _receive(proc, compile_patterns(patterns), timeout, default)


def receive_matching(
    match: Callable[[Any], bool] | None, timeout: float | None = None, default: Any = UNSET
) -> Any:
    """receive() with a ready-made matcher function (for the OTP layer's hot paths)."""
    return _receive(current(), match, timeout, default)


def _receive(
    proc: Process, match: Callable[[Any], bool] | None, timeout: Any, default: Any
) -> Any:
    timeout = check_timeout(timeout)
    saved = proc.saved
    # 1. Messages already taken out but skipped by an earlier receive.
    if saved:
        if match is None:
            return saved.popleft()
        for index, message in enumerate(saved):
            if match(message):
                del saved[index]
                return message
    # 2. Messages waiting in the inbox, without blocking.
    inbox = proc.inbox
    while True:
        try:
            item = inbox.get_nowait()
        except Empty:
            break
        if item is WAKE:
            proc.check_signals()
            continue
        saved.append(item)
        if match is None or match(item):
            saved.pop()
            return item
    # 3. Block for new ones.
    deadline = None if timeout is None else time.monotonic() + timeout
    remaining = timeout
    while remaining is None or remaining > 0:
        item = proc.wait(remaining)  # a message is also appended to saved
        if item is TIMEOUT:
            break
        if item is not WAKE and (match is None or match(item)):
            saved.pop()
            return item
        if deadline is not None:
            remaining = deadline - time.monotonic()
    if default is not UNSET:
        return default
    raise ReceiveTimeout(f"no matching message arrived within {timeout:g} s")


def flush() -> None:
    """Print every message in the mailbox, one repr per line, oldest first, and remove them.

    A message whose ``repr`` raises is shown as ``<unprintable ...>``; the others
    are printed all the same.
    """
    proc = current()
    saved = proc.saved
    try:
        while True:
            item = proc.inbox.get_nowait()
            if item is WAKE:
                proc.check_signals()
            else:
                saved.append(item)
    except Empty:
        pass
    write = sys.stdout.write
    while saved:
        write(printable(saved.popleft()) + "\n")


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
    timeout = check_timeout(seconds, "sleep time")
    proc = current()
    deadline = None if timeout is None else time.monotonic() + timeout
    remaining = timeout
    while remaining is None or remaining > 0:
        if proc.wait(remaining) is TIMEOUT:
            return
        if deadline is not None:
            remaining = deadline - time.monotonic()
