"""Watching the processes: the supervision tree as text, and the model behind top().

``tree_text`` draws every supervisor's children (id, pid, worker/supervisor,
restart type, restarts against the allowed intensity), asking each
supervisor for its state with a bounded timeout, so a child that dies during
the walk or a supervisor that answers slowly shows as such instead of
stopping it. ``TopModel`` turns repeated samples of all processes
(runtime.introspection.Sampler) into rows with rates (CPU % over the refresh
window, messages per second), sorts, filters and pages them, and describes a
single process in detail; the console's full-screen view and the one-shot
table of a scripted session are both drawn from it.
"""

from __future__ import annotations

import pprint
import time
from typing import Any, Callable

from ..runtime import Exit, Pid, info
from ..runtime import pid as make_pid
from ..runtime.internal import (
    NO_STATE,
    Sample,
    Sampler,
    class_owner,
    dictionary_of,
    exit_signal,
    held_state_of,
    named_pid,
)
from .hosting import from_outside

__all__ = [
    "tree_text",
    "TopModel",
    "Row",
    "cells",
    "COLUMNS",
    "SORT_KEYS",
    "format_table",
    "top_table",
    "describe_name",
    "format_bytes",
]

SUPERVISORS = ("Supervisor", "DynamicSupervisor")
ANSWER_TIMEOUT = 1.0  # seconds one supervisor may take to give its state
TREE_DEADLINE = 5.0  # seconds the whole walk may take


# -- the supervision tree -----------------------------------------------------


def _behaviour(pid: Pid) -> str | None:
    dictionary = dictionary_of(pid)
    if dictionary is None:
        return None
    behaviour = dictionary.get("$behaviour")
    return behaviour if isinstance(behaviour, str) else None


def top_supervisors(pids: list[Pid]) -> list[Pid]:
    """The supervisors among ``pids`` that no supervisor supervises, oldest first."""
    found = []
    for candidate in pids:
        dictionary = dictionary_of(candidate)
        if dictionary is None or dictionary.get("$behaviour") not in SUPERVISORS:
            continue
        ancestors = dictionary.get("$ancestors") or []
        parent = ancestors[0] if ancestors else None
        if parent is None or _behaviour(parent) not in SUPERVISORS:
            found.append(candidate)
    return found


def _restarts(intensity: Any) -> str:
    try:
        now = time.monotonic()
        recent = sum(1 for when in intensity.restarts if when >= now - intensity.max_seconds)
        return f"restarts {recent}/{intensity.max_restarts} in {intensity.max_seconds:g} s"
    except Exception:
        return "restarts ?"


def _children_of(state: Any) -> list[tuple[Any, Any, str, str]]:
    """``[(id, pid or None, type, restart)]`` from a Supervisor's or DynamicSupervisor's state."""
    children = state.children
    if isinstance(children, dict):  # a DynamicSupervisor: pid -> spec
        return [
            ("undefined", child, spec.get("type", "worker"), spec.get("restart", "permanent"))
            for child, spec in children.items()
        ]
    return [
        (child.id, child.pid, child.spec.get("type", "worker"), child.spec.get("restart", "permanent"))
        for child in children
    ]


def _id_text(child_id: Any) -> str:
    """A child's id as the tree shows it: a class by its name, anything else by repr."""
    return class_owner(child_id) if isinstance(child_id, type) else repr(child_id)


def _strategy(state: Any, behaviour: str) -> str:
    strategy = getattr(state, "strategy", None)
    return f"{behaviour} {strategy}" if strategy else behaviour


def tree_lines(
    sup: Pid | str,
    deadline: float,
    get_state: Callable[[Any, float], Any],
    indent: str = "",
    seen: set[Pid] | None = None,
) -> list[str]:
    """The lines of one supervisor's subtree (its own line first)."""
    seen = set() if seen is None else seen
    pid = named_pid(sup, "tree()'s supervisor")
    if pid is None:
        return [f"{sup!r} (no such process)"]
    dictionary = dictionary_of(pid)
    if dictionary is None:
        return [f"{pid} (exited)"]
    behaviour = dictionary.get("$behaviour")
    name = info(pid)
    label = f"{pid}"
    if name is not None and name.get("registered_name"):
        label += f" {name['registered_name']!r}"
    if behaviour not in SUPERVISORS:
        return [f"{label} (not a supervisor)"]
    if pid in seen:
        return [f"{label} (already shown)"]
    seen.add(pid)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return [f"{label} {behaviour} (not asked: the walk ran out of time)"]
    try:
        state = get_state(pid, min(ANSWER_TIMEOUT, remaining))
    except Exit as exc:
        why = exc.reason[0] if isinstance(exc.reason, tuple) and exc.reason else exc.reason
        if why == "timeout":
            return [f"{label} {behaviour} (no answer within {min(ANSWER_TIMEOUT, remaining):g} s)"]
        return [f"{label} (exited)"]
    lines = [f"{label} {_strategy(state, behaviour)}, {_restarts(state.intensity)}"]
    children = _children_of(state)
    for index, (child_id, child, kind, restart) in enumerate(children):
        last = index == len(children) - 1
        branch, below = ("└── ", "    ") if last else ("├── ", "│   ")
        where = str(child) if child is not None else "(not running)"
        head = f"{indent}{branch}{_id_text(child_id)} {where} {kind} {restart}"
        if kind == "supervisor" and child is not None:
            sub = tree_lines(child, deadline, get_state, indent + below, seen)
            # The child's own line carries what its subtree says of itself.
            first = sub[0][len(str(child)) :].strip()
            lines.append(f"{head} {first}".rstrip())
            lines += sub[1:]
        else:
            lines.append(head)
    return lines


def tree_text(sup: Any = None, processes: Callable[[], list[Pid]] | None = None) -> str:
    """The supervision tree of ``sup`` (a pid or name), or of every top-level supervisor."""
    from ..otp import get_state
    from ..runtime import processes as live

    deadline = time.monotonic() + TREE_DEADLINE
    roots = [sup] if sup is not None else top_supervisors((processes or live)())
    if not roots:
        return "(no supervisors)"
    seen: set[Pid] = set()
    lines: list[str] = []
    for root in roots:
        lines += tree_lines(root, deadline, get_state, "", seen)
    return "\n".join(lines)


# -- the process table ----------------------------------------------------------

# (key, heading, right-aligned)
COLUMNS = (
    ("pid", "PID", False),
    ("name", "NAME", False),
    ("status", "STATUS", False),
    ("queue", "QUEUE", True),
    ("cpu", "CPU %", True),
    ("cpu_time", "CPU TIME", True),
    ("rate", "MSGS/S", True),
    ("memory", "MEMORY", True),
    ("current", "CURRENT FUNCTION", False),
)

# sort key -> how the rows sort (largest first unless the key is a name)
SORT_KEYS = ("cpu", "cpu_time", "memory", "queue", "rate", "pid", "name", "current")


def describe_name(sample: Sample) -> str:
    """What a row calls a process: its registered name, else its label, else its initial call."""
    if sample.registered_name is not None:
        return str(sample.registered_name)
    if sample.label is not None:
        return repr(sample.label)
    return mfa_text(sample.initial_call)


def mfa_text(mfa: tuple[str, str, int]) -> str:
    """``Owner.name/arity``, as Elixir writes a function."""
    owner, name, arity = mfa
    return f"{owner}.{name}/{arity}"


def format_bytes(size: float) -> str:
    """``1.7 KB``: a size for people."""
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def format_seconds(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.2f}s"
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes}m{seconds:02d}s"


# A row: (sample, CPU % over the window, messages/s over the window). Plain
# tuples: a refresh makes 5,000 of them, and only the shown ones become text.
Row = tuple[Sample, float, float]

_SORT_KEY: dict[str, Callable[[Row], Any]] = {
    "cpu": lambda row: row[1],
    "cpu_time": lambda row: row[0].cpu_time,
    "memory": lambda row: row[0].memory,
    "queue": lambda row: row[0].message_queue_len,
    "rate": lambda row: row[2],
    "pid": lambda row: row[0].pid,
}


def _current_key(row: Row) -> str:
    return mfa_text(row[0].current_function)


def cells(row: Row) -> list[str]:
    """The text of a row's cells, in COLUMNS order."""
    sample, cpu, rate = row
    return [
        str(sample.pid),
        describe_name(sample),
        sample.status,
        str(sample.message_queue_len),
        f"{cpu:.1f}",
        format_seconds(sample.cpu_time),
        f"{rate:.0f}",
        format_bytes(sample.memory),
        mfa_text(sample.current_function),
    ]


def _messages(sample: Sample) -> int:
    return sample.messages_received + sample.messages_sent


class TopModel:
    """What the top() view shows, computed where the processes live.

    ``refresh()`` samples every process (cheaply: see Sampler) and computes
    each one's CPU % and messages per second since the previous refresh;
    ``page()`` sorts, filters and cuts the rows the view has room for, so only
    those become text and travel to the terminal.
    """

    def __init__(self) -> None:
        self.sampler = Sampler()
        self.rows: list[Row] = []
        self._previous: dict[Pid, tuple[float, int]] = {}
        self._at = time.monotonic()
        self.window = 0.0
        self.took = 0.0  # seconds the last refresh cost
        self._recorder: Any = None  # traces the process shown in detail (shell/tracer.py)
        # pid -> (name, current function, the text a filter searches): kept
        # while a process's name and current function stay the same objects.
        self._texts: dict[Pid, tuple[Any, Any, Any, Any, str, str]] = {}

    def refresh(self) -> list[Row]:
        """Sample again; rates are over the time since the last refresh."""
        started = time.perf_counter()
        samples = self.sampler.sample()
        now = time.monotonic()
        window = now - self._at
        self._at = now
        self.window = window
        previous = self._previous
        current: dict[Pid, tuple[float, int]] = {}
        rows: list[Row] = []
        append = rows.append
        scale = 100.0 / window if window > 0 else 0.0
        for sample in samples:
            messages = _messages(sample)
            before = previous.get(sample.pid)
            if before is None or window <= 0:
                append((sample, 0.0, 0.0))
            else:
                cpu = (sample.cpu_time - before[0]) * scale
                rate = (messages - before[1]) / window
                append((sample, cpu if cpu > 0.0 else 0.0, rate if rate > 0.0 else 0.0))
            current[sample.pid] = (sample.cpu_time, messages)
        self._previous = current
        self.rows = rows
        self.took = time.perf_counter() - started
        return rows

    def _text(self, row: Row) -> tuple[str, str]:
        """(name, searchable text) of a row, remembered while they cannot have changed."""
        sample = row[0]
        known = self._texts.get(sample.pid)
        if (
            known is not None
            and known[0] is sample.registered_name
            and known[1] is sample.label
            and known[2] is sample.initial_call
            and known[3] is sample.current_function
        ):
            return known[4], known[5]
        name = describe_name(sample)
        text = f"{sample.pid} {name} {mfa_text(sample.current_function)}".lower()
        self._texts[sample.pid] = (
            sample.registered_name,
            sample.label,
            sample.initial_call,
            sample.current_function,
            name,
            text,
        )
        return name, text

    def _name_key(self, row: Row) -> str:
        return self._text(row)[0]

    def ordered(self, sort: str = "cpu", reverse: bool = False, filter_text: str = "") -> list[Row]:
        """The rows sorted by ``sort`` (largest first for figures, A-Z for names), filtered."""
        rows = self.rows
        if filter_text:
            needle = filter_text.lower()
            rows = [row for row in rows if needle in self._text(row)[1] or needle in row[0].status]
        if sort not in SORT_KEYS:
            sort = "cpu"
        key: Callable[[Row], Any]
        if sort == "name":
            key = self._name_key
        elif sort == "current":
            key = _current_key
        else:
            key = _SORT_KEY[sort]
        # A stable sort of pid-ordered rows: equal figures stay oldest first.
        ascending = sort in ("pid", "name", "current")
        ordered = sorted(rows, key=key, reverse=not ascending)
        return ordered[::-1] if reverse else ordered

    def page(self, request: dict[str, Any]) -> dict[str, Any]:
        """The rows the view shows: ``request`` has sort, reverse, filter, offset, limit, select, refresh."""
        if self._recorder is not None:
            self._recorder.follow(None)  # back to the list: no process is followed
        if request.get("refresh") or not self.rows:
            self.refresh()
        rows = self.ordered(
            str(request.get("sort") or "cpu"),
            bool(request.get("reverse")),
            str(request.get("filter") or ""),
        )
        limit = max(1, int(request.get("limit") or 20))
        offset = max(0, int(request.get("offset") or 0))
        selected = None
        wanted = request.get("select")
        if wanted:
            text = str(wanted)
            for index, row in enumerate(rows):
                shown = str(row[0].pid)
                if shown == text or shown == f"#PID<{text}>":
                    selected = index
                    break
        if selected is not None:
            if selected < offset:
                offset = selected
            elif selected >= offset + limit:
                offset = selected - limit + 1
        offset = min(offset, max(0, len(rows) - limit))
        total_cpu = sum(row[1] for row in self.rows)
        return {
            "rows": [cells(row) for row in rows[offset : offset + limit]],
            "total": len(rows),
            "processes": len(self.rows),
            "offset": offset,
            "selected": selected,
            "summary": (
                f"{len(self.rows)} processes, CPU {total_cpu:.0f}% over {self.window:.1f} s, "
                f"sampled in {self.took * 1000:.1f} ms"
            ),
        }

    def detail(self, pid_text: str) -> dict[str, Any]:
        """Sections describing one process: info, stack, dictionary, state, links and monitors."""
        try:
            target = make_pid(pid_text)
        except (ValueError, TypeError):
            return {"pid": pid_text, "sections": [["Info", f"not a pid: {pid_text!r}"]]}
        details = info(target)
        if details is None:
            return {"pid": str(target), "sections": [["Info", "the process is not alive"]]}
        stack = details.pop("current_stacktrace")
        dictionary = details.pop("dictionary")
        links = {key: details.pop(key) for key in ("links", "monitors", "monitored_by")}
        width = max(len(key) for key in details)
        sections = [
            ["Info", "\n".join(f"{key:<{width}}  {value!r}" for key, value in details.items())],
            [
                "Stack",
                "\n".join(
                    f"{mfa_text((owner, name, arity))}  {filename}:{line}"
                    for owner, name, arity, (filename, line) in stack
                )
                or "(no frames of its own: waiting in the runtime)",
            ],
            ["Dictionary", _pretty(dictionary)],
            ["State", _state_text(target)],
            ["Links and monitors", "\n".join(f"{key:<13} {value!r}" for key, value in links.items())],
            ["Recent trace", self._recent(target)],
        ]
        return {"pid": str(target), "sections": sections}

    def _recent(self, target: Pid) -> str:
        """The events of ``target`` since its detail view opened (it is traced meanwhile)."""
        from .tracer import Recorder

        if self._recorder is None:
            self._recorder = from_outside(Recorder)
        self._recorder.follow(target)
        lines = self._recorder.lines()
        return "\n".join(lines[-50:]) if lines else "(no events yet: they show here while this view is open)"

    def close(self) -> None:
        """The view is gone: stop tracing for it."""
        if self._recorder is not None:
            self._recorder.close()
            self._recorder = None


    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        """Answer one of the view's requests: ``top_page``, ``top_detail``, ``top_kill``, ``top_tree``.

        Called by a front end's thread, which must not become a process:
        what takes one (asking supervisors, an exit signal, the recorder's
        start) runs in a short-lived thread; every wait is bounded.
        """
        op = request.get("op")
        if op == "top_page":
            return {"op": op, **self.page(request)}
        if op == "top_detail":
            return {"op": op, **self.detail(str(request.get("pid")))}
        if op == "top_tree":
            try:
                text = from_outside(tree_text)
            except Exception as exc:
                text = f"(no tree: {type(exc).__name__}: {exc})"
            return {"op": op, "text": text}
        if op == "top_close":
            self.close()
            return {"op": "top_notice", "text": "closed"}
        if op == "top_kill":
            return {"op": "top_notice", "text": _kill(str(request.get("pid")))}
        return {"op": "top_notice", "text": f"unknown request {op!r}"}


def _kill(pid_text: str) -> str:
    try:
        target = make_pid(pid_text)
    except (ValueError, TypeError):
        return f"not a pid: {pid_text!r}"
    if info(target) is None:
        return f"{target} is not alive"
    from_outside(exit_signal, target, "kill")
    return f"killed {target}"


def _pretty(value: Any, width: int = 100) -> str:
    for _ in range(3):  # its owner may change it while we look
        try:
            return pprint.pformat(value, width=width, sort_dicts=False)
        except RuntimeError:
            continue
        except Exception as exc:
            return f"(cannot be shown: {type(exc).__name__}: {exc})"
    return "(changing too fast to be shown)"


def _state_text(target: Pid) -> str:
    state = held_state_of(target)
    if state is NO_STATE:
        return "(not a server: no state to show)"
    return _pretty(state)


def top_table(sort: str = "cpu", limit: int = 30, window: float = 0.2) -> str:
    """One snapshot of the process table, as text: rates over ``window`` seconds."""
    model = TopModel()
    model.refresh()
    time.sleep(window)  # the window CPU % and messages/s are measured over
    page = model.page({"refresh": True, "sort": sort, "limit": limit})
    text = page["summary"] + "\n" + format_table(page["rows"])
    hidden = page["total"] - len(page["rows"])
    if hidden > 0:
        text += f"\n... and {hidden} more (top(limit={page['total']}) shows them all)"
    return text


def format_table(rows: list[list[str]], width: int | None = None) -> str:
    """Rows of cells as an aligned text table under the column headings."""
    headings = [heading for _, heading, _ in COLUMNS]
    right = [aligned for _, _, aligned in COLUMNS]
    widths = [len(heading) for heading in headings]
    for cells in rows:
        for index, cell in enumerate(cells):
            widths[index] = max(widths[index], len(cell))
    widths[1] = min(widths[1], 28)

    def line(cells: list[str]) -> str:
        parts = []
        for index, cell in enumerate(cells):
            if index == 1 and len(cell) > widths[1]:
                cell = cell[: widths[1] - 1] + "…"
            parts.append(cell.rjust(widths[index]) if right[index] else cell.ljust(widths[index]))
        text = "  ".join(parts).rstrip()
        return text if width is None else text[:width]

    return "\n".join([line(headings)] + [line(cells) for cells in rows])
