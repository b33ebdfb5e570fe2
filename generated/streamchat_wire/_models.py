"""Generated from spec/streamchat-v1.yaml by scripts/regen. DO NOT EDIT."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, TypeAlias

from msgspec import UNSET, Meta, UnsetType, field
from streamchat_wire._base import CustomFieldsStruct, WireStruct


class TypingIndicators(WireStruct, kw_only=True):
    """
    A missing `enabled` means enabled.
    """

    enabled: bool | UnsetType = UNSET


class ReadReceipts(WireStruct, kw_only=True):
    """
    A missing `enabled` means enabled.
    """

    enabled: bool | UnsetType = UNSET


class DeliveryReceipts(WireStruct, kw_only=True):
    """
    A missing `enabled` means enabled.
    """

    enabled: bool | UnsetType = UNSET


class PrivacySettings(WireStruct, kw_only=True):
    """
    Each setting missing (or the whole object missing) means enabled.
    """

    typing_indicators: TypingIndicators | UnsetType = UNSET
    read_receipts: ReadReceipts | UnsetType = UNSET
    delivery_receipts: DeliveryReceipts | UnsetType = UNSET


class User(CustomFieldsStruct, kw_only=True):
    """
    A user as the v1 wire carries it; custom fields (`name`, `image`, ...) sit flat beside these.
    """

    id: str
    role: str | None | UnsetType = UNSET
    created_at: datetime | None | UnsetType = UNSET
    updated_at: datetime | None | UnsetType = UNSET
    last_active: datetime | None | UnsetType = UNSET
    deactivated_at: datetime | None | UnsetType = UNSET
    deleted_at: datetime | None | UnsetType = UNSET
    online: bool | UnsetType = UNSET
    banned: bool | UnsetType = UNSET
    teams: list[str] | None | UnsetType = UNSET
    language: str | None | UnsetType = UNSET
    invisible: bool | None | UnsetType = UNSET
    privacy_settings: PrivacySettings | None | UnsetType = UNSET


class OwnUser(User, kw_only=True):
    """
    The connected user (`me`), with lists, unread counters and privacy settings.
    """

    devices: list[dict[str, Any]] | UnsetType = UNSET
    mutes: list[dict[str, Any]] | None | UnsetType = UNSET
    channel_mutes: list[dict[str, Any]] | None | UnsetType = UNSET
    blocked_user_ids: list[str] | None | UnsetType = UNSET
    unread_count: int | UnsetType = UNSET
    total_unread_count: int | UnsetType = UNSET
    unread_channels: int | UnsetType = UNSET
    unread_threads: int | UnsetType = UNSET


class ConnectPayload(WireStruct, kw_only=True):
    """
    JSON carried in the `json` query parameter of `/connect` and `/longpoll`.
    """

    user_id: str
    user_details: User
    device: dict[str, Any] | UnsetType = UNSET
    client_request_id: str | UnsetType = UNSET
    server_determines_connection_id: bool | UnsetType = UNSET


class HealthCheckPing(WireStruct, kw_only=True):
    """
    The client's keep-alive ping; sent as a one-element JSON array.
    """

    type: Literal['health.check']
    client_id: str


class APIError(WireStruct, kw_only=True):
    code: int
    message: str
    StatusCode: int | UnsetType = UNSET
    duration: str | UnsetType = UNSET
    more_info: str | UnsetType = UNSET
    details: list[int] | None | UnsetType = UNSET
    exception_fields: dict[str, Any] | None | UnsetType = UNSET
    unrecoverable: bool | UnsetType = UNSET


class ErrorFrame(WireStruct, kw_only=True):
    """
    A bare error envelope, on the WebSocket and as every REST error body.
    """

    error: APIError


class ChannelConfig(CustomFieldsStruct, kw_only=True):
    name: str | UnsetType = UNSET
    typing_events: bool | UnsetType = UNSET
    read_events: bool | UnsetType = UNSET
    delivery_events: bool | UnsetType = UNSET
    connect_events: bool | UnsetType = UNSET
    created_at: datetime | None | UnsetType = UNSET
    updated_at: datetime | None | UnsetType = UNSET


class Channel(CustomFieldsStruct, kw_only=True):
    id: str
    type: str
    cid: str
    created_at: datetime | None | UnsetType = UNSET
    updated_at: datetime | None | UnsetType = UNSET
    last_message_at: datetime | None | UnsetType = UNSET
    created_by: User | None | UnsetType = UNSET
    frozen: bool | UnsetType = UNSET
    disabled: bool | UnsetType = UNSET
    member_count: int | UnsetType = UNSET
    config: ChannelConfig | UnsetType = UNSET
    own_capabilities: list[str] | UnsetType = UNSET


class Message(CustomFieldsStruct, kw_only=True):
    id: str
    text: str | UnsetType = UNSET
    type: str | UnsetType = UNSET
    cid: str | UnsetType = UNSET
    user: User | None | UnsetType = UNSET
    parent_id: str | None | UnsetType = UNSET
    html: str | UnsetType = UNSET
    attachments: list[dict[str, Any]] | None | UnsetType = UNSET
    mentioned_users: list[User] | None | UnsetType = UNSET
    created_at: datetime | None | UnsetType = UNSET
    updated_at: datetime | None | UnsetType = UNSET


class ChannelMember(CustomFieldsStruct, kw_only=True):
    user_id: str | UnsetType = UNSET
    user: User | UnsetType = UNSET
    channel_role: str | UnsetType = UNSET
    role: str | UnsetType = UNSET
    created_at: datetime | None | UnsetType = UNSET
    updated_at: datetime | None | UnsetType = UNSET


class ReadState(WireStruct, kw_only=True):
    """
    One user's read position in a channel (`read[]` in channel responses).
    """

    user: User
    last_read: datetime
    unread_messages: int | UnsetType = UNSET
    last_read_message_id: str | None | UnsetType = UNSET
    last_delivered_at: datetime | None | UnsetType = UNSET
    last_delivered_message_id: str | None | UnsetType = UNSET


class ChannelState(WireStruct, kw_only=True):
    """
    The body of a channel query and one entry of a channels query.
    """

    channel: Channel
    messages: list[Message] | UnsetType = UNSET
    members: list[ChannelMember] | UnsetType = UNSET
    read: list[ReadState] | UnsetType = UNSET
    watcher_count: int | UnsetType = UNSET
    watchers: list[User] | UnsetType = UNSET
    duration: str | UnsetType = UNSET


class ChannelData(CustomFieldsStruct, kw_only=True):
    members: list[str] | UnsetType = UNSET


class QueryChannelRequest(WireStruct, kw_only=True):
    """
    `POST /channels/{type}/{id}/query`
    """

    state: bool | UnsetType = UNSET
    watch: bool | UnsetType = UNSET
    presence: bool | UnsetType = UNSET
    data: ChannelData | UnsetType = UNSET


class QueryChannelsResponse(WireStruct, kw_only=True):
    channels: list[ChannelState]
    duration: str | UnsetType = UNSET


class MessageRequest(CustomFieldsStruct, kw_only=True):
    id: str | UnsetType = UNSET
    text: str | UnsetType = UNSET
    parent_id: str | UnsetType = UNSET
    attachments: list[dict[str, Any]] | UnsetType = UNSET


class SendMessageRequest(WireStruct, kw_only=True):
    """
    `POST /channels/{type}/{id}/message`
    """

    message: MessageRequest


class SendMessageResponse(WireStruct, kw_only=True):
    message: Message
    duration: str | UnsetType = UNSET


class EventRequest(CustomFieldsStruct, kw_only=True):
    type: str
    parent_id: str | UnsetType = UNSET


class SendEventRequest(WireStruct, kw_only=True):
    """
    `POST /channels/{type}/{id}/event`
    """

    event: EventRequest


class SendEventResponse(WireStruct, kw_only=True):
    """
    The `event` is any event; decode it with the codec.
    """

    event: dict[str, Any]
    duration: str | UnsetType = UNSET


class MarkReadRequest(WireStruct, kw_only=True):
    """
    `POST /channels/{type}/{id}/read`; an empty body marks up to the last message.
    """

    message_id: str | UnsetType = UNSET
    thread_id: str | UnsetType = UNSET


class SortParam(WireStruct, kw_only=True):
    field_: str = field(name='field')
    direction: int | UnsetType = UNSET


class QueryUsersPayload(WireStruct, kw_only=True):
    """
    `GET /users?payload=<this, JSON>`
    """

    filter_conditions: dict[str, Any] | UnsetType = UNSET
    sort: list[SortParam] | UnsetType = UNSET
    limit: int | UnsetType = UNSET
    offset: int | UnsetType = UNSET
    presence: bool | UnsetType = UNSET


class QueryUsersResponse(WireStruct, kw_only=True):
    users: list[User]
    duration: str | UnsetType = UNSET


class UpsertUsersRequest(WireStruct, kw_only=True):
    """
    `POST /users`
    """

    users: dict[str, User]


class UsersResponse(WireStruct, kw_only=True):
    """
    The response of upsert and partial update.
    """

    users: dict[str, User]
    duration: str | UnsetType = UNSET


class PartialUserUpdate(WireStruct, kw_only=True):
    id: str
    set: dict[str, Any] | UnsetType = UNSET
    unset: list[str] | UnsetType = UNSET


class PartialUpdateUsersRequest(WireStruct, kw_only=True):
    """
    `PATCH /users`
    """

    users: list[PartialUserUpdate]


class LongPollEventsResponse(WireStruct, kw_only=True):
    """
    `GET /longpoll?connection_id=...`: the events queued since the last poll, in order.
    """

    events: list[dict[str, Any]]


class HealthCheckEvent(CustomFieldsStruct, kw_only=True, tag_field='type', tag='health.check'):
    """
    The server keep-alive; the first one on a connection carries `me`.
    """

    connection_id: str
    cid: str | UnsetType = UNSET
    me: OwnUser | UnsetType = UNSET
    created_at: datetime | None | UnsetType = UNSET


class ConnectionErrorEvent(CustomFieldsStruct, kw_only=True, tag_field='type', tag='connection.error'):
    """
    The second error-frame envelope.
    """

    error: APIError
    connection_id: str | UnsetType = UNSET
    created_at: datetime | None | UnsetType = UNSET


class ConnectionChangedEvent(CustomFieldsStruct, kw_only=True, tag_field='type', tag='connection.changed'):
    """
    Local event; `online` false once the connection is lost.
    """

    online: bool


class ConnectionRecoveredEvent(CustomFieldsStruct, kw_only=True, tag_field='type', tag='connection.recovered'):
    """
    Local event, after a reconnect.
    """


class TransportChangedEvent(CustomFieldsStruct, kw_only=True, tag_field='type', tag='transport.changed'):
    """
    Local event; `mode` is the transport now in use.
    """

    mode: str


class TypingStartEvent(CustomFieldsStruct, kw_only=True, tag_field='type', tag='typing.start'):
    cid: str | UnsetType = UNSET
    channel_id: str | UnsetType = UNSET
    channel_type: str | UnsetType = UNSET
    user: User | UnsetType = UNSET
    parent_id: str | None | UnsetType = UNSET
    created_at: datetime | None | UnsetType = UNSET


class TypingStopEvent(CustomFieldsStruct, kw_only=True, tag_field='type', tag='typing.stop'):
    cid: str | UnsetType = UNSET
    channel_id: str | UnsetType = UNSET
    channel_type: str | UnsetType = UNSET
    user: User | UnsetType = UNSET
    parent_id: str | None | UnsetType = UNSET
    created_at: datetime | None | UnsetType = UNSET


class MessageNewEvent(CustomFieldsStruct, kw_only=True, tag_field='type', tag='message.new'):
    cid: str | UnsetType = UNSET
    channel_id: str | UnsetType = UNSET
    channel_type: str | UnsetType = UNSET
    message: Message | UnsetType = UNSET
    user: User | UnsetType = UNSET
    watcher_count: int | UnsetType = UNSET
    created_at: datetime | None | UnsetType = UNSET
    channel_last_message_at: datetime | None | UnsetType = UNSET


class MessageReadEvent(CustomFieldsStruct, kw_only=True, tag_field='type', tag='message.read'):
    cid: str | UnsetType = UNSET
    channel_id: str | UnsetType = UNSET
    channel_type: str | UnsetType = UNSET
    user: User | UnsetType = UNSET
    last_read_message_id: str | None | UnsetType = UNSET
    team: str | None | UnsetType = UNSET
    thread: dict[str, Any] | None | UnsetType = UNSET
    created_at: datetime | None | UnsetType = UNSET


class NotificationMarkReadEvent(CustomFieldsStruct, kw_only=True, tag_field='type', tag='notification.mark_read'):
    cid: str | UnsetType = UNSET
    channel_id: str | UnsetType = UNSET
    channel_type: str | UnsetType = UNSET
    channel: Channel | None | UnsetType = UNSET
    user: User | UnsetType = UNSET
    last_read_message_id: str | None | UnsetType = UNSET
    unread_count: int | UnsetType = UNSET
    total_unread_count: int | UnsetType = UNSET
    unread_channels: int | UnsetType = UNSET
    unread_threads: int | UnsetType = UNSET
    created_at: datetime | None | UnsetType = UNSET


class UserPresenceChangedEvent(CustomFieldsStruct, kw_only=True, tag_field='type', tag='user.presence.changed'):
    user: User
    created_at: datetime | None | UnsetType = UNSET


class UserUpdatedEvent(CustomFieldsStruct, kw_only=True, tag_field='type', tag='user.updated'):
    user: User
    created_at: datetime | None | UnsetType = UNSET


class UserWatchingStartEvent(CustomFieldsStruct, kw_only=True, tag_field='type', tag='user.watching.start'):
    cid: str | UnsetType = UNSET
    channel_id: str | UnsetType = UNSET
    channel_type: str | UnsetType = UNSET
    user: User | UnsetType = UNSET
    watcher_count: int | UnsetType = UNSET
    created_at: datetime | None | UnsetType = UNSET


class UserWatchingStopEvent(CustomFieldsStruct, kw_only=True, tag_field='type', tag='user.watching.stop'):
    cid: str | UnsetType = UNSET
    channel_id: str | UnsetType = UNSET
    channel_type: str | UnsetType = UNSET
    user: User | UnsetType = UNSET
    watcher_count: int | UnsetType = UNSET
    created_at: datetime | None | UnsetType = UNSET


WSEvent: TypeAlias = Annotated[
    HealthCheckEvent | ConnectionErrorEvent | ConnectionChangedEvent | ConnectionRecoveredEvent | TransportChangedEvent | TypingStartEvent | TypingStopEvent | MessageNewEvent | MessageReadEvent | NotificationMarkReadEvent | UserPresenceChangedEvent | UserUpdatedEvent | UserWatchingStartEvent | UserWatchingStopEvent,
    Meta(description='Every event the v1 connection delivers, tagged on `type`.'),
]
"""
Every event the v1 connection delivers, tagged on `type`.
"""


class QueryChannelsRequest(WireStruct, kw_only=True):
    """
    `POST /channels`
    """

    filter_conditions: dict[str, Any] | UnsetType = UNSET
    sort: list[SortParam] | UnsetType = UNSET
    limit: int | UnsetType = UNSET
    offset: int | UnsetType = UNSET
    state: bool | UnsetType = UNSET
    watch: bool | UnsetType = UNSET
    presence: bool | UnsetType = UNSET


class MarkReadResponse(WireStruct, kw_only=True):
    event: MessageReadEvent | None | UnsetType = UNSET
    duration: str | UnsetType = UNSET


class LongPollConnectResponse(WireStruct, kw_only=True):
    """
    `GET /longpoll?json=...` (no `connection_id`): the connect event.
    """

    event: HealthCheckEvent
