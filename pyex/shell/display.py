"""How results, errors and exits look: one place, as in iex.

- a value: pretty-printed to the terminal's width (``None`` is not shown);
- an exception: ``** (Type) message`` and the user's own frames;
- an exit raised in a command: ``** (exit) reason`` (Elixir's format_exit);
- the shell process's death: ``** (EXIT from #PID<...>) shell process exited with reason: ...``.
"""

from __future__ import annotations

import builtins
import inspect
import re
import traceback
from types import TracebackType
from typing import Any

from ..runtime import Exit
from ..runtime.internal import is_pyex_file
from .inspect_limits import DEFAULT_LIMIT, DEFAULT_PRINTABLE_LIMIT, pformat_limited

__all__ = [
    "format_value",
    "format_exception",
    "format_exit",
    "format_exit_raised",
    "format_shell_exit",
    "user_frames",
    "plain_signature",
]


def format_value(
    value: Any,
    width: int = 80,
    limit: int | None = DEFAULT_LIMIT,
    printable_limit: int | None = DEFAULT_PRINTABLE_LIMIT,
) -> str:
    """The text shown for a command's value (empty for None), within iex's inspect limits."""
    if value is None:
        return ""
    try:
        return pformat_limited(value, max(width, 20), limit, printable_limit)
    except Exception as exc:  # a broken __repr__
        return f"<unprintable {type(value).__name__} object: {type(exc).__name__}: {exc}>"


def plain_signature(obj: Any) -> str:
    """``(a, b=1, *rest)``: a callable's parameters, without their annotations."""
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return "(...)"
    plain = signature.replace(
        parameters=[
            parameter.replace(annotation=inspect.Parameter.empty)
            for parameter in signature.parameters.values()
        ],
        return_annotation=inspect.Signature.empty,
    )
    return str(plain)


def user_frames(tb: TracebackType | None) -> list[traceback.FrameSummary]:
    """The frames of ``tb`` that belong to the user's code, not to pyex itself."""
    return [frame for frame in traceback.extract_tb(tb) if not is_pyex_file(frame.filename)]


# A frame repeated more than this many times in a row is shown this many times (as Python does).
REPEATED_FRAMES_SHOWN = 3


def _format_frames(frames: list[traceback.FrameSummary], indent: str) -> list[str]:
    """The frames, most recent first (as Elixir lists a stacktrace), with their lines.

    A run of the same frame (a recursion) shows it three times, then how many
    more times it repeats, as Python does.
    """
    lines: list[str] = []
    ordered = list(reversed(frames))
    index = 0
    while index < len(ordered):
        frame = ordered[index]
        end = index
        while end + 1 < len(ordered) and _same_frame(ordered[end + 1], frame):
            end += 1
        run = end - index + 1
        for _ in range(min(run, REPEATED_FRAMES_SHOWN)):
            lines.append(f"{indent}{_location(frame.filename)}:{frame.lineno}: in {frame.name}")
            if frame.line:
                lines.append(f"{indent}  {frame.line.strip()}")
        if run > REPEATED_FRAMES_SHOWN:
            more = run - REPEATED_FRAMES_SHOWN
            lines.append(f"{indent}[the frame above repeated {more} more time{'s' if more > 1 else ''}]")
        index = end + 1
    return lines


def _same_frame(one: traceback.FrameSummary, other: traceback.FrameSummary) -> bool:
    return (one.filename, one.lineno, one.name) == (other.filename, other.lineno, other.name)


def _location(filename: str) -> str:
    if filename.startswith("<") and filename.endswith(">"):
        return filename[1:-1]
    return filename


_HELPER_ARITY = re.compile(
    r"^Helpers\.(\w+)\(\) takes (from )?(\d+)(?: to (\d+))? positional arguments? but (\d+) (?:were|was) given$"
)


def _helper_call_error(exc: BaseException) -> BaseException:
    """A TypeError about a helper's arguments, counting the user's arguments only (not self)."""
    if not isinstance(exc, TypeError) or not str(exc).startswith("Helpers."):
        return exc
    text = str(exc)
    match = _HELPER_ARITY.match(text)
    if match is None:
        return TypeError(text.removeprefix("Helpers."))
    name, ranged, low, high, given = match.groups()
    def count(n: str) -> int:
        return int(n) - 1
    takes = f"from {count(low)} to {count(high)}" if ranged and high else str(count(low))
    plural = "" if (high or low) and takes == "1" else "s"
    verb = "was" if count(given) == 1 else "were"
    return TypeError(f"{name}() takes {takes} positional argument{plural} but {count(given)} {verb} given")


def _exception_message(exc: BaseException) -> str:
    try:
        text = str(exc)
    except Exception:
        text = "<exception str() failed>"
    if isinstance(exc, KeyError) and len(exc.args) == 1:
        text = repr(exc.args[0])
    return text


_GROUP: Any = getattr(builtins, "BaseExceptionGroup", ())  # Python 3.11+


def _header(exc: BaseException) -> str:
    exc = _helper_call_error(exc)
    name = type(exc).__qualname__
    module = type(exc).__module__
    if module not in ("builtins", "__main__", "pyex", None) and not module.startswith("pyex."):
        name = f"{module}.{name}"
    message = _exception_message(exc)
    return f"** ({name}) {message}" if message else f"** ({name})"


def format_exception(
    exc: BaseException, indent: str = "", skip_top_level: str | None = None
) -> str:
    """``** (Type) message`` and the user's frames, as iex shows an error.

    ``skip_top_level`` names the command's own file: when the error was raised
    right in the typed command (its only frame), no frame is shown, as in iex.
    """
    if isinstance(exc, Exit):
        return indent + format_exit_raised(exc.reason, indent)
    if isinstance(exc, SyntaxError):
        return _format_syntax_error(exc, indent)
    lines = [indent + _header(exc)]
    frames = user_frames(exc.__traceback__)
    if skip_top_level is not None and len(frames) == 1 and frames[0].filename == skip_top_level:
        frames = []
    lines.extend(_format_frames(frames, indent + "    "))
    cause = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    if cause is not None and not isinstance(cause, Exit):
        lines.append(f"{indent}    (while handling {_header(cause)[3:]})")
    for note in getattr(exc, "__notes__", None) or []:  # add_note(): shown as Python shows them
        lines.append(f"{indent}    {note}")
    for number, inner in enumerate(getattr(exc, "exceptions", None) or [], 1):
        if isinstance(exc, _GROUP):
            lines.append(f"{indent}    +-- {number}:")
            lines.append(format_exception(inner, indent + "        "))
    return "\n".join(lines)


SYNTAX_LINE_SHOWN = 72


def _format_syntax_error(exc: SyntaxError, indent: str) -> str:
    where = []
    if exc.filename and exc.lineno:
        where.append(f"{_location(exc.filename)}:{exc.lineno}")
    head = f"{indent}** ({type(exc).__name__}) {exc.msg}"
    if where:
        head += f" ({where[0]})"
    lines = [head]
    if exc.text:
        text = exc.text.rstrip("\n")
        stripped = text.lstrip()
        column = max(0, (exc.offset or 1) - 1 - (len(text) - len(stripped)))
        if len(stripped) > SYNTAX_LINE_SHOWN:  # a window around the error, not a screenful
            start = max(0, min(column - SYNTAX_LINE_SHOWN // 2, len(stripped) - SYNTAX_LINE_SHOWN))
            stripped = stripped[start : start + SYNTAX_LINE_SHOWN]
            column -= start
            stripped = ("..." if start else "") + stripped + "..."
            column += 3 if start else 0
        lines.append(f"{indent}    {stripped}")
        if exc.offset:
            lines.append(f"{indent}    {' ' * column}^")
    return "\n".join(lines)


_NOPROC = (
    "no process. The process is not alive or there's no process currently "
    "associated with the given name"
)


def format_exit(reason: Any, indent: str = "") -> str:
    """Describe an exit reason as Elixir's ``Exception.format_exit/1`` does."""
    if isinstance(reason, str):
        simple = {
            "normal": "normal",
            "shutdown": "shutdown",
            "killed": "killed",
            "timeout": "time out",
            "noproc": _NOPROC,
            "calling_self": "process attempted to call itself",
        }
        if reason in simple:
            return simple[reason]
        return repr(reason)
    if isinstance(reason, BaseException):
        if isinstance(reason, Exit):
            return format_exit(reason.reason, indent)
        return "an exception was raised:\n" + format_exception(reason, indent + "    ")
    if isinstance(reason, tuple) and len(reason) == 2:
        first, second = reason
        if first == "shutdown":
            return f"shutdown: {_inspect(second)}"
        if _is_call(second):
            module, function, args = second
            call = f"{module}.{function}({', '.join(_inspect(arg) for arg in args)})"
            return (
                f"exited in: {call}\n{indent}    ** (EXIT) "
                f"{format_exit(first, indent + '    ')}"
            )
        if first == "bad_return_value":
            return f"bad return value: {_inspect(second)}"
    return _inspect(reason)


def _is_call(value: Any) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) == 3
        and isinstance(value[0], str)
        and isinstance(value[1], str)
        and isinstance(value[2], list)
    )


def _inspect(value: Any) -> str:
    try:
        return repr(value)
    except Exception:
        return f"<unprintable {type(value).__name__}>"


def format_exit_raised(reason: Any, indent: str = "") -> str:
    """What a command that raised ``Exit(reason)`` shows: ``** (exit) ...``."""
    return f"** (exit) {format_exit(reason, indent)}"


def format_shell_exit(pid: Any, reason: Any) -> str:
    """What the shell shows when its process is killed or gets an exit signal."""
    return f"** (EXIT from {pid}) shell process exited with reason: {format_exit(reason)}"
