"""Decoding and encoding of v1 frames and bodies.

Decoding an event never goes through the generated union: an unknown ``type`` would fail it.
Instead :func:`decode_event` reads the ``type`` first, then uses a per-type
``msgspec.json.Decoder`` built once. Unknown types become :class:`UnknownEvent`, which keeps the
raw frame; an error frame (``{"error": …}`` or a ``connection.error`` event) becomes a
:class:`~streamchat_core.errors.StreamAPIError`.

Custom fields. Users, messages, channels and events carry free custom fields flat beside the
declared ones. msgspec drops unknown keys, so every model deriving from
``CustomFieldsStruct`` gets an ``extra_data`` mapping that reads them from the frame on first
access (:class:`CustomFields`); reading them eagerly would cost more than the decode itself, and
most events are never asked. :func:`encode` spreads ``extra_data`` back flat, so a decode then
an encode keeps every key, a custom key named ``type`` and nested values included.

Timestamps. Stream sends RFC 3339 with nanoseconds. They decode into timezone-aware
``datetime`` objects, which hold microseconds: msgspec rounds the fraction to the nearest
microsecond (``…48.215772568Z`` becomes ``…48.215773``), and re-encoding writes microseconds.

Every failure to decode is a :class:`~streamchat_core.errors.DecodeError`, whatever the bytes.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Collection, ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from typing import Any, Final, TypeVar, Union

import msgspec
import streamchat_wire as wire
from streamchat_wire import EXTRA_DATA_WIRE_NAME, CustomFieldsStruct

from streamchat_core.errors import DecodeError, StreamAPIError, api_error

__all__ = [
    "EVENT_TYPES",
    "CustomFields",
    "Event",
    "UnknownEvent",
    "decode",
    "decode_event",
    "encode",
    "error_from_body",
    "event_from_builtins",
    "to_builtins",
]

T = TypeVar("T")


class UnknownEvent:
    """An event whose ``type`` this version does not know. ``raw`` is the frame as received."""

    __slots__ = ("_payload", "raw", "type")

    def __init__(self, type: str, raw: bytes) -> None:
        self.type = type
        self.raw = raw
        self._payload: dict[str, Any] | None = None

    @property
    def type_tag(self) -> str:
        return self.type

    @property
    def payload(self) -> dict[str, Any]:
        """The frame decoded into plain Python values."""
        if self._payload is None:
            value = msgspec.json.decode(self.raw)
            self._payload = value if isinstance(value, dict) else {}
        return self._payload

    def __repr__(self) -> str:
        return f"UnknownEvent(type={self.type!r}, raw={self.raw[:80]!r}{'…' if len(self.raw) > 80 else ''})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, UnknownEvent):
            return NotImplemented
        return self.type == other.type and self.payload == other.payload

    __hash__ = None  # type: ignore[assignment]


def _union_members(alias: Any) -> tuple[type[msgspec.Struct], ...]:
    args = typing.get_args(alias)
    if typing.get_origin(alias) is typing.Annotated:
        return _union_members(args[0])
    return tuple(a for a in args if isinstance(a, type) and issubclass(a, msgspec.Struct))


#: Every event class of the generated union, by its ``type`` tag.
EVENT_TYPES: Final[dict[str, type[msgspec.Struct]]] = {
    typing.cast(str, cls.__struct_config__.tag): cls for cls in _union_members(wire.WSEvent)
}

Event = Union[  # noqa: UP007 - a runtime alias that mypy can read
    wire.HealthCheckEvent,
    wire.ConnectionChangedEvent,
    wire.ConnectionRecoveredEvent,
    wire.TransportChangedEvent,
    wire.TypingStartEvent,
    wire.TypingStopEvent,
    wire.MessageNewEvent,
    wire.MessageReadEvent,
    wire.NotificationMarkReadEvent,
    wire.UserPresenceChangedEvent,
    wire.UserUpdatedEvent,
    wire.UserWatchingStartEvent,
    wire.UserWatchingStopEvent,
    UnknownEvent,
]


# ----------------------------------------------------------------------------- custom fields


class CustomFields(msgspec.Struct, gc=False, array_like=True):
    """The custom fields of a decoded model, read from its frame on first access.

    A read-only mapping. It is a tiny msgspec struct rather than a plain class because one is
    made for every user, message, channel and event decoded, on the hot path (a struct is
    about three times cheaper to create). Build a new dict to change the fields:
    ``{**user.extra_data, "name": "Jane"}``.
    """

    frame: bytes
    path: tuple[str | int, ...]
    known: frozenset[str]
    resolved: dict[str, Any] | None = None

    def _resolve(self) -> dict[str, Any]:
        data = self.resolved
        if data is None:
            data = self.resolved = _leftover_keys(self.frame, self.path, self.known)
        return data

    def __getitem__(self, key: str) -> Any:
        return self._resolve()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._resolve())

    def __len__(self) -> int:
        return len(self._resolve())

    def __contains__(self, key: object) -> bool:
        return key in self._resolve()

    def keys(self) -> KeysView[str]:
        return self._resolve().keys()

    def items(self) -> ItemsView[str, Any]:
        return self._resolve().items()

    def values(self) -> ValuesView[Any]:
        return self._resolve().values()

    def get(self, key: str, default: Any = None) -> Any:
        return self._resolve().get(key, default)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._resolve() == dict(other.items())
        return NotImplemented

    def __repr__(self) -> str:
        return f"CustomFields({self._resolve()!r})"

    __hash__ = None  # type: ignore[assignment]


Mapping.register(CustomFields)


def _leftover_keys(frame: bytes, path: Iterable[str | int], known: Collection[str]) -> dict[str, Any]:
    node = msgspec.json.decode(frame)
    for step in path:
        node = node[step]
    return {k: v for k, v in node.items() if k not in known}

_wire_names_cache: dict[type[msgspec.Struct], frozenset[str]] = {}


def _wire_names(cls: type[msgspec.Struct]) -> frozenset[str]:
    """The keys a struct declares on the wire; every other key is a custom field."""
    names = _wire_names_cache.get(cls)
    if names is None:
        names = frozenset(f.encode_name for f in msgspec.structs.fields(cls)) | {EXTRA_DATA_WIRE_NAME}
        tag_field = cls.__struct_config__.tag_field
        if tag_field is not None:
            names |= {tag_field}
        _wire_names_cache[cls] = names
    return names


# An attacher walks a freshly decoded value and gives every custom-fields struct in it a
# CustomFields that points at its place in the frame. One is compiled per type, once, from
# the type annotations; types that cannot hold such a struct get none.
_Path = tuple[Union[str, int], ...]
_Attacher = Callable[[Any, bytes, _Path], None]
_attachers: dict[Any, _Attacher | None] = {}


def _attacher(tp: Any) -> _Attacher | None:
    if tp in _attachers:
        return _attachers[tp]
    _attachers[tp] = None  # a recursive reference sees "nothing to do" while compiling
    fn = _compile_attacher(tp)
    _attachers[tp] = fn
    return fn


def _compile_attacher(tp: Any) -> _Attacher | None:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        return _attacher(args[0])
    if origin in (Union, types.UnionType):
        subs = [f for f in map(_attacher, args) if f is not None]
        if len(subs) <= 1:
            return subs[0] if subs else None

        def attach_any(value: Any, frame: bytes, path: _Path) -> None:
            for sub in subs:  # each checks the runtime type itself
                sub(value, frame, path)

        return attach_any
    if origin is list and args:
        item = _attacher(args[0])
        if item is None:
            return None

        def attach_list(value: Any, frame: bytes, path: _Path) -> None:
            if value.__class__ is list:
                for i, x in enumerate(value):
                    item(x, frame, (*path, i))

        return attach_list
    if origin is dict and len(args) == 2:
        val = _attacher(args[1])
        if val is None:
            return None

        def attach_dict(value: Any, frame: bytes, path: _Path) -> None:
            if value.__class__ is dict:
                for k, x in value.items():
                    val(x, frame, (*path, k))

        return attach_dict
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct) and tp is not CustomFields:
        return _compile_struct_attacher(tp)
    return None


def _compile_struct_attacher(cls: type[msgspec.Struct]) -> _Attacher | None:
    hints = typing.get_type_hints(cls)
    children: list[tuple[str, str, _Attacher]] = []
    for f in msgspec.structs.fields(cls):
        if f.name != "extra_data":
            sub = _attacher(hints[f.name])
            if sub is not None:
                children.append((f.name, f.encode_name, sub))
    if issubclass(cls, CustomFieldsStruct):
        known = _wire_names(cls)

        def attach_custom(value: Any, frame: bytes, path: _Path) -> None:
            if value.__class__ is cls:
                value.extra_data = CustomFields(frame, path, known)
                for attr, key, sub in children:
                    sub(getattr(value, attr), frame, (*path, key))

        return attach_custom
    if not children:
        return None

    def attach_plain(value: Any, frame: bytes, path: _Path) -> None:
        if value.__class__ is cls:
            for attr, key, sub in children:
                sub(getattr(value, attr), frame, (*path, key))

    return attach_plain


# ----------------------------------------------------------------------------- decoding


class _Peek(msgspec.Struct):
    type: str | None = None
    error: msgspec.Raw | None = None


_PEEK: Final = msgspec.json.Decoder(_Peek)
_ERROR_FRAME: Final = msgspec.json.Decoder(wire.ErrorFrame)
_EVENT_DECODERS: Final[dict[str, msgspec.json.Decoder[Any]]] = {
    tag: msgspec.json.Decoder(cls) for tag, cls in EVENT_TYPES.items()
}
_EVENT_ATTACHERS: Final[dict[str, _Attacher | None]] = {tag: _attacher(cls) for tag, cls in EVENT_TYPES.items()}
_decoders: dict[Any, msgspec.json.Decoder[Any]] = {}

def _error_from_api(err: wire.APIError) -> StreamAPIError:
    return api_error(
        err.code,
        err.message,
        None if err.StatusCode is msgspec.UNSET else err.StatusCode,
        more_info="" if err.more_info is msgspec.UNSET else err.more_info,
        details=None if err.details is msgspec.UNSET or err.details is None else list(err.details),
        duration="" if err.duration is msgspec.UNSET else err.duration,
        exception_fields=None if isinstance(err.exception_fields, msgspec.UnsetType) else err.exception_fields,
        unrecoverable=False if err.unrecoverable is msgspec.UNSET else err.unrecoverable,
    )


_KNOWN_TAGS: Final[dict[bytes, str]] = {t.encode(): t for t in EVENT_TYPES}
_TYPE_PREFIX: Final = b'{"type":"'


def decode_event(data: bytes | bytearray | memoryview | str) -> Event:
    """Decode one server frame into an event.

    Raises :class:`~streamchat_core.errors.StreamAPIError` (the most specific subclass for its
    code) for an error frame, and :class:`~streamchat_core.errors.DecodeError` for anything that
    is not a v1 event.
    """
    if isinstance(data, str):
        data = data.encode()
    elif not isinstance(data, bytes):
        data = bytes(data)
    # The emulator and msgspec write the tag first: read it without parsing the frame. The
    # per-type decoder checks the tag again, so a wrong guess cannot get through.
    tag = _KNOWN_TAGS.get(data[9 : data.find(b'"', 9, 64)]) if data[:9] == _TYPE_PREFIX else None
    if tag is None:
        try:
            peek = _PEEK.decode(data)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise DecodeError(f"not a v1 event frame: {exc}") from None
        if peek.error is not None:
            raise error_from_body(data)
        if peek.type is None:
            raise DecodeError("not a v1 event frame: it has no 'type'")
        tag = peek.type
        if tag not in _EVENT_DECODERS:
            return UnknownEvent(tag, data)
    try:
        event = _EVENT_DECODERS[tag].decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise DecodeError(f"invalid {tag!r} event: {exc}") from None
    if tag == "connection.error":
        raise _error_from_api(event.error)
    attach = _EVENT_ATTACHERS[tag]
    if attach is not None:
        attach(event, data, ())
    return typing.cast(Event, event)


def error_from_body(data: bytes) -> StreamAPIError:
    """Turn an error body (``{"error": …}``, the WebSocket and REST envelope) into an exception."""
    try:
        return _error_from_api(_ERROR_FRAME.decode(data).error)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise DecodeError(f"invalid error frame: {exc}") from None


def _decoder(tp: Any) -> msgspec.json.Decoder[Any]:
    dec = _decoders.get(tp)
    if dec is None:
        dec = _decoders[tp] = msgspec.json.Decoder(tp)
    return dec


def decode(data: bytes | bytearray | memoryview | str, type: type[T]) -> T:
    """Decode a body or payload into ``type`` (a generated model, or a list or dict of them)."""
    if isinstance(data, str):
        data = data.encode()
    elif not isinstance(data, bytes):
        data = bytes(data)
    try:
        value = _decoder(type).decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        name = getattr(type, "__name__", str(type))
        raise DecodeError(f"invalid {name}: {exc}") from None
    attach = _attacher(type)
    if attach is not None:
        attach(value, data, ())
    return typing.cast(T, value)


def event_from_builtins(value: Any) -> Event:
    """Build an event from plain Python values (an event nested in a REST response)."""
    return decode_event(encode(value))


# ----------------------------------------------------------------------------- encoding


def _enc_hook(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return dict(obj.items())
    if isinstance(obj, UnknownEvent):
        return obj.payload
    raise NotImplementedError(f"cannot encode {type(obj).__name__} objects")


def _spread(value: Any) -> Any:
    # msgspec.to_builtins writes extra_data under its placeholder name; put the custom fields
    # back flat. A CustomFields arrives as its array form [frame, path, known, resolved]
    # (custom fields given by hand are always a mapping, so the two cannot be confused).
    # Declared fields win over a custom key of the same name.
    if isinstance(value, dict):
        extra = value.pop(EXTRA_DATA_WIRE_NAME, None)
        for key, item in value.items():
            if isinstance(item, (dict, list)):
                value[key] = _spread(item)
        if extra:
            if isinstance(extra, list):
                frame, path, known, resolved = extra
                extra = resolved if resolved is not None else _leftover_keys(frame, path, known)
            for key, item in extra.items():
                value.setdefault(key, item)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, (dict, list)):
                value[i] = _spread(item)
    return value


def to_builtins(obj: Any) -> Any:
    """Plain Python values for a model (or anything holding models), custom fields flat."""
    if isinstance(obj, UnknownEvent):
        return obj.payload
    if isinstance(obj, CustomFields):
        return dict(obj.items())
    # bytes stay bytes so that a CustomFields' frame reaches _spread undecoded.
    return _spread(msgspec.to_builtins(obj, builtin_types=(bytes,), enc_hook=_enc_hook))


_ENCODER: Final = msgspec.json.Encoder(enc_hook=_enc_hook)


def encode(obj: Any) -> bytes:
    """Compact JSON for a model (or anything holding models), custom fields flat.

    Raises :class:`TypeError` when a value cannot be represented in JSON.
    """
    if isinstance(obj, UnknownEvent):
        return obj.raw
    try:
        return _ENCODER.encode(to_builtins(obj))
    except (NotImplementedError, msgspec.EncodeError) as exc:
        raise TypeError(str(exc)) from None
