"""Whether anything must see every message go in and out (a leaf module).

``deliver`` (delivery.py) and ``take`` (taking.py) are the one way into and
out of a mailbox. Two public functions keep an inline copy of their fastest
case, for speed: ``send`` to a local pid, and ``receive()`` with no pattern
and no timeout. Both step aside while ``active`` is True, so that every
message then passes through ``deliver`` and ``take``: a tracer or a
distribution router sets ``active`` when it installs its hook there, and never
needs a second hook anywhere else.
"""

from __future__ import annotations

import threading

__all__ = ["active", "need"]

active = False

_lock = threading.Lock()
_needed: set[str] = set()


def need(who: str, on: bool) -> None:
    """``who`` (e.g. ``'tracing'``) needs every message to pass deliver and take, or no more.

    ``active`` stays True while anyone needs it.
    """
    global active
    with _lock:
        if on:
            _needed.add(who)
        else:
            _needed.discard(who)
        active = bool(_needed)
