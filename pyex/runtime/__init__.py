"""The process runtime: Erlang-style processes on Python threads.

Layer 1 of pyex; it knows nothing of the layers above it (OTP behaviours, the
shell). Where a message goes: ``send`` (mailbox.py) copies it (copying.py) into
the receiver's inbox (process.py); ``receive`` (mailbox.py) takes it out,
matching patterns (patterns.py). Processes run on worker threads (workers.py),
are found by pid (table.py) or name (registry.py), and tell each other of their
exits through links and monitors (links.py, process.py).
"""

from .api import Process, self
from .copying import Shared, UncopyableError, copy_message
from .errors import Exit, NotRegisteredError, ProcessExit, ReceiveTimeout
from .introspection import alive, info, processes
from .mailbox import flush, receive, send
from .patterns import ANY
from .spawning import spawn, spawn_link, spawn_monitor
from .values import Pid, Ref, make_ref, pid

__all__ = [
    "ANY",
    "Exit",
    "NotRegisteredError",
    "Pid",
    "Process",
    "ProcessExit",
    "ReceiveTimeout",
    "Ref",
    "Shared",
    "UncopyableError",
    "alive",
    "copy_message",
    "flush",
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
]
