"""``pyex.Shell``: drive a shell from code (tests, notebooks, tools)."""

from __future__ import annotations

import threading
from types import TracebackType
from typing import Any

from ..shell import Evaluation, Session

__all__ = ["Shell"]


class _CollectingDisplay:
    """Keeps what other processes print, for Shell.background_output()."""

    def __init__(self, width: int) -> None:
        self._width = width
        self._lock = threading.Lock()
        self._background: list[str] = []

    def command_output(self, text: str) -> None:
        pass  # the Evaluation carries it

    def background_output(self, text: str) -> None:
        with self._lock:
            self._background.append(text)

    def take_background(self) -> str:
        with self._lock:
            text = "".join(self._background)
            self._background.clear()
        return text

    def shell_down(self) -> None:
        pass  # the next eval() reports it

    def clear_screen(self) -> None:
        pass

    def width(self) -> int:
        return self._width


class Shell:
    """A pyex shell driven from code.

    ``shell.eval(source)`` runs a command in the shell process exactly as the
    console would and returns an Evaluation with ``.value``, ``.output`` (what
    it printed), ``.error`` and ``.text`` (what the console shows for it).
    Use it as a context manager, or call ``close()``.
    """

    def __init__(self, width: int = 80, namespace: dict[str, Any] | None = None) -> None:
        self._display = _CollectingDisplay(width)
        self._session = Session(self._display, namespace=namespace)
        self._session.start()

    @property
    def pid(self) -> Any:
        """The pid of the shell process (a new one after the shell process dies)."""
        return self._session.pid

    @property
    def namespace(self) -> dict[str, Any]:
        """The variables of the shell."""
        return self._session.namespace

    @property
    def prompt(self) -> str:
        """The prompt the console would show now, e.g. ``pyex(3)> ``."""
        return self._session.prompt()

    def eval(self, source: str, timeout: float | None = None) -> Evaluation:
        """Run ``source`` as one command in the shell process; see Evaluation."""
        return self._session.eval(source, timeout=timeout)

    def interrupt(self) -> bool:
        """Raise KeyboardInterrupt in the running command (the console's Ctrl+C)."""
        return self._session.interrupt()

    def background_output(self) -> str:
        """What other processes printed (and crash reports) since the last call."""
        return self._display.take_background()

    def close(self) -> None:
        """Stop the shell process."""
        self._session.close()

    def __enter__(self) -> Shell:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<pyex.Shell {self.pid}>"
