"""Distribution: pyex as a node of an Erlang cluster (``from pyex import Node, rpc, Atom``).

A module per concept: terms.py (the external term format), epmd_client.py and
epmd.py (the port mapper), handshake.py, connection.py (framing, ticks), node.py
(the local node and the runtime's remote handler), services.py (net_kernel,
rex, spawn requests, group leaders), api.py (``Node``, ``rpc``).
"""

from .api import Node, rpc
from .terms import Atom
from ..shell.namespace import add_preloaded

add_preloaded({"Node": Node, "rpc": rpc, "Atom": Atom})  # every shell starts with them

__all__ = ["Atom", "Node", "rpc"]
