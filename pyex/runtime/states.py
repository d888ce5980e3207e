"""The values a process record's two axes take, and the runtime's tokens (a leaf module).

A process has a *lifecycle* (``ALIVE`` -> ``EXITING`` -> ``DEAD``) and, while
alive, an *activity*: what its thread is doing -- ``RUNNING`` user code,
``WAITING`` in the runtime's blocking wait, or ``SHIELDED`` in one of the
runtime's critical sections. How a signal reaches a process depends on its
activity (see exits.py).

The tokens are objects no user code can make: ``WAKE`` is put in an inbox to
wake its owner for a signal (it is never a message), ``TIMEOUT`` is what a wait
returns when time ran out, and ``NORMAL_RETURN`` is how a process function
ended when it returned.
"""

from __future__ import annotations

__all__ = [
    "ALIVE",
    "EXITING",
    "DEAD",
    "RUNNING",
    "WAITING",
    "SHIELDED",
    "Token",
    "WAKE",
    "TIMEOUT",
    "NORMAL_RETURN",
]

# Lifecycle.
ALIVE = "alive"
EXITING = "exiting"
DEAD = "dead"

# Activity (only meaningful while ALIVE).
RUNNING = "running"
WAITING = "waiting"
SHIELDED = "shielded"


class Token:
    """A unique marker object, shown as ``<name>``."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


WAKE = Token("wake")  # put in an inbox to wake its owner for a signal
TIMEOUT = Token("timeout")  # returned by a wait when time ran out
NORMAL_RETURN = Token("normal return")  # a process function returned
