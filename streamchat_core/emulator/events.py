"""Event frames as the emulator sends them: plain dicts in the wire shapes of ``spec/``.

``type`` is always the first key (the client reads it without parsing the whole frame) and
``created_at`` is RFC 3339 with nanoseconds. Each event type the emulator sends has its function
here, which carries every field Stream's schema requires of that type; the users, messages and
channels inside come from the view modules, custom fields flat.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from streamchat_core.emulator.clock import now_ns, rfc3339_nano

__all__ = [
    "channel_event",
    "event",
    "health_check",
    "message_new",
    "message_read",
    "notification_mark_read",
    "notification_message_new",
    "typing",
    "user_presence_changed",
    "user_updated",
    "user_watching",
]


def event(type: str, /, **fields: Any) -> dict[str, Any]:
    """An event of ``type`` with ``fields`` and a fresh ``created_at`` (unless given)."""
    frame: dict[str, Any] = {"type": type}
    frame.update(fields)
    frame.setdefault("created_at", rfc3339_nano(now_ns()))
    return frame


def health_check(connection_id: str, me: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A ``health.check``; the first one on a connection carries ``me``."""
    frame: dict[str, Any] = {"type": "health.check", "connection_id": connection_id, "cid": "*"}
    if me is not None:
        frame["me"] = me
    frame["created_at"] = rfc3339_nano(now_ns())
    return frame


def channel_event(type: str, channel_type: str, channel_id: str, /, **fields: Any) -> dict[str, Any]:
    """An event about one channel: ``cid``, ``channel_id`` and ``channel_type`` first."""
    frame: dict[str, Any] = {
        "type": type,
        "cid": f"{channel_type}:{channel_id}",
        "channel_id": channel_id,
        "channel_type": channel_type,
    }
    frame.update(fields)
    frame.setdefault("created_at", rfc3339_nano(now_ns()))
    return frame


# ---------------------------------------------------------------------------------- per type
# One function per event type the emulator sends, each taking the fields Stream's schema
# requires of it as arguments; the records inside (users, messages, channels) come from the
# views (user_views, message_views, channel_views).


def message_new(
    channel_type: str,
    channel_id: str,
    *,
    message: Mapping[str, Any],
    watcher_count: int,
    channel_last_message_at: str | None,
    created_at: str,
    **fields: Any,
) -> dict[str, Any]:
    """``message.new``: ``message`` is a message view; its author is the event's ``user``."""
    frame = channel_event(
        "message.new",
        channel_type,
        channel_id,
        message=message,
        message_id=message["id"],
        user=message["user"],
        watcher_count=watcher_count,
        created_at=created_at,
        **fields,
    )
    if channel_last_message_at is not None:
        frame["channel_last_message_at"] = channel_last_message_at
    return frame


def notification_message_new(
    channel_type: str,
    channel_id: str,
    *,
    channel: Mapping[str, Any],
    message: Mapping[str, Any],
    watcher_count: int,
    unread_messages: int,
    unread_channels: int,
) -> dict[str, Any]:
    """``notification.message_new``, to a member who does not watch the channel."""
    return channel_event(
        "notification.message_new",
        channel_type,
        channel_id,
        channel=channel,
        message=message,
        message_id=message["id"],
        watcher_count=watcher_count,
        total_unread_count=unread_messages,
        unread_count=unread_messages,
        unread_channels=unread_channels,
    )


def message_read(
    channel_type: str,
    channel_id: str,
    *,
    user: Mapping[str, Any],
    last_read_message_id: str | None,
    created_at: str,
    thread: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``message.read``: ``user`` read the channel, or the ``thread`` (a thread view), up to a message."""
    frame = channel_event("message.read", channel_type, channel_id, user=user, created_at=created_at)
    if last_read_message_id is not None:
        frame["last_read_message_id"] = last_read_message_id
    if thread is not None:
        frame["thread"] = thread
    return frame


def notification_mark_read(
    channel_type: str,
    channel_id: str,
    *,
    user: Mapping[str, Any],
    last_read_message_id: str | None,
    unread_messages: int,
    unread_channels: int,
    unread_threads: int,
    created_at: str,
    thread: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``notification.mark_read``, to the reader's own connections, with its new unread counters."""
    frame = channel_event(
        "notification.mark_read",
        channel_type,
        channel_id,
        user=user,
        total_unread_count=unread_messages,
        unread_count=unread_messages,
        unread_channels=unread_channels,
        unread_threads=unread_threads,
        created_at=created_at,
    )
    if last_read_message_id is not None:
        frame["last_read_message_id"] = last_read_message_id
    if thread is not None:
        frame["thread_id"] = thread["parent_message_id"]
        frame["thread"] = thread
    return frame


def typing(
    type: str, channel_type: str, channel_id: str, /, *, user: Mapping[str, Any], parent_id: str | None
) -> dict[str, Any]:
    """``typing.start`` or ``typing.stop``, in the channel or in a thread of it (``parent_id``)."""
    frame = channel_event(type, channel_type, channel_id, user=user)
    if parent_id:
        frame["parent_id"] = parent_id
    return frame


def user_watching(
    channel_type: str, channel_id: str, *, start: bool, user: Mapping[str, Any], watcher_count: int
) -> dict[str, Any]:
    """``user.watching.start`` or ``user.watching.stop``."""
    return channel_event(
        "user.watching.start" if start else "user.watching.stop",
        channel_type,
        channel_id,
        user=user,
        watcher_count=watcher_count,
    )


def user_presence_changed(user: Mapping[str, Any]) -> dict[str, Any]:
    """``user.presence.changed``: ``user`` (a public view) came online or went offline."""
    return event("user.presence.changed", user=user)


def user_updated(user: Mapping[str, Any]) -> dict[str, Any]:
    """``user.updated``: ``user`` is the whole new record, privacy settings included."""
    return event("user.updated", user=user)
