"""``pry()``: pause a process and evaluate the shell's commands in its frame (IEx.pry).

The pried process asks the shell for a pry (``PryHost.request``) and then
*waits in a runtime receive* for what the shell sends it: a command to
evaluate in its paused frame, or leave to go on. So while paused it is
``'waiting'`` in ``info()``, it can be killed (the pry then ends cleanly),
and every other process keeps running. The shell side (``PryHost``, one per
session) queues requests, offers them one at a time
(``Request to pry #PID<...> at FILE:LINE. Allow? [Yn]``), and while a pry
is on, sends each command to the pried process and waits for its answer.

Assignments to the paused frame's local variables take effect: through the
write-through ``frame.f_locals`` of PEP 667 on Python 3.13+, and through
``PyFrame_LocalsToFast`` (ctypes) on 3.10-3.12. Names the frame does not
define fall back to its globals, then to the shell's namespace; the pry's own
helpers (``whereami``, ``continue_``, ``next_``) and ``self`` (the pried
process) come right after the frame's locals (a method's local ``self`` wins).
"""

from __future__ import annotations

import ctypes
import linecache
import sys
import threading
from collections import ChainMap, deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import FrameType
from typing import TYPE_CHECKING, Any

from ..runtime import Pid, Ref, alive, make_ref, receive, send
from ..runtime import self as self_pid
from .display import format_exception, format_value
from .evaluator import Evaluation, join_text
from .namespace import shell_builtins
from .output import current_leader
from .source import compile_source

if TYPE_CHECKING:
    from .session import Session

__all__ = [
    "LineRequest",
    "PryHost",
    "PryRequest",
    "breakpointhook",
    "continue_",
    "find_host",
    "install_breakpointhook",
    "location_text",
    "next_",
    "pry",
    "pry_frame",
    "read_line",
    "whereami",
]

WRITE_THROUGH_LOCALS = sys.version_info >= (3, 13)  # PEP 667
_TAG = "pyex-pry"
_local = threading.local()
_hosts: list[PryHost] = []  # every open session's host, newest last
_hosts_lock = threading.Lock()


# -- what the shell shows ----------------------------------------------------


def location_text(filename: str, line: int, context: int = 4) -> str:
    """``Location: FILE:LINE`` and the numbered lines around ``line``, it marked ``->``."""
    lines = linecache.getlines(filename)
    shown = [f"Location: {filename}:{line}"]
    if not lines:
        return shown[0] + "\n(no source)"
    first = max(1, line - context)
    last = min(len(lines), line + context)
    width = len(str(last))
    shown.append("")
    for number in range(first, last + 1):
        marker = "->" if number == line else "  "
        shown.append(f"{marker} {number:>{width}}: {lines[number - 1].rstrip()}")
    return "\n".join(shown)


@dataclass
class PryRequest:
    """One process asking to be pried, at one place."""

    pid: Pid
    ref: Ref
    filename: str
    line: int
    ask: bool = True  # False: opened by the user (pry_last): no question

    def question(self) -> str:
        return f"Request to pry {self.pid} at {self.filename}:{self.line}. Allow? [Yn] "


@dataclass(eq=False)
class LineRequest:
    """A process reading a line of input through the console's one reader."""

    pid: Pid
    ref: Ref
    prompt: str


# -- the shell's side --------------------------------------------------------


@dataclass
class _Pry:
    """The pry that is on: its request, its prompt counter, the answers it waits for."""

    request: PryRequest
    counter: int = 1
    answers: dict[int, Any] = field(default_factory=dict)
    ended: bool = False


class PryHost:
    """A session's pries: the requests waiting, the one offered, the one that is on."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._cond = threading.Condition(threading.Lock())
        self._requests: deque[PryRequest] = deque()
        self._offered: PryRequest | None = None
        self._active: _Pry | None = None
        self._lines: deque[LineRequest] = deque()  # processes reading a line, in turn
        self._answer_ids = 0
        with _hosts_lock:
            _hosts.append(self)

    def close(self) -> None:
        """The session ends: let every paused process go on."""
        with _hosts_lock:
            if self in _hosts:
                _hosts.remove(self)
        with self._cond:
            requests = list(self._requests)
            if self._offered is not None:
                requests.append(self._offered)
            if self._active is not None:
                requests.append(self._active.request)
            self._requests.clear()
            self._offered = self._active = None
        for request in requests:
            _tell(request, "continue", None)

    # -- from the pried processes ----------------------------------------------

    def request(self, request: PryRequest) -> None:
        """A process asks to be pried (it then waits for the shell's word)."""
        with self._cond:
            if request.ask:
                self._requests.append(request)
            else:
                self._offered = None
                self._active = _Pry(request)
        self._session.pry_changed()

    def request_line(self, request: LineRequest) -> None:
        """A process reads a line of input (sys.stdin in the console): the next one typed."""
        with self._cond:
            self._lines.append(request)
        self._session.pry_changed()

    def cancel_line(self, request: LineRequest) -> None:
        """The reading process was interrupted or killed before a line came."""
        with self._cond:
            if request in self._lines:
                self._lines.remove(request)
        self._session.pry_changed()

    def answer(self, request: PryRequest, answer_id: int, evaluation: Evaluation) -> None:
        """The pried process evaluated command ``answer_id``."""
        with self._cond:
            active = self._active
            if active is not None and active.request.ref == request.ref:
                active.answers[answer_id] = evaluation
                self._cond.notify_all()

    def ended(self, request: PryRequest) -> None:
        """The pried process goes on (continue_) or is gone: the pry, or its request, ends."""
        with self._cond:
            if request in self._requests:
                self._requests.remove(request)
            if self._offered is request:
                self._offered = None
            active = self._active
            if active is not None and active.request.ref == request.ref:
                active.ended = True
                self._active = None
                self._cond.notify_all()
        self._session.pry_changed()

    # -- from the session ------------------------------------------------------

    def _offer_locked(self) -> None:
        while self._offered is None and self._active is None and self._requests:
            request = self._requests.popleft()
            if alive(request.pid):
                self._offered = request

    def _line_locked(self) -> LineRequest | None:
        while self._lines and not alive(self._lines[0].pid):
            self._lines.popleft()
        return self._lines[0] if self._lines else None

    def busy(self) -> bool:
        """Whether a pry is asked or on, or a process reads a line (commands then go there)."""
        with self._cond:
            self._offer_locked()
            if self._offered is not None or self._active is not None:
                return True
            return self._line_locked() is not None

    def prompt(self) -> tuple[str, str, bool] | None:
        """(prompt, continuation, is a question), or None when no pry is on or asked."""
        with self._cond:
            self._offer_locked()
            if self._active is not None:
                number = self._active.counter
                return f"pry({number})> ", f"...({number})> ", False
            if self._offered is not None:
                return self._offered.question(), "", True
            line = self._line_locked()
            if line is not None:
                return line.prompt, "", True
        return None

    def namespace(self) -> dict[str, Any]:
        """The shell's namespace (names a pry command may use)."""
        return self._session.namespace

    def pried(self) -> Pid | None:
        """The pid of the process being pried, or None."""
        active = self._active
        return active.request.pid if active is not None else None

    def eval(self, source: str, timeout: float | None) -> Evaluation | None:
        """Handle a command if a pry is asked or on; None if the shell should run it."""
        with self._cond:
            self._offer_locked()
            offered, active = self._offered, self._active
            accepted = False
            if offered is not None:
                self._offered = None
                if source.strip().lower() in ("", "y", "yes"):
                    active = self._active = _Pry(offered)
                    source, accepted = "whereami()", True
                else:
                    _tell(offered, "continue", None)
                    return Evaluation(source, counter=self._session.counter, extra={"released": True})
            if active is None:
                line = self._line_locked()
                if line is None:
                    return None
                self._lines.remove(line)
                send(line.pid, (_TAG, line.ref, "line", source + "\n"))
                return Evaluation(source, counter=self._session.counter, extra={"released": True})
            self._answer_ids += 1
            answer_id = self._answer_ids
        with self._session.capturing(active.request.pid) as captured:
            if not _tell(active.request, "eval", (answer_id, source, self._session.width())):
                self.ended(active.request)
            evaluation = self._wait(active, answer_id, source, timeout)
        evaluation.counter = active.counter
        evaluation.output = "".join(captured)
        evaluation.text = join_text(evaluation.output, evaluation.result_text)
        if evaluation.error is None and source.strip() and not accepted:
            active.counter += 1
        return evaluation

    def cancel(self, eof: bool) -> Evaluation:
        """Ctrl+C / Ctrl+D at a question: the pry asked is declined, a reader interrupted or ended."""
        counter = self._session.counter
        with self._cond:
            self._offer_locked()
            offered = self._offered
            line = self._line_locked() if offered is None and self._active is None else None
            if offered is not None:
                self._offered = None
            elif line is not None:
                self._lines.remove(line)
            else:
                return Evaluation("", counter=counter)  # no question: nothing to do
        if offered is not None:
            _tell(offered, "continue", None)
        elif line is not None and eof:
            send(line.pid, (_TAG, line.ref, "line", ""))
        elif line is not None:
            self._session.interrupt_process(line.pid)
        return Evaluation("", counter=counter, extra={"released": True})

    def _wait(self, active: _Pry, answer_id: int, source: str, timeout: float | None) -> Evaluation:
        interrupted = False
        with self._cond:
            while answer_id not in active.answers:
                if active.ended:
                    break
                try:
                    if not self._cond.wait(timeout):
                        raise TimeoutError(f"the pried process did not answer within {timeout:g} s")
                except KeyboardInterrupt:
                    interrupted = True  # Ctrl+C: passed on to the pried process
                if interrupted:
                    self._cond.release()
                    try:
                        self._session.interrupt_process(active.request.pid)
                    finally:
                        self._cond.acquire()
                    interrupted = False
            evaluation = active.answers.pop(answer_id, None)
            if active.ended and self._active is active:
                self._active = None
        if evaluation is None:
            evaluation = Evaluation(source)
        if self._active is None:
            evaluation.extra["released"] = True
        return evaluation


def _word_for(ref: Ref) -> Callable[[Any], bool]:
    """A receive pattern for the shell's messages about request ``ref``: (tag, ref, kind, payload)."""

    def matches(message: Any) -> bool:
        return (
            message.__class__ is tuple
            and len(message) == 4
            and message[0] == _TAG
            and message[1] == ref
        )

    return matches


def _tell(request: PryRequest, kind: str, payload: Any) -> bool:
    """Send the pried process the shell's word; False if it is gone."""
    if not alive(request.pid):
        return False
    send(request.pid, (_TAG, request.ref, kind, payload))
    return True


# -- the pried process's side --------------------------------------------------


def find_host() -> PryHost | None:
    """The host of the caller's shell (its group leader), else the newest shell's."""
    leader = current_leader()
    host = getattr(leader, "pry_host", None)
    if isinstance(host, PryHost):
        return host
    with _hosts_lock:
        return _hosts[-1] if _hosts else None


class _Fallback(Mapping[str, Any]):
    """The frame's globals, then the shell's namespace: names a pry command can use."""

    def __init__(self, *maps: Mapping[str, Any]) -> None:
        self._maps = maps

    def __getitem__(self, key: str) -> Any:
        for mapping in self._maps:
            if key in mapping:
                return mapping[key]
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        seen: set[str] = set()
        for mapping in self._maps:
            for key in mapping:
                if key not in seen:
                    seen.add(key)
                    yield key

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _write_back(frame: FrameType, locals_: Mapping[str, Any]) -> None:
    """Make assignments to ``locals_``, the frame's ``f_locals`` (a snapshot before 3.13), take effect.

    (Reading ``frame.f_locals`` again before this would take a new snapshot,
    losing the assignments.)
    """
    if WRITE_THROUGH_LOCALS or locals_ is frame.f_globals:
        return
    try:
        ctypes.pythonapi.PyFrame_LocalsToFast(ctypes.py_object(frame), ctypes.c_int(0))
    except (AttributeError, ValueError):
        pass


@dataclass
class _Context:
    """What the pry helpers act on, in the pried process's thread."""

    host: PryHost
    request: PryRequest
    frame: FrameType
    line: int
    live: bool = True  # False post-mortem (pry_last): the frame has finished
    leave: str | None = None  # "continue" or "next" once a command asked for it


def _evaluate(context: _Context, source: str, width: int, namespace: dict[str, Any]) -> Evaluation:
    frame = context.frame
    evaluation = Evaluation(source)
    filename = f"<pry({context.request.pid})>"
    locals_ = frame.f_locals
    fallback = _Fallback(frame.f_globals, namespace, shell_builtins(namespace))
    names = ChainMap(locals_, _pry_names(), fallback)  # type: ignore[arg-type]
    try:
        compiled = compile_source(source, filename)
        if compiled.body is not None:
            eval(compiled.body, frame.f_globals, names)
        value = None
        if compiled.last_expression is not None:
            value = eval(compiled.last_expression, frame.f_globals, names)
        evaluation.value = value
        evaluation.result_text = format_value(value, width)
    except (Exception, KeyboardInterrupt) as exc:  # shown, the pry goes on
        evaluation.error = exc
        evaluation.result_text = format_exception(exc, skip_top_level=filename)
    finally:
        _write_back(frame, locals_)
        sys.stdout.flush()
    evaluation.text = join_text("", evaluation.result_text)
    return evaluation


def _pry_names() -> dict[str, Any]:
    return {"whereami": whereami, "continue_": continue_, "next_": next_, "self": self_pid}


def _serve(context: _Context, namespace: dict[str, Any], paused_answer: int | None) -> int | None:
    """Run the shell's commands in the frame until one says go on.

    Returns the id of the ``next_()`` command to answer at the next line, or
    None once the process is to go on (``continue_()``, or the shell said no).
    """
    request = context.request
    host = context.host
    if paused_answer is not None:  # stopped again after next_()
        text = location_text(request.filename, context.line)
        host.answer(request, paused_answer, Evaluation("next_()", text=text, result_text=text))

    is_ours = _word_for(request.ref)
    while True:
        try:
            _, _, kind, payload = receive(is_ours)
        except KeyboardInterrupt:
            continue  # a Ctrl+C meant for a command that has just ended
        if kind == "continue":
            return None
        answer_id, source, width = payload
        previous = getattr(_local, "context", None)
        _local.context = context
        try:
            evaluation = _evaluate(context, source, width, namespace)
        finally:
            _local.context = previous
        if context.leave == "next":
            return answer_id
        host.answer(request, answer_id, evaluation)
        if context.leave == "continue":
            return None


def _pry_session(context: _Context, namespace: dict[str, Any], paused_answer: int | None) -> None:
    """Serve the shell; then go on, or stop again at the next line (next_())."""
    try:
        step_answer = _serve(context, namespace, paused_answer)
    except BaseException:
        context.host.ended(context.request)
        raise
    if step_answer is None:
        context.host.ended(context.request)
    else:
        _step(context, namespace, step_answer)


def _step(context: _Context, namespace: dict[str, Any], answer_id: int) -> None:
    """next_(): trace the paused frame until its next line, and pry there (no question)."""
    frame = context.frame
    previous_trace = sys.gettrace()

    def untraced(new_frame: FrameType, event: str, arg: Any) -> Any:
        return None  # the functions it calls meanwhile run untraced

    def stop(traced: FrameType, event: str, arg: Any) -> Any:
        if event not in ("line", "return"):
            return stop
        frame.f_trace = None
        sys.settrace(previous_trace)
        if event == "line":
            context.line = traced.f_lineno
            context.leave = None
            _pry_session(context, namespace, answer_id)
        else:
            text = "(the function returns: the process goes on)"
            context.host.answer(context.request, answer_id, Evaluation("next_()", text=text, result_text=text))
            context.host.ended(context.request)
        return None

    frame.f_trace_lines = True
    frame.f_trace = stop
    sys.settrace(untraced)


def pry_frame(
    frame: FrameType, ask: bool = True, line: int | None = None, live: bool = True
) -> None:
    """Pry the calling process at ``frame``: ask the shell, then serve it until continue_().

    With ``ask`` False the pry opens at once (the user asked for it: pry_last);
    ``live`` False says the frame has finished (post-mortem: no next_()).
    """
    host = find_host()
    if host is None:
        print("pry(): no pyex shell is running to pry from", file=sys.stderr)
        return
    line = frame.f_lineno if line is None else line
    request = PryRequest(self_pid(), make_ref(), frame.f_code.co_filename, line, ask)
    context = _Context(host, request, frame, line, live)
    namespace = host.namespace()
    if not ask:
        print(location_text(request.filename, line))
    host.request(request)
    _pry_session(context, namespace, None)


def read_line(prompt: str) -> str:
    """Read a line typed at the console's prompt (``prompt`` shown); '' if no shell runs."""
    host = find_host()
    if host is None:
        return ""
    request = LineRequest(self_pid(), make_ref(), prompt)
    host.request_line(request)
    try:
        return str(receive(_word_for(request.ref))[3])
    except BaseException:
        host.cancel_line(request)
        raise


def pry() -> None:
    """Pause this process and let the shell evaluate code in the caller's frame (IEx.pry)."""
    frame = sys._getframe(1)
    try:
        pry_frame(frame)
    finally:
        del frame


def _context(name: str) -> _Context:
    context = getattr(_local, "context", None)
    if context is None:
        raise RuntimeError(f"{name}: no pry is on (call pry() or breakpoint() in a process)")
    return context


def whereami(radius: int = 4) -> None:
    """In a pry: print the code around the line the pried process is paused at."""
    context = _context("whereami()")
    print(location_text(context.request.filename, context.line, radius))


def continue_() -> None:
    """In a pry: let the pried process go on; the shell gets its pyex(N)> prompt back."""
    _context("continue_()").leave = "continue"


def next_() -> None:
    """In a pry: run the pried process to the next line of the paused function, and pry there."""
    context = _context("next_()")
    if not context.live:
        raise RuntimeError("next_(): this frame has finished (a post-mortem pry); use continue_()")
    context.leave = "next"


# -- breakpoint() ----------------------------------------------------------------


def breakpointhook(*args: Any, **kwargs: Any) -> None:
    """``breakpoint()`` pries the calling process (Python's default hook if no shell runs)."""
    with _hosts_lock:
        hosted = bool(_hosts)
    if not hosted:
        sys.__breakpointhook__(*args, **kwargs)  # no shell: Python's own
        return
    frame = sys._getframe(1)
    try:
        pry_frame(frame)
    finally:
        del frame


def install_breakpointhook(environ: Mapping[str, str]) -> bool:
    """Make breakpoint() pry, unless PYTHONBREAKPOINT chooses another debugger."""
    if environ.get("PYTHONBREAKPOINT"):
        return False
    if sys.breakpointhook is sys.__breakpointhook__:
        sys.breakpointhook = breakpointhook
    return True
