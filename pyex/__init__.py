"""pyex: Elixir's iex, for Python.

An interactive console in which every command runs inside a process, on an
Erlang-style process runtime built on Python threads, with OTP's GenServer,
Supervisor, Agent and Task. ``from pyex import ...`` is the whole public surface.
"""

from .frontends.programmatic import Shell
from .otp import Agent, DynamicSupervisor, GenServer, Supervisor, Task, get_state
from .runtime import (
    ANY,
    Exit,
    NotRegisteredError,
    Pid,
    Process,
    ReceiveTimeout,
    Ref,
    Shared,
    UncopyableError,
    alive,
    flush,
    info,
    make_ref,
    pid,
    processes,
    receive,
    self,
    send,
    spawn,
    spawn_link,
    spawn_monitor,
)
from .version import __version__

__all__ = [
    "ANY",
    "Agent",
    "DynamicSupervisor",
    "Exit",
    "GenServer",
    "NotRegisteredError",
    "Pid",
    "Process",
    "ReceiveTimeout",
    "Ref",
    "Shared",
    "Shell",
    "Supervisor",
    "Task",
    "UncopyableError",
    "alive",
    "flush",
    "get_state",
    "info",
    "make_ref",
    "pid",
    "processes",
    "receive",
    "self",
    "send",
    "spawn",
    "spawn_link",
    "spawn_monitor",
    "__version__",
]
