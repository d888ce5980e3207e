"""The process runtime: Erlang-style processes on Python threads.

Layer 1 of pyex; it knows nothing of the layers above it (OTP behaviours, the
shell), which use it through this package's names and through
``pyex.runtime.internal`` only. Where a message goes: ``send`` (mailbox.py)
copies it (copying.py) and ``deliver`` (delivery.py) puts it in the receiver's
inbox; ``receive`` (mailbox.py) takes it out through ``take`` (taking.py),
matching patterns (patterns.py). A process is a record (record.py) whose
lifecycle and activity (states.py) change under its lock; it runs on a worker
thread (workers.py, binding.py, current.py), moves in and out of the runtime's
shielded sections (sections.py), is found by pid (table.py) or name
(registry.py) in the node's state (node_state.py), and tells others of its exit through links and monitors
(links.py, exits.py).
"""

from .api import Process, self
from .copying import Shared, UncopyableError, copy_message
from .errors import Exit, NotRegisteredError, ProcessExit, ReceiveTimeout
from .introspection import alive, info, processes
from .mailbox import flush, receive, send
from .node_state import make_ref
from .patterns import ANY
from .spawning import spawn, spawn_link, spawn_monitor
from .values import Pid, Ref, pid

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
