"""top(): the live full-screen process view, drawn by the prompt process.

The runtime's process samples the processes and sends only the rows there is
room for (shell/observer.py's TopModel, served by bridge.py); this view asks
for a page every refresh, and for another whenever a key changes what is
shown. Drawing happens here, in the prompt process, so the view stays smooth
however busy the processes are. While it is up, what processes print is kept
and shown above the prompt once the view is left.

Keys: arrows, PgUp/PgDn, Home/End move; c t m u r n i sort by CPU %, CPU
time, memory, queue, messages/s, name, pid (the same key again reverses);
``/`` filters as you type (Enter keeps it, Esc drops it); ``g`` jumps to a
pid; Enter shows the selected process in detail; Tab switches to the
supervision tree and back; ``k`` kills the selected process (after ``y``);
``p`` pauses; ``q`` or Esc goes back (from the detail view to the list, from
the list to the prompt).
"""

from __future__ import annotations

import asyncio
import shutil
from typing import Any, Callable

from prompt_toolkit.application import Application
from prompt_toolkit.filters import Condition
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout import Layout, Window
from prompt_toolkit.layout.controls import FormattedTextControl
from prompt_toolkit.output import ColorDepth
from prompt_toolkit.styles import Style

from .protocol import Message, MessageReader, MessageWriter

__all__ = ["TopView", "REFRESH_SECONDS", "SORT_KEYS"]

REFRESH_SECONDS = 1.0

# key -> sort column (names sort A-Z, figures largest first)
SORT_KEYS = {
    "c": "cpu",
    "t": "cpu_time",
    "m": "memory",
    "u": "queue",
    "r": "rate",
    "n": "name",
    "i": "pid",
}

# (heading, width, right-aligned); the last column takes what is left
COLUMNS = (
    ("PID", 14, False),
    ("NAME", 24, False),
    ("STATUS", 8, False),
    ("QUEUE", 6, True),
    ("CPU %", 6, True),
    ("CPU TIME", 9, True),
    ("MSGS/S", 7, True),
    ("MEMORY", 9, True),
    ("CURRENT FUNCTION", 0, False),
)

STYLE = Style.from_dict(
    {
        "title": "bold",
        "heading": "reverse",
        "selected": "reverse",
        "notice": "bold",
        "help": "",
        "section": "bold underline",
    }
)

LIST, FILTER, JUMP, CONFIRM, DETAIL, TREE = "list", "filter", "jump", "confirm", "detail", "tree"
HEADER_LINES = 3  # title, summary, column headings
FOOTER_LINES = 1


def _fit(text: str, width: int, right: bool = False) -> str:
    if width <= 0:
        return text
    if len(text) > width:
        text = text[: max(0, width - 1)] + "…"
    return text.rjust(width) if right else text.ljust(width)


def format_row(cells: list[str], columns: int) -> str:
    """One row's cells laid out in the view's columns, cut at the screen's width."""
    parts = [_fit(cell, width, right) for cell, (_, width, right) in zip(cells, COLUMNS, strict=False)]
    return " ".join(parts)[:columns]


class TopView:
    """One showing of the view; ``run()`` returns when the user leaves it."""

    def __init__(
        self,
        writer: MessageWriter,
        reader: MessageReader,
        keep: Callable[[Message], None],
        options: dict[str, Any] | None = None,
        color: bool = True,
    ) -> None:
        self.writer = writer
        self.reader = reader
        self.keep = keep  # what else the runtime sends meanwhile: shown after the view
        self.color = color
        options = options or {}
        self.sort = str(options.get("sort") or "cpu")
        self.reverse = False
        self.filter = ""
        self.typed = ""
        self.mode = LIST
        self.paused = False
        self.cursor = 0
        self.offset = 0
        self.selected_pid: str | None = None
        self.page: dict[str, Any] = {"rows": [], "total": 0, "summary": "sampling..."}
        self.detail: dict[str, Any] | None = None
        self.tree = "asking the supervisors..."
        self.scroll = 0
        self.notice = ""
        self.gone = False
        self.jumping: str | None = None  # the pid a jump asked for, until its page comes
        self.app: Application[None] | None = None
        self._ticker: asyncio.Task[None] | None = None

    # -- talking to the runtime -----------------------------------------------

    def _size(self) -> tuple[int, int]:
        """(columns, lines) of the terminal the view is on."""
        if self.app is not None:
            try:
                size = self.app.output.get_size()
                return size.columns, size.rows
            except Exception:
                pass
        fallback = shutil.get_terminal_size((100, 30))
        return fallback.columns, fallback.lines

    def _limit(self) -> int:
        return max(1, self._size()[1] - HEADER_LINES - FOOTER_LINES)

    def request_page(self, refresh: bool = False, select: str | None = None) -> None:
        self.writer.send(
            {
                "op": "top_page",
                "refresh": refresh,
                "sort": self.sort,
                "reverse": self.reverse,
                "filter": self.typed if self.mode == FILTER else self.filter,
                "offset": self.offset,
                "limit": self._limit(),
                "select": select,
            }
        )

    def _on_readable(self) -> None:
        for message in self.reader.read_available():
            op = message.get("op", "")
            if op == "top_page":
                self._take_page(message)
            elif op == "top_detail":
                self.detail = message
            elif op == "top_tree":
                self.tree = message.get("text", "")
            elif op == "top_notice":
                self.notice = message.get("text", "")
                self.request_page(refresh=True, select=self.selected_pid)
            else:
                self.keep(message)
        if self.reader.eof:
            self.gone = True
            self._leave()
        if self.app is not None:
            self.app.invalidate()

    def _take_page(self, page: dict[str, Any]) -> None:
        self.page = page
        self.offset = int(page.get("offset") or 0)
        rows = page.get("rows") or []
        total = int(page.get("total") or 0)
        if page.get("selected") is not None:
            self.cursor = int(page["selected"])
        elif self.jumping is not None:
            self.notice = f"{self.jumping} is not in the list"
        self.jumping = None
        self.cursor = max(0, min(self.cursor, total - 1))
        index = self.cursor - self.offset
        if 0 <= index < len(rows):
            self.selected_pid = rows[index][0]

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(REFRESH_SECONDS)
            if self.paused:
                continue
            if self.mode in (LIST, FILTER, JUMP, CONFIRM):
                self.request_page(refresh=True, select=self.selected_pid)
            elif self.mode == DETAIL and self.selected_pid:
                self.writer.send({"op": "top_detail", "pid": self.selected_pid})
            elif self.mode == TREE:
                self.writer.send({"op": "top_tree"})

    # -- moving ---------------------------------------------------------------

    def move(self, delta: int) -> None:
        if self.mode in (DETAIL, TREE):
            self.scroll = max(0, self.scroll + delta)
            return
        total = int(self.page.get("total") or 0)
        if total == 0:
            return
        self.cursor = max(0, min(total - 1, self.cursor + delta))
        limit = self._limit()
        if self.cursor < self.offset:
            self.offset = self.cursor
        elif self.cursor >= self.offset + limit:
            self.offset = self.cursor - limit + 1
        rows = self.page.get("rows") or []
        index = self.cursor - int(self.page.get("offset") or 0)
        if 0 <= index < len(rows):
            self.selected_pid = rows[index][0]
        else:
            self.selected_pid = None
        self.request_page()

    def sort_by(self, column: str) -> None:
        if column == self.sort:
            self.reverse = not self.reverse
        else:
            self.sort, self.reverse = column, False
        self.request_page(select=self.selected_pid)

    def _leave(self) -> None:
        if self.app is not None and self.app.is_running:
            self.app.exit()

    # -- keys -----------------------------------------------------------------

    def key_bindings(self) -> KeyBindings:
        keys = KeyBindings()
        listing = Condition(lambda: self.mode == LIST)
        typing = Condition(lambda: self.mode in (FILTER, JUMP))
        confirming = Condition(lambda: self.mode == CONFIRM)
        browsing = Condition(lambda: self.mode in (LIST, DETAIL, TREE))
        reading = Condition(lambda: self.mode in (DETAIL, TREE))

        for key, column in SORT_KEYS.items():

            def sort(event: KeyPressEvent, column: str = column) -> None:
                self.sort_by(column)

            keys.add(key, filter=listing)(sort)

        @keys.add("up", filter=browsing)
        def _up(event: KeyPressEvent) -> None:
            self.move(-1)

        @keys.add("down", filter=browsing)
        def _down(event: KeyPressEvent) -> None:
            self.move(1)

        @keys.add("pageup", filter=browsing)
        def _page_up(event: KeyPressEvent) -> None:
            self.move(-self._limit())

        @keys.add("pagedown", filter=browsing)
        def _page_down(event: KeyPressEvent) -> None:
            self.move(self._limit())

        @keys.add("home", filter=browsing)
        def _home(event: KeyPressEvent) -> None:
            self.move(-(10**9))

        @keys.add("end", filter=browsing)
        def _end(event: KeyPressEvent) -> None:
            self.move(10**9)

        @keys.add("/", filter=listing)
        def _filter(event: KeyPressEvent) -> None:
            self.mode, self.typed = FILTER, self.filter

        @keys.add("g", filter=listing)
        def _jump(event: KeyPressEvent) -> None:
            self.mode, self.typed = JUMP, ""

        @keys.add("p", filter=browsing)
        def _pause(event: KeyPressEvent) -> None:
            self.paused = not self.paused

        @keys.add("k", filter=listing)
        def _kill(event: KeyPressEvent) -> None:
            if self.selected_pid:
                self.mode = CONFIRM

        @keys.add("y", filter=confirming)
        def _yes(event: KeyPressEvent) -> None:
            self.mode = LIST
            if self.selected_pid:
                self.writer.send({"op": "top_kill", "pid": self.selected_pid})

        @keys.add(Keys.Any, filter=confirming)
        def _no(event: KeyPressEvent) -> None:
            self.mode = LIST
            self.notice = "not killed"

        @keys.add("enter", filter=listing)
        def _detail(event: KeyPressEvent) -> None:
            if self.selected_pid:
                self.mode, self.scroll, self.detail = DETAIL, 0, None
                self.writer.send({"op": "top_detail", "pid": self.selected_pid})

        @keys.add("tab", filter=Condition(lambda: self.mode in (LIST, TREE)))
        def _tab(event: KeyPressEvent) -> None:
            if self.mode == TREE:
                self.mode = LIST
                self.request_page(refresh=True, select=self.selected_pid)
            else:
                self.mode, self.scroll = TREE, 0
                self.writer.send({"op": "top_tree"})

        @keys.add("q", filter=reading)
        @keys.add("escape", filter=reading)
        def _back(event: KeyPressEvent) -> None:
            self.mode = LIST
            self.request_page(refresh=True, select=self.selected_pid)

        @keys.add("q", filter=listing)
        @keys.add("c-c")
        @keys.add("c-d")
        def _quit(event: KeyPressEvent) -> None:
            self._leave()

        @keys.add("enter", filter=typing)
        def _accept(event: KeyPressEvent) -> None:
            if self.mode == FILTER:
                self.filter = self.typed
                self.cursor = self.offset = 0
                self.mode = LIST
                self.request_page()
            else:
                wanted = self.typed.strip().removeprefix("#PID<").removesuffix(">")
                if wanted.isdigit():
                    wanted = f"0.{wanted}.0"
                self.mode = LIST
                self.selected_pid = None  # until the page says where it is
                self.jumping = f"#PID<{wanted}>"
                self.notice = ""
                self.request_page(select=self.jumping)

        @keys.add("escape", filter=typing)
        def _cancel(event: KeyPressEvent) -> None:
            self.mode = LIST
            self.request_page(select=self.selected_pid)

        @keys.add("backspace", filter=typing)
        def _erase(event: KeyPressEvent) -> None:
            self.typed = self.typed[:-1]
            if self.mode == FILTER:
                self.cursor = self.offset = 0
                self.request_page()

        @keys.add(Keys.Any, filter=typing)
        def _type(event: KeyPressEvent) -> None:
            if event.data.isprintable():
                self.typed += event.data
                if self.mode == FILTER:
                    self.cursor = self.offset = 0
                    self.request_page()

        return keys

    # -- drawing --------------------------------------------------------------

    def _title(self) -> str:
        tab = {DETAIL: "process", TREE: "supervision tree"}.get(self.mode, "processes")
        state = "  [paused]" if self.paused else ""
        return f"pyex top - {tab}{state}"

    def render(self) -> StyleAndTextTuples:
        columns, lines = self._size()
        out: StyleAndTextTuples = [("class:title", self._title()[:columns] + "\n")]
        if self.mode == DETAIL:
            body = self._detail_lines()
            help_text = "Up/Down scroll  q back"
        elif self.mode == TREE:
            body = self.tree.split("\n")
            help_text = "Up/Down scroll  Tab processes  q back"
        else:
            return out + self._list(columns, lines)
        height = max(1, lines - 1 - FOOTER_LINES)
        self.scroll = min(self.scroll, max(0, len(body) - height))
        shown = body[self.scroll : self.scroll + height]
        for line in shown:
            style = "class:section" if line.startswith("## ") else ""
            out.append((style, line.removeprefix("## ")[:columns] + "\n"))
        out.append(("", "\n" * (height - len(shown))))
        out.append(("class:help", help_text[:columns]))
        return out

    def _detail_lines(self) -> list[str]:
        if self.detail is None:
            return ["asking..."]
        lines = [f"## {self.detail.get('pid', '')}"]
        for title, text in self.detail.get("sections") or []:
            lines += ["", f"## {title}", *str(text).split("\n")]
        return lines

    def _list(self, columns: int, lines: int) -> StyleAndTextTuples:
        page = self.page
        summary = str(page.get("summary", ""))
        arrow = "up" if self.reverse else "down"
        sort_text = f"sort {self.sort} {arrow}"
        if self.filter:
            sort_text += f", filter {self.filter!r} ({page.get('total', 0)} shown)"
        at = f", at {self.selected_pid}" if self.selected_pid else ""
        out: StyleAndTextTuples = [("", f"{summary}  {sort_text}{at}"[:columns] + "\n")]
        headings = [heading for heading, _, _ in COLUMNS]
        out.append(("class:heading", format_row(headings, columns).ljust(columns) + "\n"))
        rows = page.get("rows") or []
        offset = int(page.get("offset") or 0)
        limit = max(1, lines - HEADER_LINES - FOOTER_LINES)
        for index, cells in enumerate(rows[:limit]):
            style = "class:selected" if offset + index == self.cursor else ""
            out.append((style, format_row(cells, columns).ljust(columns) + "\n"))
        out.append(("", "\n" * max(0, limit - len(rows))))
        out.append(self._footer(columns))
        return out

    def _footer(self, columns: int) -> tuple[str, str]:
        if self.mode == FILTER:
            return ("class:notice", f"filter: {self.typed}_"[:columns])
        if self.mode == JUMP:
            return ("class:notice", f"jump to pid: {self.typed}_"[:columns])
        if self.mode == CONFIRM:
            return ("class:notice", f"kill {self.selected_pid}? (y/n)"[:columns])
        if self.notice:
            return ("class:notice", self.notice[:columns])
        help_text = "q quit  Enter detail  Tab tree  / filter  g jump  k kill  p pause  sort: c t m u r n i"
        return ("class:help", help_text[:columns])

    # -- running ----------------------------------------------------------------

    def run(self) -> None:
        """Show the view until the user leaves it (or the runtime goes)."""
        self.app = Application(
            layout=Layout(Window(FormattedTextControl(self.render, show_cursor=False))),
            key_bindings=self.key_bindings(),
            style=STYLE,
            full_screen=True,
            color_depth=None if self.color else ColorDepth.DEPTH_1_BIT,
        )

        def started() -> None:
            loop = asyncio.get_running_loop()
            loop.add_reader(self.reader.fd, self._on_readable)
            self.request_page(refresh=True)
            self._ticker = loop.create_task(self._tick())  # kept: a task nobody holds may vanish

        self.app.run(pre_run=started, handle_sigint=False)
        if not self.gone:
            self.writer.send({"op": "top_close"})
