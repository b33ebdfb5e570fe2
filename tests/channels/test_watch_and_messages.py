"""Watching a channel and sending messages: state from the query and from events."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from channel_helpers import marker, pair
from client_helpers import WAIT

import streamchat_wire as wire
from streamchat_core.client import StreamChatClient
from streamchat_core.errors import (
    InvalidUserError,
    NotConnectedError,
    StreamAPIError,
    UsageError,
)

pytestmark = pytest.mark.anyio


async def test_watch_creates_the_channel_with_members_and_config(streamchat_emulator: Any) -> None:
    emu = streamchat_emulator
    async with StreamChatClient(emu.api_key, base_url=emu.base_url) as client:
        await client.connect_user(wire.User(id="john"), client.dev_token("john"))
        channel = client.channel("messaging", "general", members=["john"], topic="testing")
        assert channel.cid == "messaging:general"
        assert channel.state.config is None
        assert not channel.typing_enabled

        state = await channel.watch()

        assert state is channel.state
        assert channel.watching
        assert set(state.members) == {"john"}
        assert state.config is not None
        assert state.config.typing_events is True
        assert state.config.read_events is True
        assert state.channel is not None
        assert state.channel.extra_data["topic"] == "testing"
        assert state.watcher_count == 1
        assert set(state.watchers) == {"john"}
        assert set(state.read) == {"john"}
        assert channel.typing_enabled
        # The same object each time; a second watch changes nothing on the server.
        assert client.channel("messaging", "general") is channel
        again = await channel.query()
        assert again.watcher_count == 1
        await client.disconnect_user()


async def test_the_other_member_joins_with_state_and_watching_events(streamchat_emulator: Any) -> None:
    async with pair(streamchat_emulator) as p:
        assert set(p.jane.channel.state.members) == {"john", "jane"}
        assert p.jane.channel.state.members["john"].user.extra_data["name"] == "John"
        # john saw jane start watching: his state was updated from the event.
        assert p.john.channel.state.watcher_count == 2
        assert set(p.john.channel.state.watchers) == {"john", "jane"}


async def test_a_message_reaches_both_with_custom_fields(streamchat_emulator: Any) -> None:
    async with pair(streamchat_emulator) as p:
        sent = await p.john.channel.send_message("hello jane", priority="high", tags=["a", "b"])
        assert sent.text == "hello jane"
        assert sent.extra_data["priority"] == "high"

        for user in (p.jane, p.john):  # the sender gets message.new too
            event = await user.next_of("message.new")
            assert isinstance(event, wire.MessageNewEvent)
            assert event.message.id == sent.id
            assert event.message.extra_data["priority"] == "high"
            assert event.message.extra_data["tags"] == ["a", "b"]
            assert event.user.id == "john"
            assert [m.id for m in user.channel.state.messages] == [sent.id]


async def test_state_is_updated_before_handlers_and_streams_see_the_event(streamchat_emulator: Any) -> None:
    async with pair(streamchat_emulator) as p:
        channel = p.jane.channel
        seen_by_handler: list[bool] = []
        handled_two = anyio.Event()

        def handler(event: Any) -> None:
            seen_by_handler.append(any(m.id == event.message.id for m in channel.state.messages))
            if len(seen_by_handler) == 2:
                handled_two.set()

        p.jane.client.on("message.new", handler)
        stream = p.jane.client.events("message.new")
        sent = await p.john.channel.send_message("in order")
        with anyio.fail_after(WAIT):
            event = await stream.receive()
        assert any(m.id == event.message.id == sent.id for m in channel.state.messages)
        await marker(p.john, p.jane)
        with anyio.fail_after(WAIT):
            await handled_two.wait()
        assert seen_by_handler == [True, True]
        await stream.aclose()


async def test_messages_are_kept_once_each_in_order(streamchat_emulator: Any) -> None:
    async with pair(streamchat_emulator) as p:
        first = await p.john.channel.send_message("one")
        second = await p.jane.channel.send_message("two")
        await marker(p.john, p.jane, p.john)
        # A query merges with what events brought: nothing twice, oldest first.
        await p.jane.channel.query()
        ids = [m.id for m in p.jane.channel.state.messages]
        assert ids[:2] == [first.id, second.id]
        assert len(ids) == len(set(ids)) == 3


async def test_the_sender_reads_its_own_message_and_the_other_counts_it_unread(
    streamchat_emulator: Any,
) -> None:
    async with pair(streamchat_emulator) as p:
        sent = await p.john.channel.send_message("count me")
        await p.jane.next_of("message.new")
        await p.john.next_of("message.new")
        assert p.john.channel.state.read["john"].last_read_message_id == sent.id
        assert p.jane.channel.state.read["jane"].unread_messages == 1


async def test_bad_input_is_refused_with_a_clear_error(streamchat_emulator: Any) -> None:
    emu = streamchat_emulator
    async with StreamChatClient(emu.api_key, base_url=emu.base_url) as client:
        with pytest.raises(ValueError, match="channel id"):
            client.channel("messaging", "no spaces")
        with pytest.raises(ValueError, match="channel type"):
            client.channel("Messaging!", "general")
        with pytest.raises(TypeError, match="list of user ids"):
            client.channel("messaging", "general", members="john")
        with pytest.raises(InvalidUserError):
            client.channel("messaging", "general", members=["bad id"])
        with pytest.raises(ValueError, match="needs members"):
            client.channel("messaging")
        channel = client.channel("messaging", "general", members=["john"])
        with pytest.raises(NotConnectedError):
            await channel.watch()
        await client.connect_user(wire.User(id="john"), client.dev_token("john"))
        await channel.watch()
        with pytest.raises(ValueError, match="collide"):
            await channel.send_message("x", id="mine")
        with pytest.raises(ValueError, match="collide"):
            await channel.send_event("custom.thing", type="x")
        with pytest.raises(StreamAPIError) as info:
            await channel.send_message("")  # the server wants text or attachments
        assert info.value.code == 4
        with pytest.raises(StreamAPIError) as info:
            await client.channel("messaging", "other", members=["nobody"]).watch()
        assert "nobody" in str(info.value)
        nameless = client.channel("messaging", members=["john"])
        with pytest.raises(UsageError, match="no id yet"):
            await nameless.send_message("too early")
        await client.disconnect_user()


async def test_a_channel_made_from_members_gets_its_id_from_the_server(streamchat_emulator: Any) -> None:
    async with pair(streamchat_emulator) as p:
        distinct = p.john.client.channel("messaging", members=["john", "jane"])
        assert distinct.cid is None
        await distinct.watch()
        assert distinct.id is not None
        assert distinct.id.startswith("!members-")
        assert p.john.client.channel("messaging", distinct.id) is distinct
        sent = await distinct.send_message("just us")
        await p.john.until(lambda e: e.type == "message.new" and e.message.id == sent.id)
        assert [m.id for m in distinct.state.messages] == [sent.id]


async def test_stop_watching_ends_the_channel_events(streamchat_emulator: Any) -> None:
    async with pair(streamchat_emulator) as p:
        await p.jane.channel.stop_watching()
        assert not p.jane.channel.watching
        await p.john.next_of("user.watching.stop", sender="jane")
        assert p.john.channel.state.watcher_count == 1
        assert set(p.john.channel.state.watchers) == {"john"}
        sent = await p.john.channel.send_message("are you there?")
        # A member who does not watch gets a notification instead of message.new.
        read = await p.jane.until(lambda e: e.type == "notification.message_new")
        assert [e for e in read if e.type == "message.new"] == []
        notified = read[-1]
        assert isinstance(notified, wire.NotificationNewMessageEvent)
        assert notified.message.id == sent.id


async def test_a_new_connect_user_starts_without_the_old_channels(streamchat_emulator: Any) -> None:
    emu = streamchat_emulator
    try:
        async with pair(emu) as p:
            jane = p.jane
            old = jane.channel
            emu.set_websocket_enabled(False)
            emu.drop_connections()
            # jane is offline, retrying: disconnect_user now sends no connection.changed.
            await jane.until(lambda e: e.type == "connection.changed" and e.online is False)
            assert old.watching  # to be watched again on the next connection
            await jane.client.disconnect_user()
            emu.set_websocket_enabled(True)
            await jane.client.connect_user(wire.User(id="jane"), jane.client.dev_token("jane"))
            assert not old.watching
            assert jane.client.channel("messaging", p.channel_id) is not old
    finally:
        emu.set_websocket_enabled(True)
