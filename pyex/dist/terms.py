"""The external term format (ETF): Python values to Erlang terms and back, strictly.

Mapping (the contract's): ``Atom`` <-> atom, ``True``/``False`` <-> ``true``/``false``,
``None`` <-> ``nil``, ``str`` -> a UTF-8 binary, ``bytes`` -> a binary, ``int``,
``float``, ``tuple``, ``list``, ``dict``, ``Pid``, ``Ref``. A binary from Erlang comes
back as ``str`` when it is valid UTF-8, else ``bytes``; ``bytes`` are sent as a
``BIT_BINARY_EXT`` with 8 bits in the last byte, which the BEAM reads as a plain
binary and pyex reads back as ``bytes``, so between two pyex nodes every type
returns as itself.

Strict: what the BEAM would refuse (NaN, infinities, atoms longer than 255
characters) or what has no Erlang form (a set, an object) raises ``TermError``
when encoding; one bad term makes the BEAM drop the whole connection.
"""

from __future__ import annotations

import math
import struct
import threading
import zlib
from typing import Any, Callable

from ..runtime import Pid, Ref

__all__ = [
    "Atom",
    "exit_term",
    "ImproperList",
    "Port",
    "Fun",
    "RemoteRef",
    "TermError",
    "NodeNames",
    "Codec",
    "encode",
    "decode",
    "MAX_ATOM_CHARS",
]

VERSION = 131
MAX_ATOM_CHARS = 255

NEW_FLOAT_EXT = 70
BIT_BINARY_EXT = 77
COMPRESSED = 80
NEW_PID_EXT = 88
NEW_PORT_EXT = 89
NEWER_REFERENCE_EXT = 90
SMALL_INTEGER_EXT = 97
INTEGER_EXT = 98
FLOAT_EXT = 99
ATOM_EXT = 100
REFERENCE_EXT = 101
PORT_EXT = 102
PID_EXT = 103
SMALL_TUPLE_EXT = 104
LARGE_TUPLE_EXT = 105
NIL_EXT = 106
STRING_EXT = 107
LIST_EXT = 108
BINARY_EXT = 109
SMALL_BIG_EXT = 110
LARGE_BIG_EXT = 111
NEW_FUN_EXT = 112
EXPORT_EXT = 113
NEW_REFERENCE_EXT = 114
SMALL_ATOM_EXT = 115
MAP_EXT = 116
ATOM_UTF8_EXT = 118
SMALL_ATOM_UTF8_EXT = 119
V4_PORT_EXT = 120


class TermError(TypeError, ValueError):
    """A value that has no Erlang form, or bytes that are no valid term."""


class Atom(str):
    """An Erlang atom: a ``str`` (so ``Atom('ok') == 'ok'``) that travels as an atom."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Atom({str.__repr__(self)})"


class ImproperList:
    """A list whose tail is not ``[]``: ``[a, b | tail]`` (OTP's ``[alias | Ref]`` call tag)."""

    __slots__ = ("items", "tail")

    def __init__(self, items: list[Any], tail: Any) -> None:
        self.items = items
        self.tail = tail

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ImproperList)
            and self.items == other.items
            and self.tail == other.tail
        )

    def __hash__(self) -> int:
        return hash((ImproperList, tuple(self.items), self.tail))

    def __repr__(self) -> str:
        inner = ", ".join(map(repr, self.items))
        return f"[{inner} | {self.tail!r}]"

    def __deepcopy__(self, memo: dict[int, Any]) -> ImproperList:
        return self  # treated as immutable (it is made only by the decoder)


class Port:
    """An Erlang port from another node (opaque; it can be sent back)."""

    __slots__ = ("node", "id", "creation")

    def __init__(self, node: str, id: int, creation: int) -> None:
        self.node, self.id, self.creation = node, id, creation

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Port) and (self.node, self.id, self.creation) == (
            other.node,
            other.id,
            other.creation,
        )

    def __hash__(self) -> int:
        return hash((Port, self.node, self.id, self.creation))

    def __repr__(self) -> str:
        return f"#Port<{self.node}.{self.id}>"


class Fun:
    """An Erlang fun or external fun (opaque: its encoded bytes, sent back as they came)."""

    __slots__ = ("raw",)

    def __init__(self, raw: bytes) -> None:
        self.raw = raw

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Fun) and self.raw == other.raw

    def __hash__(self) -> int:
        return hash((Fun, self.raw))

    def __repr__(self) -> str:
        return "#Fun<erlang>"


class RemoteRef(Ref):
    """A reference made on another node (shown ``#Reference<N.a.b.c>``)."""

    __slots__ = ("node_index", "ids")

    node_index: int
    ids: tuple[int, ...]

    def __init__(self, node_index: int, ids: tuple[int, ...]) -> None:
        object.__setattr__(self, "number", -1)
        object.__setattr__(self, "node_index", node_index)
        object.__setattr__(self, "ids", ids)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not RemoteRef:
            return NotImplemented
        return self.node_index == other.node_index and self.ids == other.ids  # type: ignore[attr-defined]

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        return hash((RemoteRef, self.node_index, self.ids))

    def __repr__(self) -> str:
        shown = ".".join(str(i) for i in reversed(self.ids))
        return f"#Reference<{self.node_index}.{shown}>"

    __str__ = __repr__

    def __reduce__(self) -> tuple[Any, ...]:
        return (RemoteRef, (self.node_index, self.ids))


class NodeNames:
    """Gives each remote node (name, creation) a small index, the ``N`` of ``#PID<N.84.0>``.

    Index 0 is the local node. An index, once given, stays the node's for good.
    """

    def __init__(self, local: str = "nonode@nohost", creation: int = 0) -> None:
        self._lock = threading.Lock()
        self.local = local
        self.creation = creation
        self._by_key: dict[tuple[str, int], int] = {}
        self._by_index: dict[int, tuple[str, int]] = {}

    def set_local(self, name: str, creation: int) -> None:
        """Name the local node (Node.start)."""
        self.local, self.creation = name, creation

    def index(self, name: str, creation: int) -> int:
        """The index of node ``name`` (0 for the local node itself)."""
        if name == self.local and creation in (self.creation, 0):
            return 0
        key = (name, creation)
        found = self._by_key.get(key)
        if found is not None:
            return found
        with self._lock:
            found = self._by_key.get(key)
            if found is None:
                found = len(self._by_index) + 1
                self._by_key[key] = found
                self._by_index[found] = key
            return found

    def node_of(self, index: int) -> tuple[str, int]:
        """``(name, creation)`` of node ``index``."""
        if index == 0:
            return (self.local, self.creation)
        try:
            return self._by_index[index]
        except KeyError:
            raise TermError(f"no node is known by the index {index}") from None

    def name_of(self, index: int) -> str:
        """The name of node ``index``."""
        return self.node_of(index)[0]


_pack_double = struct.Struct(">d").pack
_unpack_double = struct.Struct(">d").unpack_from
_pack_i = struct.Struct(">i").pack
_pack_I = struct.Struct(">I").pack
_pack_H = struct.Struct(">H").pack
_unpack_I = struct.Struct(">I").unpack_from
_unpack_i = struct.Struct(">i").unpack_from
_unpack_H = struct.Struct(">H").unpack_from
_pack_pid = struct.Struct(">III").pack
_unpack_pid = struct.Struct(">III").unpack_from


def _atom_bytes(text: str) -> bytes:
    if len(text) > MAX_ATOM_CHARS:
        raise TermError(
            f"an atom has at most {MAX_ATOM_CHARS} characters, "
            f"this one has {len(text)}: {text[:40]!r}..."
        )
    data = text.encode("utf-8")
    if len(data) < 256:
        return bytes((SMALL_ATOM_UTF8_EXT, len(data))) + data
    return bytes((ATOM_UTF8_EXT,)) + _pack_H(len(data)) + data


_ATOM_TRUE = _atom_bytes("true")
_ATOM_FALSE = _atom_bytes("false")
_ATOM_NIL = _atom_bytes("nil")


class Codec:
    """Encodes and decodes terms for one local node (its name and node indices)."""

    def __init__(self, nodes: NodeNames | None = None) -> None:
        self.nodes = nodes if nodes is not None else NodeNames()
        self._atoms: dict[str, bytes] = {}
        self._atom_values: dict[bytes, Any] = {}  # decoded atoms, by their UTF-8 bytes
        self._pid_nodes: dict[tuple[bytes, int], int] = {}  # (node atom bytes, creation) -> index
        self._encoders: dict[type, Callable[[Any, list[bytes]], None]] = {
            Atom: self._atom,
            str: self._str,
            bytes: self._bytes,
            bytearray: self._bytes,
            bool: self._bool,
            int: self._int,
            float: self._float,
            type(None): self._none,
            tuple: self._tuple,
            list: self._list,
            dict: self._dict,
            Pid: self._pid,
            Ref: self._ref,
            RemoteRef: self._remote_ref,
            ImproperList: self._improper,
            Port: self._port,
            Fun: self._fun,
        }

    # -- encoding -----------------------------------------------------------

    def encode(self, value: Any) -> bytes:
        """``value`` as an external term (with the leading version byte 131)."""
        out: list[bytes] = [b"\x83"]
        self._encode(value, out)
        return b"".join(out)

    def atom_bytes(self, text: str) -> bytes:
        """The encoding of atom ``text`` (remembered: node names recur in every pid)."""
        found = self._atoms.get(text)
        if found is None:
            found = _atom_bytes(text)
            if len(self._atoms) < 4096:
                self._atoms[text] = found
        return found

    def _encode(self, value: Any, out: list[bytes]) -> None:
        encoder = self._encoders.get(value.__class__)
        if encoder is None:
            encoder = self._encoder_for(value)
        encoder(value, out)

    def _encoder_for(self, value: Any) -> Callable[[Any, list[bytes]], None]:
        for cls, encoder in (
            (Atom, self._atom),
            (bool, self._bool),
            (int, self._int),
            (float, self._float),
            (str, self._str),
            (bytes, self._bytes),
            (tuple, self._tuple),
            (list, self._list),
            (dict, self._dict),
        ):
            if isinstance(value, cls):
                return encoder
        raise TermError(
            f"{value!r} ({type(value).__name__}) has no Erlang form: send atoms, "
            f"strings, bytes, numbers, booleans, None, tuples, lists, dicts, pids or refs"
        )

    def _atom(self, value: str, out: list[bytes]) -> None:
        out.append(self.atom_bytes(value))

    def _bool(self, value: bool, out: list[bytes]) -> None:
        out.append(_ATOM_TRUE if value else _ATOM_FALSE)

    def _none(self, value: None, out: list[bytes]) -> None:
        out.append(_ATOM_NIL)

    def _str(self, value: str, out: list[bytes]) -> None:
        try:
            data = value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise TermError(f"{value[:40]!r} is no valid Unicode text: {exc}") from None
        out.append(bytes((BINARY_EXT,)) + _pack_I(len(data)))
        out.append(data)

    def _bytes(self, value: bytes, out: list[bytes]) -> None:
        bits = 8 if value else 0
        out.append(bytes((BIT_BINARY_EXT,)) + _pack_I(len(value)) + bytes((bits,)))
        out.append(bytes(value))

    def _int(self, value: int, out: list[bytes]) -> None:
        if 0 <= value < 256:
            out.append(bytes((SMALL_INTEGER_EXT, value)))
        elif -(2**31) <= value < 2**31:
            out.append(bytes((INTEGER_EXT,)) + _pack_i(value))
        else:
            sign = 1 if value < 0 else 0
            magnitude = -value if sign else value
            digits = magnitude.to_bytes((magnitude.bit_length() + 7) // 8, "little")
            if len(digits) < 256:
                out.append(bytes((SMALL_BIG_EXT, len(digits), sign)))
            else:
                out.append(bytes((LARGE_BIG_EXT,)) + _pack_I(len(digits)) + bytes((sign,)))
            out.append(digits)

    def _float(self, value: float, out: list[bytes]) -> None:
        if not math.isfinite(value):
            raise TermError(f"{value!r} has no Erlang form: Erlang floats are finite")
        out.append(bytes((NEW_FLOAT_EXT,)) + _pack_double(value))

    def _tuple(self, value: tuple[Any, ...], out: list[bytes]) -> None:
        n = len(value)
        out.append(bytes((SMALL_TUPLE_EXT, n)) if n < 256 else bytes((LARGE_TUPLE_EXT,)) + _pack_I(n))
        encode = self._encode
        for item in value:
            encode(item, out)

    def _list(self, value: list[Any], out: list[bytes]) -> None:
        if not value:
            out.append(b"j")
            return
        out.append(bytes((LIST_EXT,)) + _pack_I(len(value)))
        encode = self._encode
        for item in value:
            encode(item, out)
        out.append(b"j")

    def _improper(self, value: ImproperList, out: list[bytes]) -> None:
        if not value.items:
            raise TermError("an improper list needs at least one element before its tail")
        out.append(bytes((LIST_EXT,)) + _pack_I(len(value.items)))
        for item in value.items:
            self._encode(item, out)
        self._encode(value.tail, out)

    def _dict(self, value: dict[Any, Any], out: list[bytes]) -> None:
        out.append(bytes((MAP_EXT,)) + _pack_I(len(value)))
        encode = self._encode
        for key, item in value.items():
            encode(key, out)
            encode(item, out)

    def _pid(self, value: Pid, out: list[bytes]) -> None:
        name, creation = self.nodes.node_of(value.node)
        out.append(b"X")
        out.append(self.atom_bytes(name))
        out.append(_pack_pid(value.serial, value.creation, creation))

    def _ref(self, value: Ref, out: list[bytes]) -> None:
        number = value.number
        if number < 0:
            raise TermError(f"{value!r} cannot be sent")
        ids = (number & 0x3FFFF, (number >> 18) & 0xFFFFFFFF, (number >> 50) & 0xFFFFFFFF)
        self._ref_ids(self.nodes.local, self.nodes.creation, ids, out)

    def _remote_ref(self, value: RemoteRef, out: list[bytes]) -> None:
        name, creation = self.nodes.node_of(value.node_index)
        self._ref_ids(name, creation, value.ids, out)

    def _ref_ids(self, name: str, creation: int, ids: tuple[int, ...], out: list[bytes]) -> None:
        out.append(bytes((NEWER_REFERENCE_EXT,)) + _pack_H(len(ids)))
        out.append(self.atom_bytes(name))
        out.append(_pack_I(creation) + b"".join(_pack_I(i) for i in ids))

    def _port(self, value: Port, out: list[bytes]) -> None:
        out.append(bytes((V4_PORT_EXT,)))
        out.append(self.atom_bytes(value.node))
        out.append(struct.pack(">QI", value.id, value.creation))

    def _fun(self, value: Fun, out: list[bytes]) -> None:
        out.append(value.raw)

    # -- decoding -----------------------------------------------------------

    def decode(self, data: bytes, offset: int = 0) -> tuple[Any, int]:
        """Decode the term at ``offset`` (its 131 byte first); returns (value, end offset)."""
        if offset >= len(data) or data[offset] != VERSION:
            raise TermError("an external term starts with the version byte 131")
        try:
            if data[offset + 1] == COMPRESSED:
                size = _unpack_I(data, offset + 2)[0]
                body = zlib.decompress(data[offset + 6 :])
                if len(body) != size:
                    raise TermError("a compressed term's size does not match")
                value, _ = self._decode(body, 0)
                return value, len(data)
            return self._decode(data, offset + 1)
        except (IndexError, struct.error) as exc:
            raise TermError(f"a truncated external term ({exc})") from None

    def _decode(self, data: bytes, i: int) -> tuple[Any, int]:
        tag = data[i]
        i += 1
        if tag == SMALL_TUPLE_EXT:
            n = data[i]
            i += 1
            items = []
            for _ in range(n):
                item, i = self._decode(data, i)
                items.append(item)
            return tuple(items), i
        if tag == SMALL_INTEGER_EXT:
            return data[i], i + 1
        if tag == INTEGER_EXT:
            return _unpack_i(data, i)[0], i + 4
        if tag == SMALL_ATOM_UTF8_EXT:
            n = data[i]
            raw = data[i + 1 : i + 1 + n]
            value = self._atom_values.get(raw)
            if value is None:
                value = self._atom_value(raw, tag)
                if len(self._atom_values) < 65536:
                    self._atom_values[bytes(raw)] = value
            return value, i + 1 + n
        if tag == SMALL_ATOM_EXT:
            n = data[i]
            return self._atom_value(data[i + 1 : i + 1 + n], tag), i + 1 + n
        if tag == ATOM_UTF8_EXT or tag == ATOM_EXT:
            n = _unpack_H(data, i)[0]
            return self._atom_value(data[i + 2 : i + 2 + n], tag), i + 2 + n
        if tag == SMALL_TUPLE_EXT or tag == LARGE_TUPLE_EXT:
            if tag == SMALL_TUPLE_EXT:
                n = data[i]
                i += 1
            else:
                n = _unpack_I(data, i)[0]
                i += 4
            items = []
            for _ in range(n):
                item, i = self._decode(data, i)
                items.append(item)
            return tuple(items), i
        if tag == NIL_EXT:
            return [], i
        if tag == LIST_EXT:
            n = _unpack_I(data, i)[0]
            i += 4
            items = []
            for _ in range(n):
                item, i = self._decode(data, i)
                items.append(item)
            tail, i = self._decode(data, i)
            if tail == [] and tail.__class__ is list:
                return items, i
            return ImproperList(items, tail), i
        if tag == STRING_EXT:
            n = _unpack_H(data, i)[0]
            return list(data[i + 2 : i + 2 + n]), i + 2 + n
        if tag == BINARY_EXT:
            n = _unpack_I(data, i)[0]
            raw = data[i + 4 : i + 4 + n]
            if len(raw) != n:
                raise TermError("a truncated binary")
            try:
                return raw.decode("utf-8"), i + 4 + n
            except UnicodeDecodeError:
                return bytes(raw), i + 4 + n
        if tag == BIT_BINARY_EXT:
            n = _unpack_I(data, i)[0]
            bits = data[i + 4]
            raw = bytes(data[i + 5 : i + 5 + n])
            if len(raw) != n:
                raise TermError("a truncated binary")
            if bits != 8 and n:
                raise TermError("a bitstring that is not a whole number of bytes has no Python form")
            return raw, i + 5 + n
        if tag == NEW_FLOAT_EXT:
            return _unpack_double(data, i)[0], i + 8
        if tag == FLOAT_EXT:
            return float(data[i : i + 31].split(b"\x00", 1)[0]), i + 31
        if tag == SMALL_BIG_EXT or tag == LARGE_BIG_EXT:
            if tag == SMALL_BIG_EXT:
                n = data[i]
                i += 1
            else:
                n = _unpack_I(data, i)[0]
                i += 4
            sign = data[i]
            magnitude = int.from_bytes(data[i + 1 : i + 1 + n], "little")
            return (-magnitude if sign else magnitude), i + 1 + n
        if tag == MAP_EXT:
            n = _unpack_I(data, i)[0]
            i += 4
            result = {}
            for _ in range(n):
                key, i = self._decode(data, i)
                value, i = self._decode(data, i)
                try:
                    result[key] = value
                except TypeError:
                    raise TermError(f"a map key with no hashable Python form: {key!r}") from None
            return result, i
        if tag == NEW_PID_EXT and data[i] == SMALL_ATOM_UTF8_EXT:
            n = data[i + 1]
            end = i + 2 + n
            number, serial, creation = _unpack_pid(data, end)
            key = (data[i + 2 : end], creation)
            index = self._pid_nodes.get(key)
            if index is None:
                index = self.nodes.index(key[0].decode("utf-8"), creation)
                self._pid_nodes[(bytes(key[0]), creation)] = index
            return Pid(index, number, serial), end + 12
        if tag == NEW_PID_EXT or tag == PID_EXT:
            node, i = self._decode(data, i)
            if tag == NEW_PID_EXT:
                number, serial, creation = _unpack_pid(data, i)
                i += 12
            else:
                number, serial = struct.unpack_from(">II", data, i)
                creation = data[i + 8]
                i += 9
            index = self.nodes.index(str(node), creation)
            return Pid(index, number, serial), i
        if tag == NEWER_REFERENCE_EXT or tag == NEW_REFERENCE_EXT:
            n = _unpack_H(data, i)[0]
            node, i = self._decode(data, i + 2)
            if tag == NEWER_REFERENCE_EXT:
                creation = _unpack_I(data, i)[0]
                i += 4
            else:
                creation = data[i]
                i += 1
            ids = tuple(struct.unpack_from(f">{n}I", data, i))
            i += 4 * n
            return self._ref_value(str(node), creation, ids), i
        if tag == REFERENCE_EXT:
            node, i = self._decode(data, i)
            ident = _unpack_I(data, i)[0]
            creation = data[i + 4]
            return self._ref_value(str(node), creation, (ident,)), i + 5
        if tag in (NEW_PORT_EXT, PORT_EXT, V4_PORT_EXT):
            node, i = self._decode(data, i)
            if tag == V4_PORT_EXT:
                ident, creation = struct.unpack_from(">QI", data, i)
                i += 12
            elif tag == NEW_PORT_EXT:
                ident, creation = struct.unpack_from(">II", data, i)
                i += 8
            else:
                ident, creation = _unpack_I(data, i)[0], data[i + 4]
                i += 5
            return Port(str(node), ident, creation), i
        if tag == NEW_FUN_EXT:
            size = _unpack_I(data, i)[0]
            return Fun(bytes(data[i - 1 : i - 1 + size + 1])), i - 1 + size + 1
        if tag == EXPORT_EXT:
            start = i - 1
            for _ in range(3):
                _, i = self._decode(data, i)
            return Fun(bytes(data[start:i])), i
        raise TermError(f"unknown external term tag {tag}")

    def _atom_value(self, raw: bytes, tag: int) -> Any:
        text = raw.decode("utf-8" if tag in (SMALL_ATOM_UTF8_EXT, ATOM_UTF8_EXT) else "latin-1")
        if text == "true":
            return True
        if text == "false":
            return False
        if text == "nil":
            return None
        return Atom(text)

    def _ref_value(self, node: str, creation: int, ids: tuple[int, ...]) -> Ref:
        index = self.nodes.index(node, creation)
        if index == 0 and len(ids) == 3 and ids[0] <= 0x3FFFF:
            number = ids[0] | (ids[1] << 18) | (ids[2] << 50)
            if number > 0:
                return Ref(number)
        return RemoteRef(index, ids)


_default = Codec()


def encode(value: Any) -> bytes:
    """``value`` as an external term (Erlang's ``term_to_binary``), on the default codec."""
    return _default.encode(value)


def decode(data: bytes) -> Any:
    """The value of one whole external term (Erlang's ``binary_to_term``)."""
    value, end = _default.decode(data)
    if end != len(data):
        raise TermError(f"{len(data) - end} bytes left over after the term")
    return value


def exit_term(reason: Any, codec: Codec) -> Any:
    """An exit reason as a term: an exception becomes ``{ExceptionName, Message}``."""
    if isinstance(reason, BaseException):
        return (Atom(type(reason).__name__), str(reason))
    if reason.__class__ is str:
        return Atom(reason)  # 'normal', 'killed', 'shutdown': atoms, as everywhere in pyex
    if reason.__class__ is tuple and reason and reason[0].__class__ is str:
        reason = (Atom(reason[0]),) + reason[1:]  # ('shutdown', x), ('timeout', ...)
    try:
        codec.encode(reason)
    except TermError:
        return (Atom("python_term"), repr(reason))
    return reason
