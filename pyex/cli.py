"""The ``pyex`` command line: the console, a scripted session, -c CODE, or a file."""

from __future__ import annotations

import argparse
import os
import platform
import sys
from typing import Any, Sequence

from .frontends.scripted import StreamDisplay, run_scripted
from .shell import Evaluation, Session
from .version import __version__

__all__ = ["main", "configure_scheduler", "DEFAULT_SWITCH_INTERVAL"]

# CPython hands the interpreter lock to a waiting thread only after the holder
# has run this long; iex-like responsiveness with busy processes needs it short.
DEFAULT_SWITCH_INTERVAL = 0.001

_DESCRIPTION = """\
Elixir's iex, for Python: an interactive console in which every command runs
inside a shell process, on an Erlang-style process runtime.

With no arguments, pyex starts the console (a terminal) or runs the commands
piped to it (a scripted session)."""

_EPILOG = """\
environment:
  NO_COLOR              no colours (like --no-color)
  PYEX_HISTORY          the console's history file (default ~/.pyex_history)
  PYEX_SWITCH_INTERVAL  seconds a thread runs before another may take over
                        (default 0.001; see sys.setswitchinterval)

A startup file .pyex.py (in the current folder, else in your home folder) runs
in the shell process when an interactive session starts."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pyex",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"pyex {__version__} (Python {platform.python_version()})",
    )
    parser.add_argument(
        "-c", dest="command", metavar="CODE", help="run CODE in a shell process, then exit"
    )
    parser.add_argument(
        "-i",
        dest="interactive",
        action="store_true",
        help="after running FILE or CODE, stay interactive",
    )
    parser.add_argument("--no-color", action="store_true", help="no colours")
    parser.add_argument(
        "--echo",
        action="store_true",
        help="scripted sessions show each command after its prompt (a transcript)",
    )
    parser.add_argument(
        "--no-startup", action="store_true", help="do not run the .pyex.py startup file"
    )
    dist = parser.add_argument_group(
        "distribution (off unless --sname or --name is given; see docs/distribution.md)"
    )
    names = dist.add_mutually_exclusive_group()
    names.add_argument("--sname", metavar="NAME", help="be node NAME@<short host name>")
    names.add_argument("--name", metavar="NAME@HOST", help="be node NAME@HOST (long names)")
    dist.add_argument(
        "--cookie", metavar="COOKIE",
        help="the cookie (default $PYEX_COOKIE, else ~/.erlang.cookie, made if missing)",
    )
    dist.add_argument("--hidden", action="store_true", help="hidden from every node")
    dist.add_argument(
        "--visible", action="store_true",
        help="visible to BEAM nodes too (by default pyex is hidden from them)",
    )
    dist.add_argument(
        "--listen", metavar="ADDR", default="127.0.0.1",
        help="address to accept connections on (default 127.0.0.1, loopback only)",
    )
    dist.add_argument(
        "--remsh", metavar="NODE",
        help="open the shell on NODE (its shell process runs there); needs --sname/--name",
    )
    parser.add_argument(
        "file", nargs="?", metavar="FILE.py", help="a Python file to run ('-': standard input)"
    )
    parser.add_argument("args", nargs=argparse.REMAINDER, help="arguments for FILE (sys.argv)")
    return parser


def configure_scheduler() -> None:
    """Set the interpreter's switch interval for a responsive console."""
    value = os.environ.get("PYEX_SWITCH_INTERVAL")
    try:
        interval = float(value) if value else DEFAULT_SWITCH_INTERVAL
    except ValueError:
        print(f"pyex: ignoring PYEX_SWITCH_INTERVAL={value!r}: not a number", file=sys.stderr)
        interval = DEFAULT_SWITCH_INTERVAL
    if interval > 0:
        sys.setswitchinterval(interval)


def startup_file() -> str | None:
    """The .pyex.py to run at start: the current folder's, else the home folder's."""
    for folder in (os.getcwd(), os.path.expanduser("~")):
        path = os.path.join(folder, ".pyex.py")
        if os.path.isfile(path):
            return path
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run pyex; exits the interpreter at once when done, whatever processes still run."""
    options = _parser().parse_args(argv)
    configure_scheduler()
    color = not options.no_color and not os.environ.get("NO_COLOR") and sys.stdout.isatty()
    try:
        status = _run(options, color)
    except KeyboardInterrupt:
        status = 130
    except BrokenPipeError:  # `pyex < script.py | head`: the reader left
        sys.stdout = sys.stderr = open(os.devnull, "w")
        status = 0
    _exit(status)
    return status  # not reached


def _start_distribution(options: argparse.Namespace) -> int | None:
    """Make this pyex a node if a name was given; an exit status if that failed."""
    if options.remsh and not (options.sname or options.name):
        print("pyex: --remsh needs --sname or --name (this shell must be a node too)",
              file=sys.stderr)
        return 2
    if not (options.sname or options.name):
        return None
    from .dist import Node

    if options.listen not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"pyex: warning: accepting connections on {options.listen}: the cookie is no "
            f"protection on an open network (see docs/distribution.md)",
            file=sys.stderr,
        )
    try:
        Node.start(
            options.name or options.sname,
            cookie=options.cookie,
            longnames=options.name is not None,
            hidden=options.hidden,
            visible=options.visible,
            listen=options.listen,
        )
    except (OSError, RuntimeError, ValueError) as exc:
        print(f"pyex: cannot start distribution: {exc}", file=sys.stderr)
        return 2
    return None


def _run(options: argparse.Namespace, color: bool) -> int:
    failed = _start_distribution(options)
    if failed is not None:
        return failed
    if options.remsh:
        from .dist.remote_terminal import run_remote_shell

        return run_remote_shell(options.remsh, color=color)
    reads_stdin = options.file == "-"
    if reads_stdin:
        options.file = None  # `pyex -`: a scripted session of standard input, even at a terminal
    interactive_tty = sys.stdin.isatty() and sys.stdout.isatty() and not reads_stdin
    startup = None if options.no_startup else startup_file()
    runs_code = options.command is not None or options.file is not None
    if runs_code:
        if options.file is not None:
            sys.argv = [options.file, *options.args]
        else:
            sys.argv = ["-c", *options.args]
        if options.interactive and interactive_tty:
            from .frontends.console import run_console

            return run_console(color=color, startup=startup, first=_first_run(options))
        display = StreamDisplay(sys.stdout)
        session = Session(display, main_module=True)
        session.start()
        status = _run_code(session, options)
        if not options.interactive or status != 0:
            return status
        return run_scripted(session, display, _stdin(), show_banner=False, echo=options.echo)
    if interactive_tty:
        from .frontends.console import run_console

        return run_console(color=color, startup=startup)
    display = StreamDisplay(sys.stdout)
    session = Session(display, main_module=True)
    session.start()
    if startup is not None:
        _show_startup_error(session.run_file(startup), display)
    return run_scripted(session, display, _stdin(), echo=options.echo)


def _stdin() -> Any:
    """Standard input as bytes, which the scripted session decodes a line at a time."""
    return getattr(sys.stdin, "buffer", sys.stdin)


def _first_run(options: argparse.Namespace) -> tuple[str, str | None]:
    if options.file is not None:
        return (options.file, None)
    return ("<string>", options.command)


def _run_code(session: Session, options: argparse.Namespace) -> int:
    if options.file is not None:
        try:
            evaluation = session.run_file(options.file)
        except OSError as exc:
            print(f"pyex: cannot open {options.file!r}: {exc.strerror}", file=sys.stderr)
            return 2
        session.namespace["__file__"] = os.path.abspath(options.file)
    else:
        evaluation = session.eval(options.command, filename="<string>")
    while evaluation.extra.get("paused"):
        # pry() or breakpoint(): nobody reads answers here, so the process goes on.
        asked = session.prompt().strip()
        print(f"pyex: {asked} n (no prompt to pry at: pyex -i runs code, then prompts)", file=sys.stderr)
        evaluation = session.eval("n" if session.asking() else "continue_()")
    if evaluation.exit_code is not None:
        return evaluation.exit_code
    if evaluation.error is not None:
        sys.stderr.write(evaluation.result_text + "\n")
        return 1
    return 0


def _show_startup_error(evaluation: Evaluation, display: StreamDisplay) -> None:
    if evaluation.error is not None:
        display.write(f"pyex: error in the startup file:\n{evaluation.result_text}\n")


def _exit(status: int) -> None:
    """Flush and leave now: processes still running must not keep pyex alive."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(status)
