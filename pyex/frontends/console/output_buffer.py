"""Output waiting for a reader that may fall behind, kept within a bound (stdlib only).

Both ends of the console queue what processes print: the runtime for the
prompt process (bridge.py's outbox), the prompt process for its terminal
(terminal.py). A process that prints faster than the other end reads must
neither grow the queue without end nor block: past ``limit`` characters the
oldest text goes, counted, and whoever takes the text is told how much, in a
line before it.
"""

from __future__ import annotations

from collections import deque

__all__ = ["OutputBuffer"]


class OutputBuffer:
    """Text in arrival order, at most about ``limit`` characters of it; the oldest goes first.

    Not locked: its owner guards it with its own lock. A single piece longer
    than ``limit`` is kept whole (it is all there is to show).
    """

    __slots__ = ("limit", "_pieces", "_size", "_dropped")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._pieces: deque[str] = deque()
        self._size = 0
        self._dropped = 0

    def add(self, text: str) -> None:
        """Queue ``text``; drop the oldest pieces while there are more than ``limit`` characters."""
        if not text:
            return
        pieces = self._pieces
        pieces.append(text)
        self._size += len(text)
        while self._size > self.limit and len(pieces) > 1:
            dropped = pieces.popleft()
            self._size -= len(dropped)
            self._dropped += len(dropped)

    def take(self) -> str:
        """All the text queued, after a note of what was dropped (if anything), and empty."""
        text = "".join(self._pieces)
        if self._dropped:
            text = f"[pyex: {self._dropped} characters of output dropped]\n" + text
        self._pieces.clear()
        self._size = 0
        self._dropped = 0
        return text

    def __bool__(self) -> bool:
        return bool(self._pieces) or self._dropped > 0

    def __len__(self) -> int:
        """Characters queued now (not counting the note)."""
        return self._size
