"""Typing: throttled typing.start, automatic and explicit typing.stop, expiry of others' typing."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
from channel_helpers import NEVER, from_user, marker, pair

import streamchat_wire as wire
from streamchat_core.typing_state import OutgoingTyping, TypingTimings

pytestmark = pytest.mark.anyio


async def test_quick_keystrokes_send_one_typing_start(streamchat_emulator: Any) -> None:
    async with pair(streamchat_emulator) as p:
        await p.john.channel.keystroke()
        await p.john.channel.keystroke()
        await p.john.channel.keystroke()
        assert p.john.channel.is_typing
        before = await marker(p.john, p.jane)
        assert len(from_user(before[0], "typing.start", "john")) == 1
        assert from_user(before[0], "typing.stop", "john") == []
        assert p.john.http.event_types() == ["typing.start"]
        assert set(p.jane.channel.state.typing) == {"john"}


async def test_typing_start_goes_out_again_after_the_throttle_interval(streamchat_emulator: Any) -> None:
    timings = TypingTimings(throttle=0.05, stop_after=NEVER, expire_after=NEVER)
    async with pair(streamchat_emulator, john_timings=timings) as p:
        await p.john.channel.keystroke()
        await anyio.sleep(0.1)  # past the throttle, whatever the machine's speed
        await p.john.channel.keystroke()
        before = await marker(p.john, p.jane)
        assert len(from_user(before[0], "typing.start", "john")) == 2
        assert p.john.http.event_types() == ["typing.start", "typing.start"]


async def test_typing_stop_follows_the_last_keystroke_on_its_own(streamchat_emulator: Any) -> None:
    timings = TypingTimings(throttle=NEVER, stop_after=0.2, expire_after=NEVER)
    async with pair(streamchat_emulator, john_timings=timings) as p:
        await p.john.channel.keystroke(parent_id=None)
        await p.jane.next_of("typing.start", sender="john")
        assert "john" in p.jane.channel.state.typing
        stop = await p.jane.next_of("typing.stop", sender="john")
        assert isinstance(stop, wire.TypingStopEvent)
        assert stop.cid == p.jane.channel.cid
        assert "john" not in p.jane.channel.state.typing
        assert not p.john.channel.is_typing
        assert p.john.http.event_types() == ["typing.start", "typing.stop"]
        # The next keystroke starts afresh.
        await p.john.channel.keystroke()
        await p.jane.next_of("typing.start", sender="john")


async def test_stop_typing_sends_typing_stop_at_once_with_the_thread(streamchat_emulator: Any) -> None:
    async with pair(streamchat_emulator) as p:
        parent = await p.john.channel.send_message("a thread")
        await p.john.channel.keystroke(parent_id=parent.id)
        start = await p.jane.next_of("typing.start", sender="john")
        assert start.parent_id == parent.id
        assert p.jane.channel.state.typing["john"].parent_id == parent.id
        await p.john.channel.stop_typing()
        stop = await p.jane.next_of("typing.stop", sender="john")
        assert stop.parent_id == parent.id  # the thread of the last keystroke
        assert not p.john.channel.is_typing
        assert p.jane.channel.state.typing == {}


async def test_others_typing_expires_with_a_local_typing_stop(streamchat_emulator: Any) -> None:
    expiring = TypingTimings(throttle=NEVER, stop_after=NEVER, expire_after=0.2)
    async with pair(streamchat_emulator, jane_timings=expiring) as p:
        await p.john.channel.keystroke()  # john never sends typing.stop (stop_after is an hour)
        await p.jane.next_of("typing.start", sender="john")
        stop = await p.jane.next_of("typing.stop", sender="john")
        assert isinstance(stop, wire.TypingStopEvent)
        assert stop.cid == p.jane.channel.cid
        assert (
            stop.created_at is not None
        )  # made up by jane's client when it forgot john, not sent by a server
        assert p.jane.channel.state.typing == {}
        assert p.john.http.event_types() == ["typing.start"]
        # The sweeper ends when nobody types, right after dispatching the stop: nothing is left.
        assert not p.jane.client._channels._scopes


async def test_typing_in_progress_is_forgotten_when_the_connection_goes(streamchat_emulator: Any) -> None:
    emu = streamchat_emulator
    async with pair(emu) as p:
        await p.john.channel.keystroke()
        await p.jane.next_of("typing.start", sender="john")
        emu.drop_connections()
        # Offline, jane would miss john's typing.stop: the entry goes at once, with a local stop.
        events = await p.jane.until(lambda e: is_stop_from(e, "john"))
        assert any(e.type == "connection.changed" and e.online is False for e in events)
        assert p.jane.channel.state.typing == {}
        assert not p.john.channel.is_typing
        await p.jane.next_of("connection.recovered")
        await p.john.next_of("connection.recovered")
        # Both watch again on their new connections: events flow as before.
        await p.john.channel.keystroke()
        await p.jane.next_of("typing.start", sender="john")
        sent = await p.jane.channel.send_message("after the reconnect")
        await p.john.until(lambda e: e.type == "message.new" and e.message.id == sent.id)


def is_stop_from(event: Any, user_id: str) -> bool:
    return bool(event.type == "typing.stop" and event.user.id == user_id)


async def test_no_typing_task_outlives_disconnect(streamchat_emulator: Any) -> None:
    timings = TypingTimings(throttle=NEVER, stop_after=NEVER, expire_after=NEVER)
    async with pair(streamchat_emulator, john_timings=timings, jane_timings=timings) as p:
        await p.john.channel.keystroke()  # starts john's stop timer
        await p.jane.next_of("typing.start", sender="john")  # starts jane's sweeper
        assert p.john.client._channels._scopes
        assert p.jane.client._channels._scopes
        await p.john.client.disconnect_user()
        await p.jane.client.disconnect_user()
        assert not p.john.client._channels._scopes
        assert not p.jane.client._channels._scopes
        assert len(p.john.client._channels) == 0
        assert not p.john.channel.watching


def test_outgoing_typing_rules_on_a_fake_clock() -> None:
    typing = OutgoingTyping(TypingTimings(throttle=2.0, stop_after=1.0, expire_after=7.0))
    assert typing.stop_due_in(0.0) is None
    assert typing.keystroke(10.0, None) is True  # the first keystroke sends typing.start
    assert typing.keystroke(11.5, None) is False  # throttled
    assert typing.stop_due_in(12.0) == pytest.approx(0.5)  # 1 s after the last keystroke
    assert typing.keystroke(12.0, "p1") is False  # exactly 2 s: still throttled (more than 2 s needed)
    assert typing.keystroke(12.01, "p1") is True
    assert typing.parent_id == "p1"
    assert typing.stop_due_in(20.0) == 0.0
    typing.reset()
    assert not typing.is_typing
    assert typing.stop_due_in(20.0) is None
    assert typing.keystroke(20.5, None) is True  # after a stop, typing.start again at once


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf"), "2", True])
def test_typing_timings_must_be_positive_seconds(bad: Any) -> None:
    with pytest.raises((ValueError, TypeError)):
        TypingTimings(throttle=bad)
