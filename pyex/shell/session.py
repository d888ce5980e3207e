"""A shell session: the shell core every front end drives (iex's IEx.Server).

The session owns the namespace, starts the shell process (an Evaluator), hands
it commands and waits for their Evaluations. It watches the shell process: when
the process is killed or gets an exit signal, the session reports
``** (EXIT from #PID<...>) shell process exited with reason: ...`` and starts a
new one (new pid, empty mailbox, the namespace kept). Front ends are thin: they
read input, call ``eval``, and show what comes back.
"""

from __future__ import annotations

import os
import platform
import threading
import time
from queue import Empty, SimpleQueue
from typing import Any, Protocol

from ..runtime import Exit, make_ref, send
from ..runtime.internal import (
    ProcessRecord,
    exit_signal,
    find,
    interrupt,
    pid_of,
    set_group_leader,
    start_process,
    watch_exit,
)
from ..version import __version__
from .awaiting import SessionLoop
from .display import format_shell_exit
from .evaluator import Evaluation, Evaluator
from .namespace import build_namespace
from .output import install_routers
from .reports import install_report_handler

__all__ = ["Display", "Session", "Evaluation", "banner"]


class Display(Protocol):
    """What a front end provides to show a session's output."""

    def command_output(self, text: str) -> None:
        """The shell process printed ``text`` while running a command."""

    def background_output(self, text: str) -> None:
        """Another process printed ``text``, or a crash report arrived."""

    def shell_down(self) -> None:
        """The shell process died while no command ran: call ``recover()`` soon."""

    def clear_screen(self) -> None:
        """Clear the terminal (the ``clear()`` helper)."""

    def width(self) -> int:
        """Columns available for pretty-printing."""


def banner() -> str:
    """The line a new shell process is greeted with, as iex's."""
    return (
        f"pyex {__version__} (Python {platform.python_version()}) - "
        f"press Ctrl+D to exit (type h() ENTER for help)"
    )


# Ctrl+C this many times without the command ending kills the shell process.
INTERRUPTS_BEFORE_KILL = 3


class Session:
    """The shell core: one namespace, one shell process at a time."""

    def __init__(
        self,
        display: Display,
        namespace: dict[str, Any] | None = None,
        main_module: bool = False,
    ) -> None:
        self.display = display
        self.tag = make_ref()
        self._lock = threading.Lock()
        self._replies: SimpleQueue[tuple[Any, ...]] = SimpleQueue()
        self._evaluator: Evaluator | None = None
        self._proc: ProcessRecord | None = None
        self._capture: tuple[ProcessRecord, list[str]] | None = None
        self._running: int | None = None
        self._request = 0
        self._waiting = False
        self._closed = False
        self.loop = SessionLoop()  # the event loop top-level await runs on
        install_routers()
        install_report_handler()
        self.namespace = build_namespace(self, namespace, main_module)

    # -- the shell process ---------------------------------------------------

    def start(self) -> None:
        """Start the first shell process."""
        self._spawn()

    def _spawn(self) -> None:
        evaluator = Evaluator(self)
        # info() shows the shell process as running the shell, in the namespace's module.
        shell_call = (str(self.namespace.get("__name__", "__main__")), "shell", 0)
        pid = start_process(evaluator.main, (), {}, initial_call=shell_call)[0]
        proc = find(pid)
        assert proc is not None
        set_group_leader(pid, self)  # its output, and its children's, come here
        with self._lock:
            self._evaluator = evaluator
            self._proc = proc
        watch_exit(pid, self._on_exit)

    def _on_exit(self, pid: Any, reason: Any) -> None:
        # Runs in the dying shell process's thread.
        self._replies.put(("down", pid, reason))
        with self._lock:
            tell = not self._waiting and not self._closed
        if tell:
            self.display.shell_down()

    @property
    def pid(self) -> Any:
        """The pid of the current shell process."""
        proc = self._proc
        return pid_of(proc) if proc is not None else None

    @property
    def counter(self) -> int:
        """The number of the next prompt."""
        evaluator = self._evaluator
        return evaluator.counter if evaluator is not None else 1

    def prompt(self) -> str:
        """``pyex(N)> ``"""
        return f"pyex({self.counter})> "

    def continuation_prompt(self) -> str:
        """``...(N)> ``"""
        return f"...({self.counter})> "

    def width(self) -> int:
        return self.display.width()

    def evaluator(self) -> Evaluator | None:
        """The current shell process's evaluator."""
        return self._evaluator

    # -- commands ------------------------------------------------------------

    def eval(
        self, source: str, timeout: float | None = None, filename: str | None = None
    ) -> Evaluation:
        """Run ``source`` as one command in the shell process and return what it did.

        Ctrl+C (KeyboardInterrupt in the calling thread) while it runs interrupts
        the command. With ``timeout``, a command still running after that many
        seconds is interrupted and TimeoutError raised. With ``filename``, the
        source is a whole file: it runs under that name and shows no value.
        """
        if self._closed:
            raise RuntimeError("this shell session is closed")
        install_routers()  # again: a test harness may have swapped sys.stdout since
        notice = self.recover()
        with self._lock:
            self._request += 1
            request_id = self._request
            proc = self._proc
            evaluator = self._evaluator
            self._waiting = True
        assert proc is not None and evaluator is not None
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            send(pid_of(proc), (self.tag, request_id, source, filename))
            while True:
                item = self._next_reply(deadline, timeout)
                if item[0] == "evaled" and item[1] == request_id:
                    evaluation: Evaluation = item[2]
                    if evaluator.respawn_requested:
                        self._await_down(proc)
                        self._spawn()
                        evaluation.restarted = True
                    break
                if item[0] == "down" and item[1] == pid_of(proc):
                    evaluation = self._shell_exited(source, item[1], item[2])
                    break
                # Anything else is stale: a reply to an abandoned command.
        finally:
            with self._lock:
                self._waiting = False
        if notice is not None:
            evaluation.extra["notice"] = notice
        return evaluation

    def run_file(self, path: str, source: str | None = None) -> Evaluation:
        """Run a Python file in the shell process, in the namespace (a startup file, a script)."""
        if source is None:
            with open(path, encoding="utf-8") as handle:
                source = handle.read()
        return self.eval(source, filename=os.path.abspath(path))

    def _next_reply(self, deadline: float | None, timeout: float | None) -> tuple[Any, ...]:
        interrupts = 0
        while True:
            try:
                if deadline is None:
                    return self._replies.get()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise Empty
                return self._replies.get(True, remaining)
            except KeyboardInterrupt:
                interrupts += 1
                if interrupts >= INTERRUPTS_BEFORE_KILL:
                    self.kill_shell()
                else:
                    self.interrupt()
            except Empty:
                self.interrupt()
                try:
                    item = self._replies.get(True, 5.0)
                except Empty:
                    item = None
                if item is not None and item[0] == "down":
                    self._replies.put(item)  # let recover() report it
                raise TimeoutError(
                    f"the command ran longer than {timeout:g} s and was interrupted"
                ) from None

    def _shell_exited(self, source: str, pid: Any, reason: Any) -> Evaluation:
        text = format_shell_exit(pid, reason)
        evaluation = Evaluation(
            source,
            error=Exit(reason),
            text=text,
            result_text=text,
            counter=self.counter,
            shell_exited=True,
            restarted=True,
        )
        self._spawn()
        return evaluation

    def _await_down(self, proc: ProcessRecord) -> None:
        while True:
            item = self._replies.get()
            if item[0] == "down" and item[1] == pid_of(proc):
                return

    def recover(self) -> str | None:
        """If the shell process died since the last command, start a new one.

        Returns the text to show for it (``** (EXIT from ...) ...``), or None if
        the shell process is fine.
        """
        notice = None
        while True:
            try:
                item = self._replies.get_nowait()
            except Empty:
                return notice
            proc = self._proc
            if item[0] == "down" and proc is not None and item[1] == pid_of(proc):
                notice = format_shell_exit(item[1], item[2])
                if not self._closed:
                    self._spawn()

    def interrupt(self) -> bool:
        """Raise KeyboardInterrupt in the running command, if one runs.

        A command awaiting on the session's loop has its task cancelled instead.
        """
        if self.loop.cancel():
            return True
        with self._lock:
            if self._running is None or self._proc is None:
                return False
            return interrupt(self._proc)

    def kill_shell(self, reason: Any = "kill") -> None:
        """Send the shell process an exit signal (it is replaced by a new one)."""
        proc = self._proc
        if proc is not None:
            exit_signal(pid_of(proc), reason)

    def close(self) -> None:
        """Stop the shell process; the session cannot be used afterwards."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            proc = self._proc
        if proc is not None:
            exit_signal(pid_of(proc), "kill")
            self._await_down(proc)
        self.loop.close()

    # -- called from the shell process ----------------------------------------

    def begin_command(self, proc: ProcessRecord, captured: list[str], request_id: int) -> None:
        with self._lock:
            self._capture = (proc, captured)
            self._running = request_id

    def end_command(self) -> None:
        with self._lock:
            self._running = None
            self._capture = None

    def reply(self, request_id: int, evaluation: Evaluation) -> None:
        self._replies.put(("evaled", request_id, evaluation))

    def request_respawn(self) -> None:
        evaluator = self._evaluator
        if evaluator is not None:
            evaluator.respawn_requested = True

    # -- group leader: where the session's processes print -------------------

    def write_output(self, text: str, stream: str, proc: ProcessRecord) -> None:
        capture = self._capture
        if capture is not None and capture[0] is proc:
            capture[1].append(text)
            self.display.command_output(text)
        else:
            self.display.background_output(text)

    def write_report(self, text: str) -> None:
        self.display.background_output(text)

