"""The shell's namespace: the contract's functions and the helpers, preloaded.

They live beneath the user's names, the way builtins do: the namespace's
``__builtins__`` is a dict of Python's builtins plus pyex's names, so a variable
called ``i`` hides the helper ``i()`` only until ``del i``.
"""

from __future__ import annotations

import builtins
import sys
import types
from typing import TYPE_CHECKING, Any

from .. import otp, runtime

if TYPE_CHECKING:
    from .session import Session

__all__ = ["build_namespace", "preloaded", "shell_builtins", "PROCESS_NAMES", "OTP_NAMES"]

PROCESS_NAMES = (
    "self",
    "spawn",
    "spawn_link",
    "spawn_monitor",
    "send",
    "receive",
    "flush",
    "alive",
    "info",
    "processes",
    "Process",
    "pid",
    "make_ref",
    "ANY",
    "Exit",
    "ReceiveTimeout",
    "NotRegisteredError",
    "Pid",
    "Ref",
)

OTP_NAMES = ("GenServer", "Supervisor", "DynamicSupervisor", "Agent", "Task")


def preloaded() -> dict[str, Any]:
    """The names of ``from pyex import ...`` that every shell starts with."""
    names: dict[str, Any] = {name: getattr(runtime, name) for name in PROCESS_NAMES}
    names.update((name, getattr(otp, name)) for name in OTP_NAMES)
    return names


def build_namespace(
    session: Session, namespace: dict[str, Any] | None = None, main_module: bool = False
) -> dict[str, Any]:
    """The dict commands run in, with the preloaded names and the helpers.

    With ``main_module``, it is the ``__dict__`` of a fresh ``__main__`` module
    installed in ``sys.modules`` (so that classes defined in the shell pickle),
    as the console and scripts want; programmatic shells keep their own.
    """
    from .helpers import Helpers

    if namespace is None:
        module = types.ModuleType("__main__", "The pyex shell's namespace.")
        namespace = module.__dict__
        if main_module:
            sys.modules["__main__"] = module
    layer = dict(vars(builtins))
    layer.update(preloaded())
    layer.update(Helpers(session).as_dict())
    namespace["__builtins__"] = layer
    return namespace


def shell_builtins(namespace: dict[str, Any]) -> dict[str, Any]:
    """The names beneath the user's: Python's builtins, pyex's functions and helpers."""
    layer = namespace.get("__builtins__", builtins)
    return layer if isinstance(layer, dict) else vars(layer)
