"""The channel state's rules, on their own (no network, a fake clock)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

import streamchat_wire as wire
from streamchat_core.channel_state import ChannelState
from streamchat_core.privacy import privacy_enabled, privacy_settings_with

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
JOHN = wire.User(id="john")
JANE = wire.User(id="jane")
CID = "messaging:general"


def message(mid: str, seconds: int, **fields: Any) -> wire.Message:
    fields.setdefault("text", mid)
    return wire.Message(id=mid, user=JOHN, created_at=T0 + timedelta(seconds=seconds), **fields)


def snapshot(**fields: object) -> wire.ChannelStateResponse:
    channel = wire.ChannelResponse(
        id="general", type="messaging", cid=CID, config=wire.ChannelConfig(typing_events=True)
    )
    return wire.ChannelStateResponse(channel=channel, **fields)  # type: ignore[arg-type]


def apply(state: ChannelState, event: object, now: float = 0.0) -> bool:
    return state.apply(event, own_user_id="jane", clock=lambda: now, expire_after=7.0)


def test_messages_stay_unique_and_in_order() -> None:
    state = ChannelState()
    state.load(snapshot(messages=[message("b", 2), message("a", 1)]))
    assert state.cid == CID
    assert state.config is not None
    assert [m.id for m in state.messages] == ["a", "b"]
    apply(state, wire.MessageNewEvent(cid=CID, created_at=T0, message=message("c", 3)))
    apply(state, wire.MessageNewEvent(cid=CID, created_at=T0, message=message("c", 3, text="edited")))
    apply(state, wire.MessageNewEvent(cid=CID, created_at=T0, message=message("late", 0)))
    apply(state, wire.MessageNewEvent(cid=CID, created_at=T0, message=message("reply", 4, parent_id="a")))
    assert [m.id for m in state.messages] == ["late", "a", "b", "c"]
    assert state.messages[-1].text == "edited"
    shown = wire.Message(
        id="shown", parent_id="a", created_at=T0 + timedelta(seconds=5), show_in_channel=True
    )
    state.add_message(shown)
    assert state.messages[-1].id == "shown"
    # A later query merges: what events brought is kept.
    state.load(snapshot(messages=[message("a", 1)]))
    assert [m.id for m in state.messages] == ["late", "a", "b", "c", "shown"]


def test_unread_counts_and_reads() -> None:
    state = ChannelState()
    state.load(snapshot(read=[wire.ReadState(user=JANE, last_read=T0, unread_messages=0)]))
    apply(state, wire.MessageNewEvent(cid=CID, created_at=T0, message=message("m1", 1)))
    assert state.read["jane"].unread_messages == 1
    apply(state, wire.MessageReadEvent(cid=CID, user=JOHN, last_read_message_id="m1", created_at=T0))
    assert state.read["john"].last_read_message_id == "m1"
    apply(state, wire.NotificationMarkReadEvent(cid=CID, created_at=T0, user=JANE))
    assert state.read["jane"].unread_messages == 0
    own = wire.Message(id="m2", user=JANE, created_at=T0 + timedelta(seconds=9))
    apply(state, wire.MessageNewEvent(cid=CID, created_at=T0, message=own))
    assert state.read["jane"].last_read_message_id == "m2"


def test_a_query_keeps_newer_reads_and_drops_hidden_ones() -> None:
    state = ChannelState()
    newer = wire.ReadState(user=JOHN, last_read=T0 + timedelta(seconds=10), last_read_message_id="new")
    state.read = {"john": newer, "jane": wire.ReadState(user=JANE, last_read=T0)}
    state.load(snapshot(read=[wire.ReadState(user=JOHN, last_read=T0, last_read_message_id="old")]))
    assert state.read == {"john": newer}


def test_typing_entries_start_stop_and_expire() -> None:
    state = ChannelState()
    assert (
        apply(state, wire.TypingStartEvent(cid=CID, created_at=T0, user=JOHN, parent_id="p"), now=100.0)
        is True
    )
    assert (
        apply(state, wire.TypingStartEvent(cid=CID, created_at=T0, user=JANE), now=100.0) is False
    )  # the own user
    assert apply(state, wire.TypingStartEvent(cid=CID, created_at=T0), now=100.0) is False  # no user
    entry = state.typing["john"]
    assert entry.parent_id == "p"
    assert entry.expires_at == 107.0
    assert entry.received_at.tzinfo is not None
    assert state.next_typing_expiry() == 107.0
    assert state.expire_typing(106.9) == []
    assert [e.user.id for e in state.expire_typing(107.0)] == ["john"]
    assert state.next_typing_expiry() is None
    apply(state, wire.TypingStartEvent(cid=CID, created_at=T0, user=JOHN), now=0.0)
    apply(state, wire.TypingStopEvent(cid=CID, created_at=T0, user=JOHN))
    assert state.typing == {}
    apply(state, wire.TypingStartEvent(cid=CID, created_at=T0, user=JOHN), now=0.0)
    assert [e.user.id for e in state.clear_typing()] == ["john"]
    assert state.typing == {}


def test_watchers_and_user_updates() -> None:
    state = ChannelState()
    state.load(
        snapshot(members=[wire.ChannelMember(user_id="john", user=JOHN)], watcher_count=1, watchers=[JOHN])
    )
    apply(state, wire.UserWatchingStartEvent(cid=CID, created_at=T0, user=JANE, watcher_count=2))
    assert state.watcher_count == 2
    assert set(state.watchers) == {"john", "jane"}
    apply(state, wire.UserWatchingStopEvent(cid=CID, created_at=T0, user=JANE, watcher_count=1))
    assert state.watcher_count == 1
    assert set(state.watchers) == {"john"}
    apply(state, wire.TypingStartEvent(cid=CID, created_at=T0, user=JOHN))
    state.read["john"] = wire.ReadState(user=JOHN, last_read=T0)
    renamed = wire.User(id="john", extra_data={"name": "Johnny"})
    state.update_user(renamed)
    assert state.members["john"].user == renamed
    assert state.watchers["john"] == renamed
    assert state.read["john"].user == renamed
    assert state.typing["john"].user == renamed


def test_privacy_settings_missing_means_on() -> None:
    assert privacy_enabled(None, "typing_indicators")
    assert privacy_enabled(wire.User(id="u"), "read_receipts")
    assert privacy_enabled(wire.User(id="u", privacy_settings=None), "read_receipts")
    off = wire.PrivacySettings(
        typing_indicators=wire.TypingIndicators(enabled=False), read_receipts=wire.ReadReceipts()
    )
    user = wire.User(id="u", privacy_settings=off)
    assert not privacy_enabled(user, "typing_indicators")
    assert privacy_enabled(user, "read_receipts")  # an object without enabled
    assert privacy_enabled(user, "delivery_receipts")


def test_a_privacy_change_keeps_the_other_settings() -> None:
    user = wire.User(
        id="u", privacy_settings=wire.PrivacySettings(read_receipts=wire.ReadReceipts(enabled=False))
    )
    assert privacy_settings_with(user, {"typing_indicators": False}) == {
        "read_receipts": {"enabled": False},
        "typing_indicators": {"enabled": False},
    }
    assert privacy_settings_with(None, {"read_receipts": True}) == {"read_receipts": {"enabled": True}}
    with pytest.raises(ValueError, match="unknown privacy setting"):
        privacy_settings_with(user, {"typing": False})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="True or False"):
        privacy_settings_with(user, {"typing_indicators": "no"})  # type: ignore[dict-item]
