"""The models a user programs against: every event type, ``.type``, ``None`` for absent fields,
``to_dict``/``repr``/plain msgspec, users' ``name``/``image``, and one parse per frame."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings, strategies as st
from wire_strategies import struct_strategy

import streamchat_wire as wire
from streamchat_core import UnknownEvent, codec

# Stream's client-side v1 event catalogue: every type its published schema names.
STREAM_EVENT_TYPES = [
    "ai_indicator.clear",
    "ai_indicator.stop",
    "ai_indicator.update",
    "app.updated",
    "channel.created",
    "channel.deleted",
    "channel.frozen",
    "channel.hidden",
    "channel.kicked",
    "channel.max_streak_changed",
    "channel.truncated",
    "channel.unfrozen",
    "channel.updated",
    "channel.visible",
    "draft.deleted",
    "draft.updated",
    "health.check",
    "member.added",
    "member.removed",
    "member.updated",
    "message.deleted",
    "message.delivered",
    "message.new",
    "message.pending",
    "message.read",
    "message.undeleted",
    "message.updated",
    "notification.added_to_channel",
    "notification.channel_deleted",
    "notification.channel_mutes_updated",
    "notification.channel_truncated",
    "notification.invite_accepted",
    "notification.invite_rejected",
    "notification.invited",
    "notification.mark_read",
    "notification.mark_unread",
    "notification.message_new",
    "notification.mutes_updated",
    "notification.reminder_due",
    "notification.removed_from_channel",
    "notification.thread_message_new",
    "poll.closed",
    "poll.deleted",
    "poll.updated",
    "poll.vote_casted",
    "poll.vote_changed",
    "poll.vote_removed",
    "reaction.deleted",
    "reaction.new",
    "reaction.updated",
    "reminder.created",
    "reminder.deleted",
    "reminder.updated",
    "thread.updated",
    "typing.start",
    "typing.stop",
    "user.banned",
    "user.deactivated",
    "user.deleted",
    "user.messages.deleted",
    "user.muted",
    "user.presence.changed",
    "user.reactivated",
    "user.unbanned",
    "user.updated",
    "user.watching.start",
    "user.watching.stop",
    "user_group.created",
    "user_group.deleted",
    "user_group.member_added",
    "user_group.member_removed",
    "user_group.updated",
]
# This library's own: the error frame and the local connection events.
LOCAL_EVENT_TYPES = ["connection.error", "connection.changed", "connection.recovered", "transport.changed"]

STAMP = "2026-06-24T11:44:48.215772568Z"


def test_the_whole_catalogue_is_modelled() -> None:
    assert len(STREAM_EVENT_TYPES) == 72
    assert set(codec.EVENT_TYPES) == set(STREAM_EVENT_TYPES) | set(LOCAL_EVENT_TYPES)


@pytest.mark.parametrize("tag", sorted(codec.EVENT_TYPES))
@settings(max_examples=2, deadline=None)
@given(data=st.data())
def test_every_event_type_has_type(tag: str, data: st.DataObject) -> None:
    # (The round trip of every event type with random custom fields is in test_codec.py.)
    cls = codec.EVENT_TYPES[tag]
    assert issubclass(cls, wire.EventStruct)
    event = data.draw(struct_strategy(cls))
    assert event.type == tag
    with pytest.deprecated_call():
        assert event.type_tag == tag  # the deprecated alias


def test_unknown_events_have_type_cid_user_and_created_at() -> None:
    frame = (
        b'{"type":"my.event","cid":"messaging:general","created_at":"' + STAMP.encode() + b'",'
        b'"user":{"id":"jane","name":"Jane","mood":"calm"},"score":3}'
    )
    event = codec.decode_event(frame)
    assert isinstance(event, UnknownEvent)
    assert event.type == "my.event"
    assert event.cid == "messaging:general"
    assert event.user is not None
    assert event.user.id == "jane"
    assert event.user.name == "Jane"
    assert event.user.extra_data["mood"] == "calm"
    assert event.created_at is not None
    assert event.created_at.tzinfo is not None
    assert event.to_dict() == json.loads(frame)
    bare = codec.decode_event(b'{"type":"my.other"}')
    assert isinstance(bare, UnknownEvent)
    assert (bare.cid, bare.user, bare.created_at) == (None, None, None)


def test_absent_fields_are_none_and_stay_off_the_wire() -> None:
    event = codec.decode_event(
        b'{"type":"typing.start","cid":"messaging:general","created_at":"' + STAMP.encode() + b'",'
        b'"user":{"id":"jane","role":null}}'
    )
    assert isinstance(event, wire.TypingStartEvent)
    assert event.parent_id is None
    assert event.user is not None
    assert event.user.role is None  # null reads as absent
    assert b"null" not in codec.encode(event)
    assert "parent_id" not in event.to_dict()


def _message_new() -> wire.MessageNewEvent:
    frame = (
        b'{"type":"message.new","cid":"messaging:general","channel_id":"general","channel_type":"messaging",'
        b'"message_id":"m1","watcher_count":2,"created_at":"' + STAMP.encode() + b'",'
        b'"message":{"id":"m1","text":"hi","type":"regular","cid":"messaging:general","mood":"happy",'
        b'"user":{"id":"jane","name":"Jane","nickname":"jj"},"created_at":"' + STAMP.encode() + b'"},'
        b'"user":{"id":"jane","name":"Jane","nickname":"jj"},"priority":"high"}'
    )
    event = codec.decode_event(frame)
    assert isinstance(event, wire.MessageNewEvent)
    return event


def test_to_dict_is_json_ready_and_plain_msgspec_names_the_encoder() -> None:
    event = _message_new()
    as_dict = event.to_dict()
    assert json.loads(json.dumps(as_dict)) == as_dict
    assert as_dict["priority"] == "high"
    assert as_dict["message"]["mood"] == "happy"
    assert as_dict["message"]["user"]["nickname"] == "jj"
    assert as_dict["created_at"].startswith("2026-06-24T11:44:48.21577")
    assert event.message.to_dict() == as_dict["message"]
    with pytest.raises(TypeError, match=r"to_dict\(\)|codec\.encode"):
        msgspec.json.encode(event)
    # Custom fields given by hand are refused the same way, never nested under an internal key.
    with pytest.raises(TypeError, match=r"to_dict\(\)"):
        msgspec.json.encode(wire.User(id="john", extra_data={"mood": "calm"}))
    # Without custom fields, a plain encode gives the same JSON as the codec.
    plain = wire.User(id="john", role="user")
    assert (
        msgspec.json.decode(msgspec.json.encode(plain)) == plain.to_dict() == {"id": "john", "role": "user"}
    )


def test_repr_shows_only_what_is_present() -> None:
    event = _message_new()
    text = repr(event)
    assert text.startswith("MessageNewEvent(type='message.new', ")
    assert "None" not in text
    assert "UNSET" not in text
    assert "cid='messaging:general'" in text
    assert "extra_data={'priority': 'high'}" in text
    assert len(text) < 1000
    assert repr(wire.User(id="john")) == "User(id='john')"


def test_users_name_and_image_as_in_dart() -> None:
    seed = wire.User(id="john", extra_data={"name": "John Doe", "image": "https://example.org/j.png"})
    direct = wire.User(id="john", name="John Doe", image="https://example.org/j.png")
    assert seed.name == direct.name == "John Doe"
    assert seed.image == direct.image == "https://example.org/j.png"
    assert seed.extra_data["name"] == "John Doe"
    assert codec.encode(seed) == codec.encode(direct)
    assert msgspec.json.decode(codec.encode(direct)) == {
        "id": "john",
        "name": "John Doe",
        "image": "https://example.org/j.png",
    }
    decoded = codec.decode(b'{"id":"john","name":"John Doe","mood":"calm"}', wire.OwnUser)
    assert decoded.name == "John Doe"
    assert dict(decoded.extra_data) == {"name": "John Doe", "mood": "calm"}
    # The field wins where both are given.
    both = wire.User(id="john", name="Field", extra_data={"name": "Custom"})
    assert both.name == "Field"
    assert msgspec.json.decode(codec.encode(both))["name"] == "Field"


def test_declared_fields_never_land_in_extra_data() -> None:
    event = _message_new()
    assert dict(event.extra_data) == {"priority": "high"}
    assert dict(event.message.extra_data) == {"mood": "happy"}
    body = {
        "id": "m2",
        "text": "x",
        "latest_reactions": [],
        "own_reactions": [],
        "reaction_counts": {"like": 1},
        "reaction_scores": {"like": 1},
        "reply_count": 0,
        "deleted_reply_count": 0,
        "shadowed": False,
        "silent": False,
        "pinned": False,
        "mentioned_users": [],
        "restricted_visibility": [],
    }
    message = codec.decode(json.dumps(body).encode(), wire.Message)
    assert dict(message.extra_data) == {}
    member = codec.decode(
        b'{"user_id":"jane","banned":false,"shadow_banned":false,"notifications_muted":true}',
        wire.ChannelMember,
    )
    assert dict(member.extra_data) == {}


def test_one_parse_per_frame_however_many_structs_read_their_custom_fields(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    messages: list[dict[str, Any]] = [
        {"id": f"m{i}", "text": "t", "mood": i, "user": {"id": f"u{i}", "name": f"U{i}", "nick": i}}
        for i in range(50)
    ]
    body = json.dumps(
        {"channel": {"id": "g", "type": "messaging", "cid": "messaging:g"}, "messages": messages}
    )
    state = codec.decode(body.encode(), wire.ChannelStateResponse)
    real = msgspec.json.decode
    calls: list[Any] = []

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(msgspec.json, "decode", counting)
    seen = []
    for message in state.messages or ():
        assert message.user is not None
        seen.append((message.extra_data["mood"], message.user.extra_data["nick"], message.user.name))
    assert seen == [(i, i, f"U{i}") for i in range(50)]
    assert len(calls) == 1


def test_detached_custom_fields_let_go_of_the_frame() -> None:
    event = _message_new()
    fields = event.message.extra_data
    assert isinstance(fields, wire.CustomFields)
    fields.detach()
    assert fields.cell[0] == b""
    assert dict(fields) == {"mood": "happy"}
    assert codec.encode(event.message)  # still encodes


def test_a_top_level_rest_error_body_is_the_error_not_a_bad_frame() -> None:
    from streamchat_core.errors import StreamAPIError

    body = b'{"code":40,"message":"JWTAuth error: token has expired","StatusCode":401,"duration":"0.01ms"}'
    with pytest.raises(StreamAPIError) as caught:
        codec.decode_event(body)
    assert caught.value.code == 40
    with pytest.raises(codec.DecodeError, match="no 'type'"):
        codec.decode_event(b'{"message":"no code here"}')
