"""Channel operations and the events they cause: query and watch, messages, typing, reads.

Who gets what:

- ``message.new``: every watcher of the channel, the sender included; members connected but
  not watching get ``notification.message_new``.
- ``typing.start`` / ``typing.stop``: the other watchers, never the typist's own connections;
  dropped entirely when the typist's ``privacy_settings.typing_indicators.enabled`` is false.
- ``message.read``: every watcher, unless the reader's ``read_receipts`` are off: then only the
  reader's own connections. ``notification.mark_read`` goes to all of the reader's connections.
  A read of a thread (``thread_id``) carries the thread and leaves the channel's read state be.
- A reader with read receipts off is also left out of the ``read`` list that others get from
  queries; the reader's own view keeps it.
- ``user.watching.start`` / ``user.watching.stop``: the other watchers, when a user starts
  watching through its first connection or stops with its last.

These rules are enforced here, on the server, whatever the client sends. The shapes of what
they send are made by the views (:mod:`.channel_views`, :mod:`.message_views`,
:mod:`.user_views`) and :mod:`.events`.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, Final

import msgspec

import streamchat_wire as wire
from streamchat_core.emulator import events
from streamchat_core.emulator.auth import Caller
from streamchat_core.emulator.channel_views import (
    MAX_MESSAGE_LENGTH,
    channel_view,
    message_view,
    state_view,
    thread_view,
    user_view,
)
from streamchat_core.emulator.channels import Channel, Member, Message, ReadState
from streamchat_core.emulator.clock import now_ns, rfc3339_micro, rfc3339_nano
from streamchat_core.emulator.connections import Connection
from streamchat_core.emulator.errors import DOES_NOT_EXIST, INPUT, MESSAGE_TOO_LONG, NOT_ALLOWED, RequestError
from streamchat_core.emulator.filters import compile_filter, sort_records
from streamchat_core.emulator.state import EmulatorState
from streamchat_core.emulator.users import privacy_enabled

__all__ = [
    "CHANNEL_TYPES",
    "mark_read",
    "query_channel",
    "query_channels",
    "send_event",
    "send_message",
    "stop_watching",
]

#: The channel types every Stream app has.
CHANNEL_TYPES: Final = frozenset({"messaging", "livestream", "team", "gaming", "commerce"})
#: Types anyone may read and watch; the others need membership.
_OPEN_TYPES: Final = frozenset({"livestream"})
_CHANNEL_ID: Final = re.compile(r"[A-Za-z0-9_\-!]{1,64}")
_DEFAULT_MESSAGE_LIMIT: Final = 25
_MAX_MESSAGE_LIMIT: Final = 300
_MAX_MEMBERS: Final = 1000
#: Event types only the server sends; a client posting one gets error 17.
_SERVER_EVENT_PREFIXES: Final = (
    "health.",
    "message.",
    "notification.",
    "user.",
    "channel.",
    "member.",
    "reaction.",
    "connection.",
    "thread.",
    "poll.",
)
_TYPING: Final = frozenset({"typing.start", "typing.stop"})
#: Every field a message's wire shape declares: none of them is a custom field of the request.
_MESSAGE_FIELDS: Final = frozenset(wire.Message.__struct_encode_fields__) - {wire.EXTRA_DATA_WIRE_NAME}


# ---------------------------------------------------------------------------------- helpers


def _check_type(channel_type: str) -> None:
    if channel_type not in CHANNEL_TYPES:
        raise RequestError(
            DOES_NOT_EXIST,
            404,
            f"channel type {channel_type[:64]!r} does not exist; use one of {sorted(CHANNEL_TYPES)}",
        )


def _check_id(channel_id: str) -> None:
    if not _CHANNEL_ID.fullmatch(channel_id):
        raise RequestError(
            INPUT,
            400,
            f"channel id {channel_id[:80]!r} is invalid: 1 to 64 of a-z, A-Z, 0-9, '!', '_' and '-'",
        )


def _find(state: EmulatorState, channel_type: str, channel_id: str) -> Channel:
    _check_type(channel_type)
    channel = state.channels.get(f"{channel_type}:{channel_id}")
    if channel is None:
        raise RequestError(DOES_NOT_EXIST, 404, f"channel {channel_type}:{channel_id} does not exist")
    return channel


def _acting_user(state: EmulatorState, caller: Caller, given: Any) -> str:
    """The user a request acts for: the caller, or for a server token the ``user_id`` it names."""
    named = None
    if isinstance(given, Mapping):
        named = given.get("user_id")
        if named is None and isinstance(given.get("user"), Mapping):
            named = given["user"].get("id")
    if caller.user_id is not None:
        if named is not None and named != caller.user_id:
            raise RequestError(NOT_ALLOWED, 403, f"user {caller.user_id!r} cannot act for user {named!r}")
        return caller.user_id
    if not isinstance(named, str) or not named:
        raise RequestError(INPUT, 400, "a server-side request must name the user it acts for (user_id)")
    state.users.require(named)
    return named


def _check_can_read(channel: Channel, user_id: str | None) -> None:
    if user_id is None or channel.type in _OPEN_TYPES or user_id in channel.members:
        return
    raise RequestError(NOT_ALLOWED, 403, f"user {user_id!r} is not a member of channel {channel.cid}")


def _watch_connection(state: EmulatorState, caller: Caller, connection_id: str | None) -> Connection | None:
    if not connection_id:
        return None
    connection = state.connections.get(connection_id)
    if connection is None or connection.closing:
        raise RequestError(
            INPUT, 400, f"connection_id {connection_id!r} is not an open connection; cannot watch"
        )
    if caller.user_id is not None and connection.user_id != caller.user_id:
        raise RequestError(NOT_ALLOWED, 403, f"connection_id {connection_id!r} belongs to another user")
    return connection


def _watch(state: EmulatorState, channel: Channel, connection: Connection) -> None:
    already = connection.user_id in channel.watchers.values()
    if state.channels.watch(channel, connection.id, connection.user_id) and not already:
        state.announce_watching(channel, connection.user_id, start=True)


def _message_limit(raw: Any) -> int:
    if not isinstance(raw, Mapping) or "limit" not in raw:
        return _DEFAULT_MESSAGE_LIMIT
    limit = raw["limit"]
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= _MAX_MESSAGE_LIMIT:
        raise RequestError(INPUT, 400, f"messages.limit must be an integer from 0 to {_MAX_MESSAGE_LIMIT}")
    return limit


class _Paging(msgspec.Struct):
    """The pagination options of a channel query that the wire model leaves out."""

    messages: dict[str, Any] | None = None
    message_limit: int | None = None


def paging_of(body: bytes) -> int:
    try:
        paging = msgspec.json.decode(body or b"{}", type=_Paging)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise RequestError(INPUT, 400, f"the request body is not valid: {exc}") from None
    if paging.message_limit is not None:
        return _message_limit({"limit": paging.message_limit})
    return _message_limit(paging.messages)


# ---------------------------------------------------------------------------------- operations


def _create(
    state: EmulatorState, caller: Caller, channel_type: str, channel_id: str, data: wire.ChannelData | None
) -> Channel:
    members = [] if data is None or data.members is None else list(dict.fromkeys(data.members))
    if len(members) > _MAX_MEMBERS:
        raise RequestError(
            INPUT, 400, f"{len(members)} members; at most {_MAX_MEMBERS} are allowed at creation"
        )
    missing = [m for m in members if state.users.get(m) is None]
    if missing:
        raise RequestError(
            INPUT,
            400,
            f"the following users are specified in channel.members but don't exist: {', '.join(missing)}",
        )
    created_by = caller.user_id
    custom = (
        {}
        if data is None
        else {k: v for k, v in data.extra_data.items() if k not in ("created_by", "created_by_id")}
    )
    if created_by is None and data is not None:
        named = data.extra_data.get("created_by_id")
        if named is None and isinstance(data.extra_data.get("created_by"), Mapping):
            named = data.extra_data["created_by"].get("id")
        if isinstance(named, str):
            state.users.require(named)
            created_by = named
    ts = rfc3339_micro(now_ns())
    channel = Channel(
        type=channel_type,
        id=channel_id,
        created_at=ts,
        updated_at=ts,
        created_by_id=created_by,
        custom=custom,
    )
    for user_id in members:
        role = "channel_moderator" if user_id == created_by else "channel_member"
        channel.members[user_id] = Member(user_id=user_id, created_at=ts, updated_at=ts, channel_role=role)
        channel.reads[user_id] = ReadState(last_read=ts)
    state.channels.add(channel)
    return channel


def distinct_channel_id(members: Iterable[str]) -> str:
    """The id of the one channel between exactly these members (a channel queried without id)."""
    digest = hashlib.sha1(",".join(sorted(set(members))).encode(), usedforsecurity=False).hexdigest()
    return f"!members-{digest[:40]}"


def query_channel(
    state: EmulatorState,
    caller: Caller,
    connection_id: str | None,
    channel_type: str,
    channel_id: str | None,
    request: wire.QueryChannelRequest,
    message_limit: int,
) -> dict[str, Any]:
    """``POST /channels/{type}[/{id}]/query``: get or create, maybe watch, return the state."""
    _check_type(channel_type)
    data = request.data
    if channel_id is None:
        if data is None or not data.members:
            raise RequestError(INPUT, 400, "a channel queried without an id needs data.members")
        channel_id = distinct_channel_id(data.members)
    _check_id(channel_id)
    connection = None
    if request.watch is True or request.presence is True:
        connection = _watch_connection(state, caller, connection_id)
    channel = state.channels.get(f"{channel_type}:{channel_id}")
    if channel is None:
        channel = _create(state, caller, channel_type, channel_id, data)
    else:
        _check_can_read(channel, caller.user_id)
    if connection is not None:
        _watch(state, channel, connection)
    return state_view(state, channel, caller.user_id, message_limit)


def stop_watching(
    state: EmulatorState, caller: Caller, connection_id: str | None, channel_type: str, channel_id: str
) -> None:
    channel = _find(state, channel_type, channel_id)
    connection = _watch_connection(state, caller, connection_id)
    if connection is None:
        raise RequestError(INPUT, 400, "stop-watching needs the connection_id parameter")
    if state.channels.unwatch(channel, connection.id) and connection.user_id not in channel.watchers.values():
        state.announce_watching(channel, connection.user_id, start=False)


def query_channels(
    state: EmulatorState,
    caller: Caller,
    connection_id: str | None,
    request: wire.QueryChannelsRequest,
    message_limit: int,
) -> dict[str, Any]:
    """``POST /channels``: the channels matching a filter (``cid``, ``id``, ``type``, ``members``…)."""
    conditions = {} if request.filter_conditions is None else request.filter_conditions
    match = compile_filter(conditions)
    limit = 10 if request.limit is None else request.limit
    offset = 0 if request.offset is None else request.offset
    if not 0 <= limit <= 30:
        raise RequestError(INPUT, 400, f"limit must be between 0 and 30, not {limit}")
    if not 0 <= offset <= 1000:
        raise RequestError(INPUT, 400, f"offset must be between 0 and 1000, not {offset}")
    connection = None
    if request.watch is True or request.presence is True:
        connection = _watch_connection(state, caller, connection_id)
    docs: list[dict[str, Any]] = []
    by_cid: dict[str, Channel] = {}
    for channel in state.channels:
        if (
            caller.user_id is not None
            and channel.type not in _OPEN_TYPES
            and caller.user_id not in channel.members
        ):
            continue
        doc = {
            **channel.custom,
            "cid": channel.cid,
            "id": channel.id,
            "type": channel.type,
            "members": list(channel.members),
            "member_count": len(channel.members),
            "created_by_id": channel.created_by_id,
            "created_at": channel.created_at,
            "updated_at": channel.updated_at,
            "last_message_at": channel.last_message_at,
            "last_updated": channel.last_message_at or channel.created_at,
        }
        if match(doc):
            docs.append(doc)
            by_cid[channel.cid] = channel
    sort = [] if request.sort is None else request.sort
    order = [(s.field_, 1 if s.direction is None else s.direction) for s in sort]
    docs = sort_records(docs, order or [("last_updated", -1)], tie_break="cid")[offset : offset + limit]
    found = [by_cid[d["cid"]] for d in docs]
    if connection is not None:
        for channel in found:
            _watch(state, channel, connection)
    return {"channels": [state_view(state, c, caller.user_id, message_limit) for c in found]}


def _flag(given: Mapping[str, Any], name: str) -> bool:
    value = given.get(name, False)
    if not isinstance(value, bool):
        raise RequestError(INPUT, 400, f"message.{name} must be true or false")
    return value


def _mentioned(state: EmulatorState, given: Mapping[str, Any]) -> list[str]:
    """The ids in a message's ``mentioned_users`` (ids, as clients send them); each must exist."""
    raw = given.get("mentioned_users")
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(u, str) for u in raw):
        raise RequestError(INPUT, 400, "message.mentioned_users must be a list of user ids")
    ids = list(dict.fromkeys(raw))
    missing = [u for u in ids if state.users.get(u) is None]
    if missing:
        raise RequestError(
            INPUT, 400, f"message.mentioned_users names users that don't exist: {', '.join(missing)}"
        )
    return ids


def send_message(
    state: EmulatorState, caller: Caller, channel_type: str, channel_id: str, request: wire.SendMessageRequest
) -> dict[str, Any]:
    """``POST …/message``: store it, ``message.new`` to every watcher, unread counts up."""
    channel = _find(state, channel_type, channel_id)
    given = request.message
    extra = dict(given.extra_data)
    sender_id = _acting_user(state, caller, extra)
    # Stream checks permissions only for client-side calls: a server token may do everything.
    if not caller.is_server and sender_id not in channel.members and channel.type not in _OPEN_TYPES:
        raise RequestError(NOT_ALLOWED, 403, f"user {sender_id!r} is not a member of channel {channel.cid}")
    state.users.require(sender_id)  # a token alone makes no user (an open channel's writer)
    text = "" if given.text is None else given.text
    attachments = [] if given.attachments is None else given.attachments
    if len(text) > MAX_MESSAGE_LENGTH:
        raise RequestError(
            MESSAGE_TOO_LONG,
            400,
            f"the message is {len(text):,} characters long; at most {MAX_MESSAGE_LENGTH:,} are allowed",
        )
    if not text.strip() and not attachments:
        raise RequestError(INPUT, 400, "a message needs text or attachments")
    message_id = given.id or str(uuid.uuid4())
    if message_id in channel.messages_by_id:
        raise RequestError(INPUT, 400, f"a message with id {message_id!r} already exists")
    parent_id = given.parent_id or None
    parent = None
    if parent_id is not None:
        parent = channel.messages_by_id.get(parent_id)
        if parent is None:
            raise RequestError(
                INPUT, 400, f"parent message {parent_id!r} does not exist in channel {channel.cid}"
            )
    created_ns = now_ns()
    created = rfc3339_micro(created_ns)
    message = Message(
        id=message_id,
        cid=channel.cid,
        user_id=sender_id,
        text=text,
        created_at=created,
        updated_at=created,
        attachments=attachments,
        parent_id=parent_id,
        show_in_channel=parent_id is not None and _flag(extra, "show_in_channel"),
        silent=_flag(extra, "silent"),
        mentioned_channel=_flag(extra, "mentioned_channel"),
        mentioned_here=_flag(extra, "mentioned_here"),
        mentioned_user_ids=_mentioned(state, extra),
        # Fields the schema declares are the server's (or not modelled): never custom.
        custom={k: v for k, v in extra.items() if k not in _MESSAGE_FIELDS and k != "user_id"},
    )
    channel.messages_by_id[message_id] = message
    if parent is not None:
        channel.replies.setdefault(parent.id, []).append(message)
        parent.reply_count += 1
    in_channel = parent_id is None or message.show_in_channel
    if in_channel:
        channel.messages.append(message)
        channel.last_message_at = created
        for user_id, read in channel.reads.items():
            if user_id == sender_id:
                # Posting counts as reading (Stream's rule), but last_read_message_id moves only
                # with an explicit read (message.read, notification.mark_read).
                read.last_read, read.unread_messages = created, 0
            else:
                read.unread_messages += 1
    channel.updated_at = created
    view = message_view(state, message)
    event = events.message_new(
        channel.type,
        channel.id,
        message=view,
        watcher_count=channel.watcher_count(),
        channel_last_message_at=channel.last_message_at,
        created_at=rfc3339_nano(created_ns),
    )
    watching = [c for c in (state.connections.get(cid) for cid in channel.watchers) if c is not None]
    state.deliver(watching, event)
    if in_channel:
        _notify_absent_members(state, channel, sender_id, view, set(channel.watchers))
    return {"message": view}


def _notify_absent_members(
    state: EmulatorState, channel: Channel, sender_id: str, message: dict[str, Any], watching: set[str]
) -> None:
    """``notification.message_new`` to members' connections that do not watch the channel."""
    view = None
    for user_id in channel.members:
        if user_id == sender_id:
            continue
        absent = [c for c in state.connections.of_user(user_id) if c.id not in watching]
        if not absent:
            continue
        view = view or channel_view(state, channel)
        unread = state.channels.unread_counts(user_id)
        state.deliver(
            absent,
            events.notification_message_new(
                channel.type,
                channel.id,
                channel=view,
                message=message,
                watcher_count=channel.watcher_count(),
                unread_messages=unread.messages,
                unread_channels=unread.channels,
            ),
        )


def send_event(
    state: EmulatorState, caller: Caller, channel_type: str, channel_id: str, request: wire.SendEventRequest
) -> dict[str, Any]:
    """``POST …/event``: typing events to the other watchers (unless the typist hides them),
    custom events to every watcher."""
    channel = _find(state, channel_type, channel_id)
    given = request.event
    custom = dict(given.extra_data)
    user_id = _acting_user(state, caller, custom)
    if not caller.is_server:  # as for messages: a server token skips the membership check
        _check_can_read(channel, user_id)
    state.users.require(user_id)  # a token alone makes no user (an open channel's watcher)
    event_type = given.type
    if event_type not in _TYPING and event_type.startswith(_SERVER_EVENT_PREFIXES):
        raise RequestError(
            NOT_ALLOWED, 403, f"event type {event_type[:64]!r} is sent by the server; clients cannot send it"
        )
    user = user_view(state, user_id)
    if event_type in _TYPING:
        event = events.typing(event_type, channel.type, channel.id, user=user, parent_id=given.parent_id)
    else:
        fields = {k: v for k, v in custom.items() if k not in ("user", "user_id", "cid", "created_at")}
        if given.parent_id:
            fields["parent_id"] = given.parent_id
        event = events.channel_event(event_type, channel.type, channel.id, user=user, **fields)
    watching = [c for c in (state.connections.get(cid) for cid in channel.watchers) if c is not None]
    if event_type in _TYPING:
        record = state.users.get(user_id)
        if record is not None and not privacy_enabled(record, "typing_indicators"):
            return {"event": event}  # dropped: the typist does not share typing indicators
        watching = [c for c in watching if c.user_id != user_id]
    state.deliver(watching, event)
    return {"event": event}


def mark_read(
    state: EmulatorState,
    caller: Caller,
    channel_type: str,
    channel_id: str,
    request: wire.MarkReadRequest,
    raw: Any,
) -> dict[str, Any]:
    """``POST …/read``: the reader's read state moves to a message (the last one by default).

    With ``thread_id`` (a parent message's id) the reader read that thread, up to its last
    reply by default: the channel's read state stays (the emulator keeps no per-thread one).
    """
    channel = _find(state, channel_type, channel_id)
    reader_id = _acting_user(state, caller, raw)
    if reader_id not in channel.members:
        raise RequestError(NOT_ALLOWED, 403, f"user {reader_id!r} is not a member of channel {channel.cid}")
    if request.message_id and request.message_id not in channel.messages_by_id:
        raise RequestError(
            INPUT, 400, f"message {request.message_id!r} does not exist in channel {channel.cid}"
        )
    read_ns = now_ns()
    thread = None
    message_id: str | None
    if request.thread_id:
        thread = thread_view(channel, request.thread_id)
        replies = channel.replies[request.thread_id]
        message_id = request.message_id or replies[-1].id
        if all(r.id != message_id for r in replies):
            raise RequestError(
                INPUT, 400, f"message {message_id!r} is not a reply in thread {request.thread_id!r}"
            )
    else:
        if request.message_id:
            message_id = request.message_id
            position = next((i for i, m in enumerate(channel.messages) if m.id == message_id), None)
            after = channel.messages[position + 1 :] if position is not None else []
            unread = sum(1 for m in after if m.user_id != reader_id)
        else:
            message_id = channel.messages[-1].id if channel.messages else None
            unread = 0
        channel.reads[reader_id] = ReadState(
            last_read=rfc3339_micro(read_ns), last_read_message_id=message_id, unread_messages=unread
        )
    reader = user_view(state, reader_id)
    read_event = events.message_read(
        channel.type,
        channel.id,
        user=reader,
        last_read_message_id=message_id,
        created_at=rfc3339_nano(read_ns),
        thread=thread,
    )
    watching = [c for c in (state.connections.get(cid) for cid in channel.watchers) if c is not None]
    if not privacy_enabled(state.users.get(reader_id) or {}, "read_receipts"):
        watching = [c for c in watching if c.user_id == reader_id]  # reaches no one else
    state.deliver(watching, read_event)
    counts = state.channels.unread_counts(reader_id)
    state.deliver(
        state.connections.of_user(reader_id),
        events.notification_mark_read(
            channel.type,
            channel.id,
            user=reader,
            last_read_message_id=message_id,
            unread_messages=counts.messages,
            unread_channels=counts.channels,
            unread_threads=0,
            created_at=rfc3339_nano(read_ns),
            thread=thread,
        ),
    )
    return {"event": read_event}
