"""Channels as the emulator keeps them: members, messages, read states and watchers.

Pure data and lookups; the operations that change a channel and the events they cause are in
:mod:`streamchat_core.emulator.messaging`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

__all__ = ["Channel", "ChannelStore", "Member", "Message", "ReadState", "UnreadCounts"]


class UnreadCounts(NamedTuple):
    messages: int
    channels: int


@dataclass
class Member:
    user_id: str
    created_at: str
    updated_at: str
    channel_role: str = "channel_member"


@dataclass
class ReadState:
    """One member's read position; ``last_read`` is RFC 3339."""

    last_read: str
    last_read_message_id: str | None = None
    unread_messages: int = 0


@dataclass
class Message:
    """One message as stored; :mod:`~streamchat_core.emulator.message_views` makes its wire shape.

    The author is kept by id, so that a message read later carries the user as it is then.
    """

    id: str
    cid: str
    user_id: str
    text: str
    created_at: str
    updated_at: str
    attachments: list[dict[str, Any]] = field(default_factory=list)
    #: The thread's parent message, for a reply.
    parent_id: str | None = None
    #: A reply also shown in the channel.
    show_in_channel: bool = False
    silent: bool = False
    mentioned_channel: bool = False
    mentioned_here: bool = False
    mentioned_user_ids: list[str] = field(default_factory=list)
    #: Replies in this message's thread.
    reply_count: int = 0
    custom: dict[str, Any] = field(default_factory=dict)

    @property
    def type(self) -> str:
        return "reply" if self.parent_id is not None else "regular"


@dataclass
class Channel:
    type: str
    id: str
    created_at: str
    updated_at: str
    created_by_id: str | None
    custom: dict[str, Any] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)
    #: Messages shown in the channel (not thread replies, unless also shown in it), oldest first.
    messages: list[Message] = field(default_factory=list)
    #: Every message by id, thread replies included.
    messages_by_id: dict[str, Message] = field(default_factory=dict)
    #: Each thread's replies, oldest first, by the id of its parent message.
    replies: dict[str, list[Message]] = field(default_factory=dict)
    reads: dict[str, ReadState] = field(default_factory=dict)
    #: Watching connections: connection id -> user id.
    watchers: dict[str, str] = field(default_factory=dict)
    last_message_at: str | None = None

    @property
    def cid(self) -> str:
        return f"{self.type}:{self.id}"

    def watcher_count(self) -> int:
        return len(set(self.watchers.values()))

    def watcher_user_ids(self) -> list[str]:
        return list(dict.fromkeys(self.watchers.values()))


class ChannelStore:
    """Every channel by cid, with an index of each user's memberships."""

    def __init__(self) -> None:
        self._by_cid: dict[str, Channel] = {}
        self._by_member: dict[str, dict[str, Channel]] = {}
        self._watched_by: dict[str, dict[str, Channel]] = {}

    def __len__(self) -> int:
        return len(self._by_cid)

    def __iter__(self) -> Iterator[Channel]:
        return iter(list(self._by_cid.values()))

    def get(self, cid: str) -> Channel | None:
        return self._by_cid.get(cid)

    def add(self, channel: Channel) -> None:
        self._by_cid[channel.cid] = channel
        for user_id in channel.members:
            self._by_member.setdefault(user_id, {})[channel.cid] = channel

    def of_member(self, user_id: str) -> list[Channel]:
        return list(self._by_member.get(user_id, {}).values())

    def watch(self, channel: Channel, connection_id: str, user_id: str) -> bool:
        """Tie a connection to a channel; ``True`` when it was not watching already."""
        if connection_id in channel.watchers:
            return False
        channel.watchers[connection_id] = user_id
        self._watched_by.setdefault(connection_id, {})[channel.cid] = channel
        return True

    def unwatch(self, channel: Channel, connection_id: str) -> bool:
        if channel.watchers.pop(connection_id, None) is None:
            return False
        watched = self._watched_by.get(connection_id)
        if watched is not None:
            watched.pop(channel.cid, None)
            if not watched:
                del self._watched_by[connection_id]
        return True

    def unwatch_connection(self, connection_id: str) -> list[Channel]:
        """Stop every watch of a closed connection; the channels it watched."""
        watched = list(self._watched_by.pop(connection_id, {}).values())
        for channel in watched:
            channel.watchers.pop(connection_id, None)
        return watched

    def unread_counts(self, user_id: str) -> UnreadCounts:
        messages = channels = 0
        for channel in self._by_member.get(user_id, {}).values():
            read = channel.reads.get(user_id)
            if read is not None and read.unread_messages:
                messages += read.unread_messages
                channels += 1
        return UnreadCounts(messages, channels)
