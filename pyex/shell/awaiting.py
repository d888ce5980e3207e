"""Top-level ``await`` at the prompt: one event loop for the whole session.

A command is compiled with ``ast.PyCF_ALLOW_TOP_LEVEL_AWAIT``; when it awaits,
its code object is a coroutine, run to completion on the session's event
loop in the shell process's own thread (so ``self()`` in it is the shell
process). The loop outlives every command, and every shell process: an
``asyncio.Queue`` or a task made in one command is usable in the next, and
tasks started in one command go on whenever a later one awaits (as in
IPython). Ctrl+C while a command awaits cancels the awaited task.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import threading
from types import CodeType, TracebackType
from typing import Any

__all__ = ["COMPILE_FLAGS", "SessionLoop", "is_coroutine_code"]

COMPILE_FLAGS = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT


def is_coroutine_code(code: CodeType) -> bool:
    """Whether running ``code`` gives a coroutine (it awaits at its top level)."""
    return bool(code.co_flags & inspect.CO_COROUTINE)


def _from_command(tb: TracebackType | None, code: CodeType) -> TracebackType | None:
    """``tb`` without the event loop's frames above the command's own."""
    start = tb
    while start is not None and start.tb_frame.f_code.co_filename != code.co_filename:
        start = start.tb_next
    return start if start is not None else tb


class SessionLoop:
    """The session's event loop, run by whichever shell process awaits."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[Any] | None = None

    def loop(self) -> asyncio.AbstractEventLoop:
        """The loop (made on first use; a new one if a killed command left it broken)."""
        with self._lock:
            loop = self._loop
            if loop is None or loop.is_closed() or loop.is_running():
                loop = self._loop = asyncio.new_event_loop()
            return loop

    def run(self, code: CodeType, namespace: dict[str, Any]) -> Any:
        """Run a compiled command part: its value (None for statements)."""
        loop = self.loop()
        # The loop is the shell process's current one, so that a command that
        # does not await (asyncio.ensure_future(...)) finds it too.
        asyncio.set_event_loop(loop)
        if not is_coroutine_code(code):
            return eval(code, namespace)
        task = loop.create_task(eval(code, namespace))
        with self._lock:
            self._task = task
        try:
            return loop.run_until_complete(task)
        except asyncio.CancelledError:
            if task.cancelled():
                raise KeyboardInterrupt from None
            raise
        except Exception as exc:
            raise exc.with_traceback(_from_command(exc.__traceback__, code))  # noqa: B904 - itself
        finally:
            with self._lock:
                self._task = None

    def cancel(self) -> bool:
        """Cancel the task a command awaits (Ctrl+C); False if none does."""
        with self._lock:
            task, loop = self._task, self._loop
        if task is None or loop is None or task.done():
            return False
        try:
            loop.call_soon_threadsafe(task.cancel)
        except RuntimeError:  # the loop closed meanwhile
            return False
        return True

    def close(self) -> None:
        """Close the loop (the session ends)."""
        with self._lock:
            loop, self._loop = self._loop, None
        if loop is not None and not loop.is_running():
            loop.close()
