"""Privacy settings, end to end: two Python clients, each combination, both transports, changes."""

from __future__ import annotations

from typing import Any

import pytest
from channel_helpers import Pair, from_user, marker, pair, privacy

import streamchat_wire as wire

pytestmark = pytest.mark.anyio


async def check_typing_and_reads(p: Pair, *, typing: bool, read: bool) -> None:
    """jane (the given settings) and john (defaults) type and read; check what each one sees."""
    john, jane = p.john, p.jane
    assert jane.channel.typing_enabled is typing

    # jane types: sent and delivered only with her typing indicators on.
    await jane.channel.keystroke()
    await jane.channel.stop_typing()
    assert jane.http.event_types() == (["typing.start", "typing.stop"] if typing else [])
    # john types: jane always sees it (john's settings are the defaults).
    await john.channel.keystroke()
    await jane.next_of("typing.start", sender="john")
    await john.channel.stop_typing()
    await jane.next_of("typing.stop", sender="john")

    # Reads: john reads first (visible to jane), then jane (visible to john only with receipts on).
    message = await john.channel.send_message("read this")
    await john.channel.mark_read()
    await jane.next_of("message.read", sender="john")
    await jane.channel.mark_read()
    await jane.next_of("notification.mark_read")
    before = (await marker(jane, john))[0]

    assert len(from_user(before, "typing.start", "jane")) == (1 if typing else 0)
    assert len(from_user(before, "typing.stop", "jane")) == (1 if typing else 0)
    reads = from_user(before, "message.read", "jane")
    assert len(reads) == (1 if read else 0)
    if read:
        assert reads[0].last_read_message_id == message.id
    assert ("jane" in john.channel.state.read) is read
    seen_by_john = {r.user.id for r in (await john.channel.query()).read}
    assert ("jane" in seen_by_john) is read
    seen_by_jane = {r.user.id for r in (await jane.channel.query()).read}
    assert seen_by_jane == {"john", "jane"}


@pytest.mark.parametrize("typing", [True, False], ids=["typing-on", "typing-off"])
@pytest.mark.parametrize("read", [True, False], ids=["read-on", "read-off"])
async def test_each_combination_of_the_two_settings(
    streamchat_emulator: Any, typing: bool, read: bool
) -> None:
    async with pair(streamchat_emulator, jane_privacy=privacy(typing=typing, read=read)) as p:
        assert p.jane.client.user is not None
        settings = p.jane.client.user.privacy_settings
        assert isinstance(settings, wire.PrivacySettings)
        assert settings.typing_indicators == wire.TypingIndicators(enabled=typing)
        assert settings.read_receipts == wire.ReadReceipts(enabled=read)
        await check_typing_and_reads(p, typing=typing, read=read)


@pytest.mark.parametrize("settings_on", [True, False], ids=["defaults", "privacy-off"])
async def test_a_websocket_client_and_a_long_poll_client(streamchat_emulator: Any, settings_on: bool) -> None:
    async with pair(
        streamchat_emulator,
        jane_privacy=privacy(typing=settings_on, read=settings_on),
        jane_options={"transports": ["longpoll"]},
    ) as p:
        assert p.john.client.transport == "websocket"
        assert p.jane.client.transport == "longpoll"
        # Typing is sent over long-poll too (the JS client would not); the gate is the privacy one.
        await check_typing_and_reads(p, typing=settings_on, read=settings_on)


async def test_a_client_that_falls_back_to_long_poll(streamchat_emulator: Any) -> None:
    emu = streamchat_emulator
    try:
        async with pair(
            emu,
            jane_privacy=privacy(typing=False, read=False),
            jane_options={"enable_ws_fallback": True},
            before_jane=lambda: emu.set_websocket_enabled(False),
        ) as p:
            emu.set_websocket_enabled(True)
            assert p.jane.client.transport == "longpoll"
            await check_typing_and_reads(p, typing=False, read=False)
    finally:
        emu.set_websocket_enabled(True)


async def test_a_raw_typing_request_from_a_user_with_indicators_off_is_dropped(
    streamchat_emulator: Any,
) -> None:
    async with pair(streamchat_emulator, jane_privacy=privacy(typing=False)) as p:
        # A modified client: straight to the endpoint, past the client-side gate.
        for event_type in ("typing.start", "typing.stop"):
            response = await p.jane.client.request(
                "POST",
                f"{p.path}/event",
                json=wire.SendEventRequest(event=wire.EventRequest(type=event_type)),
            )
            assert response["event"]["type"] == event_type
        await p.jane.channel.send_event("typing.start")  # the channel's raw send: no gate either
        before = (await marker(p.jane, p.john))[0]
        assert from_user(before, "typing.start", "jane") == []
        assert from_user(before, "typing.stop", "jane") == []
        assert p.john.channel.state.typing == {}


async def test_privacy_changes_while_connected_take_effect_at_once(streamchat_emulator: Any) -> None:
    async with pair(streamchat_emulator) as p:
        john, jane = p.john, p.jane
        updates = jane.client.events("user.updated")

        me = await jane.client.update_privacy_settings(typing_indicators=False)

        # client.user is current when the call returns, before the user.updated event.
        assert me is jane.client.user
        assert me.privacy_settings.typing_indicators.enabled is False
        assert me.privacy_settings.read_receipts.enabled is True
        assert me.extra_data["name"] == "Jane"
        assert not jane.channel.typing_enabled
        await jane.channel.keystroke()
        await jane.channel.stop_typing()
        assert jane.http.event_types() == []
        await jane.client.request(
            "POST",
            f"{p.path}/event",
            json=wire.SendEventRequest(event=wire.EventRequest(type="typing.start")),
        )
        before = (await marker(jane, john))[0]
        assert from_user(before, "typing.start", "jane") == []
        event = await updates.receive()
        assert isinstance(event, wire.UserUpdatedEvent)
        assert event.user.id == "jane"

        # And back on.
        await jane.client.update_privacy_settings(typing_indicators=True)
        assert jane.channel.typing_enabled
        await jane.channel.keystroke()
        await john.next_of("typing.start", sender="jane")

        # Read receipts off while connected: jane's next read stays hers.
        await jane.client.update_privacy_settings(read_receipts=False)
        await john.channel.send_message("after the change")
        await jane.channel.mark_read()
        before = (await marker(jane, john))[0]
        assert from_user(before, "message.read", "jane") == []
        assert "jane" not in {r.user.id for r in (await john.channel.query()).read}
        assert "jane" not in john.channel.state.read  # the query dropped what john had seen before
        await updates.aclose()


async def test_partial_update_of_the_own_user(streamchat_emulator: Any) -> None:
    async with pair(streamchat_emulator) as p:
        me = await p.jane.client.partial_update_user(set={"mood": "sunny"}, unset=["name"])
        assert me.extra_data == {"mood": "sunny"}
        member = await p.john.until(lambda e: e.type == "user.updated" and e.user.id == "jane")
        assert member[-1].user.extra_data == {"mood": "sunny"}
        # john's copies of jane were refreshed from the event.
        assert p.john.channel.state.members["jane"].user.extra_data == {"mood": "sunny"}


# The switch back drains the long-poll connection: its poll in flight must come back first,
# which the emulator holds for up to longpoll_timeout when no event is due.
@pytest.mark.streamchat_emulator(longpoll_timeout=0.5)
async def test_channels_are_watched_again_after_switching_back_to_websocket(streamchat_emulator: Any) -> None:
    emu = streamchat_emulator
    try:
        async with pair(
            emu,
            jane_options={"enable_ws_fallback": True, "ws_probe_interval": 0.1},
            before_jane=lambda: emu.set_websocket_enabled(False),
        ) as p:
            assert p.jane.client.transport == "longpoll"
            emu.set_websocket_enabled(True)
            await p.jane.until(lambda e: e.type == "transport.changed" and e.mode == "websocket")
            assert p.jane.client.transport == "websocket"
            # The channel is watched on the new connection: typing and messages flow both ways.
            await p.john.channel.keystroke()
            await p.jane.next_of("typing.start", sender="john")
            await p.jane.channel.keystroke()
            await p.john.next_of("typing.start", sender="jane")
            before = await marker(p.john, p.jane)
            assert from_user(before[0], "message.new", "john") == []  # the marker came once
            assert p.john.channel.state.watcher_count == 2
    finally:
        emu.set_websocket_enabled(True)
