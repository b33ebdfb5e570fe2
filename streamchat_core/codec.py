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

import typing
from collections.abc import Mapping
from typing import Any, Final, TypeVar, Union

import msgspec

import streamchat_wire as wire
from streamchat_core.custom_fields import Attacher, CustomFields, attacher, leftover_keys
from streamchat_core.errors import DecodeError, StreamAPIError, api_error
from streamchat_wire import EXTRA_DATA_WIRE_NAME

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

# What msgspec raises for bad input: JSON errors, shape errors, and invalid UTF-8 in strings.
_DECODE_FAILURES = (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError)


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
            try:
                value = msgspec.json.decode(self.raw)
            except _DECODE_FAILURES as exc:
                raise DecodeError(f"invalid {self.type!r} event: {exc}") from None
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


# ----------------------------------------------------------------------------- decoding


class _Peek(msgspec.Struct):
    type: str | None = None
    error: msgspec.Raw = msgspec.Raw(b"")  # kept unparsed: only its presence matters here


_PEEK: Final = msgspec.json.Decoder(_Peek)
_ERROR_FRAME: Final = msgspec.json.Decoder(wire.ErrorFrame)
_API_ERROR: Final = msgspec.json.Decoder(wire.APIError)
_decoders: dict[Any, msgspec.json.Decoder[Any]] = {}


def _error_from_api(err: wire.APIError) -> StreamAPIError:
    return api_error(
        err.code,
        err.message,
        None if err.StatusCode is msgspec.UNSET else err.StatusCode,
        more_info="" if err.more_info is msgspec.UNSET else err.more_info,
        details=None if err.details is msgspec.UNSET or err.details is None else list(err.details),
        duration="" if err.duration is msgspec.UNSET else err.duration,
        exception_fields=None
        if isinstance(err.exception_fields, msgspec.UnsetType)
        else err.exception_fields,
        unrecoverable=False if err.unrecoverable is msgspec.UNSET else err.unrecoverable,
    )


def _raise_connection_error(event: Any, frame: bytes, path: Any) -> None:
    raise _error_from_api(event.error)


# For each known tag: the tag, its decoder (built once) and what to do with the decoded event
# (attach its custom fields; for ``connection.error``, raise the error it carries).
_Kind = tuple[str, "msgspec.json.Decoder[Any]", Union[Attacher, None]]  # noqa: UP007 - runtime alias
_KINDS: Final[dict[str, _Kind]] = {
    tag: (
        tag,
        msgspec.json.Decoder(cls),
        _raise_connection_error if tag == "connection.error" else attacher(cls),
    )
    for tag, cls in EVENT_TYPES.items()
}
_KINDS_BY_BYTES: Final[dict[bytes, _Kind]] = {tag.encode(): kind for tag, kind in _KINDS.items()}
_TYPE_PREFIX: Final = b'{"type":"'


def _check_utf8(data: bytes) -> None:
    # msgspec skips the keys a struct does not declare without checking their UTF-8; the
    # custom fields read them later, so the whole frame is checked now, while an error can
    # still be reported as a bad frame. ASCII frames (most) skip this.
    try:
        data.decode()
    except UnicodeDecodeError as exc:
        raise DecodeError(f"frame is not valid UTF-8: {exc}") from None


def _peek_kind(data: bytes) -> _Kind | UnknownEvent:
    try:
        peek = _PEEK.decode(data)
    except _DECODE_FAILURES as exc:
        raise DecodeError(f"not a v1 event frame: {exc}") from None
    if len(peek.error):
        raise error_from_body(data)
    if peek.type is None:
        raise DecodeError("not a v1 event frame: it has no 'type'")
    return _KINDS.get(peek.type) or UnknownEvent(peek.type, data)


def decode_event(data: bytes | bytearray | memoryview | str) -> Event:
    """Decode one server frame into an event.

    Raises :class:`~streamchat_core.errors.StreamAPIError` (the most specific subclass for its
    code) for an error frame, and :class:`~streamchat_core.errors.DecodeError` for anything that
    is not a v1 event.
    """
    if data.__class__ is not bytes:
        data = data.encode() if isinstance(data, str) else bytes(data)
    if not data.isascii():
        _check_utf8(data)
    # The type is read first. The emulator and msgspec write it first, so it is usually read
    # without parsing the frame; the per-type decoder checks it again, so a wrong guess cannot
    # get through. Otherwise a one-field struct reads it (msgspec skips the rest).
    kind = _KINDS_BY_BYTES.get(data[9 : data.find(b'"', 9, 64)]) if data.startswith(_TYPE_PREFIX) else None
    if kind is None:
        peeked = _peek_kind(data)
        if isinstance(peeked, UnknownEvent):
            return peeked
        kind = peeked
    tag, decoder, after = kind
    try:
        event: Event = decoder.decode(data)
    except _DECODE_FAILURES as exc:
        raise DecodeError(f"invalid {tag!r} event: {exc}") from None
    if after is not None:
        after(event, data, ())
    return event


def error_from_body(data: bytes) -> StreamAPIError:
    """Turn an error body into an exception.

    Accepts both envelopes: ``{"error": {…}}`` (the WebSocket error frame) and Stream's REST
    error body, whose fields (``code``, ``message``, ``StatusCode``, …) sit at the top level.
    """
    try:
        return _error_from_api(_ERROR_FRAME.decode(data).error)
    except _DECODE_FAILURES:
        pass
    try:
        return _error_from_api(_API_ERROR.decode(data))
    except _DECODE_FAILURES as exc:
        raise DecodeError(f"invalid error body: {exc}") from None


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
    if not data.isascii():
        _check_utf8(data)
    try:
        value = _decoder(type).decode(data)
    except _DECODE_FAILURES as exc:
        name = getattr(type, "__name__", str(type))
        raise DecodeError(f"invalid {name}: {exc}") from None
    attach = attacher(type)
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
                extra = resolved if resolved is not None else leftover_keys(frame, path, known)
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
