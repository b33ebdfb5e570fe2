"""A channel as one client uses it: watch it, send messages, type, mark it read.

::

    channel = client.channel("messaging", "general", members=["john", "jane"])
    state = await channel.watch()          # created if needed; events of the channel start to flow
    await channel.send_message("hello", priority="high")    # custom fields go flat on the message
    await channel.keystroke()              # typing.start at most once every 2 s ...
                                           # ... typing.stop on its own 1 s after the last keystroke
    await channel.mark_read()
    channel.state.typing                   # who is typing now, by user id

``channel.state`` (:class:`~streamchat_core.channel_state.ChannelState`) is brought up to date
from each event of the channel *before* any event stream or handler receives that event, so a
handler always sees the state with its event applied (and perhaps later ones: the state is
live, while streams and handlers catch up in order).

Typing follows the user's privacy settings: while ``client.user``'s typing indicators are off,
:meth:`Channel.keystroke` and :meth:`Channel.stop_typing` send nothing (the server drops typing
events from such a user anyway). Unlike Stream's JavaScript client, typing is also sent while
connected over the long-poll fallback: events are sent over REST, which works on either
transport. Reads are always sent: the server keeps a reader's receipts from others when that
reader has read receipts turned off.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Coroutine, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any, Protocol

import anyio
import msgspec

import streamchat_wire as wire
from streamchat_core import codec
from streamchat_core.channel_host import ChannelHost
from streamchat_core.channel_state import ChannelState, TypingEntry
from streamchat_core.codec import Event
from streamchat_core.errors import StreamChatError, UsageError
from streamchat_core.privacy import privacy_enabled
from streamchat_core.state import ConnectionState
from streamchat_core.typing_state import OutgoingTyping, TypingTimings
from streamchat_core.validation import validate_user_id

__all__ = ["Channel", "ChannelContext", "ChannelState", "TypingEntry", "TypingTimings"]

logger = logging.getLogger("streamchat.channel")

_CHANNEL_TYPE = re.compile(r"[a-z0-9_\-]{1,64}")
_CHANNEL_ID = re.compile(r"[A-Za-z0-9_\-!]{1,64}")


def _no_shadowing(custom_fields: Mapping[str, Any], model: type[msgspec.Struct], what: str) -> None:
    """Custom fields travel flat beside the declared ones: refuse one that would collide."""
    declared = {f.encode_name for f in msgspec.structs.fields(model)}
    clashing = sorted(k for k in custom_fields if k in declared)
    if clashing:
        raise ValueError(
            f"{what}(): custom fields {clashing} would collide with the fields of the same name on the wire; "
            "use the named parameters"
        )


def check_channel_address(channel_type: str, channel_id: str | None) -> None:
    """Raise ``ValueError`` naming what is wrong with a channel type or id."""
    if not isinstance(channel_type, str) or not _CHANNEL_TYPE.fullmatch(channel_type):
        raise ValueError(f"channel type must be 1 to 64 of a-z, 0-9, '_' and '-', not {channel_type!r}")
    if channel_id is not None and (not isinstance(channel_id, str) or not _CHANNEL_ID.fullmatch(channel_id)):
        raise ValueError(f"channel id must be 1 to 64 of a-z, A-Z, 0-9, '!', '_' and '-', not {channel_id!r}")


class ChannelContext(Protocol):
    """What a channel needs of the registry that made it (``ChannelRegistry`` implements it)."""

    @property
    def host(self) -> ChannelHost:
        """The client, as channel code sees it."""
        ...

    def register(self, channel: Channel) -> None:
        """Route the events of ``channel``'s cid to it (it may just have got its id)."""
        ...

    def watching(self, channel: Channel) -> None:
        """``channel`` is watched: watch it again after a reconnect."""
        ...

    def start_task(
        self, work: Callable[[], Coroutine[Any, Any, None]], name: str
    ) -> anyio.CancelScope | None:
        """Run ``work()`` until it returns or the connection goes; ``None`` when the client is not open."""
        ...


class Channel:
    """One channel (``type:id``) of one client. Get it from :meth:`StreamChatClient.channel`.

    A channel made from its members only (no id) gets its id from the server on the first
    :meth:`watch` or :meth:`query`.
    """

    def __init__(
        self,
        context: ChannelContext,
        channel_type: str,
        channel_id: str | None,
        *,
        members: Sequence[str] | None = None,
        custom_fields: Mapping[str, Any] | None = None,
        typing_timings: TypingTimings | None = None,
    ) -> None:
        check_channel_address(channel_type, channel_id)
        if isinstance(members, str):
            raise TypeError("members must be a list of user ids, not a string")
        member_ids = None if members is None else [validate_user_id(m) for m in members]
        if channel_id is None and not member_ids:
            raise ValueError("a channel without an id needs members: the server names it after them")
        self._context = context
        self._host = context.host
        self.type = channel_type
        self.id = channel_id
        self.typing_timings = typing_timings if typing_timings is not None else TypingTimings()
        self.state = ChannelState(cid=self.cid)
        #: Whether this client watches the channel (events flow; re-watched after a reconnect).
        self.watching = False
        self._members = member_ids
        self._custom = dict(custom_fields or {})
        self._presence = False
        self._outgoing = OutgoingTyping(self.typing_timings)
        self._stop_timer: anyio.CancelScope | None = None
        self._typing_lock: anyio.Lock | None = None

    def update_creation_data(
        self,
        members: Sequence[str] | None,
        custom_fields: Mapping[str, Any] | None,
        typing_timings: TypingTimings | None,
    ) -> None:
        """Take new members, custom fields or timings (``None``: keep), for ``client.channel()`` asked again."""
        if isinstance(members, str):
            raise TypeError("members must be a list of user ids, not a string")
        if members is not None:
            self._members = [validate_user_id(m) for m in members]
        if custom_fields:
            self._custom = dict(custom_fields)
        if typing_timings is not None:
            self.typing_timings = typing_timings
            self._outgoing.timings = typing_timings

    @property
    def cid(self) -> str | None:
        """``type:id``; ``None`` while a channel made from its members has no id yet."""
        return f"{self.type}:{self.id}" if self.id is not None else None

    @property
    def is_typing(self) -> bool:
        """Whether the own user is typing here (from a keystroke until ``typing.stop``)."""
        return self._outgoing.is_typing

    @property
    def typing_enabled(self) -> bool:
        """Whether :meth:`keystroke` and :meth:`stop_typing` send anything now.

        They do when the client is connected (over any transport), the channel's config has
        ``typing_events`` (known once watched or queried), and the own user's typing
        indicators are not turned off.
        """
        host = self._host
        if host.connection_state is not ConnectionState.CONNECTED:
            return False
        config = self.state.config
        if config is None or config.typing_events is not True:
            return False
        return privacy_enabled(host.user, "typing_indicators")

    def __repr__(self) -> str:
        where = self.cid if self.cid is not None else f"{self.type}:<members {self._members}>"
        return f"Channel({where!r}, watching={self.watching})"

    def _path(self, action: str) -> str:
        if self.id is None:
            raise UsageError(
                "this channel has no id yet: watch() or query() it first (the server names it after its members)"
            )
        return f"/channels/{self.type}/{self.id}/{action}"

    # ------------------------------------------------------------------ query and watch

    async def watch(self, *, presence: bool = False) -> ChannelState:
        """Create the channel if needed, start watching it on this connection; returns :attr:`state`.

        From now on the channel's events reach this client, and it is watched again on the new
        connection after a reconnect. ``presence`` also subscribes to its members' presence.
        """
        await self._query(state=True, watch=True, presence=presence)
        self.watching = True
        self._presence = presence
        self._context.watching(self)
        return self.state

    async def query(
        self, *, state: bool = True, watch: bool = False, presence: bool = False
    ) -> wire.ChannelStateResponse:
        """The channel as the server returns it now (created if needed); :attr:`state` is updated from it."""
        response = await self._query(state=state, watch=watch, presence=presence)
        if watch:
            self.watching = True
            self._context.watching(self)
        return response

    async def _query(
        self, *, state: bool, watch: bool, presence: bool, connection_id: str | None = None
    ) -> wire.ChannelStateResponse:
        data: wire.ChannelData | None = None
        if self._members is not None or self._custom:
            data = wire.ChannelData(members=self._members, extra_data=self._custom)
        request = wire.QueryChannelRequest(state=state, watch=watch, presence=presence, data=data)
        path = f"/channels/{self.type}/query" if self.id is None else self._path("query")
        response = await self._host.request(
            "POST",
            path,
            params={"connection_id": connection_id} if connection_id is not None else None,
            json=request,
            response_type=wire.ChannelStateResponse,
        )
        if self.id is None:
            self.id = response.channel.id
        self._context.register(self)
        self.state.load(response)
        return response

    async def stop_watching(self) -> None:
        """Stop receiving this channel's events on this connection."""
        # The answer holds nothing but the request's duration.
        await self._host.request("POST", self._path("stop-watching"), response_type=dict)
        self.watching = False

    async def rewatch(self, connection_id: str) -> None:
        """Watch again on a new connection (after a reconnect); the client does this itself."""
        await self._query(state=True, watch=True, presence=self._presence, connection_id=connection_id)

    # ------------------------------------------------------------------ messages and events

    async def send_message(
        self,
        text: str | None = None,
        *,
        parent_id: str | None = None,
        attachments: Sequence[Mapping[str, Any]] | None = None,
        message_id: str | None = None,
        **custom_fields: Any,
    ) -> wire.Message:
        """Send a message; custom fields go flat on it. Returns the message as the server stored it.

        Every watcher receives ``message.new``, this client included when it watches.
        """
        _no_shadowing(custom_fields, wire.MessageRequest, "send_message")
        request = wire.SendMessageRequest(
            message=wire.MessageRequest(
                id=message_id,
                text=text,
                parent_id=parent_id,
                attachments=None if attachments is None else [dict(a) for a in attachments],
                extra_data=custom_fields,
            )
        )
        response = await self._host.request(
            "POST", self._path("message"), json=request, response_type=wire.SendMessageResponse
        )
        self.state.add_message(response.message)
        return response.message

    async def send_event(self, event_type: str, *, parent_id: str | None = None, **fields: Any) -> Event:
        """Send an event of any type to the channel's watchers, as is: no throttling, no privacy gate.

        Use :meth:`keystroke` and :meth:`stop_typing` for typing; the server drops typing
        events of a user whose typing indicators are off however they are sent.
        """
        _no_shadowing(fields, wire.EventRequest, "send_event")
        request = wire.SendEventRequest(
            event=wire.EventRequest(type=event_type, parent_id=parent_id, extra_data=fields)
        )
        response = await self._host.request(
            "POST", self._path("event"), json=request, response_type=wire.SendEventResponse
        )
        return codec.event_from_builtins(response.event)

    async def mark_read(self, message_id: str | None = None) -> wire.MessageReadEvent | None:
        """Mark the channel read, up to ``message_id`` (default: the last message).

        Sent whatever the user's read receipts: with them off, the server keeps the read from
        everyone else. Returns the ``message.read`` event, or ``None`` without a request when
        the channel's config turns read events off.
        """
        config = self.state.config
        if config is not None and config.read_events is False:
            return None
        response = await self._host.request(
            "POST",
            self._path("read"),
            json=wire.MarkReadRequest(message_id=message_id),
            response_type=wire.MarkReadResponse,
        )
        event = response.event
        if isinstance(event, wire.MessageReadEvent):
            self.state.apply(
                event,
                own_user_id=self._host.user_id,
                clock=anyio.current_time,
                expire_after=self.typing_timings.expire_after,
            )
            return event
        return None

    # ------------------------------------------------------------------ typing

    async def keystroke(self, parent_id: str | None = None) -> None:
        """The user pressed a key (in the thread of ``parent_id``, if given).

        Sends ``typing.start`` unless one went out in the last ``throttle`` seconds (2 s);
        ``typing.stop`` then follows on its own ``stop_after`` seconds (1 s) after the last
        keystroke, in the thread of that keystroke. Sends nothing while :attr:`typing_enabled`
        is false (the own user's typing indicators off, or not connected).
        """
        if not self.typing_enabled:
            return
        start_due = self._outgoing.keystroke(anyio.current_time(), parent_id)
        if self._stop_timer is None:
            self._stop_timer = self._context.start_task(self._stop_when_idle, f"typing timer {self.cid}")
        if start_due:
            await self._send_typing("typing.start", parent_id)

    async def stop_typing(self, parent_id: str | None = None) -> None:
        """Send ``typing.stop`` now (in the thread of the last keystroke unless ``parent_id`` is given).

        Sends nothing while :attr:`typing_enabled` is false.
        """
        if not self.typing_enabled:
            return
        if parent_id is None:
            parent_id = self._outgoing.parent_id
        self._cancel_stop_timer()
        self._outgoing.reset()
        await self._send_typing("typing.stop", parent_id)

    async def _stop_when_idle(self) -> None:
        """The timer task: ``typing.stop`` once ``stop_after`` has passed since the last keystroke."""
        outgoing = self._outgoing
        while True:
            delay = outgoing.stop_due_in(anyio.current_time())
            if delay is None:
                self._stop_timer = None
                return
            if delay <= 0:
                break
            await anyio.sleep(delay)
        # Due: from here on a keystroke starts afresh (typing.start, a new timer).
        self._stop_timer = None
        parent_id = outgoing.parent_id
        outgoing.reset()
        if not self.typing_enabled:
            return
        try:
            await self._send_typing("typing.stop", parent_id)
        except (StreamChatError, UsageError) as exc:  # UsageError: the client closed meanwhile
            logger.warning("could not send the automatic typing.stop to %s: %s", self.cid, exc)

    def _cancel_stop_timer(self) -> None:
        timer, self._stop_timer = self._stop_timer, None
        if timer is not None:
            timer.cancel()

    async def _send_typing(self, event_type: str, parent_id: str | None) -> None:
        # One at a time, in order: a typing.stop must never overtake the typing.start before it.
        if self._typing_lock is None:
            self._typing_lock = anyio.Lock()
        async with self._typing_lock:
            request = wire.SendEventRequest(event=wire.EventRequest(type=event_type, parent_id=parent_id))
            await self._host.request(
                "POST", self._path("event"), json=request, response_type=wire.SendEventResponse
            )

    # ------------------------------------------------------------------ called by the registry

    def went_offline(self) -> None:
        """The connection is gone: the typing timer was cancelled; the next keystroke starts afresh."""
        self._stop_timer = None
        self._outgoing.reset()

    def typing_stop_for(self, entry: TypingEntry) -> wire.TypingStopEvent:
        """The local ``typing.stop`` for a typing entry the client forgets (expired, or offline)."""
        return wire.TypingStopEvent(
            cid=self.cid,
            channel_id=self.id,
            channel_type=self.type,
            user=entry.user,
            parent_id=entry.parent_id,
            created_at=datetime.now(timezone.utc),  # made up here: when this client forgot the entry
        )
