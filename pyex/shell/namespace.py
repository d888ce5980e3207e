"""The shell's namespace: the contract's functions and the helpers, preloaded.

They live beneath the user's names, the way builtins do: the namespace's
``__builtins__`` is a dict of Python's builtins plus pyex's names, so a variable
called ``i`` hides the helper ``i()`` only until ``del i``.
"""

from __future__ import annotations

import builtins
import sys
import types
from typing import Any

from .. import otp, runtime

__all__ = [
    "build_namespace",
    "preloaded",
    "add_preloaded",
    "shell_builtins",
    "PROCESS_NAMES",
    "OTP_NAMES",
]

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

# Names a layer above adds (distribution: Node, rpc, Atom), by add_preloaded().
_added: dict[str, Any] = {}


def add_preloaded(names: dict[str, Any]) -> None:
    """Make ``names`` part of what every shell starts with (for a layer above the shell)."""
    _added.update(names)


def preloaded() -> dict[str, Any]:
    """The names of ``from pyex import ...`` that every shell starts with."""
    names: dict[str, Any] = {name: getattr(runtime, name) for name in PROCESS_NAMES}
    names.update((name, getattr(otp, name)) for name in OTP_NAMES)
    names.update(_added)
    return names


def build_namespace(
    helpers: dict[str, Any], namespace: dict[str, Any] | None = None, main_module: bool = False
) -> dict[str, Any]:
    """The dict commands run in, with the preloaded names and the ``helpers`` beneath.

    With ``main_module``, it is the ``__dict__`` of a fresh ``__main__`` module
    installed in ``sys.modules`` (so that classes defined in the shell pickle),
    as the console and scripts want; programmatic shells keep their own.
    """
    if namespace is None:
        module = types.ModuleType("__main__", "The pyex shell's namespace.")
        namespace = module.__dict__
        if main_module:
            sys.modules["__main__"] = module
    layer = dict(vars(builtins))
    layer.update(preloaded())
    layer.update(helpers)
    namespace["__builtins__"] = layer
    return namespace


def shell_builtins(namespace: dict[str, Any]) -> dict[str, Any]:
    """The names beneath the user's: Python's builtins, pyex's functions and helpers."""
    layer = namespace.get("__builtins__", builtins)
    return layer if isinstance(layer, dict) else vars(layer)
