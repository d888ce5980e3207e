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

__all__ = ["active", "zombies", "zombie_appeared", "zombie_gone"]

active = False

# Processes the reaper finished while their code still runs (stuck in C, or
# swallowing their exit): declared dead, they must not act any more. While
# there is one, ``active`` is set too, so that every send goes through
# ``deliver``, which refuses a zombie sender -- at no cost to sends otherwise.
zombies = 0
_set_for_zombies = False


def zombie_appeared() -> None:
    """A process was declared dead while its code runs on (call under its lock)."""
    global zombies, active, _set_for_zombies
    zombies += 1
    if not active:
        active = _set_for_zombies = True


def zombie_gone() -> None:
    """A zombie's code has unwound at last."""
    global zombies, active, _set_for_zombies
    zombies -= 1
    if zombies <= 0:
        zombies = 0
        if _set_for_zombies:
            active = _set_for_zombies = False
