"""The codec: typed events, forward compatibility, custom fields, error frames, bad bytes."""

from __future__ import annotations

import contextlib
import datetime
import inspect

import msgspec
import pytest
from hypothesis import given, settings, strategies as st
from wire_strategies import struct_strategy

import streamchat_wire as wire
from streamchat_core import codec
from streamchat_core.errors import (
    DecodeError,
    InputError,
    StreamAPIError,
    TokenExpiredError,
    TokenSignatureError,
)

ALL_MODELS = sorted(
    (
        cls
        for _, cls in inspect.getmembers(wire._models, inspect.isclass)
        if issubclass(cls, msgspec.Struct) and cls.__module__ == wire._models.__name__
    ),
    key=lambda c: c.__name__,
)

HEALTH_CHECK = (
    b'{"type":"health.check","connection_id":"c-1","cid":"*",'
    b'"me":{"id":"john","role":"user","name":"John Doe","type":"team","nested":{"a":[1,2],"b":{"c":null}},'
    b'"privacy_settings":{"typing_indicators":{"enabled":false}},"unread_count":3},'
    b'"created_at":"2026-06-24T11:44:48.215772568Z"}'
)


@pytest.mark.parametrize("cls", ALL_MODELS, ids=lambda c: c.__name__)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_every_model_survives_encode_then_decode(cls: type[msgspec.Struct], data: st.DataObject) -> None:
    value = data.draw(struct_strategy(cls))
    encoded = codec.encode(value)
    decoded = codec.decode(encoded, cls)
    # Compared on the wire: a decoded user also has its name and image in extra_data.
    assert codec.to_builtins(decoded) == codec.to_builtins(value)
    # And once more: a decoded value (lazy custom fields) encodes to the same JSON.
    assert msgspec.json.decode(codec.encode(decoded)) == msgspec.json.decode(encoded)


@pytest.mark.parametrize("cls", list(codec.EVENT_TYPES.values()), ids=lambda c: c.__name__)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_every_event_decodes_through_decode_event(cls: type[msgspec.Struct], data: st.DataObject) -> None:
    value = data.draw(struct_strategy(cls))
    tag = cls.__struct_config__.tag
    assert value.type == tag
    encoded = codec.encode(value)
    if cls is wire.ConnectionErrorEvent:
        with pytest.raises(StreamAPIError):
            codec.decode_event(encoded)
        return
    decoded = codec.decode_event(encoded)
    assert type(decoded) is cls
    assert decoded.type == tag
    # Compared on the wire: a decoded user also has its name and image in extra_data.
    assert codec.to_builtins(decoded) == codec.to_builtins(value)
    assert decoded.to_dict() == msgspec.json.decode(encoded)
    assert codec.encode(decoded) == encoded


def test_health_check_with_custom_fields_on_me() -> None:
    event = codec.decode_event(HEALTH_CHECK)
    assert isinstance(event, wire.HealthCheckEvent)
    assert event.connection_id == "c-1"
    assert isinstance(event.me, wire.OwnUser)
    assert event.me.id == "john"
    assert dict(event.me.extra_data) == {
        "name": "John Doe",
        "type": "team",
        "nested": {"a": [1, 2], "b": {"c": None}},
    }
    assert event.me.privacy_settings == wire.PrivacySettings(
        typing_indicators=wire.TypingIndicators(enabled=False)
    )
    flat = msgspec.json.decode(codec.encode(event))
    assert flat == msgspec.json.decode(HEALTH_CHECK) | {"created_at": "2026-06-24T11:44:48.215773Z"}


def test_custom_key_named_type_survives_on_a_user_built_by_hand() -> None:
    user = wire.User(id="ann", extra_data={"type": "team", "name": "Ann", "deep": [{"x": {"y": 1}}]})
    flat = msgspec.json.decode(codec.encode(user))
    assert flat == {"id": "ann", "type": "team", "name": "Ann", "deep": [{"x": {"y": 1}}]}
    assert codec.decode(codec.encode(user), wire.User) == user


def test_custom_fields_do_not_override_declared_fields_when_encoding() -> None:
    user = wire.User(id="ann", role="admin", extra_data={"role": "user", "x": 1})
    assert msgspec.json.decode(codec.encode(user)) == {"id": "ann", "role": "admin", "x": 1}


def test_type_may_come_last_as_stream_sends_it() -> None:
    frame = b'{"cid":"messaging:general","user":{"id":"jane","name":"Jane"},"created_at":"2020-07-17T13:55:56Z","type":"typing.start"}'
    event = codec.decode_event(frame)
    assert isinstance(event, wire.TypingStartEvent)
    assert event.user is not None
    assert event.user.extra_data["name"] == "Jane"


def test_custom_fields_in_lists_keep_their_place() -> None:
    body = (
        b'{"channel":{"id":"g","type":"messaging","cid":"messaging:g","color":"red"},'
        b'"members":[{"user":{"id":"a","name":"A"}},{"user":{"id":"b","name":"B"},"is_vip":true}],'
        b'"messages":[{"id":"m1","text":"hi","user":{"id":"a","name":"A"},"mood":"happy"}]}'
    )
    state = codec.decode(body, wire.ChannelStateResponse)
    assert state.channel.extra_data == {"color": "red"}
    assert [m.user.extra_data["name"] for m in state.members] == ["A", "B"]  # type: ignore[union-attr]
    assert state.members[1].extra_data == {"is_vip": True}  # type: ignore[index]
    assert state.messages[0].extra_data == {"mood": "happy"}  # type: ignore[index]
    assert msgspec.json.decode(codec.encode(state)) == msgspec.json.decode(body)


def test_nanosecond_timestamps_round_to_the_nearest_microsecond() -> None:
    event = codec.decode_event(HEALTH_CHECK)
    assert isinstance(event, wire.HealthCheckEvent)
    assert event.created_at == datetime.datetime(
        2026, 6, 24, 11, 44, 48, 215773, tzinfo=datetime.timezone.utc
    )


def test_unknown_event_type_keeps_the_raw_frame() -> None:
    frame = b'{"type":"my_app.vote_casted","poll":{"id":"p1"},"created_at":"2026-01-01T00:00:00Z"}'
    event = codec.decode_event(frame)
    assert isinstance(event, codec.UnknownEvent)
    assert event.type == "my_app.vote_casted"
    assert event.raw == frame
    assert event.payload["poll"] == {"id": "p1"}
    assert codec.encode(event) == frame


def test_a_known_type_with_a_wrong_shape_is_a_decode_error() -> None:
    with pytest.raises(DecodeError, match=r"user\.updated"):
        codec.decode_event(b'{"type":"user.updated","user":{"id":42}}')


def test_bare_error_frame_becomes_a_typed_error() -> None:
    frame = (
        b'{"error":{"code":40,"message":"JWTAuth error: token is expired (exp)","StatusCode":401,'
        b'"duration":"","more_info":"https://getstream.io/chat/docs/api_errors_response","details":[]}}'
    )
    with pytest.raises(TokenExpiredError) as info:
        codec.decode_event(frame)
    assert info.value.code == 40
    assert info.value.status_code == 401
    assert "token is expired" in info.value.message


def test_connection_error_event_becomes_a_typed_error() -> None:
    frame = (
        b'{"type":"connection.error","created_at":"2026-01-01T00:00:00Z","connection_id":"",'
        b'"error":{"code":43,"message":"JWTAuth error","StatusCode":401,"duration":"","more_info":"","details":[]}}'
    )
    with pytest.raises(TokenSignatureError) as info:
        codec.decode_event(frame)
    assert (info.value.code, info.value.status_code) == (43, 401)


@pytest.mark.parametrize(
    "body",
    [
        b'{"code":4,"message":"bad id","StatusCode":400,"duration":"","more_info":""}',  # Stream's REST shape
        b'{"error":{"code":4,"message":"bad id","StatusCode":400}}',  # the WebSocket envelope
    ],
)
def test_error_body_in_either_envelope(body: bytes) -> None:
    err = codec.error_from_body(body)
    assert isinstance(err, InputError)
    assert str(err) == "Stream error code 4, HTTP 400: bad id"


def test_an_error_body_that_is_not_one_is_a_decode_error() -> None:
    with pytest.raises(DecodeError):
        codec.error_from_body(b'{"status":"teapot"}')


VALID_FRAMES = [
    HEALTH_CHECK,
    b'{"type":"typing.start","cid":"messaging:g","user":{"id":"a"},"parent_id":null}',
    b'{"type":"message.new","cid":"m:g","message":{"id":"m1","text":"x","user":{"id":"a"}},"watcher_count":2}',
    b'{"error":{"code":40,"message":"expired","StatusCode":401}}',
]


@given(st.binary(max_size=300))
def test_arbitrary_bytes_raise_only_decode_errors(data: bytes) -> None:
    with contextlib.suppress(DecodeError):
        codec.decode_event(data)
    with contextlib.suppress(DecodeError):
        codec.decode(data, wire.User)


@st.composite
def mutated_frames(draw: st.DrawFn) -> bytes:
    frame = bytearray(draw(st.sampled_from(VALID_FRAMES)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        pos = draw(st.integers(0, max(len(frame) - 1, 0)))
        if op == "flip" and frame:
            frame[pos] = draw(st.integers(0, 255))
        elif op == "insert":
            frame[pos:pos] = draw(st.binary(min_size=1, max_size=4))
        elif op == "delete" and frame:
            del frame[pos]
        else:
            del frame[pos:]
    return bytes(frame)


@settings(max_examples=300)
@given(mutated_frames())
def test_mutated_frames_raise_only_the_projects_errors(frame: bytes) -> None:
    try:
        event = codec.decode_event(frame)
    except (DecodeError, StreamAPIError):
        return
    # What decodes must be usable: custom fields readable, re-encodable.
    if isinstance(event, codec.UnknownEvent):
        try:
            assert isinstance(event.payload, dict)
        except DecodeError:
            return
    codec.encode(event)
