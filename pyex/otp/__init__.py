"""OTP behaviours on pyex's runtime: GenServer, Supervisor, DynamicSupervisor, Agent, Task.

Layer 2 of pyex, built only on ``pyex.runtime``. Each behaviour keeps OTP's
callbacks and return shapes, with strings for Elixir's atoms, so Elixir's docs
translate line by line. Where a call goes: ``GenServer.call`` (gen_server.py)
-> the call protocol (calls.py), which hands the GIL over to the server
(handoff.py) -> the server's loop (gen_server.py) -> a callback -> the reply.
Processes start synchronously (starting.py). Supervisors (supervisor.py,
dynamic_supervisor.py) are GenServers that start, stop and restart children
(supervision.py) described by child specs (child_spec.py); Agent (agent.py)
is one too, Task (task.py) is a plain linked process. ``get_state(server)``
is Erlang's ``:sys.get_state`` (system.py); crash reports are written by
crash_reports.py.
"""

from .agent import Agent
from .child_spec import ChildSpecError
from .dynamic_supervisor import DynamicSupervisor
from .gen_server import GenServer
from .supervisor import Supervisor
from .system import get_state
from .task import Task

__all__ = [
    "Agent",
    "ChildSpecError",
    "DynamicSupervisor",
    "GenServer",
    "Supervisor",
    "Task",
    "get_state",
]
