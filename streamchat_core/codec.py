"""Decoding and encoding of v1 frames and bodies.

:func:`decode_event` decodes through the generated union (one msgspec call for every known
type, measured faster than reading the ``type`` first and then using a per-type decoder). Only a
frame the union refuses is looked at again, reading the ``type`` first: an unknown ``type``
becomes an :class:`UnknownEvent`,
which keeps the raw frame; an error frame (``{"error": …}`` or a ``connection.error`` event)
becomes a :class:`~streamchat_core.errors.StreamAPIError`; anything else is a
:class:`~streamchat_core.errors.DecodeError`.

Custom fields. Users, messages, channels and events carry free custom fields flat beside the
declared ones. msgspec drops unknown keys, so every model deriving from
``CustomFieldsStruct`` gets an ``extra_data`` mapping that reads them from the frame on first
access (:class:`CustomFields`); all the structs of one frame share one parse of it, made when
the first of them is asked. Reading eagerly would cost more than the decode itself, and most
events are never asked. :func:`encode` (and every model's ``to_dict()``) spreads
``extra_data`` back flat, so a decode then an encode keeps every key, a custom key named
``type`` and nested values included; only a ``null`` value of a declared field reads as absent
and is left off.

Timestamps. Stream sends RFC 3339 with nanoseconds. They decode into timezone-aware
``datetime`` objects, which hold microseconds: msgspec rounds the fraction to the nearest
microsecond (``…48.215772568Z`` becomes ``…48.215773``), and re-encoding writes microseconds.

Every failure to decode is a :class:`~streamchat_core.errors.DecodeError`, whatever the bytes.
"""

from __future__ import annotations

import contextlib
import datetime
import typing
import warnings
from typing import Any, Final, TypeAlias, TypeVar, Union

import msgspec

import streamchat_wire as wire
from streamchat_core.custom_fields import Attacher, CustomFields, attacher, new_frame_cell
from streamchat_core.errors import DecodeError, StreamAPIError, api_error
from streamchat_wire._custom import _UNPARSED, to_builtins

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

# What msgspec raises for bad input: JSON errors, shape errors, invalid UTF-8 in strings, and
# RecursionError for nesting deeper than it follows (about 1,000 levels).
_DECODE_FAILURES = (msgspec.DecodeError, msgspec.ValidationError, UnicodeDecodeError, RecursionError)


def _why(exc: BaseException) -> str:
    """What is wrong, for a DecodeError's message (never the frame's content)."""
    if isinstance(exc, RecursionError):
        return "it is nested too deeply (msgspec follows about 1,000 levels of arrays and objects)"
    return str(exc)


class UnknownEvent:
    """An event whose ``type`` this version does not know (an app's own ``my.event``, say).

    ``raw`` is the frame as received and :attr:`payload` the whole of it as plain values;
    Stream's common fields read as on a known event: ``type``, ``cid``, ``user`` (a
    :class:`~streamchat_wire.User`, or ``None``), ``created_at``.
    """

    __slots__ = ("_payload", "_user", "raw", "type")

    def __init__(self, type: str, raw: bytes) -> None:
        self.type: Final[str] = type
        self.raw: Final[bytes] = raw
        self._payload: dict[str, Any] | None = None
        self._user: wire.User | bool | None = False  # False: not read yet

    @property
    def type_tag(self) -> str:
        """Deprecated: use ``event.type``."""
        warnings.warn("type_tag is deprecated: use event.type", DeprecationWarning, stacklevel=2)
        return self.type

    @property
    def payload(self) -> dict[str, Any]:
        """The frame decoded into plain Python values."""
        if self._payload is None:
            try:
                value = msgspec.json.decode(self.raw)
            except _DECODE_FAILURES as exc:
                raise DecodeError(f"invalid {self.type!r} event: {_why(exc)}") from exc
            self._payload = value if isinstance(value, dict) else {}
        return self._payload

    @property
    def cid(self) -> str | None:
        value = self.payload.get("cid")
        return value if isinstance(value, str) else None

    @property
    def created_at(self) -> datetime.datetime | None:
        value = self.payload.get("created_at")
        try:
            return msgspec.convert(value, datetime.datetime) if isinstance(value, str) else None
        except msgspec.ValidationError:
            return None

    @property
    def user(self) -> wire.User | None:
        """The event's ``user``, typed, or ``None`` when it has none (or not a valid one)."""
        if self._user is False:
            value = self.payload.get("user")
            self._user = None
            if isinstance(value, dict):
                with contextlib.suppress(DecodeError):
                    self._user = decode(msgspec.json.encode(value), wire.User)
        return self._user  # type: ignore[return-value]  # never False here

    def to_dict(self) -> dict[str, Any]:
        """The frame as JSON-ready builtins (a copy)."""
        copy: dict[str, Any] = msgspec.json.decode(self.raw) if self._payload is None else dict(self.payload)
        return copy

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

#: Any event: one of the generated event classes (``wire.WSEvent``), or an :class:`UnknownEvent`.
Event: TypeAlias = Union[wire.WSEvent, UnknownEvent]  # noqa: UP007 - a runtime alias


# ----------------------------------------------------------------------------- decoding


class _Peek(msgspec.Struct):
    type: str | None = None
    error: msgspec.Raw = msgspec.Raw(b"")  # kept unparsed: only its presence matters here


_PEEK: Final = msgspec.json.Decoder(_Peek)
_ERROR_FRAME: Final = msgspec.json.Decoder(wire.ErrorFrame)
_API_ERROR: Final = msgspec.json.Decoder(wire.APIError)
_decoders: dict[Any, msgspec.json.Decoder[Any]] = {}


def _error_from_api(err: wire.APIError) -> StreamAPIError:
    # Absent and null read the same (``None``) in the models; getattr keeps this working
    # whichever of the two the spec's convention gives.
    def opt(name: str) -> Any:
        value = getattr(err, name, None)
        return None if value is None or value is msgspec.UNSET else value

    return api_error(
        err.code,
        err.message,
        opt("StatusCode"),
        more_info=opt("more_info") or "",
        details=list(opt("details") or []) or None,
        duration=opt("duration") or "",
        exception_fields=opt("exception_fields"),
        unrecoverable=bool(opt("unrecoverable")),
    )


def _raise_connection_error(event: Any, cell: list[Any], path: Any) -> None:
    raise _error_from_api(event.error)


# The generated union decodes every known type in one call (msgspec finds the ``type`` tag
# wherever it stands); then, per class, what to do with the event: attach its custom fields,
# or for ``connection.error`` raise the error it carries.
_UNION: Final = msgspec.json.Decoder(wire.WSEvent)
_AFTER: Final[dict[type[Any], Attacher | None]] = {
    cls: _raise_connection_error if tag == "connection.error" else attacher(cls)
    for tag, cls in EVENT_TYPES.items()
}
# Each type's own decoder, to name what is wrong with a frame of a known type that the union
# refused.
_BY_TAG: Final[dict[str, msgspec.json.Decoder[Any]]] = {
    tag: msgspec.json.Decoder(cls) for tag, cls in EVENT_TYPES.items()
}


def _check_utf8(data: bytes) -> None:
    # msgspec skips the keys a struct does not declare without checking their UTF-8; the
    # custom fields read them later, so the whole frame is checked now, while an error can
    # still be reported as a bad frame. ASCII frames (most) skip this.
    try:
        data.decode()
    except UnicodeDecodeError as exc:
        raise DecodeError(f"frame is not valid UTF-8: {exc}") from exc


def _decode_by_peek(data: bytes) -> Event:
    """Read the ``type`` first: an error frame, an unknown type, or that type's decoder."""
    try:
        peek = _PEEK.decode(data)
    except _DECODE_FAILURES as exc:
        raise DecodeError(f"not a v1 event frame: {_why(exc)}") from exc
    if len(peek.error):
        raise error_from_body(data)
    if peek.type is None:
        # Stream's REST error body (fields at the top level, no ``type``), as a long-poll
        # answer carries it: the error it is, not a bad frame.
        try:
            error = error_from_body(data)
        except DecodeError as exc:
            raise DecodeError("not a v1 event frame: it has no 'type'") from exc
        raise error
    decoder = _BY_TAG.get(peek.type)
    if decoder is None:
        return UnknownEvent(peek.type, data)
    try:
        event: Event = decoder.decode(data)
    except _DECODE_FAILURES as exc:
        raise DecodeError(f"invalid {peek.type!r} event: {_why(exc)}") from exc
    return event


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
    # Known types (nearly every frame) take one call, through the union, wherever the ``type``
    # stands (it is slower when the type comes last, as Stream writes it, but reading the type
    # first then costs as much as it saves: measured). Only a frame the union refuses is looked
    # at again, to tell an unknown type from an error frame or a malformed one.
    event: Event
    try:
        event = _UNION.decode(data)
    except _DECODE_FAILURES:
        event = _decode_by_peek(data)
        if event.__class__ is UnknownEvent:
            return event
    after = _AFTER[event.__class__]
    if after is not None:
        after(event, [data, _UNPARSED], ())  # the frame's cell (see new_frame_cell)
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
        raise DecodeError(f"invalid error body: {_why(exc)}") from exc


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
        raise DecodeError(f"invalid {name}: {_why(exc)}") from exc
    attach = attacher(type)
    if attach is not None:
        attach(value, new_frame_cell(data), ())
    return typing.cast(T, value)


def event_from_builtins(value: Any) -> Event:
    """Build an event from plain Python values (an event nested in a REST response)."""
    return decode_event(encode(value))


# ----------------------------------------------------------------------------- encoding


def encode(obj: Any) -> bytes:
    """Compact JSON for a model (or anything holding models), custom fields flat.

    Raises :class:`TypeError` when a value cannot be represented in JSON.
    """
    if isinstance(obj, UnknownEvent):
        return obj.raw
    try:
        return _ENCODER.encode(to_builtins(obj))
    except msgspec.EncodeError as exc:
        raise TypeError(str(exc)) from exc


_ENCODER: Final = msgspec.json.Encoder()
