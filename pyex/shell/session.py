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
from collections.abc import Iterator
from contextlib import contextmanager
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
    set_group_leader,
    wait_time,
    watch_exit,
)
from ..version import __version__
from .awaiting import SessionLoop
from .config import Config
from .display import format_shell_exit
from .evaluator import Evaluation, Evaluator, join_text
from .helpers import Helpers
from .hosting import Host, WorkerHost, from_outside
from .namespace import build_namespace
from .pry import PryHost, install_breakpointhook
from .report_handler import install_report_handler
from .routing import install_routers

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


class Session:
    """The shell core: one namespace, one shell process at a time."""

    def __init__(
        self,
        display: Display,
        namespace: dict[str, Any] | None = None,
        main_module: bool = False,
        host: Host | None = None,
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
        self._begun = 0  # the last request that began in the shell process
        self._closed = False
        self.config = Config()
        self.host: Host = host if host is not None else WorkerHost()
        # Interrupt the next command to begin (or only that request) if it begins before then.
        self._interrupt_next: tuple[int | None, float] | None = None
        self.command_names: dict[str, str] = {}  # <pyex(N)> names given to commands: their source
        self.loop = SessionLoop()  # the event loop top-level await runs on
        # A command paused while a process it waits for (or the shell process
        # itself) is pried: (request_id, proc, evaluator, source).
        self._paused: tuple[int, ProcessRecord, Evaluator, str] | None = None
        self._paused_output = ""  # what it had printed when it paused (already shown)
        install_routers()
        install_report_handler()
        self.namespace = build_namespace(Helpers(self).as_dict(), namespace, main_module)
        self.pry_host = PryHost(self)  # pry() requests, and the pry that is on
        install_breakpointhook(os.environ)

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
            pid = self.host.start(evaluator.main, shell_call)
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
        """``pyex(N)> `` (``pry(N)> `` in a pry, or the question a pry request asks)."""
        pried = self.pry_host.prompt()
        return pried[0] if pried is not None else f"pyex({self.counter})> "

    def continuation_prompt(self) -> str:
        """``...(N)> ``"""
        pried = self.pry_host.prompt()
        return pried[1] if pried is not None else f"...({self.counter})> "

    def asking(self) -> bool:
        """Whether the prompt is a question (a pry request): an empty answer counts."""
        pried = self.pry_host.prompt()
        return pried is not None and pried[2]

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
        wait_time(timeout)  # a bad timeout is refused before anything is sent
        install_routers()  # again: a test harness may have swapped sys.stdout since
        notice = self.recover()
        evaluation = self.pry_host.eval(source, timeout)
        if evaluation is not None:
            if evaluation.extra.get("released") and self._paused is not None:
                evaluation = self._resume(evaluation, timeout)
            if notice is not None:
                evaluation.extra["notice"] = notice
            return evaluation
        with self._lock:
            if self._closed:
                raise RuntimeError("this shell session is closed")
            self._request += 1
            request_id = self._request
            proc = self._proc
            evaluator = self._evaluator
            self._waiting = True
        assert proc is not None and evaluator is not None
        send(pid_of(proc), (self.tag, request_id, source, filename))
        evaluation = self._wait_command(request_id, proc, evaluator, source, timeout)
        if notice is not None:
            evaluation.extra["notice"] = notice
        return evaluation

    def _wait_command(
        self,
        request_id: int,
        proc: ProcessRecord,
        evaluator: Evaluator,
        source: str,
        timeout: float | None,
    ) -> Evaluation:
        """Wait for a command's Evaluation (or its pausing for a pry request)."""
        wait = wait_time(timeout)
        deadline = None if wait is None else time.monotonic() + wait
        with self._lock:
            self._waiting = True
        try:
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
                    return evaluation
                if item[0] == "down" and item[1] == pid_of(proc):
                    if self._closed:
                        raise RuntimeError(
                            "the shell session was closed while the command ran"
                        )
                    return self._shell_exited(source, item[1], item[2])
                if item[0] == "pry" and self.pry_host.busy() and not self._ended(request_id):
                    # A pry is asked while the command runs (it may be what
                    # the command waits for): the prompt goes to the pry, the
                    # command's result comes when the pry ends.
                    self._paused = (request_id, proc, evaluator, source)
                    capture = self._capture
                    shown = "".join(capture[1]) if capture is not None else ""
                    paused = Evaluation(source, counter=self.counter, extra={"paused": True})
                    paused.output, paused.text = shown, shown.rstrip("\n")
                    self._paused_output = shown
                    return paused
                # Anything else is stale: a reply to an abandoned command.
        finally:
            with self._lock:
                self._waiting = False

    def _ended(self, request_id: int) -> bool:
        """Whether command ``request_id`` has answered already (put back for the wait)."""
        kept, found = [], False
        while True:
            try:
                item = self._replies.get_nowait()
            except Empty:
                break
            kept.append(item)
            found = found or (item[0] == "evaled" and item[1] == request_id)
        for item in kept:
            self._replies.put(item)
        return found

    def _resume(self, ended: Evaluation, timeout: float | None) -> Evaluation:
        """The pry ended: wait on for the command it paused, and show both."""
        paused, self._paused = self._paused, None
        assert paused is not None
        evaluation = self._wait_command(*paused, timeout)
        if evaluation.extra.get("paused"):
            return evaluation  # paused again, by another pry
        shown = self._paused_output
        if shown and evaluation.output.startswith(shown):  # shown when the command paused
            evaluation.output = evaluation.output[len(shown) :]
            evaluation.text = join_text(evaluation.output, evaluation.result_text)
        if ended.text:
            evaluation.text = join_text(ended.text, evaluation.text)
            evaluation.result_text = join_text(ended.result_text, evaluation.result_text)
        return evaluation

    def finish_paused(self) -> Evaluation | None:
        """The command a question paused, if it ended with nobody asking any more.

        A process that was reading a line can be interrupted before its
        question is answered (Ctrl+C just as it asked): its command's result
        is then ready, and no answer will come to fetch it. None otherwise.
        """
        paused = self._paused
        if paused is None or self.asking() or not self._ended(paused[0]):
            return None
        return self._resume(Evaluation(""), None)

    def cancel_prompt(self, eof: bool = False) -> Evaluation:
        """Ctrl+C (or Ctrl+D: ``eof``) at a question: decline the pry, or interrupt the reader.

        A process reading a line gets KeyboardInterrupt (or end of input); a
        command paused meanwhile is then waited for, as after any answer.
        """
        evaluation = self.pry_host.cancel(eof)
        if evaluation.extra.get("released") and self._paused is not None:
            evaluation = self._resume(evaluation, None)
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
        kept = []
        while True:
            try:
                item = self._replies.get_nowait()
            except Empty:
                break
            proc = self._proc
            paused = self._paused
            if item[0] == "down" and proc is not None and item[1] == pid_of(proc):
                notice = format_shell_exit(item[1], item[2])
                self._paused = None
                if not self._closed:
                    self._spawn()
            elif item[0] == "evaled" and paused is not None and item[1] == paused[0]:
                kept.append(item)  # the paused command ended: shown once the pry ends
        for item in kept:
            self._replies.put(item)
        return notice

    def interrupt(self) -> bool:
        """Raise KeyboardInterrupt in the running command, if one runs.

        A command awaiting on the session's loop has its task cancelled instead.
        """
        return self._interrupt(pending_too=False)

    def interrupt_command(self) -> bool:
        """Ctrl+C for the command eval() waits for: interrupt it now, or as it begins.

        Unlike ``interrupt()``, a command sent to the shell process that has not
        begun yet (its process busy, or not scheduled yet) is interrupted as it
        begins; one that has ended is not, nor is any later one.
        """
        return self._interrupt(pending_too=True)

    def _interrupt(self, pending_too: bool) -> bool:
        pried = self.pry_host.pried()
        if pried is not None:
            return self.interrupt_process(pried)
        if self.loop.cancel():
            return True
        with self._lock:
            if self._running is not None and self._proc is not None:
                interrupted = interrupt(self._proc)
            elif pending_too and self._waiting and self._begun != self._request:
                self._interrupt_next = (self._request, float("inf"))
                return True
            else:
                return False
        self.host.nudge()  # out of a blocking call, if its thread can be woken
        return interrupted

    def interrupt_process(self, pid: Any) -> bool:
        """Raise KeyboardInterrupt in process ``pid`` (a pried one), if it lives."""
        proc = find(pid)
        return interrupt(proc) if proc is not None else False

    def kill_shell(self, reason: Any = "kill") -> None:
        """Send the shell process an exit signal (it is replaced by a new one)."""
        proc = self._proc
        if proc is not None:
            from_outside(exit_signal, pid_of(proc), reason)
            self.host.nudge()

    def close(self) -> None:
        """Stop the shell process; the session cannot be used afterwards."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            proc = self._proc
        self.pry_host.close()
        if proc is not None:
            from_outside(exit_signal, pid_of(proc), "kill")
            self.host.nudge()
            self._await_down(CLOSE_SECONDS)
        self.loop.close()

    # -- called from the shell process ----------------------------------------

    def interrupt_next(self, within: float | None = None) -> None:
        """Interrupt the next command as it begins (Ctrl+C pressed with its Enter).

        With ``within``, only if it begins within that many seconds.
        """
        deadline = float("inf") if within is None else time.monotonic() + within
        with self._lock:
            self._interrupt_next = (None, deadline)

    def begin_command(self, proc: ProcessRecord, captured: list[str], request_id: int) -> None:
        with self._lock:
            self._capture = (proc, captured)
            self._running = self._begun = request_id
            pending, self._interrupt_next = self._interrupt_next, None
        if pending is None:
            return
        for_request, deadline = pending
        if for_request in (None, request_id) and time.monotonic() <= deadline:
            raise KeyboardInterrupt

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

    # -- pries -----------------------------------------------------------------

    def pry_changed(self) -> None:
        """A pry was asked or ended: wake a command's wait, and the front end's prompt."""
        self._replies.put(("pry",))
        changed = getattr(self.display, "prompt_changed", None)
        if changed is not None:
            changed()

    @contextmanager
    def capturing(self, pid: Any) -> Iterator[list[str]]:
        """While a pry command runs: what process ``pid`` prints is the command's output."""
        proc = find(pid)
        captured: list[str] = []
        with self._lock:
            saved = self._capture
            if proc is not None:
                self._capture = (proc, captured)
        try:
            yield captured
        finally:
            with self._lock:
                self._capture = saved

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

