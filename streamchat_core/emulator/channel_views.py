"""What clients receive about a channel: the channel with its config, members, read states,
messages and threads, and the whole channel state a query answers.

Each shape of Stream's schema has one function here (or in :mod:`~.message_views` and
:mod:`~.user_views`, which these call with the users they look up), carrying every field the
schema requires, with values true of the emulator.

The one privacy rule that shapes a view lives here: the read state of a user whose
``read_receipts`` are off is shown to that user (and to the app's backend) only.
"""

from __future__ import annotations

from typing import Any, Final

from streamchat_core.emulator import message_views
from streamchat_core.emulator.channels import Channel, Member, Message
from streamchat_core.emulator.errors import INPUT, RequestError
from streamchat_core.emulator.state import EmulatorState
from streamchat_core.emulator.users import privacy_enabled

__all__ = [
    "MAX_MESSAGE_LENGTH",
    "channel_config_view",
    "channel_view",
    "member_view",
    "message_view",
    "read_views",
    "state_view",
    "thread_view",
    "user_view",
]

MAX_MESSAGE_LENGTH: Final = 5000
_CAPABILITIES: Final = (
    "connect-events",
    "read-events",
    "send-message",
    "send-reply",
    "send-typing-events",
    "typing-events",
)


def channel_config_view(channel_type: str, created_at: str) -> dict[str, Any]:
    """The settings of a channel type (Stream's ``ChannelConfigWithInfo``), as the emulator has them.

    What the emulator does is on (typing, read and connect events, custom events, replies);
    what it does not is off. ``delivery_events`` is off too: the JS client would otherwise post
    delivery receipts to an endpoint (and a privacy setting) the emulator does not model.
    ``created_at`` is when the channel types came to be: when the emulator started.
    """
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
        "user_message_reminders": False,
        "polls": False,
        "shared_locations": False,
        "count_messages": False,
        "mark_messages_pending": False,
        "skip_last_msg_update_for_system_msgs": False,
        "message_retention": "infinite",
        "max_message_length": MAX_MESSAGE_LENGTH,
        "automod": "disabled",
        "automod_behavior": "flag",
        "commands": [],
        "created_at": created_at,
        "updated_at": created_at,
    }


def user_view(state: EmulatorState, user_id: str) -> dict[str, Any]:
    """A user as others see it (see :func:`.user_views.user_view`)."""
    return state.public_user(user_id)


def message_view(state: EmulatorState, message: Message) -> dict[str, Any]:
    """A stored message with its author and mentioned users as they are now."""
    return message_views.message_shape(
        message,
        user_view(state, message.user_id),
        [user_view(state, uid) for uid in message.mentioned_user_ids],
    )


def thread_view(channel: Channel, parent_id: str) -> dict[str, Any]:
    """The thread under message ``parent_id``; code 4 when the channel has no such thread."""
    parent = channel.messages_by_id.get(parent_id)
    replies = channel.replies.get(parent_id)
    if parent is None or not replies:
        raise RequestError(INPUT, 400, f"thread {parent_id[:80]!r} does not exist in channel {channel.cid}")
    return message_views.thread_shape(parent, replies)


def channel_view(state: EmulatorState, channel: Channel) -> dict[str, Any]:
    """A channel (Stream's ``ChannelResponse``), custom fields flat."""
    view: dict[str, Any] = {
        "id": channel.id,
        "type": channel.type,
        "cid": channel.cid,
        "created_at": channel.created_at,
        "updated_at": channel.updated_at,
        "frozen": False,
        "disabled": False,
        "member_count": len(channel.members),
        "config": channel_config_view(channel.type, state.created_at),
        "own_capabilities": list(_CAPABILITIES),
    }
    if channel.created_by_id:
        view["created_by"] = user_view(state, channel.created_by_id)
    if channel.last_message_at is not None:
        view["last_message_at"] = channel.last_message_at
    for key, value in channel.custom.items():
        view.setdefault(key, value)
    return view


def member_view(state: EmulatorState, member: Member) -> dict[str, Any]:
    """A membership (Stream's ``ChannelMemberResponse``); nobody is banned or has muted a channel."""
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


def read_views(state: EmulatorState, channel: Channel, viewer_id: str | None) -> list[dict[str, Any]]:
    """The read states ``viewer_id`` may see (Stream's ``ReadStateResponse``)."""
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
    """What a channel query answers (Stream's ``ChannelStateResponseFields``); nothing is
    pinned, and the emulator keeps no per-user thread state."""
    watchers = [user_view(state, uid) for uid in channel.watcher_user_ids()[:100]]
    messages = channel.messages[-message_limit:] if message_limit else []
    view: dict[str, Any] = {
        "channel": channel_view(state, channel),
        "messages": [message_view(state, m) for m in messages],
        "pinned_messages": [],
        "threads": [],
        "members": [member_view(state, m) for m in channel.members.values()],
        "read": read_views(state, channel, viewer_id),
        "watcher_count": channel.watcher_count(),
        "watchers": watchers,
    }
    if viewer_id is not None and viewer_id in channel.members:
        view["membership"] = member_view(state, channel.members[viewer_id])
    return view
