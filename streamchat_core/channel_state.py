"""What a client knows about one channel: members, messages, reads, who is typing, watchers.

:class:`ChannelState` is filled from a query's response (:meth:`ChannelState.load`) and kept
current from the events of its channel (:meth:`ChannelState.apply`). It does no I/O and reads
no clock of its own: the caller passes the time, so every rule here is testable on its own.
:mod:`streamchat_core.channel` feeds it each event before any stream or handler sees the event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import msgspec

import streamchat_wire as wire
from streamchat_core.custom_fields import detach

__all__ = ["DEFAULT_MAX_MESSAGES", "ChannelState", "TypingEntry"]

#: How many messages a channel's state keeps by default: the newest ones.
DEFAULT_MAX_MESSAGES = 500

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def _created(message: wire.Message) -> datetime:
    created = message.created_at
    return _aware(created) if isinstance(created, datetime) else _EPOCH


def _in_channel(message: wire.Message) -> bool:
    """Whether a message belongs in the channel's list: thread replies do only when shown there."""
    parent = message.parent_id
    return not parent or message.show_in_channel is True


@dataclass
class TypingEntry:
    """Someone typing now: the ``typing.start`` event's user and thread, and when it arrived."""

    user: wire.User
    #: The thread (parent message id) they type in; ``None`` for the channel itself.
    parent_id: str | None
    #: When the ``typing.start`` arrived (UTC).
    received_at: datetime
    #: When the entry expires without a ``typing.stop``, on the event loop's clock
    #: (``anyio.current_time()``).
    expires_at: float


@dataclass(eq=False)
class ChannelState:
    """One channel as this client sees it. Treat it as read-only: the client keeps it current.

    - ``members``, ``read``, ``typing`` and ``watchers`` are keyed by user id;
    - ``messages`` is oldest first, each id once; thread replies appear only when they are
      also shown in the channel; it keeps the newest ``max_messages`` (older ones are dropped,
      so that a long-running client's memory stays flat: query the channel for history);
    - ``read`` holds what the server lets this user see: a member whose read receipts are off
      has no entry, except for that member's own client;
    - ``typing`` never holds the own user.
    """

    cid: str | None = None
    #: The channel itself, from the last query (``None`` before the first).
    channel: wire.ChannelResponse | None = None
    #: The channel type's settings (``typing_events``, ``read_events``, ...).
    config: wire.ChannelConfig | None = None
    members: dict[str, wire.ChannelMember] = field(default_factory=dict)
    messages: list[wire.Message] = field(default_factory=list)
    read: dict[str, wire.ReadState] = field(default_factory=dict)
    typing: dict[str, TypingEntry] = field(default_factory=dict)
    watcher_count: int = 0
    watchers: dict[str, wire.User] = field(default_factory=dict)
    #: The most messages kept; set it to keep more or fewer.
    max_messages: int = DEFAULT_MAX_MESSAGES
    _message_ids: set[str] = field(default_factory=set, repr=False)

    # ------------------------------------------------------------------ snapshots

    def load(self, snapshot: wire.ChannelStateResponse) -> None:
        """Bring the state up to a query's response.

        Members, watchers and the watcher count are the response's. Messages are merged by
        id (an event that arrived while the query was in flight is kept). Read states are the
        response's, each kept from the current state when that one is more recent; a user the
        response leaves out (read receipts turned off) is dropped.

        The custom fields of what is kept are read now, so that the state does not keep the
        whole response alive through them.
        """
        detach(snapshot)
        channel = snapshot.channel
        self.channel = channel
        self.cid = channel.cid
        if isinstance(channel.config, wire.ChannelConfig):
            self.config = channel.config
        members = snapshot.members
        if members is not None:
            self.members = {uid: m for m in members if (uid := _member_user_id(m)) is not None}
        messages = snapshot.messages
        if messages is not None:
            self._merge_messages(messages)
        reads = snapshot.read
        if reads is not None:
            fresh: dict[str, wire.ReadState] = {}
            for read in reads:
                current = self.read.get(read.user.id)
                if current is not None and _aware(current.last_read) > _aware(read.last_read):
                    fresh[read.user.id] = current
                else:
                    fresh[read.user.id] = read
            self.read = fresh
        count = snapshot.watcher_count
        if isinstance(count, int):
            self.watcher_count = count
        watchers = snapshot.watchers
        if watchers is not None:
            self.watchers = {u.id: u for u in watchers}

    def add_message(self, message: wire.Message) -> None:
        """Add a message, or replace the one with its id (the response to a send, an event).

        Its custom fields are read now: kept, it must not keep its frame alive.
        """
        if not _in_channel(message):
            return
        detach(message)
        if message.id in self._message_ids:
            for i in range(len(self.messages) - 1, -1, -1):
                if self.messages[i].id == message.id:
                    self.messages[i] = message
                    return
        if not self.messages or _created(message) >= _created(self.messages[-1]):
            self.messages.append(message)
            self._message_ids.add(message.id)
            self._trim()
        else:
            self._merge_messages([message])

    def _merge_messages(self, incoming: Iterable[wire.Message]) -> None:
        by_id = {m.id: m for m in self.messages}
        for message in incoming:
            if _in_channel(message):
                by_id[message.id] = message
        # sorted() is stable: messages with equal timestamps keep their order.
        self.messages = sorted(by_id.values(), key=_created)
        self._message_ids = set(by_id)
        self._trim()

    def _trim(self) -> None:
        excess = len(self.messages) - max(self.max_messages, 0)
        if excess > 0:
            for message in self.messages[:excess]:
                self._message_ids.discard(message.id)
            del self.messages[:excess]

    # ------------------------------------------------------------------ events

    def apply(
        self, event: Any, *, own_user_id: str | None, clock: Callable[[], float], expire_after: float
    ) -> bool:
        """Apply one event of this channel; returns whether someone started (or went on) typing.

        ``clock()`` reads the event loop's clock (only for ``typing.start``: it is not free);
        ``expire_after`` is how long a ``typing.start`` counts without a ``typing.stop``.
        """
        cls = event.__class__
        if cls is wire.TypingStartEvent:
            user = event.user
            if user is None or user.id == own_user_id:
                return False
            self.typing[user.id] = TypingEntry(
                user=user,
                parent_id=event.parent_id,
                received_at=_utcnow(),
                expires_at=clock() + expire_after,
            )
            return True
        if cls is wire.TypingStopEvent:
            user = event.user
            if user is not None:
                self.typing.pop(user.id, None)
        elif cls is wire.MessageNewEvent:
            self._on_message_new(event, own_user_id)
        elif cls is wire.MessageReadEvent:
            user = event.user
            if user is not None:
                self.read[user.id] = wire.ReadState(
                    user=user,
                    last_read=event.created_at or _utcnow(),
                    last_read_message_id=event.last_read_message_id,
                    unread_messages=0,
                )
        elif cls is wire.NotificationMarkReadEvent:
            if own_user_id is not None and own_user_id in self.read:
                self.read[own_user_id] = msgspec.structs.replace(self.read[own_user_id], unread_messages=0)
        elif cls is wire.UserWatchingStartEvent or cls is wire.UserWatchingStopEvent:
            count = event.watcher_count
            if isinstance(count, int):
                self.watcher_count = count
            user = event.user
            if user is not None:
                if cls is wire.UserWatchingStartEvent:
                    self.watchers[user.id] = user
                else:
                    self.watchers.pop(user.id, None)
        return False

    def _on_message_new(self, event: wire.MessageNewEvent, own_user_id: str | None) -> None:
        count = event.watcher_count
        if isinstance(count, int):
            self.watcher_count = count
        message = event.message
        if message is None:
            return
        self.add_message(message)
        if own_user_id is None or not _in_channel(message):
            return
        sender = message.user or event.user
        own = self.read.get(own_user_id)
        if sender is not None and sender.id == own_user_id:
            # The server moves a sender's read position to their own message.
            self.read[own_user_id] = wire.ReadState(
                user=own.user if own is not None else sender,
                last_read=_created(message) if isinstance(message.created_at, datetime) else _utcnow(),
                last_read_message_id=message.id,
                unread_messages=0,
            )
        elif own is not None:
            unread = own.unread_messages or 0
            self.read[own_user_id] = msgspec.structs.replace(own, unread_messages=unread + 1)

    def update_user(self, user: wire.User) -> None:
        """A user changed (``user.updated``, ``user.presence.changed``): refresh every copy here."""
        uid = user.id
        member = self.members.get(uid)
        if member is not None and isinstance(member.user, wire.User):
            self.members[uid] = msgspec.structs.replace(member, user=user)
        if uid in self.watchers:
            self.watchers[uid] = user
        read = self.read.get(uid)
        if read is not None:
            self.read[uid] = msgspec.structs.replace(read, user=user)
        typing = self.typing.get(uid)
        if typing is not None:
            typing.user = user

    # ------------------------------------------------------------------ typing expiry

    def next_typing_expiry(self) -> float | None:
        """When the first typing entry expires (event loop clock); ``None`` when nobody types."""
        return min((t.expires_at for t in self.typing.values()), default=None)

    def expire_typing(self, now: float) -> list[TypingEntry]:
        """Forget the typing entries expired at ``now``; returns them."""
        expired = [t for t in self.typing.values() if t.expires_at <= now]
        for entry in expired:
            del self.typing[entry.user.id]
        return expired

    def clear_typing(self) -> list[TypingEntry]:
        """Forget every typing entry; returns them."""
        entries = list(self.typing.values())
        self.typing.clear()
        return entries


def _member_user_id(member: wire.ChannelMember) -> str | None:
    user_id = member.user_id
    if isinstance(user_id, str):
        return user_id
    user = member.user
    return user.id if isinstance(user, wire.User) else None
