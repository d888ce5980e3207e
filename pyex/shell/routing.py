"""Where a process's print() and input() go: through its group leader."""

from __future__ import annotations

from .ordered_input import install_ordered_input
from .output import install_stream_routers

__all__ = ["install_routers"]


def install_routers() -> None:
    """Route sys.stdout, sys.stderr and input() through group leaders (idempotent)."""
    install_ordered_input()
    install_stream_routers()
