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
    bound,
    exit_signal,
    find,
    interrupt,
    pid_of,
    retire_current,
    set_group_leader,
    start_process,
    wait_time,
    watch_exit,
)
from ..version import __version__
from .awaiting import SessionLoop
from .config import Config
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
# How long a command that ran out of time may take to stop once interrupted,
# before its shell process is killed (and replaced) instead.
INTERRUPT_GRACE_SECONDS = 1.0
# How long close() waits for the shell process to be gone (a kill takes effect
# within the reaper's FORCE_AFTER, whatever the command does).
CLOSE_SECONDS = 1.0


def _from_outside(action: Any, *args: Any) -> Any:
    """Run ``action(*args)`` in a short-lived thread, so the caller never becomes a process.

    Spawning and exit signals come from a process; a front end's thread that
    became one would be listed by ``processes()``, and a user who killed it
    would end pyex. The helping thread's process ends at once, normally
    (nothing is linked to it).
    """
    results: list[Any] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            results.append(action(*args))
        except BaseException as exc:  # handed to the caller
            failed.append(exc)
        finally:
            retire_current()

    thread = threading.Thread(target=run, name="pyex-shell-starter")
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
    return results[0]


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
        self._gone: threading.Event | None = None  # set once self._proc has exited
        self._claimed = 0  # the latest request the shell process has taken up
        self._withdrawn: set[int] = set()  # requests given up before they started
        self._capture: tuple[ProcessRecord, list[str]] | None = None
        self._running: int | None = None
        self._request = 0
        self._waiting = False
        self._closed = False
        self.config = Config()
        self.command_names: dict[str, str] = {}  # <pyex(N)> names given to commands: their source
        self.loop = SessionLoop()  # the event loop top-level await runs on
        install_routers()
        install_report_handler()
        self.namespace = build_namespace(self, namespace, main_module)

    # -- the shell process ---------------------------------------------------

    def start(self) -> None:
        """Start the first shell process."""
        self._spawn()

    def _spawn(self) -> None:
        """Start a shell process, unless the session is closed (then nothing)."""
        evaluator = Evaluator(self)
        gone = threading.Event()
        with self._lock:  # close() sees either no new process or this one
            if self._closed:
                return
            # info() shows the shell process as running the shell, in the namespace's module.
            shell_call = (str(self.namespace.get("__name__", "__main__")), "shell", 0)
            pid = _from_outside(start_process, evaluator.main, (), {}, False, False, shell_call)[0]
            proc = find(pid)
            assert proc is not None
            set_group_leader(pid, self)  # its output, and its children's, come here
            self._evaluator = evaluator
            self._proc = proc
            self._gone = gone
        watch_exit(pid, lambda pid, reason: self._on_exit(pid, reason, gone))

    def _on_exit(self, pid: Any, reason: Any, gone: threading.Event) -> None:
        # Runs in the dying shell process's thread (or the reaper's).
        gone.set()
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
        """Columns results are laid out in: configure(width=...), else the display's."""
        configured = self.config.get("width")
        return configured if configured is not None else self.display.width()

    def evaluator(self) -> Evaluator | None:
        """The current shell process's evaluator."""
        return self._evaluator

    # -- commands ------------------------------------------------------------

    def eval(
        self, source: str, timeout: float | None = None, filename: str | None = None
    ) -> Evaluation:
        """Run ``source`` as one command in the shell process and return what it did.

        Ctrl+C (KeyboardInterrupt in the calling thread) while it runs interrupts
        the command. With ``filename``, the source is a whole file: it runs
        under that name and shows no value.

        With ``timeout`` (seconds), TimeoutError is raised when no result came
        by then, and its message says what became of the command: withdrawn
        (it never started: the shell process was busy), interrupted, or -- if
        it did not stop within ``INTERRUPT_GRACE_SECONDS`` of the interrupt --
        ended by killing the shell process, which a new one replaces. Either
        way the command is abandoned for good and the next eval works.
        """
        if self._closed:
            raise RuntimeError("this shell session is closed")
        me = bound()
        if me is not None and me is self._proc:
            raise RuntimeError(
                "eval() was called from inside a command of the same shell: its shell "
                "process runs one command at a time, so the command would wait for "
                "itself for ever; call the code directly, or spawn a process for it"
            )
        wait = wait_time(timeout)
        install_routers()  # again: a test harness may have swapped sys.stdout since
        notice = self.recover()
        with self._lock:
            if self._closed:
                raise RuntimeError("this shell session is closed")
            self._request += 1
            request_id = self._request
            proc = self._proc
            evaluator = self._evaluator
            self._waiting = True
        assert proc is not None and evaluator is not None
        deadline = None if wait is None else time.monotonic() + wait
        try:
            send(pid_of(proc), (self.tag, request_id, source, filename))
            while True:
                item = self._next_reply(deadline)
                if item is None:
                    self._give_up(request_id, proc, timeout)  # raises TimeoutError
                    continue
                if item[0] == "evaled" and item[1] == request_id:
                    evaluation: Evaluation = item[2]
                    if evaluator.respawn_requested:
                        self._await_down()
                        self._spawn()
                        evaluation.restarted = True
                    break
                if item[0] == "down" and item[1] == pid_of(proc):
                    if self._closed:
                        raise RuntimeError(
                            "the shell session was closed while the command ran"
                        )
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
            with open(path, encoding="utf-8-sig") as handle:
                source = handle.read()
        return self.eval(source, filename=os.path.abspath(path))

    def _next_reply(self, deadline: float | None) -> tuple[Any, ...] | None:
        """The next item from the shell process, or None once ``deadline`` passed."""
        interrupts = 0
        while True:
            try:
                if deadline is None:
                    return self._replies.get()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                return self._replies.get(True, remaining)
            except KeyboardInterrupt:
                interrupts += 1
                if interrupts >= INTERRUPTS_BEFORE_KILL:
                    self.kill_shell()
                else:
                    self.interrupt()
            except Empty:
                return None

    def _give_up(self, request_id: int, proc: ProcessRecord, timeout: Any) -> None:
        """Abandon request ``request_id``, out of time; raise TimeoutError saying how."""
        with self._lock:
            started = self._claimed >= request_id
            if not started:
                self._withdrawn.add(request_id)  # the shell process will skip it
        if not started:
            raise TimeoutError(
                f"the command did not start within {timeout:g} s: the shell process was "
                f"still busy with an earlier command; it was withdrawn and will not run"
            )
        self.interrupt()
        grace = time.monotonic() + INTERRUPT_GRACE_SECONDS
        while True:
            item = self._next_reply(grace)
            if item is None:
                break
            if item[0] == "evaled" and item[1] == request_id:
                raise TimeoutError(
                    f"the command ran longer than {timeout:g} s and was interrupted"
                )
            if item[0] == "down" and item[1] == pid_of(proc):
                self._replies.put(item)  # let recover() report it and start another
                raise TimeoutError(
                    f"the command ran longer than {timeout:g} s; interrupted, "
                    f"its shell process exited"
                )
        # It will not stop: kill its shell process; the next eval gets a new one.
        self.kill_shell()
        self._await_down(CLOSE_SECONDS)
        raise TimeoutError(
            f"the command ran longer than {timeout:g} s and did not stop within "
            f"{INTERRUPT_GRACE_SECONDS:g} s of an interrupt: its shell process {pid_of(proc)} "
            f"was killed, and a new one takes the next command"
        )

    def claim(self, request_id: int) -> bool:
        """Called by the shell process as it takes up a request: False if it was withdrawn."""
        with self._lock:
            if request_id in self._withdrawn:
                self._withdrawn.discard(request_id)
                return False
            self._claimed = max(self._claimed, request_id)
            return True

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

    def _await_down(self, timeout: float | None = None) -> bool:
        """Wait until the current shell process has exited; False if ``timeout`` passed first."""
        gone = self._gone
        return gone is None or gone.wait(timeout)

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
            _from_outside(exit_signal, pid_of(proc), reason)

    def close(self) -> None:
        """Stop the shell process; the session cannot be used afterwards."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            proc = self._proc
        if proc is not None:
            _from_outside(exit_signal, pid_of(proc), "kill")
            self._await_down(CLOSE_SECONDS)
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
        command = capture is not None and capture[0] is proc
        if command:
            capture[1].append(text)  # type: ignore[index]
        # A display with a standard error of its own (a scripted session) shows sys.stderr there.
        to_stderr = getattr(self.display, "error_output", None) if stream == "stderr" else None
        if to_stderr is not None:
            to_stderr(text)
        elif command:
            self.display.command_output(text)
        else:
            self.display.background_output(text)

    def write_report(self, text: str) -> None:
        self.display.background_output(text)

