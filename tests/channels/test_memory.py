"""Memory that stays flat: channel state keeps no response alive and a bounded window of messages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest

import streamchat_wire as wire
from streamchat_core import codec
from streamchat_core.channel_state import DEFAULT_MAX_MESSAGES, ChannelState
from streamchat_core.client import StreamChatClient

STAMP = "2026-06-24T11:44:48.215772568Z"


def _body(messages: int, members: int) -> bytes:
    users = [{"id": f"u{i}", "name": f"U{i}", "nick": f"n{i}"} for i in range(members)]
    return json.dumps(
        {
            "channel": {"id": "big", "type": "messaging", "cid": "messaging:big", "topic": "memory"},
            "members": [{"user_id": u["id"], "user": u, "level": i} for i, u in enumerate(users)],
            "messages": [
                {
                    "id": f"m{i:04}",
                    "text": "x" * 200,
                    "user": users[i % members],
                    "mood": i,
                    "created_at": f"2026-06-24T11:{i // 60 % 60:02}:{i % 60:02}Z",
                }
                for i in range(messages)
            ],
            "read": [{"user": u, "last_read": STAMP, "unread_messages": 0} for u in users],
            "watchers": users[:5],
        }
    ).encode()


def _custom_fields(value: Any) -> Iterator[wire.CustomFields]:
    if isinstance(value, msgspec.Struct):
        extra = getattr(value, "extra_data", None)
        if isinstance(extra, wire.CustomFields):
            yield extra
        for name in value.__struct_fields__:
            if name != "extra_data":
                yield from _custom_fields(getattr(value, name))
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _custom_fields(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _custom_fields(item)


def _kept(state: ChannelState) -> list[wire.CustomFields]:
    parts = [state.channel, state.messages, state.members, state.read, state.watchers]
    return list(_custom_fields(parts))


def test_loaded_state_keeps_no_reference_to_the_response() -> None:
    body = _body(messages=300, members=200)
    state = ChannelState()
    state.load(codec.decode(body, wire.ChannelStateResponse))
    kept = _kept(state)
    assert len(kept) > 900  # channel, members and their users, messages and senders, reads, ...
    assert all(fields.cell[0] == b"" for fields in kept), "a kept model still holds the response"
    assert state.channel is not None
    assert state.channel.extra_data["topic"] == "memory"
    assert state.members["u7"].extra_data["level"] == 7
    assert state.members["u7"].user is not None
    assert state.members["u7"].user.extra_data["nick"] == "n7"
    assert state.members["u7"].user.name == "U7"
    assert [m.extra_data["mood"] for m in state.messages[-3:]] == [297, 298, 299]


def test_the_message_list_is_a_bounded_window_of_the_newest() -> None:
    state = ChannelState(max_messages=50)
    state.load(codec.decode(_body(messages=120, members=3), wire.ChannelStateResponse))
    assert len(state.messages) == 50
    assert [m.id for m in state.messages] == [f"m{i:04}" for i in range(70, 120)]
    newest = codec.decode(
        b'{"id":"m9999","text":"new","created_at":"2026-06-24T12:00:00Z"}',
        wire.Message,
    )
    state.add_message(newest)
    assert len(state.messages) == 50
    assert state.messages[0].id == "m0071"
    assert state.messages[-1].id == "m9999"
    # The id index follows the window: a dropped message comes back as new, not as a replacement.
    old = codec.decode(b'{"id":"m0000","text":"old","created_at":"2026-06-24T11:00:00Z"}', wire.Message)
    state.add_message(old)
    assert len(state.messages) == 50
    assert "m0000" not in {m.id for m in state.messages}
    assert ChannelState().max_messages == DEFAULT_MAX_MESSAGES


@pytest.mark.anyio
async def test_repeated_rewatches_of_a_large_channel_keep_memory_flat(streamchat_emulator: Any) -> None:
    emu = streamchat_emulator
    async with StreamChatClient(emu.api_key, base_url=emu.base_url) as client:
        await client.connect_user(wire.User(id="john", name="John"), client.dev_token("john"))
        channel = client.channel("messaging", "large", members=["john"])
        channel.state.max_messages = 40
        await channel.watch()
        for i in range(60):
            await channel.send_message(f"message {i}", seq=i, padding="p" * 300)
        counts = []
        for _ in range(5):
            state = await channel.watch()  # the re-watch a reconnect does
            kept = _kept(state)
            assert kept
            assert all(fields.cell[0] == b"" for fields in kept), "state keeps a query response alive"
            counts.append(len(state.messages))
            assert [m.extra_data["seq"] for m in state.messages] == list(range(60 - len(state.messages), 60))
        assert counts == [40] * 5
        await client.disconnect_user()
