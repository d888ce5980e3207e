"""Taking messages out of a mailbox: ``take``, the one way out.

Every message a process consumes leaves its mailbox through ``take`` (the
public ``receive`` and ``flush``, the OTP layer's loops and calls), in arrival
order: messages no matcher wants stay, in order, in the record's ``saved``
queue; the first that matches is returned. ``take_first_tagged`` is the one
variant: a call's peek at the first message while it is shielded.

Fast paths, kept here so that the layers above need none of their own:
``take(proc)`` with no matcher and no timeout (a GenServer's loop, a plain
``receive()``) takes the next message without building a matcher or a
deadline; ``take_first_tagged`` never blocks.

Where a tracing hook goes: at the one ``return message`` at the end of
``take`` (every message taken passes that line; a timeout returns earlier),
and the matching line of ``take_first_tagged``, behind a module-level guard
(``if tracing_enabled: ...``).

An interrupt never loses a message. The shell's Ctrl+C raises
KeyboardInterrupt into a running process asynchronously: CPython raises it
at the thread's next check point -- as a call returns, at a loop's backward
jump, as a Python function starts -- and an exception raised there drops
whatever value was on top of the stack. A message that a call had just
returned (``inbox.get_nowait()``, ``saved.popleft()``) would be in neither
the mailbox nor its taker's hands. So between a message's leaving the mailbox
and its reaching the code that called ``receive`` there is no check point:

- it leaves the inbox by ``for message in proc.drain: break`` (an iterator's
  next item is stored at once: no check point between them);
- it leaves ``saved`` by ``message = saved[i]`` then ``del saved[i]``
  (subscripts are not calls);
- nothing is called between its leaving and the ``return``. A message a
  matcher must look at is put in ``saved`` first (a matcher is user code: it
  may raise, or be interrupted).

Wherever the interrupt lands, then, the message is still in the mailbox, in
its place, or already returned.
"""

from __future__ import annotations

import time
from queue import Empty
from typing import Any, Callable

from .errors import ReceiveTimeout
from .record import ProcessRecord
from .sections import check_signals, wait
from .states import TIMEOUT, WAKE
from .timeouts import wait_time

__all__ = ["take", "mark", "take_first_tagged", "discard", "has_messages", "UNSET", "NOTHING"]

Matcher = Callable[[Any], bool]


class _Marker:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


UNSET: Any = _Marker("unset")  # no default given: a timeout raises ReceiveTimeout
NOTHING: Any = _Marker("nothing")  # no message (take_first_tagged, a default for take)


def take(
    proc: ProcessRecord,
    match: Matcher | None = None,
    timeout: Any = None,
    default: Any = UNSET,
    after: int = 0,
) -> Any:
    """Take ``proc``'s first message (in arrival order) that ``match`` accepts.

    Call it from ``proc``'s own thread. ``match`` None accepts any message;
    ``timeout`` in seconds (None: forever, 0: poll); when it passes, return
    ``default`` if given, else raise ReceiveTimeout. ``after`` is a ``mark``
    taken earlier: the messages before it are known not to match (Erlang's
    receive marker: a call's reply cannot be older than its request), so
    they are not looked at again, however many there are.
    """
    if match is None and timeout is None and not after:
        # The fast path: the next message, however long it takes.
        saved = proc.saved
        while True:
            if saved:
                message = saved[0]
                del saved[0]
                break
            try:
                for message in proc.drain:  # noqa: B007 (see the module's doc)
                    break
            except Empty:
                message = wait(proc, None)
                if message is not WAKE:
                    del saved[-1]  # wait() keeps the message in saved until now
                    break
            else:
                if message is not WAKE:
                    break
            check_signals(proc)
    else:
        message = _select(proc, match, wait_time(timeout), after)
        if message is NOTHING:
            if default is not UNSET:
                return default
            raise ReceiveTimeout(f"no matching message arrived within {timeout:g} s")
    proc.received += 1  # only the owner's thread takes, so only it counts
    return message


def mark(proc: ProcessRecord) -> int:
    """Where ``proc``'s mailbox ends now, for ``take(..., after=mark)``."""
    return len(proc.saved)


def _select(
    proc: ProcessRecord, match: Matcher | None, timeout: float | None, after: int = 0
) -> Any:
    """The first message ``match`` accepts within ``timeout``, or NOTHING."""
    saved = proc.saved
    # 1. Messages already taken out but skipped by an earlier take.
    if after:
        # Only those after the mark; indexing a deque near its end is cheap.
        for index in range(min(after, len(saved)), len(saved)):
            message = saved[index]
            if match is None or match(message):
                del saved[index]
                return message
    elif saved:
        if match is None:
            message = saved[0]
            del saved[0]
            return message
        for index, message in enumerate(saved):
            if match(message):
                del saved[index]
                return message
    # 2. Messages waiting in the inbox, without blocking.
    drain = proc.drain
    while True:
        try:
            for item in drain:  # noqa: B007 (see the module's doc)
                break
        except Empty:
            break
        if item is WAKE:
            check_signals(proc)
            continue
        if match is None:
            return item
        saved.append(item)  # in the mailbox while the matcher looks at it
        if match(item):
            del saved[-1]
            return item
    # 3. Block for new ones.
    deadline = None if timeout is None else time.monotonic() + timeout
    remaining = timeout
    while remaining is None or remaining > 0:
        item = wait(proc, remaining)  # a message is also appended to saved
        if item is TIMEOUT:
            break
        if item is not WAKE and (match is None or match(item)):
            del saved[-1]
            return item
        if deadline is not None:
            remaining = deadline - time.monotonic()
    return NOTHING


def take_first_tagged(proc: ProcessRecord, tag: Any) -> Any:
    """The first message of the inbox if it is a tuple whose first item is ``tag``, else NOTHING.

    Never blocks. For a call that has just sent its request (``tag`` is its
    fresh reference): none of the messages already in ``saved`` can be tagged
    with it, however many there are, so they are not looked at (the receive
    marker). Call it shielded (a WAKE token it meets is acted on when the
    section is left). Another message goes to the end of ``saved``, where its
    arrival order puts it.
    """
    saved = proc.saved
    try:
        for first in proc.drain:  # noqa: B007 (see the module's doc)
            break
    except Empty:
        return NOTHING
    if first is WAKE:  # (the section's leave() acts on what it stands for)
        return NOTHING
    if first.__class__ is tuple and first and first[0] is tag:
        proc.received += 1
        return first
    saved.append(first)  # the oldest message: saved keeps the order
    return NOTHING


def discard(proc: ProcessRecord, match: Matcher, after: int = 0) -> None:
    """Remove from ``proc``'s mailbox every message ``match`` accepts; never blocks.

    Call it shielded: a WAKE token it meets is dropped, and the section's
    leave acts on what it stood for. ``after`` is as for ``take``: the messages
    before that mark are not looked at.
    """
    saved = proc.saved
    try:
        for item in proc.drain:
            if item is not WAKE:
                saved.append(item)
    except Empty:
        pass
    for index in range(len(saved) - 1, min(after, len(saved)) - 1, -1):
        if match(saved[index]):
            del saved[index]


def has_messages(proc: ProcessRecord) -> bool:
    """True if a message waits in ``proc``'s mailbox (taken or not yet)."""
    return bool(proc.saved) or not proc.inbox.empty()
