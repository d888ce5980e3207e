"""The prompt process's terminal: output written as it comes, or above the prompt.

While a command runs, the prompt is gone and everything is written straight
to the terminal. While the prompt is up, what other processes print is
collected and written above the prompt a batch at a time (at most
``1 / FLUSH_INTERVAL`` redraws a second): the prompt is erased, the batch
written, the prompt drawn again. The text goes to the terminal byte for byte,
escape codes included, so a process that floods thousands of lines a second
neither garbles its output nor the prompt.

This is not prompt_toolkit's ``run_in_terminal`` (nor ``patch_stdout``, built
on it): that puts the terminal back in cooked mode while it writes, so keys
typed meanwhile are echoed by the terminal into the middle of the output, and
held back until Enter. Here the terminal stays in raw mode throughout.
"""

from __future__ import annotations

import threading
import time
from typing import Any, TextIO

from .output_buffer import OutputBuffer

__all__ = ["PromptTerminal"]

FLUSH_INTERVAL = 0.05
MAX_PENDING = 4_000_000  # characters kept while the terminal cannot keep up


class PromptTerminal:
    """The terminal a prompt_toolkit prompt comes and goes on: writes now, or above the prompt.

    Not a shell ``Display`` (that is the runtime's bridge.py): this one is the
    prompt process's, and knows nothing of sessions.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()  # guards the fields below
        self._write_lock = threading.Lock()  # one write to the terminal at a time
        self._app: Any = None  # the running prompt, or None while a command runs
        self._pending = OutputBuffer(MAX_PENDING)
        self._flush_scheduled = False
        self._last_flush = 0.0
        self.at_line_start = True

    def clear_screen(self) -> None:
        self.write("\x1b[H\x1b[2J\x1b[3J")
        self.at_line_start = True  # the cursor is on the first row: the prompt goes there

    # -- writing ----------------------------------------------------------

    def write(self, text: str) -> None:
        """Write to the terminal now (no prompt may be up)."""
        if not text:
            return
        with self._write_lock:
            try:
                self._stream.write(text)
                self._stream.flush()
            except (OSError, ValueError):
                return
            self.at_line_start = text.endswith("\n")

    def end_line(self) -> None:
        if not self.at_line_start:
            self.write("\n")

    def _emit(self, text: str) -> None:
        with self._lock:
            app = self._app
            if app is None:
                direct = True
            else:
                direct = False
                self._pending.add(text)
                schedule = not self._flush_scheduled
                self._flush_scheduled = True
        if direct:
            self.write(text)
        elif schedule:
            self._schedule(app)

    def _schedule(self, app: Any) -> None:
        delay = max(0.0, self._last_flush + FLUSH_INTERVAL - time.monotonic())
        try:
            app.loop.call_soon_threadsafe(self._flush_later, app, delay)
        except (RuntimeError, AttributeError):
            with self._lock:
                self._flush_scheduled = False  # prompt_ended() writes it

    def _flush_later(self, app: Any, delay: float) -> None:
        app.loop.call_later(delay, self._flush_above_prompt)

    def _take_pending(self) -> str:
        with self._lock:
            text = self._pending.take()
            self._flush_scheduled = False
            self._last_flush = time.monotonic()
        return text

    def _flush_above_prompt(self) -> None:
        # In the prompt's event loop.
        with self._lock:
            app = self._app
            if app is None or not app.is_running or app.is_done:
                # The prompt is being put away: prompt_ended() writes it all.
                self._flush_scheduled = False
                return
        text = self._take_pending()
        if not text:
            return
        if not text.endswith("\n"):
            text += "\n"  # the prompt is redrawn on a line of its own
        if getattr(app, "_running_in_terminal", False):
            self.write(text)  # run_in_terminal has the prompt erased already
            return
        app.renderer.erase()  # the cursor goes back to where the prompt began
        self.write(text)
        request_position = getattr(app, "_request_absolute_cursor_position", None)
        if request_position is not None:
            request_position()
        redraw = getattr(app, "_redraw", None)
        if redraw is not None:
            redraw()
        else:
            app.invalidate()

    def write_above_prompt(self, text: str) -> None:
        """Write ``text`` above the prompt if one is up, else now."""
        self._emit(text)

    # -- the prompt's comings and goings ------------------------------------

    def prompt_started(self, app: Any) -> None:
        with self._lock:
            self._app = app
            pending = bool(self._pending) and not self._flush_scheduled
            if pending:
                self._flush_scheduled = True
        if pending:
            self._schedule(app)

    def prompt_ended(self) -> None:
        with self._lock:
            self._app = None
        self.write(self._take_pending())
