"""What clients receive about a channel: the channel object, members, read states, the state.

The one privacy rule that shapes a view lives here: the read state of a user whose
``read_receipts`` are off is shown to that user (and to the app's backend) only.
"""

from __future__ import annotations

from typing import Any, Final

from streamchat_core.emulator.channels import Channel, Member
from streamchat_core.emulator.state import EmulatorState
from streamchat_core.emulator.users import privacy_enabled

__all__ = ["MAX_MESSAGE_LENGTH", "channel_view", "member_view", "state_view", "user_view"]

MAX_MESSAGE_LENGTH: Final = 5000
_CAPABILITIES: Final = (
    "connect-events",
    "read-events",
    "send-message",
    "send-reply",
    "send-typing-events",
    "typing-events",
)


def _config(channel_type: str, created_at: str) -> dict[str, Any]:
    # delivery_events is off: the JS client would otherwise post delivery receipts to an
    # endpoint (and a privacy setting) the emulator does not model.
    return {
        "name": channel_type,
        "typing_events": True,
        "read_events": True,
        "connect_events": True,
        "delivery_events": False,
        "custom_events": True,
        "search": False,
        "reactions": False,
        "replies": True,
        "quotes": False,
        "mutes": False,
        "uploads": False,
        "url_enrichment": False,
        "push_notifications": False,
        "reminders": False,
        "polls": False,
        "shared_locations": False,
        "message_retention": "infinite",
        "max_message_length": MAX_MESSAGE_LENGTH,
        "automod": "disabled",
        "automod_behavior": "flag",
        "commands": [],
        "created_at": created_at,
        "updated_at": created_at,
    }


def user_view(state: EmulatorState, user_id: str) -> dict[str, Any]:
    return state.public_user(user_id)


def channel_view(state: EmulatorState, channel: Channel) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": channel.id,
        "type": channel.type,
        "cid": channel.cid,
        "created_at": channel.created_at,
        "updated_at": channel.updated_at,
        "created_by": user_view(state, channel.created_by_id) if channel.created_by_id else None,
        "frozen": False,
        "disabled": False,
        "member_count": len(channel.members),
        "config": _config(channel.type, channel.created_at),
        "own_capabilities": list(_CAPABILITIES),
    }
    if channel.last_message_at is not None:
        view["last_message_at"] = channel.last_message_at
    for key, value in channel.custom.items():
        view.setdefault(key, value)
    return view


def member_view(state: EmulatorState, member: Member) -> dict[str, Any]:
    return {
        "user_id": member.user_id,
        "user": user_view(state, member.user_id),
        "created_at": member.created_at,
        "updated_at": member.updated_at,
        "banned": False,
        "shadow_banned": False,
        "role": "owner" if member.channel_role == "channel_moderator" else "member",
        "channel_role": member.channel_role,
        "notifications_muted": False,
    }


def _read_visible(state: EmulatorState, reader_id: str, viewer_id: str | None) -> bool:
    """Whether ``viewer_id`` (``None``: the app's backend) may see ``reader_id``'s read state."""
    if viewer_id is None or viewer_id == reader_id:
        return True
    record = state.users.get(reader_id)
    return record is None or privacy_enabled(record, "read_receipts")


def _read_views(state: EmulatorState, channel: Channel, viewer_id: str | None) -> list[dict[str, Any]]:
    views = []
    for reader_id, read in channel.reads.items():
        if not _read_visible(state, reader_id, viewer_id):
            continue
        view: dict[str, Any] = {
            "user": user_view(state, reader_id),
            "last_read": read.last_read,
            "unread_messages": read.unread_messages,
        }
        if read.last_read_message_id is not None:
            view["last_read_message_id"] = read.last_read_message_id
        views.append(view)
    return views


def state_view(
    state: EmulatorState, channel: Channel, viewer_id: str | None, message_limit: int
) -> dict[str, Any]:
    watchers = [user_view(state, uid) for uid in channel.watcher_user_ids()[:100]]
    view: dict[str, Any] = {
        "channel": channel_view(state, channel),
        "messages": list(channel.messages[-message_limit:]) if message_limit else [],
        "pinned_messages": [],
        "members": [member_view(state, m) for m in channel.members.values()],
        "read": _read_views(state, channel, viewer_id),
        "watcher_count": channel.watcher_count(),
        "watchers": watchers,
    }
    if viewer_id is not None and viewer_id in channel.members:
        view["membership"] = member_view(state, channel.members[viewer_id])
    return view
