"""What a node must answer: net_kernel, rex, spawn requests, and remote group leaders.

- ``net_kernel`` answers ``is_auth`` with ``yes``, so ``net_adm:ping`` gives ``pong``.
- ``rex`` runs ``rpc:call``'s legacy forms: ``gen_server:call(rex, {call, M, F, A, GL})``
  and ``block_call``, ``gen_server:cast(rex, {cast, ...})``, erl_call's
  ``{From, {call, M, F, A, GL}}`` (answered ``{rex, Result}``), and
  ``{From, features_request}`` (answered ``{features_reply, Node, [erpc]}``).
- A spawn request (``erlang:spawn_request``, which ``erpc:call`` and so OTP 25's
  ``rpc:call`` use) for ``{Module, Function, Args}`` starts a pyex process running
  the Python function; ``erpc:execute_call`` and ``execute_cast`` are run as
  erpc does, their result the process's exit reason.
- Output (``print``) of a process started for another node goes to the group
  leader that node gave, as Erlang's io protocol requests.

Python functions are found by module and function name: a name given to
``rpc.expose(name, obj)`` first, else an importable module (``'math'``,
``'os.path'``); the function may be a dotted path inside it.
"""

from __future__ import annotations

import importlib
import logging
import threading
from typing import TYPE_CHECKING, Any, Callable

from ..otp.gen_server import CALL, CAST
from ..runtime import Exit, Pid
from ..runtime import self as self_pid
from ..runtime.internal import inbound
from ..shell.routing import install_routers
from .connection import Connection, Control
from .remsh import SHIMS
from .terms import Atom, TermError, exit_term

if TYPE_CHECKING:
    from .node import LocalNode

__all__ = ["Services", "expose", "unexpose", "resolve", "RemoteGroupLeader", "python_error"]

logger = logging.getLogger("pyex.dist")

_exposed_lock = threading.Lock()
_exposed: dict[str, Any] = {}


def expose(name: str, obj: Any) -> None:
    """Let other nodes call ``obj``'s functions as module ``name`` (``rpc:call(Node, name, f, [])``)."""
    if not isinstance(name, str) or not name:
        raise TypeError(f"an exposed name must be a non-empty string, got {name!r}")
    with _exposed_lock:
        _exposed[name] = obj


def unexpose(name: str) -> None:
    """Undo ``expose(name, ...)``."""
    with _exposed_lock:
        _exposed.pop(name, None)


class _ErlangShim:
    """The few ``erlang`` module functions peers ask any node (``node()``, ``nodes()``...)."""

    def __init__(self, node: LocalNode) -> None:
        self._node = node

    def node(self) -> Atom:
        return Atom(self._node.name)

    def nodes(self) -> list[Atom]:
        return [Atom(c.name) for c in self._node.connections()]

    def self(self) -> Pid:
        return self_pid()

    def apply(self, fun: Any, args: list[Any]) -> Any:
        return fun(*args)


class _NetKernelShim:
    """What peers ask of ``net_kernel`` here (``iex --remsh`` asks the tick time)."""

    def __init__(self, node: LocalNode) -> None:
        self._node = node

    def get_net_ticktime(self) -> int:
        return int(self._node.ticktime)


def resolve(module: str, function: str, node: LocalNode | None = None) -> Callable[..., Any]:
    """The Python callable named ``module:function`` (exposed names first, then imports)."""
    module, function = str(module), str(function)
    with _exposed_lock:
        owner = _exposed.get(module)
    if owner is None and module == "erlang" and node is not None:
        owner = _ErlangShim(node)
    if owner is None and module == "net_kernel" and node is not None:
        owner = _NetKernelShim(node)
    if owner is None and module in SHIMS and hasattr(SHIMS[module], function):
        owner = SHIMS[module]
    if owner is None:
        try:
            owner = importlib.import_module(module)
        except ImportError as exc:
            raise NameError(f"no Python module or exposed name {module!r}: {exc}") from None
    target = owner
    for part in function.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            raise NameError(f"{module} has no function {function!r}") from None
    if not callable(target):
        raise TypeError(f"{module}.{function} is not callable")
    return target


def python_error(exc: BaseException) -> tuple[Any, ...]:
    """A Python exception as an Erlang term: ``{ExceptionName, Message}``."""
    return (Atom(type(exc).__name__), str(exc))


class RemoteGroupLeader:
    """A group leader on another node: output becomes io requests to it (Erlang's io protocol)."""

    def __init__(self, node: LocalNode, leader: Pid) -> None:
        self._node = node
        self.leader = leader
        install_routers()  # print() in a process goes to its group leader (idempotent)

    def write_output(self, text: str, stream: str, proc: Any) -> None:
        request = (Atom("put_chars"), Atom("unicode"), text)
        try:
            self._node.send(self._node.pid, self.leader,
                            (Atom("io_request"), self._node.pid, Atom("pyex_io"), request))
        except TermError:
            pass


class Services:
    """The node's built-in servers, answering other nodes."""

    NAMES = frozenset({"net_kernel", "rex"})

    def __init__(self, node: LocalNode) -> None:
        self.node = node
        self.codec = node.codec

    def connection_down(self, conn: Connection) -> None:
        """Nothing of the services outlives a connection but running calls (which just finish)."""

    # -- registered names ------------------------------------------------------

    def named(self, conn: Connection, name: Any, sender: Any, message: Any) -> None:
        """A REG_SEND to ``name`` that no local process holds."""
        if name == "net_kernel":
            self._net_kernel(message)
        elif name == "rex":
            self._rex(conn, message)
        else:
            logger.debug("no process %r for a message from %s", name, conn.name)

    def _reply(self, from_: Any, value: Any) -> None:
        if from_.__class__ is tuple and len(from_) == 2 and from_[0].__class__ is Pid:
            self.node.send(self.node.pid, from_[0], (from_[1], value))

    def _net_kernel(self, message: Any) -> None:
        if message.__class__ is tuple and len(message) == 3 and message[0] == CALL:
            request = message[2]
            if request.__class__ is tuple and request and request[0] == "is_auth":
                self._reply(message[1], Atom("yes"))
            else:
                self._reply(message[1], Atom("ignored"))

    def _rex(self, conn: Connection, message: Any) -> None:
        if message.__class__ is not tuple:
            return
        if len(message) == 3 and message[0] == CALL:
            from_, request = message[1], message[2]
            if (request.__class__ is tuple and len(request) == 5
                    and request[0] in ("call", "block_call")):
                _, module, function, args, leader = request
                self._run_call(module, function, args, leader,
                               lambda value: self._reply(from_, value))
        elif len(message) == 2 and message[0] == CAST:
            request = message[1]
            if request.__class__ is tuple and len(request) == 5 and request[0] == "cast":
                _, module, function, args, leader = request
                self._run_call(module, function, args, leader, lambda value: None)
        elif len(message) == 2 and message[0].__class__ is Pid:
            sender, request = message
            if request == "features_request":
                self.node.send(self.node.pid, sender,
                               (Atom("features_reply"), Atom(self.node.name), [Atom("erpc")]))
            elif request.__class__ is tuple and len(request) == 5 and request[0] == "call":
                _, module, function, args, leader = request
                self._run_call(module, function, args, leader,
                               lambda value: self.node.send(self.node.pid, sender,
                                                            (Atom("rex"), value)))

    def _run_call(self, module: Any, function: Any, args: Any, leader: Any,
                  answer: Callable[[Any], None]) -> None:
        """Run ``module:function(*args)`` in a new process; ``answer`` gets the result or badrpc."""
        node = self.node

        def call() -> None:
            try:
                fun = resolve(module, function, node)
                value = fun(*(args if isinstance(args, list) else [args]))
                node.codec.encode(value)
            except Exit as exc:
                value = (Atom("badrpc"), (Atom("EXIT"), _exit_reason(exc.reason, node)))
            except BaseException as exc:  # noqa: BLE001 - every failure is the caller's badrpc
                value = (Atom("badrpc"), (Atom("EXIT"), (python_error(exc), [])))
            answer(value)

        inbound.spawn_for(call, group_leader=self._leader(leader))

    def _leader(self, leader: Any) -> Any:
        """The group leader for a process started for a peer: the peer's, if it gave one."""
        if leader.__class__ is Pid and leader.node != 0:
            return RemoteGroupLeader(self.node, leader)
        return None

    # -- spawn requests --------------------------------------------------------

    def spawn_request(self, conn: Connection, req_id: Any, far: Pid, leader: Any,
                      mfa: Any, options: Any, args: Any) -> None:
        """SPAWN_REQUEST: start a process for ``{Module, Function, Arity}`` and answer SPAWN_REPLY."""
        node = self.node
        options = options if isinstance(options, list) else []
        link = "link" in options
        monitor = "monitor" in options or any(
            o.__class__ is tuple and o and o[0] == "monitor" for o in options)
        try:
            module, function, _arity = mfa
            if not isinstance(args, list):
                raise TypeError("arguments must be a list")
            if module == "erpc" and function == "execute_call" and len(args) == 4:
                tag, module, function, args = args
                body = self._execute_call(tag, module, function, args)
            elif module == "erpc" and function == "execute_cast" and len(args) == 3:
                module, function, args = args
                body = self._execute_cast(module, function, args)
            else:
                body = self._apply(resolve(module, function, node), args)
        except (NameError, TypeError, ValueError) as exc:
            logger.debug("spawn request %r refused: %s", mfa, exc)
            conn.send((Control.SPAWN_REPLY, req_id, far, 0, Atom("badarg")))
            return

        flags = (1 if link else 0) | (2 if monitor else 0)

        def spawned() -> None:
            # The reply goes before anything the new process sends (Erlang's order).
            conn.send((Control.SPAWN_REPLY, req_id, far, flags, self_pid()))
            body()

        def prepare(pid: Pid) -> None:
            with conn.lock:  # known to the connection before it runs (its exit is told)
                if link:
                    conn.links.add((pid, far))
                if monitor:
                    conn.watchers[req_id] = (pid, far)

        # Linked and monitored before it runs, as Erlang's spawn_request does.
        inbound.spawn_for(spawned, group_leader=self._leader(leader),
                         link=far if link else None,
                         watcher=(req_id, far) if monitor else None, prepare=prepare)

    def _execute_call(self, tag: Any, module: Any, function: Any,
                      args: Any) -> Callable[[], None]:
        node = self.node

        def execute() -> None:
            try:
                fun = resolve(module, function, node)
                value = fun(*args)
                node.codec.encode(value)
                result: Any = (tag, Atom("return"), value)
            except Exit as exc:
                result = (tag, Atom("exit"), _exit_reason(exc.reason, node))
            except BaseException as exc:  # noqa: BLE001 - erpc reports every failure
                result = (tag, Atom("error"), python_error(exc), [])
            raise Exit(result)

        return execute

    @staticmethod
    def _apply(fun: Callable[..., Any], args: list[Any]) -> Callable[[], None]:
        def apply() -> None:
            fun(*args)

        return apply

    def _execute_cast(self, module: Any, function: Any, args: Any) -> Callable[[], None]:
        node = self.node

        def execute() -> None:
            try:
                resolve(module, function, node)(*args)
            except Exit:
                pass

        return execute


def _exit_reason(reason: Any, node: LocalNode) -> Any:

    return exit_term(reason, node.codec)

