"""Receive matchers for the messages the runtime itself sends (a leaf module).

- ``('DOWN', ref, 'process', who, reason)``: a monitor's (delivery.deliver_down);
- ``('EXIT', pid, reason)``: a link's exit signal to a process that traps exits
  (exits.signal_exit);
- ``(ref, reply)``: the answer to a request tagged with ``ref`` (a call's reply,
  a task's result).

A reference or pid matches by identity first, then by value when the message
holds one of its class (a reference that came back from another node is a new
object equal to the one sent); nothing else's ``__eq__`` is ever asked.
``ANY`` (the pattern that matches anything) in place of a reference or pid
matches any monitor's DOWN, anyone's EXIT, any reference's reply. Every
receive of pyex that waits for one of these uses the functions here.
"""

from __future__ import annotations

from typing import Any, Callable

from .patterns import ANY
from .values import Pid, Ref

__all__ = ["is_down", "down_of", "is_exit", "exit_from", "is_reply", "reply_or_down"]


def _is_ref(value: Any, ref: Any) -> bool:
    return value is ref or (isinstance(value, Ref) and value == ref)


def is_down(message: Any, ref: Any) -> bool:
    """Whether ``message`` is the DOWN of monitor ``ref`` (of any monitor for ``ANY``)."""
    return (
        message.__class__ is tuple
        and len(message) == 5
        and (_is_ref(message[1], ref) if ref is not ANY else isinstance(message[1], Ref))
        and message[0] == "DOWN"
    )


def down_of(ref: Any) -> Callable[[Any], bool]:
    """A receive matcher for the DOWN message of monitor ``ref``."""
    return lambda message: is_down(message, ref)


def is_exit(message: Any, pid: Any) -> bool:
    """Whether ``message`` is the ``('EXIT', pid, reason)`` of ``pid`` (of anyone for ``ANY``)."""
    return (
        message.__class__ is tuple
        and len(message) == 3
        and (
            message[1] is pid
            or (message[1].__class__ is Pid and (pid is ANY or message[1] == pid))
        )
        and message[0] == "EXIT"
    )


def exit_from(pid: Pid) -> Callable[[Any], bool]:
    """A receive matcher for the ``('EXIT', pid, reason)`` message of ``pid``."""
    return lambda message: is_exit(message, pid)


def is_reply(message: Any, ref: Any) -> bool:
    """Whether ``message`` is ``(ref, reply)`` (any reference's for ``ANY``)."""
    return (
        message.__class__ is tuple
        and len(message) == 2
        and (_is_ref(message[0], ref) if ref is not ANY else isinstance(message[0], Ref))
    )


def reply_or_down(ref: Any) -> Callable[[Any], bool]:
    """A receive matcher for ``(ref, reply)`` or the DOWN of monitor ``ref``: a request's end.

    ``is_reply`` and ``is_down`` written out in one function: it is every
    call's matcher, shown each message that arrives while a call waits.
    """

    def match(message: Any) -> bool:
        if message.__class__ is not tuple:
            return False
        size = len(message)
        if size == 2:
            first = message[0]
            return first is ref or (isinstance(first, Ref) and first == ref)
        return (
            size == 5
            and (message[1] is ref or (isinstance(message[1], Ref) and message[1] == ref))
            and message[0] == "DOWN"
        )

    return match
