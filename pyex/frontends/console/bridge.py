"""The runtime's end of the console: a shell Session driven by the prompt process.

``run_console`` starts the prompt (ui.py) as a child process that owns the
terminal, and serves it: commands come in as messages and run in the shell
process; results, what processes print, crash reports and shell-process
deaths go back as messages. The calling thread serves; a sender thread
writes output to the prompt, many messages a write, so a flood of output
costs the runtime few system calls.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import threading
from typing import Any

from ...runtime.internal import stack_bottom
from ...shell import Evaluation, Session, banner
from ...shell.console_input import install_console_stdin
from ...shell.hosting import Host, MainThreadHost
from ...shell.output import set_fallback_leader
from ...shell.session import INTERRUPTS_BEFORE_KILL
from .completer import candidates
from .output_buffer import OutputBuffer
from .protocol import Message, MessageReader, MessageWriter

__all__ = ["Bridge", "run_console"]

# A Ctrl+C that comes while no command runs interrupts one that begins this soon after.
PRESS_BEFORE_COMMAND = 0.5
MAX_QUEUED_OUTPUT = 4_000_000  # characters held while the prompt cannot keep up


class _Outbox:
    """Messages for the prompt, written by one thread; consecutive output is merged."""

    def __init__(self, writer: MessageWriter) -> None:
        self._writer = writer
        self._cond = threading.Condition(threading.Lock())
        self._messages: list[Message] = []
        self._output = OutputBuffer(MAX_QUEUED_OUTPUT)  # output since the last other message
        self._write_lock = threading.Lock()  # one writer at a time, in order
        threading.Thread(target=self._send_loop, name="pyex-console-out", daemon=True).start()

    def output(self, text: str) -> None:
        with self._cond:
            self._output.add(text)
            self._cond.notify()

    def send(self, message: Message) -> None:
        with self._cond:
            self._seal_output()
            self._messages.append(message)
            self._cond.notify()

    def _seal_output(self) -> None:
        """The output queued so far becomes one message, before whatever comes next."""
        if self._output:
            self._messages.append({"op": "output", "text": self._output.take()})

    def send_now(self, message: Message) -> None:
        """Write ``message`` from this thread, after everything queued before it."""
        with self._write_lock:
            with self._cond:
                messages = self._take() + [message]
            self._writer.send_many(messages)

    def _take(self) -> list[Message]:
        self._seal_output()
        messages, self._messages = self._messages, []
        return messages

    def _send_loop(self) -> None:
        while True:
            with self._cond:
                while not self._messages and not self._output:
                    self._cond.wait()
            with self._write_lock:
                with self._cond:
                    messages = self._take()
                if messages and not self._writer.send_many(messages):
                    return  # the prompt is gone


class _BridgeDisplay:
    """The Display of a session whose terminal is in the prompt process."""

    def __init__(self, bridge: Bridge) -> None:
        self._bridge = bridge
        self.columns = 80

    def command_output(self, text: str) -> None:
        self._bridge.outbox.output(text)

    def background_output(self, text: str) -> None:
        self._bridge.outbox.output(text)

    def shell_down(self) -> None:
        self._bridge.wake()

    def prompt_changed(self) -> None:
        self._bridge.wake()  # a pry was asked or ended: the prompt process shows it

    def clear_screen(self) -> None:
        self._bridge.outbox.send({"op": "clear"})

    def width(self) -> int:
        return self.columns

    def open_view(self, name: str, options: dict[str, Any]) -> bool:
        """A helper (top()) asks for a full-screen view, shown once its command is over."""
        self._bridge.view = {"name": name, **options}
        return True

    # Also the fallback group leader: output of threads that are not processes.
    def write_output(self, text: str, stream: str, proc: Any) -> None:
        self._bridge.outbox.output(text)

    def write_report(self, text: str) -> None:
        self._bridge.outbox.output(text)


class Bridge:
    """Serves one prompt process: runs its commands in a Session.

    The calling thread does everything but write output: it waits for the
    prompt's messages (and for a shell process's death), runs commands, answers
    completions. Ctrl+C during a command reaches this process as SIGINT (the
    terminal sends it to both processes; the prompt's only counts it). Nothing is
    raised for it here: the signal's wake-up file (``signal.set_wakeup_fd``)
    tells an interrupter thread, which interrupts the running command. So a
    press never lands in the serving thread's own work, and is not lost when
    the kernel hands the signal to a thread other than the serving one, which
    waits for the command's result unwoken by it. Three presses during one
    command kill the shell process, which is then replaced.
    """

    def __init__(
        self,
        commands_fd: int,
        events_fd: int,
        ui: subprocess.Popen[bytes] | None,
        host: Host | None = None,
    ) -> None:
        self.ui = ui
        self.reader = MessageReader(commands_fd)
        self.outbox = _Outbox(MessageWriter(events_fd))
        self.display = _BridgeDisplay(self)
        self.session = Session(self.display, main_module=True, host=host)
        self._wake_read, self._wake_write = os.pipe()
        self._command = 0  # the command Ctrl+C presses count towards; 0 while none runs
        self._inbox: list[Message] = []  # read from the prompt, not handled yet
        self._starting = False  # a command's message is taken, the command not begun
        # Held to tell what a Ctrl+C is for, and while that changes: reading
        # messages, a command beginning and ending.
        self._press_lock = threading.Lock()
        self._pressed_command, self._presses = 0, 0  # Ctrl+C presses during that command
        self._commands = 0
        self._shown_prompt = ""
        self.view: Message | None = None  # a full-screen view the last command asked for
        self._top: Any = None  # what the top() view shows (shell/observer.py), while it is up

    @staticmethod
    def _on_sigint(signum: int, frame: Any) -> None:
        """Nothing: a Python handler must be set for the wake-up file to be written."""

    def _interrupt_loop(self, signals_fd: int) -> None:
        while True:
            try:
                signals = os.read(signals_fd, 512)
            except OSError:
                return
            for number in signals:
                if number == signal.SIGINT:
                    self.on_ctrl_c()

    def on_ctrl_c(self) -> None:
        """A Ctrl+C the terminal sent as SIGINT (no prompt is up): interrupt what it is for."""
        with self._press_lock:
            command = self._command
            if command == 0:
                # No command runs: pressed after Enter, before the command began
                # (its message is here: it is that command's), or as the last one
                # ended, before the prompt came back: nobody's. (Pressed before the
                # command was sent, the prompt process tells us with the command.)
                if self._command_waiting():
                    self.session.interrupt_next(within=PRESS_BEFORE_COMMAND)
                elif self.session.asking():
                    # A process waits at a question (input(), a pry request) whose
                    # prompt is not up yet: the prompt process answers it with Ctrl+C.
                    self.outbox.send({"op": "ctrl_c"})
                return
        self._presses = self._presses + 1 if command == self._pressed_command else 1
        self._pressed_command = command
        if self._presses >= INTERRUPTS_BEFORE_KILL:
            self.session.kill_shell()
            return
        if not self.session.interrupt_command():  # also if not begun in the shell process yet
            # Not even sent to the shell process yet (eval() is on its way there).
            self.session.interrupt_next(within=PRESS_BEFORE_COMMAND)
        if self._presses == INTERRUPTS_BEFORE_KILL - 1:
            self._announce_kill()

    def _command_waiting(self) -> bool:
        """Whether a command has come from the prompt and not begun (with ``_press_lock`` held)."""
        if self._starting or any(message.get("op") == "eval" for message in self._inbox):
            return True
        try:
            return bool(select.select([self.reader.fd], [], [], 0)[0])
        except (OSError, ValueError):
            return False

    def _announce_kill(self) -> None:
        """Before the press that kills the shell process: say what it will do."""
        text = (
            f"** (pyex) the command goes on after {INTERRUPTS_BEFORE_KILL - 1} Ctrl+C: "
            f"one more kills the shell process {self.session.pid} "
            f"(a new one takes over; the variables stay, its mailbox is lost)"
        )
        self.outbox.send({"op": "notice", "text": text, "error": True})

    def _catch_ctrl_c(self) -> None:
        signals_read, signals_write = os.pipe()
        os.set_blocking(signals_write, False)
        signal.signal(signal.SIGINT, self._on_sigint)
        signal.set_wakeup_fd(signals_write, warn_on_full_buffer=False)
        threading.Thread(
            target=self._interrupt_loop,
            args=(signals_read,),
            name="pyex-console-ctrl-c",
            daemon=True,
        ).start()

    def _eval(self, source: str, filename: str | None = None) -> Evaluation:
        """Run a command; Ctrl+C meanwhile interrupts it."""
        self._begin_command()
        try:
            return self.session.eval(source, filename=filename)
        finally:
            self._end_command()

    def _begin_command(self) -> None:
        with self._press_lock:
            self._commands += 1
            self._command = self._commands
            self._starting = False

    def _end_command(self) -> None:
        with self._press_lock:
            self._command = 0

    def wake(self) -> None:
        """From any thread: make the serving thread look at the session (a shell died)."""
        try:
            os.write(self._wake_write, b"!")
        except OSError:
            pass

    def _prompt_fields(self) -> Message:
        fields: Message = {
            "prompt": self.session.prompt(),
            "continuation": self.session.continuation_prompt(),
            "question": self.session.asking(),  # a pry request: an empty answer is sent too
        }
        self._shown_prompt = fields["prompt"]
        return fields

    def _next_messages(self) -> bool:
        """Wait for the prompt's messages, into ``_inbox``; False when it is gone.

        Recovers a dead shell meanwhile.
        """
        while True:
            ready, _, _ = select.select([self.reader.fd, self._wake_read], [], [])
            if self._wake_read in ready:
                os.read(self._wake_read, 4096)
                self._recover()
            if self.reader.fd in ready:
                with self._press_lock:
                    self._inbox.extend(self.reader.read_available())
                if self._inbox:
                    return True
                if self.reader.eof:
                    return False

    def _run_file(self, path: str) -> Evaluation:
        try:
            with open(path, encoding="utf-8-sig") as handle:
                source = handle.read()
        except OSError as exc:
            text = f"pyex: cannot open {path!r}: {exc.strerror}"
            return Evaluation(path, error=exc, text=text, result_text=text, exit_code=2)
        return self._eval(source, filename=os.path.abspath(path))

    def _recover(self) -> None:
        notice = self.session.recover()
        if notice is not None:
            message: Message = {"op": "notice", "text": notice, "error": True, "banner": banner()}
            message.update(self._prompt_fields())
            self.outbox.send(message)
        elif self.session.prompt() != self._shown_prompt:  # a pry was asked, or ended
            finished = self.session.finish_paused()
            if finished is not None:  # its reader interrupted while it asked: the command's end
                message = {"op": "notice", "text": finished.text, "error": True}
                message.update(self._prompt_fields())
                self.outbox.send(message)
                return
            message = {"op": "prompt"}
            message.update(self._prompt_fields())
            self.outbox.send(message)

    def _send_result(self, evaluation: Evaluation) -> None:
        notice = evaluation.extra.get("notice")
        if notice:
            self.outbox.send({"op": "notice", "text": notice, "error": True, "banner": banner()})
        result: Message = {
            "op": "result",
            "text": evaluation.result_text,
            "error": evaluation.error is not None or evaluation.shell_exited,
            "restarted": evaluation.restarted,
            "banner": banner(),
            "exit": evaluation.exit_code,
            "colors": self.session.config.get("colors"),
            "interrupted": isinstance(evaluation.error, KeyboardInterrupt),
        }
        if self.view is not None:
            result["view"], self.view = self.view, None
        result.update(self._prompt_fields())
        self.outbox.send_now(result)

    def _run_first(self, startup: str | None, first: tuple[str, str | None] | None) -> int | None:
        if startup is not None:
            evaluation = self._run_file(startup)
            if evaluation.error is not None:
                text = f"pyex: error in {startup}:\n{evaluation.result_text}"
                self.outbox.send({"op": "notice", "text": text, "error": True})
        if first is not None:
            name, code = first
            evaluation = self._run_file(name) if code is None else self._eval(code, filename=name)
            if evaluation.result_text:
                error = evaluation.error is not None
                self.outbox.send({"op": "notice", "text": evaluation.result_text, "error": error})
            return evaluation.exit_code
        return None

    def run(
        self,
        startup: str | None = None,
        first: tuple[str, str | None] | None = None,
        catch_ctrl_c: bool = True,
    ) -> int:
        """Serve the prompt until it leaves or a command calls exit(); returns the status.

        ``catch_ctrl_c`` False: the caller has (signal handlers are the main thread's to set).
        """
        set_fallback_leader(self.display)
        install_console_stdin()  # reads go through the prompt process: no fight for the keys
        if catch_ctrl_c:
            self._catch_ctrl_c()
        self.outbox.output(banner() + "\n")
        self.session.start()
        status = self._run_first(startup, first)
        if status is not None:
            self.outbox.send_now({"op": "exit", "status": status})
            return self._finish(status)
        ready: Message = {"op": "ready"}
        ready.update(self._prompt_fields())
        self.outbox.send_now(ready)
        while True:
            if not self._next_messages():
                return self._finish(0)  # the prompt is gone
            while self._inbox:
                with self._press_lock:
                    message = self._inbox.pop(0)
                    self._starting = message.get("op") == "eval"
                status = self._handle(message)
                if status is not None:
                    return self._finish(status)

    def _handle(self, message: Message) -> int | None:
        op = message.get("op")
        if op == "eval":
            self.display.columns = int(message.get("width") or 80)
            cancel = message.get("cancel")
            if cancel:  # Ctrl+C or Ctrl+D at a question (a pry request, a process reading)
                self._begin_command()
                try:
                    evaluation = self.session.cancel_prompt(eof=cancel == "eof")
                finally:
                    self._end_command()
            else:
                if message.get("interrupt"):
                    self.session.interrupt_next()  # Ctrl+C came with the Enter that sent it
                evaluation = self._eval(message["source"])
            self._send_result(evaluation)
            return evaluation.exit_code
        if op == "complete":
            try:
                items = candidates(message["word"], self.session.namespace)
            except Exception:
                items = []
            self.outbox.send_now({"op": "completions", "id": message["id"], "items": items})
        elif op == "exit":
            return int(message.get("status") or 0)
        elif isinstance(op, str) and op.startswith("top_"):
            self._serve_top(message)
        return None

    def _serve_top(self, message: Message) -> None:
        """The top() view's requests: pages of rows, a process in detail, the tree, a kill."""
        from ...shell.observer import TopModel

        if message["op"] == "top_close":
            if self._top is not None:
                self._top.close()
            self._top = None
            return
        if self._top is None:
            self._top = TopModel()
        self.outbox.send_now(self._top.handle(message))

    def _finish(self, status: int) -> int:
        """Let the prompt process restore the terminal and leave before we do."""
        if self.ui is not None:
            try:
                self.ui.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.ui.kill()
        return status


# The serving thread is a process too (it sends): what calls Bridge.run is the
# launcher, not code of that process, and info()/top() never show it.
stack_bottom(Bridge.run.__code__)


def run_console(
    color: bool = True,
    startup: str | None = None,
    first: tuple[str, str | None] | None = None,
) -> int:
    """Start the console in this terminal: the prompt in a child process, the shell here."""
    commands_read, commands_write = os.pipe()
    events_read, events_write = os.pipe()
    command = [
        sys.executable,
        "-m",
        "pyex.frontends.console.ui",
        "--commands",
        str(commands_write),
        "--events",
        str(events_read),
    ]
    if not color:
        command.append("--no-color")
    ui = subprocess.Popen(command, pass_fds=(commands_write, events_read))
    os.close(commands_write)
    os.close(events_read)
    if threading.current_thread() is not threading.main_thread():
        # Signal handlers are the main thread's to set: Ctrl+C is whatever it makes of SIGINT.
        bridge = Bridge(commands_read, events_write, ui)
        return bridge.run(startup=startup, first=first, catch_ctrl_c=False)
    # The shell process runs on this, the main thread, which a signal wakes from
    # a blocking call (see shell/hosting.py); another thread serves the prompt,
    # and ends the program when the prompt is done, whatever the shell still runs.
    host = MainThreadHost()
    bridge = Bridge(commands_read, events_write, ui, host)
    bridge._catch_ctrl_c()

    def serve() -> None:
        status = 1
        try:
            status = bridge.run(startup=startup, first=first, catch_ctrl_c=False)
        finally:
            _leave(status)

    threading.Thread(target=serve, name="pyex-console", daemon=True).start()
    host.serve()
    return 0  # not reached: _leave() ends the program


def _leave(status: int) -> None:
    """End the program now, from any thread: the shell process may be busy on the main one."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(status)
