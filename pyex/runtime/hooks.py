"""Whether anything must see every message go in and out (a leaf but for fastpath, itself one).

``deliver`` (delivery.py) and ``take`` (taking.py) are the one way into and
out of a mailbox. Two public functions keep an inline copy of their fastest
case, for speed: ``send`` to a local pid, and ``receive()`` with no pattern
and no timeout. Both step aside while ``active`` is True, so that every
message then passes through ``deliver`` and ``take``: a tracer or a
distribution router sets ``active`` when it installs its hook there, and never
needs a second hook anywhere else. The compiled fast path (fastpath.py) is
told too.
"""

from __future__ import annotations

import threading

from . import fastpath

__all__ = ["active", "need", "zombies", "zombie_appeared", "zombie_gone"]

# True while anyone needs every message to pass deliver and take.
active = False

# Processes the reaper finished while their code still runs (stuck in C, or
# swallowing their exit): declared dead, they must not act any more. While
# there is one, ``active`` is set too, so that every send goes through
# ``deliver``, which refuses a zombie sender -- at no cost to sends otherwise.
zombies = 0

_native = fastpath.native
_lock = threading.Lock()  # a leaf: nothing is taken while it is held
_needed: set[str] = set()


def _update() -> None:
    global active
    active = bool(_needed) or zombies > 0
    if _native is not None:
        _native.set_hooked(active)


def need(who: str, on: bool) -> None:
    """``who`` (e.g. ``'tracing'``) needs every message to pass deliver and take, or no more.

    ``active`` stays True while anyone needs it (or a zombie exists).
    """
    with _lock:
        if on:
            _needed.add(who)
        else:
            _needed.discard(who)
        _update()


def zombie_appeared() -> None:
    """A process was declared dead while its code runs on."""
    global zombies
    with _lock:
        zombies += 1
        _update()


def zombie_gone() -> None:
    """A zombie's code has unwound at last."""
    global zombies
    with _lock:
        zombies = max(0, zombies - 1)
        _update()
