"""Marking read: message.read to the watchers, notification.mark_read to the reader, read state."""

from __future__ import annotations

from typing import Any

import pytest
from channel_helpers import from_user, marker, pair, privacy

import streamchat_wire as wire

pytestmark = pytest.mark.anyio


async def test_mark_read_reaches_the_other_and_notifies_the_reader(streamchat_emulator: Any) -> None:
    async with pair(streamchat_emulator) as p:
        sent = await p.john.channel.send_message("read me")
        await p.jane.next_of("message.new")
        assert p.jane.channel.state.read["jane"].unread_messages == 1

        returned = await p.jane.channel.mark_read()

        assert isinstance(returned, wire.MessageReadEvent)
        assert returned.last_read_message_id == sent.id
        read = await p.john.next_of("message.read", sender="jane")
        assert read.last_read_message_id == sent.id
        assert p.john.channel.state.read["jane"].last_read_message_id == sent.id
        assert p.john.channel.state.read["jane"].unread_messages == 0
        notification = await p.jane.next_of("notification.mark_read")
        assert isinstance(notification, wire.NotificationMarkReadEvent)
        assert notification.cid == p.jane.channel.cid
        assert p.jane.channel.state.read["jane"].last_read_message_id == sent.id
        assert p.jane.channel.state.read["jane"].unread_messages == 0


async def test_mark_read_up_to_a_given_message(streamchat_emulator: Any) -> None:
    async with pair(streamchat_emulator) as p:
        first = await p.john.channel.send_message("one")
        await p.john.channel.send_message("two")
        await p.jane.channel.mark_read(first.id)
        read = await p.john.next_of("message.read", sender="jane")
        assert read.last_read_message_id == first.id
        state = await p.jane.channel.query()
        mine = next(r for r in state.read if r.user.id == "jane")
        assert mine.last_read_message_id == first.id
        assert mine.unread_messages == 1


async def test_reads_of_a_user_with_receipts_off_are_hidden_from_others_not_from_self(
    streamchat_emulator: Any,
) -> None:
    async with pair(streamchat_emulator, jane_privacy=privacy(read=False)) as p:
        assert "jane" not in p.john.channel.state.read  # from john's watch
        assert "jane" in p.jane.channel.state.read
        assert "john" in p.jane.channel.state.read
        await p.john.channel.send_message("will jane read it")
        await p.jane.channel.mark_read()
        await p.jane.next_of("message.read", sender="jane")  # her own client sees her read
        await p.jane.next_of("notification.mark_read")
        before = await marker(p.jane, p.john)
        assert from_user(before[0], "message.read", "jane") == []
        assert "jane" not in p.john.channel.state.read

        seen_by_john = await p.john.channel.query()
        assert [r.user.id for r in seen_by_john.read] == ["john"]
        seen_by_jane = await p.jane.channel.query()
        assert {r.user.id for r in seen_by_jane.read} == {"john", "jane"}
