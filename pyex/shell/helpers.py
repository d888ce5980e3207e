"""The shell's helpers (iex's IEx.Helpers): small, documented, preloaded.

Each runs in the shell process, like any command. ``h()`` lists them.
"""

from __future__ import annotations

import importlib
import inspect
import os
import platform
import sys
import threading
import time
import types
from typing import TYPE_CHECKING, Any

from ..otp import get_state
from ..runtime import flush, pid
from ..runtime.internal import runtime_counts
from ..version import __version__
from .debugging import DEBUG_NAMES, debug_helpers
from .display import plain_signature
from .docs import doc_summary, doc_text, table_rows, wrapped
from .info import describe
from .namespace import OTP_NAMES, PROCESS_NAMES, shell_builtins

if TYPE_CHECKING:
    from .session import Session

__all__ = ["Helpers", "HELPER_NAMES", "doc_summary", "render_help"]

HELPER_NAMES = (
    "h",
    "i",
    "v",
    "flush",
    "clear",
    "respawn",
    "c",
    "r",
    "ls",
    "pwd",
    "cd",
    "runtime_info",
    "exports",
    "state",
    "pid",
    "top",
    "tree",
    "trace",
    "untrace",
    "configure",
) + DEBUG_NAMES

_STARTED = time.monotonic()

class _Missing:
    """The default of an optional argument that has no value: shown as ``[x]``."""

    def __repr__(self) -> str:
        return "<nothing>"


_MISSING: Any = _Missing()


def usage(name: str, function: Any) -> str:
    """``name(a, [b], c=1)``: how to call a helper, optional arguments in brackets."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return f"{name}(...)"
    shown = []
    for parameter in parameters:
        if parameter.default is _MISSING:
            shown.append(f"[{parameter.name}]")
        elif parameter.kind is parameter.VAR_POSITIONAL:
            shown.append(f"*{parameter.name}")
        elif parameter.kind is parameter.VAR_KEYWORD:
            shown.append(f"**{parameter.name}")
        elif parameter.default is not parameter.empty:
            shown.append(f"{parameter.name}={parameter.default!r}")
        else:
            shown.append(parameter.name)
    return f"{name}({', '.join(shown)})"



def _name_of(obj: Any) -> str:
    return getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or repr(obj)


def render_help(obj: Any) -> str:
    """The text ``h(obj)`` prints: signature and documentation."""
    if isinstance(obj, types.ModuleType):
        lines = [f"module {obj.__name__}", ""]
        lines.append(doc_text(obj) or "(no documentation)")
        members = [
            (name, value)
            for name, value in vars(obj).items()
            if not name.startswith("_") and (callable(value) or inspect.isclass(value))
            and getattr(value, "__module__", obj.__name__) == obj.__name__
        ]
        if members:
            lines += ["", "Members:"]
            lines += [f"  {name:<22} {doc_summary(value)}" for name, value in sorted(members)]
        return "\n".join(lines)
    if inspect.isclass(obj):
        bases = ", ".join(base.__name__ for base in obj.__bases__ if base is not object)
        lines = [f"class {_name_of(obj)}" + (f"({bases})" if bases else ""), ""]
        lines.append(doc_text(obj) or "(no documentation)")
        members = []
        for name, value in vars(obj).items():
            if name.startswith("_"):
                continue
            function = value.__func__ if isinstance(value, (staticmethod, classmethod)) else value
            if callable(function):
                members.append((name, function))
        if members:
            lines += ["", "Functions:"]
            lines += [
                f"  {name}{plain_signature(function)}\n      {doc_summary(function)}"
                for name, function in members
            ]
        return "\n".join(lines)
    if callable(obj):
        name = getattr(obj, "__name__", _name_of(obj))
        if isinstance(getattr(obj, "__self__", None), Helpers):
            header = usage(name, obj)  # [x] for an optional argument, not its placeholder
        else:
            header = f"{name}{plain_signature(obj)}"
        return header + "\n\n" + (doc_text(obj) or "(no documentation)")
    kind = type(obj)
    return f"{obj!r} is a {kind.__name__}.\n\n" + (inspect.getdoc(kind) or "")


def _columns(items: list[str], width: int) -> str:
    if not items:
        return ""
    cell = max(len(item) for item in items) + 2
    per_line = max(1, width // cell)
    rows = [items[i : i + per_line] for i in range(0, len(items), per_line)]
    return "\n".join("".join(item.ljust(cell) for item in row).rstrip() for row in rows)


class Helpers:
    """The helper functions of one session, bound to it."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._printer: Any = None  # the process that prints trace()'s events

    def as_dict(self) -> dict[str, Any]:
        helpers: dict[str, Any] = {name: getattr(self, name) for name in HELPER_NAMES if hasattr(self, name)}
        helpers["flush"] = flush
        helpers["pid"] = pid
        helpers.update(debug_helpers(self._session))
        return helpers

    # -- documentation ---------------------------------------------------------

    def h(self, obj: Any = _MISSING) -> None:
        """Print help: h() lists the helpers; h(x) shows x's signature and documentation."""
        if obj is _MISSING:
            print(self._overview())
            return
        if isinstance(obj, str):
            obj = self._lookup(obj)
        print(render_help(obj))

    def _lookup(self, name: str) -> Any:
        namespace = self._session.namespace
        head, _, rest = name.partition(".")
        beneath = shell_builtins(namespace)
        if head in namespace:
            value = namespace[head]
        elif head in beneath:
            value = beneath[head]
        else:
            try:
                value = importlib.import_module(head)
            except ImportError:
                raise NameError(f"h({name!r}): nothing is called {head!r} here") from None
        for part in rest.split(".") if rest else []:
            value = getattr(value, part)
        return value

    def _overview(self) -> str:
        namespace = shell_builtins(self._session.namespace)  # the helpers, not what hides them
        lines = [
            "pyex's helpers (every command runs in the shell process, self()):",
            "",
        ]
        helpers = [(name, namespace[name]) for name in HELPER_NAMES if name in namespace]
        lines += table_rows([(usage(name, value), doc_summary(value)) for name, value in helpers])
        lines += ["", "Processes:"]
        lines += wrapped(", ".join(name for name in PROCESS_NAMES if name in namespace))
        present = [name for name in OTP_NAMES if name in namespace]
        if present:
            lines += ["", "OTP behaviours:"] + wrapped(", ".join(present))
        lines += ["", "Settings (change them with configure(name=value)):"]
        lines += table_rows(self._session.config.rows())
        lines += [""] + wrapped(
            "h(name) shows the documentation of any of them, e.g. h(receive) or "
            "h(Process.monitor).",
            indent="",
        )
        return "\n".join(lines)

    def i(self, term: Any = _MISSING) -> None:
        """Print information about a value: its type, module, documentation; for a pid, its process."""
        if term is _MISSING:
            term = self._session.namespace.get("_")
        print(describe(term))

    def exports(self, obj: Any) -> None:
        """Print the public functions of a module or class, as name/arity."""
        if isinstance(obj, str):
            obj = self._lookup(obj)
        names = []
        for name in sorted(dir(obj)):
            if name.startswith("_"):
                continue
            value = getattr(obj, name, None)
            if not callable(value) or inspect.isclass(value):
                continue
            try:
                arity = len(
                    [
                        parameter
                        for parameter in inspect.signature(value).parameters.values()
                        if parameter.kind
                        in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD)
                        and parameter.default is parameter.empty
                    ]
                )
                names.append(f"{name}/{arity}")
            except (TypeError, ValueError):
                names.append(name)
        print(_columns(names, self._session.width()))

    # -- results and the shell process ---------------------------------------

    def v(self, n: int = -1) -> Any:
        """The result of prompt n (pyex(n)>); v() or v(-1) is the last one, v(-2) the one before."""
        evaluator = self._session.evaluator()
        if evaluator is None:
            raise ValueError("v(): no results yet")
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"v() takes a prompt number, got {n!r}")
        number = evaluator.counter + n if n < 0 else n
        if number not in evaluator.results:
            if 1 <= number < evaluator.counter and evaluator.results:
                raise ValueError(
                    f"v({n}): the result of pyex({number}) is no longer kept "
                    f"(configure(history_size=...) keeps more)"
                )
            raise ValueError(f"v({n}): there is no result for pyex({number})")
        return evaluator.results[number]

    def configure(self, **settings: Any) -> None:
        """Change the shell's settings, as IEx.configure: configure(inspect_limit=20, colors=False).

        The settings: colors, inspect_limit, printable_limit, width,
        history_size (h() shows their values). configure() with no
        arguments prints them.
        """
        config = self._session.config
        if not settings:
            print("\n".join(table_rows(config.rows(), indent="")))
            return
        config.update(**settings)

    def respawn(self) -> None:
        """Start a new shell process (new pid, empty mailbox); the variables stay."""
        self._session.request_respawn()

    def clear(self) -> None:
        """Clear the terminal screen."""
        self._session.display.clear_screen()

    def state(self, server: Any, timeout: float = 5.0) -> Any:
        """The state of a GenServer, Agent or Supervisor (Erlang's :sys.get_state)."""
        return get_state(server, timeout)

    # -- watching processes ----------------------------------------------------

    def top(self, sort: str = "cpu", limit: int = 30) -> None:
        """Watch every process: a live full-screen table in the console, one snapshot elsewhere.

        Rows: pid, name (registered name, else label, else initial call),
        status, message queue, CPU % over the refresh window, CPU time,
        messages/s, memory, current function. In the console: arrows and
        PgUp/PgDn move, c/t/m/u/r/n/i sort by CPU %, CPU time, memory, queue,
        rate, name, pid (again: reverse), / filters, g jumps to a pid, Enter
        shows the process in detail, Tab the supervision tree, k kills (asks
        first), p pauses, q goes back. Piped or through pyex.Shell it prints
        one table of the ``limit`` rows first by ``sort`` and returns.
        """
        from .observer import SORT_KEYS, top_table

        if sort not in SORT_KEYS:
            raise ValueError(f"top(): sort must be one of {', '.join(SORT_KEYS)}, got {sort!r}")
        opener = getattr(self._session.display, "open_view", None)
        if opener is not None and opener("top", {"sort": sort}):
            return  # the console shows it once this command is over
        print(top_table(sort, limit))

    def tree(self, sup: Any = None) -> None:
        """Print the supervision tree of ``sup`` (pid or name), or of every top-level supervisor.

        Each child: its id, pid, worker or supervisor, restart type; each
        supervisor: its strategy and its recent restarts against the
        intensity it allows. A supervisor that answers slowly or a child that
        dies meanwhile shows as such.
        """
        from .observer import tree_text

        print(tree_text(sup))

    def trace(self, pid: Any, limit: int = 100) -> None:
        """Print what process ``pid`` (or a registered name) does, one line per event, above the prompt.

        Events: messages in (``#PID<0.90.0> << 'hi'``) and out
        (``#PID<0.90.0> ! 'hi' -> #PID<0.84.0>``), spawns, links, its exit,
        and for a GenServer each call and reply. Stops by itself after
        ``limit`` events (with a notice), when the process exits, and when
        the shell process goes; ``untrace(pid)`` stops it sooner. Built on
        ``Process.trace(pid, True, events, tracer)``.
        """
        from ..runtime import Process
        from ..runtime.internal import TRACE_EVENTS, named_pid
        from .tracer import start_printer, tell_limit

        target = named_pid(pid, "trace()'s process")
        if target is None:
            raise ValueError(f"trace(): no process is registered as {pid!r}")
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise ValueError(f"trace(): limit must be a whole number of events >= 1, got {limit!r}")
        printer = self._printer
        if printer is None or not Process.alive(printer):
            printer = self._printer = start_printer(Process.self())
        tell_limit(printer, target, limit)
        Process.trace(target, True, TRACE_EVENTS, tracer=printer)
        print(f"tracing {target} (at most {limit} events; untrace({target!r}) stops it)")

    def untrace(self, pid: Any = None) -> None:
        """Stop trace(pid); untrace() stops every trace this shell started."""
        from ..runtime import Process
        from ..runtime.internal import TRACE_EVENTS, named_pid, traced_by
        from .tracer import tell_untraced

        printer = self._printer
        if printer is None:
            print("nothing is traced")
            return
        if pid is None:
            targets = traced_by(printer)
        else:
            target = named_pid(pid, "untrace()'s process")
            targets = [target] if target in traced_by(printer) else []
        if not targets:
            print("nothing is traced" if pid is None else f"{pid} is not traced")
            return
        for target in targets:
            Process.trace(target, False, TRACE_EVENTS)
            tell_untraced(printer, target)
        print("untraced " + ", ".join(str(target) for target in targets))

    # -- code ----------------------------------------------------------------

    def c(self, path: str) -> list[str]:
        """Run a .py file in the shell's namespace; returns the names it defined."""
        path = os.path.expanduser(path)
        with open(path, encoding="utf-8-sig") as handle:
            source = handle.read()
        namespace = self._session.namespace
        before = dict(namespace)
        code = compile(source, os.path.abspath(path), "exec", dont_inherit=True)
        exec(code, namespace)
        return sorted(
            name
            for name, value in namespace.items()
            if not name.startswith("__") and (name not in before or before[name] is not value)
        )

    def r(self, module: Any) -> types.ModuleType:
        """Reload a module (given as a module, its name, or anything defined in it)."""
        if isinstance(module, str):
            module = importlib.import_module(module)
        elif not isinstance(module, types.ModuleType):
            name = getattr(module, "__module__", None)
            if not name or name not in sys.modules:
                raise TypeError(f"r() needs a module or a module's name, got {module!r}")
            module = sys.modules[name]
        return importlib.reload(module)

    # -- files ---------------------------------------------------------------

    def ls(self, path: str = ".") -> None:
        """List a directory (folders end with /)."""
        path = os.path.expanduser(path)
        entries = sorted(
            name + ("/" if os.path.isdir(os.path.join(path, name)) else "")
            for name in os.listdir(path)
        )
        print(_columns(entries, self._session.width()))

    def pwd(self) -> None:
        """Print the current working directory."""
        print(os.getcwd())

    def cd(self, path: str = "~") -> None:
        """Change the current working directory, and print it."""
        os.chdir(os.path.expanduser(path))
        print(os.getcwd())

    # -- the runtime -----------------------------------------------------------

    def runtime_info(self) -> None:
        """Print facts about the runtime: Python, uptime, processes, threads, memory, scheduler."""
        uptime = time.monotonic() - _STARTED
        counts = runtime_counts()
        minutes, seconds = divmod(int(uptime), 60)
        hours, minutes = divmod(minutes, 60)
        rows = [
            ("## System", None),
            ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
            ("pyex", __version__),
            ("Platform", platform.platform()),
            ("Uptime", f"{hours}h {minutes}m {seconds}s"),
            ("## Processes", None),
            ("Live processes", str(counts["processes"])),
            ("Registered names", str(counts["registered"])),
            ("Pending timers", str(counts["timers"])),
            ("## Threads", None),
            ("All threads", str(threading.active_count())),
            ("Worker threads", f"{counts['workers']} ({counts['idle_workers']} idle)"),
            ("## Memory", None),
            ("Resident", _resident()),
            ("## Scheduler", None),
            ("Switch interval", f"{sys.getswitchinterval() * 1000:g} ms"),
        ]
        lines: list[str] = []
        for label, value in rows:
            if value is None:
                lines.append(("\n" if lines else "") + label)
            else:
                lines.append(f"{label:<18}{value}")
        print("\n".join(lines))


def _resident() -> str:
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
        return f"{pages * os.sysconf('SC_PAGE_SIZE') / 1e6:.1f} MB"
    except (OSError, ValueError, AttributeError):
        import resource

        return f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3:.1f} MB (peak)"

