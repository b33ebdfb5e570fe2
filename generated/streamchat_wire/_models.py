"""Generated from spec/streamchat-v1.yaml by scripts/regen. DO NOT EDIT."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, TypeAlias

from msgspec import Meta, field
from streamchat_wire._base import CustomFieldsStruct, EventStruct, UserStruct, WireStruct


class TypingIndicators(WireStruct, kw_only=True):
    """
    A missing `enabled` means enabled.
    """

    enabled: bool | None = None


class ReadReceipts(WireStruct, kw_only=True):
    """
    A missing `enabled` means enabled.
    """

    enabled: bool | None = None


class DeliveryReceipts(WireStruct, kw_only=True):
    """
    A missing `enabled` means enabled.
    """

    enabled: bool | None = None


class PrivacySettings(WireStruct, kw_only=True):
    """
    Each setting missing (or the whole object missing) means enabled.
    """

    typing_indicators: TypingIndicators | None = None
    read_receipts: ReadReceipts | None = None
    delivery_receipts: DeliveryReceipts | None = None


class User(UserStruct, kw_only=True):
    """
    A user, wherever one appears (events, messages, members, queries, and the `user_details` a client connects with); custom fields sit flat beside these.
    """

    id: str
    name: str | None = None
    image: str | None = None
    avg_response_time: int | None = None
    ban_expires: datetime | None = None
    banned: bool | None = None
    blocked_user_ids: list[str] | None = None
    created_at: datetime | None = None
    deactivated_at: datetime | None = None
    deleted_at: datetime | None = None
    invisible: bool | None = None
    language: str | None = None
    last_active: datetime | None = None
    last_engaged_at: datetime | None = None
    online: bool | None = None
    privacy_settings: PrivacySettings | None = None
    revoke_tokens_issued_before: datetime | None = None
    role: str | None = None
    shadow_banned: bool | None = None
    teams: list[str] | None = None
    teams_role: dict[str, str] | None = None
    updated_at: datetime | None = None


class Device(WireStruct, kw_only=True):
    """
    A device registered for push notifications.
    """

    id: str
    created_at: datetime | None = None
    disabled: bool | None = None
    disabled_reason: str | None = None
    hardware_id: str | None = None
    push_provider: str | None = None
    push_provider_name: str | None = None
    user_id: str | None = None
    voip: bool | None = None


class UserMute(WireStruct, kw_only=True):
    """
    One user muted by another (`user` muted `target`).
    """

    created_at: datetime | None = None
    expires: datetime | None = None
    target: User | None = None
    updated_at: datetime | None = None
    user: User | None = None


class ConnectPayload(WireStruct, kw_only=True):
    """
    JSON carried in the `json` query parameter of `/connect` and `/longpoll`.
    """

    user_id: str
    user_details: User
    device: Device | None = None
    client_request_id: str | None = None
    server_determines_connection_id: bool | None = None


class HealthCheckPing(WireStruct, kw_only=True):
    """
    The client's keep-alive ping; sent as a one-element JSON array.
    """

    type: Literal['health.check']
    client_id: str


class APIError(WireStruct, kw_only=True):
    """
    An error as Stream reports it.
    """

    code: int
    message: str
    StatusCode: int | None = None
    details: list[int] | None = None
    duration: str | None = None
    exception_fields: dict[str, str] | None = None
    more_info: str | None = None
    unrecoverable: bool | None = None


class ErrorFrame(WireStruct, kw_only=True):
    """
    A bare error envelope, on the WebSocket and as every REST error body.
    """

    error: APIError


class Command(WireStruct, kw_only=True):
    """
    A slash command a channel type offers (e.g. `giphy`).
    """

    name: str
    args: str | None = None
    created_at: datetime | None = None
    description: str | None = None
    set: str | None = None
    updated_at: datetime | None = None


class ChannelMember(CustomFieldsStruct, kw_only=True):
    """
    A user's membership of a channel: role, invitation, ban, pin, archive.
    """

    user_id: str | None = None
    user: User | None = None
    archived_at: datetime | None = None
    ban_expires: datetime | None = None
    ban_from_future_channels: bool | None = None
    banned: bool | None = None
    channel_role: str | None = None
    created_at: datetime | None = None
    deleted_at: datetime | None = None
    deleted_messages: list[str] | None = None
    future_channel_ban_expires: datetime | None = None
    invite_accepted_at: datetime | None = None
    invite_rejected_at: datetime | None = None
    invited: bool | None = None
    is_moderator: bool | None = None
    notifications_muted: bool | None = None
    pinned_at: datetime | None = None
    role: str | None = None
    shadow_banned: bool | None = None
    status: str | None = None
    updated_at: datetime | None = None


class ReadState(WireStruct, kw_only=True):
    """
    One user's read position in a channel (`read[]` in channel responses).
    """

    user: User
    last_read: datetime
    last_delivered_at: datetime | None = None
    last_delivered_message_id: str | None = None
    last_read_message_id: str | None = None
    unread_messages: int | None = None


class Attachment(CustomFieldsStruct, kw_only=True):
    """
    A file, image, link preview or rich card attached to a message.
    """

    actions: list[dict[str, Any]] | None = None
    asset_url: str | None = None
    author_icon: str | None = None
    author_link: str | None = None
    author_name: str | None = None
    color: str | None = None
    fallback: str | None = None
    fields: list[dict[str, Any]] | None = None
    footer: str | None = None
    footer_icon: str | None = None
    giphy: dict[str, Any] | None = None
    image_url: str | None = None
    og_scrape_url: str | None = None
    original_height: int | None = None
    original_width: int | None = None
    pretext: str | None = None
    text: str | None = None
    thumb_url: str | None = None
    title: str | None = None
    title_link: str | None = None
    type: str | None = None


class Reaction(CustomFieldsStruct, kw_only=True):
    """
    One user's reaction to a message.
    """

    type: str
    message_id: str
    created_at: datetime | None = None
    score: int | None = None
    updated_at: datetime | None = None
    user: User | None = None
    user_id: str | None = None


class ReactionGroup(WireStruct, kw_only=True):
    """
    The totals of one reaction type on a message.
    """

    count: int | None = None
    first_reaction_at: datetime | None = None
    last_reaction_at: datetime | None = None
    latest_reactions_by: list[dict[str, Any]] | None = None
    sum_scores: int | None = None


class MessageUpdate(WireStruct, kw_only=True):
    """
    What an edit changed in a message (`message.updated`).
    """

    change_set: dict[str, Any] | None = None
    old_text: str | None = None


class PollOption(CustomFieldsStruct, kw_only=True):
    """
    One answer a poll offers.
    """

    id: str | None = None
    text: str | None = None


class PollVote(WireStruct, kw_only=True):
    """
    One vote on a poll, or a free-text answer (`is_answer`).
    """

    id: str
    answer_text: str | None = None
    created_at: datetime | None = None
    is_answer: bool | None = None
    option_id: str | None = None
    poll_id: str | None = None
    updated_at: datetime | None = None
    user: User | None = None
    user_id: str | None = None


class App(WireStruct, kw_only=True):
    """
    The application's settings as `app.updated` carries them.
    """

    async_url_enrich_enabled: bool | None = None
    auto_translation_enabled: bool | None = None
    file_upload_config: dict[str, Any] | None = None
    image_upload_config: dict[str, Any] | None = None
    name: str | None = None


class UserGroup(WireStruct, kw_only=True):
    """
    A named group of users that messages can mention.
    """

    id: str
    app_pk: int | None = None
    created_at: datetime | None = None
    created_by: str | None = None
    description: str | None = None
    members: list[dict[str, Any]] | None = None
    name: str | None = None
    team_id: str | None = None
    updated_at: datetime | None = None


class ChannelData(CustomFieldsStruct, kw_only=True):
    """
    The channel's data given when a client creates or queries it; custom fields flat.
    """

    members: list[str] | None = None


class QueryChannelRequest(WireStruct, kw_only=True):
    """
    `POST /channels/{type}/{id}/query`
    """

    state: bool | None = None
    watch: bool | None = None
    presence: bool | None = None
    data: ChannelData | None = None


class MessageRequest(CustomFieldsStruct, kw_only=True):
    """
    A message as a client sends it; custom fields flat.
    """

    id: str | None = None
    text: str | None = None
    parent_id: str | None = None
    attachments: list[dict[str, Any]] | None = None


class SendMessageRequest(WireStruct, kw_only=True):
    """
    `POST /channels/{type}/{id}/message`
    """

    message: MessageRequest


class EventRequest(CustomFieldsStruct, kw_only=True):
    """
    An event as a client sends it (typing, or a custom event); custom fields flat.
    """

    type: str
    parent_id: str | None = None


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
    duration: str | None = None


class MarkReadRequest(WireStruct, kw_only=True):
    """
    `POST /channels/{type}/{id}/read`; an empty body marks up to the last message.
    """

    message_id: str | None = None
    thread_id: str | None = None


class SortParam(WireStruct, kw_only=True):
    field_: str = field(name='field')
    direction: int | None = None


class QueryUsersPayload(WireStruct, kw_only=True):
    """
    `GET /users?payload=<this, JSON>`
    """

    filter_conditions: dict[str, Any] | None = None
    sort: list[SortParam] | None = None
    limit: int | None = None
    offset: int | None = None
    presence: bool | None = None


class QueryUsersResponse(WireStruct, kw_only=True):
    users: list[User]
    duration: str | None = None


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
    duration: str | None = None


class PartialUserUpdate(WireStruct, kw_only=True):
    id: str
    set: dict[str, Any] | None = None
    unset: list[str] | None = None


class PartialUpdateUsersRequest(WireStruct, kw_only=True):
    """
    `PATCH /users`
    """

    users: list[PartialUserUpdate]


class EmptyResponse(WireStruct, kw_only=True):
    """
    Stream's bare `Response`, an answer with nothing in it but `duration`.
    """

    duration: str | None = None


class CreateGuestRequest(WireStruct, kw_only=True):
    """
    `POST /guest`, sent anonymously: the guest user to create.
    """

    user: User


class CreateGuestResponse(WireStruct, kw_only=True):
    """
    The guest user and a token to connect it with.
    """

    access_token: str
    user: User
    duration: str | None = None


class CreateDeviceRequest(WireStruct, kw_only=True):
    """
    `POST /devices`; `user_id` only server-side.
    """

    id: str
    push_provider: str
    push_provider_name: str | None = None
    user_id: str | None = None
    voip_token: bool | None = None


class ListDevicesResponse(WireStruct, kw_only=True):
    """
    `GET /devices`
    """

    devices: list[Device]
    duration: str | None = None


class MuteUserRequest(WireStruct, kw_only=True):
    """
    `POST /moderation/mute`: one `target_id` or several `target_ids`; `timeout` in minutes; `user_id` only server-side.
    """

    target_id: str | None = None
    target_ids: list[str] | None = None
    timeout: int | None = None
    user_id: str | None = None


class UnmuteUserRequest(WireStruct, kw_only=True):
    """
    `POST /moderation/unmute`
    """

    target_id: str | None = None
    target_ids: list[str] | None = None
    user_id: str | None = None


class BlockUsersRequest(WireStruct, kw_only=True):
    """
    `POST /users/block` and `POST /users/unblock`; `user_id` only server-side.
    """

    blocked_user_id: str
    user_id: str | None = None


class BlockUsersResponse(WireStruct, kw_only=True):
    blocked_by_user_id: str | None = None
    blocked_user_id: str | None = None
    created_at: datetime | None = None
    duration: str | None = None


class BlockedUser(WireStruct, kw_only=True):
    """
    One block, `user_id` blocking `blocked_user_id`.
    """

    user_id: str
    blocked_user_id: str
    created_at: datetime | None = None
    user: User | None = None
    blocked_user: User | None = None


class GetBlockedUsersResponse(WireStruct, kw_only=True):
    """
    `GET /users/block`
    """

    blocks: list[BlockedUser]
    duration: str | None = None


class BanRequest(WireStruct, kw_only=True):
    """
    `POST /moderation/ban`: everywhere, or in one channel (`type` and `id`); `timeout` in minutes.
    """

    target_user_id: str
    timeout: int | None = None
    reason: str | None = None
    shadow: bool | None = None
    ip_ban: bool | None = None
    type: str | None = None
    id: str | None = None
    user_id: str | None = None
    banned_by_id: str | None = None
    banned_by: User | None = None
    delete_messages: str | None = None


class QueryBannedUsersPayload(WireStruct, kw_only=True):
    """
    `GET /query_banned_users?payload=<this, JSON>`
    """

    filter_conditions: dict[str, Any] | None = None
    sort: list[SortParam] | None = None
    limit: int | None = None
    offset: int | None = None
    exclude_expired_bans: bool | None = None
    user_id: str | None = None


class SendUserCustomEventRequest(WireStruct, kw_only=True):
    """
    `POST /users/{id}/event`: a custom event for one user's connections.
    """

    event: EventRequest


class DeleteUserResponse(WireStruct, kw_only=True):
    """
    `DELETE /users/{id}`
    """

    user: User | None = None
    task_id: str | None = None
    duration: str | None = None


class DeleteUsersRequest(WireStruct, kw_only=True):
    """
    `POST /users/delete`: `user` is soft, pruning or hard; `messages` soft, pruning or hard; `conversations` soft or hard.
    """

    user_ids: list[str]
    user: str | None = None
    messages: str | None = None
    conversations: str | None = None
    new_channel_owner_id: str | None = None


class DeactivateUserRequest(WireStruct, kw_only=True):
    """
    `POST /users/{id}/deactivate`
    """

    mark_messages_deleted: bool | None = None
    created_by_id: str | None = None


class DeactivateUsersRequest(WireStruct, kw_only=True):
    """
    `POST /users/deactivate`, an asynchronous task.
    """

    user_ids: list[str]
    mark_messages_deleted: bool | None = None
    mark_channels_deleted: bool | None = None
    created_by_id: str | None = None


class ReactivateUserRequest(WireStruct, kw_only=True):
    """
    `POST /users/{id}/reactivate`
    """

    restore_messages: bool | None = None
    name: str | None = None
    created_by_id: str | None = None


class ReactivateUsersRequest(WireStruct, kw_only=True):
    """
    `POST /users/reactivate`, an asynchronous task.
    """

    user_ids: list[str]
    restore_messages: bool | None = None
    created_by_id: str | None = None


class RestoreUsersRequest(WireStruct, kw_only=True):
    """
    `POST /users/restore`: soft-deleted users back.
    """

    user_ids: list[str]


class SingleUserResponse(WireStruct, kw_only=True):
    """
    The answer of deactivating or reactivating one user.
    """

    user: User
    duration: str | None = None


class TaskStartedResponse(WireStruct, kw_only=True):
    """
    An asynchronous task was started; follow it with `GET /tasks/{task_id}`.
    """

    task_id: str
    duration: str | None = None


class GetTaskResponse(WireStruct, kw_only=True):
    """
    `GET /tasks/{id}`: `status` is waiting, pending, running, completed or failed.
    """

    task_id: str
    status: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    duration: str | None = None


class AppSettings(WireStruct, kw_only=True):
    """
    The app's settings as `GET /app` answers them (Stream's `AppResponseFields`; those not modelled are kept as given).
    """

    name: str | None = None
    organization: str | None = None
    disable_auth_checks: bool | None = None
    disable_permissions_checks: bool | None = None
    multi_tenant_enabled: bool | None = None
    revoke_tokens_issued_before: datetime | None = None
    channel_configs: dict[str, Any] | None = None


class GetAppResponse(WireStruct, kw_only=True):
    """
    `GET /app` (server-side)
    """

    app: AppSettings
    duration: str | None = None


class UpdateAppRequest(WireStruct, kw_only=True):
    """
    `PATCH /app` (server-side): the settings to change; a null `revoke_tokens_issued_before` undoes a revocation.
    """

    revoke_tokens_issued_before: datetime | None = None
    disable_auth_checks: bool | None = None
    disable_permissions_checks: bool | None = None


class LongPollEventsResponse(WireStruct, kw_only=True):
    """
    `GET /longpoll?connection_id=...`: the events queued since the last poll, in order.
    """

    events: list[dict[str, Any]]


class ConnectionErrorEvent(EventStruct, kw_only=True, tag_field='type', tag='connection.error'):
    """
    The second error-frame envelope; the codec raises the error it carries.
    """

    error: APIError
    connection_id: str | None = None
    created_at: datetime | None = None


class ConnectionChangedEvent(EventStruct, kw_only=True, tag_field='type', tag='connection.changed'):
    """
    Local event; `online` false once the connection is lost.
    """

    online: bool


class ConnectionRecoveredEvent(EventStruct, kw_only=True, tag_field='type', tag='connection.recovered'):
    """
    Local event, after a reconnect.
    """


class TransportChangedEvent(EventStruct, kw_only=True, tag_field='type', tag='transport.changed'):
    """
    Local event; `mode` is the transport now in use.
    """

    mode: str


class AIIndicatorClearEvent(EventStruct, kw_only=True, tag_field='type', tag='ai_indicator.clear'):
    """
    An AI assistant's status indicator in a channel was removed.
    """

    created_at: datetime
    channel_id: str | None = None
    channel_type: str | None = None
    cid: str | None = None
    received_at: datetime | None = None


class AIIndicatorStopEvent(EventStruct, kw_only=True, tag_field='type', tag='ai_indicator.stop'):
    """
    An AI assistant stopped producing its answer in a channel.
    """

    created_at: datetime
    channel_id: str | None = None
    channel_type: str | None = None
    cid: str | None = None
    received_at: datetime | None = None


class AIIndicatorUpdateEvent(EventStruct, kw_only=True, tag_field='type', tag='ai_indicator.update'):
    """
    An AI assistant's progress on a message changed (`ai_state`, e.g. thinking or generating).
    """

    created_at: datetime
    ai_message: str | None = None
    ai_state: str | None = None
    channel_id: str | None = None
    channel_type: str | None = None
    cid: str | None = None
    message_id: str | None = None
    received_at: datetime | None = None


class AppUpdatedEvent(EventStruct, kw_only=True, tag_field='type', tag='app.updated'):
    """
    The application's settings changed.
    """

    created_at: datetime
    app: App | None = None
    received_at: datetime | None = None


class ChannelFrozenEvent(EventStruct, kw_only=True, tag_field='type', tag='channel.frozen'):
    """
    A channel was frozen: no new messages until it is unfrozen.
    """

    created_at: datetime
    channel_id: str | None = None
    channel_type: str | None = None
    cid: str | None = None
    received_at: datetime | None = None


class ChannelKickedEvent(EventStruct, kw_only=True, tag_field='type', tag='channel.kicked'):
    """
    The user was removed from a channel.
    """

    created_at: datetime
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    received_at: datetime | None = None
    team: str | None = None


class MaxStreakChangedEvent(EventStruct, kw_only=True, tag_field='type', tag='channel.max_streak_changed'):
    """
    A channel's longest streak changed.
    """

    created_at: datetime
    received_at: datetime | None = None


class ChannelUnfrozenEvent(EventStruct, kw_only=True, tag_field='type', tag='channel.unfrozen'):
    """
    A frozen channel accepts messages again.
    """

    created_at: datetime
    channel_id: str | None = None
    channel_type: str | None = None
    cid: str | None = None
    received_at: datetime | None = None


class TypingStartEvent(EventStruct, kw_only=True, tag_field='type', tag='typing.start'):
    """
    A user started typing in a channel, or in a thread of it (`parent_id`).
    """

    created_at: datetime
    channel_id: str | None = None
    channel_type: str | None = None
    cid: str | None = None
    parent_id: str | None = None
    received_at: datetime | None = None
    user: User | None = None


class TypingStopEvent(EventStruct, kw_only=True, tag_field='type', tag='typing.stop'):
    """
    A user stopped typing in a channel, or in a thread of it (`parent_id`).
    """

    created_at: datetime
    channel_id: str | None = None
    channel_type: str | None = None
    cid: str | None = None
    parent_id: str | None = None
    received_at: datetime | None = None
    user: User | None = None


class UserBannedEvent(EventStruct, kw_only=True, tag_field='type', tag='user.banned'):
    """
    A user was banned, in one channel (`cid`) or everywhere.
    """

    user: User
    created_at: datetime
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    created_by: User | None = None
    expiration: datetime | None = None
    reason: str | None = None
    received_at: datetime | None = None
    review_queue_item_id: str | None = None
    shadow: bool | None = None
    team: str | None = None
    total_bans: int | None = None


class UserDeactivatedEvent(EventStruct, kw_only=True, tag_field='type', tag='user.deactivated'):
    """
    A user was deactivated.
    """

    user: User
    created_at: datetime
    created_by: User | None = None
    received_at: datetime | None = None


class UserDeletedEvent(EventStruct, kw_only=True, tag_field='type', tag='user.deleted'):
    """
    A user was deleted; the flags say what went with them.
    """

    user: User
    created_at: datetime
    delete_conversation: str | None = None
    delete_conversation_channels: bool | None = None
    delete_messages: str | None = None
    delete_user: str | None = None
    hard_delete: bool | None = None
    mark_messages_deleted: bool | None = None
    received_at: datetime | None = None


class UserMessagesDeletedEvent(EventStruct, kw_only=True, tag_field='type', tag='user.messages.deleted'):
    """
    A user's messages were deleted, in one channel or everywhere.
    """

    user: User
    created_at: datetime
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    hard_delete: bool | None = None
    received_at: datetime | None = None
    team: str | None = None


class UserMutedEvent(EventStruct, kw_only=True, tag_field='type', tag='user.muted'):
    """
    The user muted one user (`target_user`) or several (`target_users`).
    """

    user: User
    created_at: datetime
    received_at: datetime | None = None
    target_user: User | None = None
    target_users: list[User] | None = None


class UserPresenceChangedEvent(EventStruct, kw_only=True, tag_field='type', tag='user.presence.changed'):
    """
    A user came online or went offline.
    """

    user: User
    created_at: datetime
    received_at: datetime | None = None


class UserReactivatedEvent(EventStruct, kw_only=True, tag_field='type', tag='user.reactivated'):
    """
    A deactivated user was reactivated.
    """

    user: User
    created_at: datetime
    created_by: User | None = None
    received_at: datetime | None = None


class UserUnbannedEvent(EventStruct, kw_only=True, tag_field='type', tag='user.unbanned'):
    """
    A user's ban was lifted.
    """

    user: User
    created_at: datetime
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    created_by: User | None = None
    received_at: datetime | None = None
    shadow: bool | None = None
    team: str | None = None


class UserUpdatedEvent(EventStruct, kw_only=True, tag_field='type', tag='user.updated'):
    """
    A user's record changed; `user` is the whole new record.
    """

    user: User
    created_at: datetime
    received_at: datetime | None = None


class UserWatchingStartEvent(EventStruct, kw_only=True, tag_field='type', tag='user.watching.start'):
    """
    A user started watching a channel.
    """

    user: User
    created_at: datetime
    channel_id: str | None = None
    channel_type: str | None = None
    cid: str | None = None
    received_at: datetime | None = None
    watcher_count: int | None = None


class UserWatchingStopEvent(EventStruct, kw_only=True, tag_field='type', tag='user.watching.stop'):
    """
    A user stopped watching a channel.
    """

    user: User
    created_at: datetime
    channel_id: str | None = None
    channel_type: str | None = None
    cid: str | None = None
    received_at: datetime | None = None
    watcher_count: int | None = None


class UserGroupCreatedEvent(EventStruct, kw_only=True, tag_field='type', tag='user_group.created'):
    """
    A user group was created.
    """

    created_at: datetime
    received_at: datetime | None = None
    user: User | None = None
    user_group: UserGroup | None = None


class UserGroupDeletedEvent(EventStruct, kw_only=True, tag_field='type', tag='user_group.deleted'):
    """
    A user group was deleted.
    """

    created_at: datetime
    received_at: datetime | None = None
    user: User | None = None
    user_group: UserGroup | None = None


class UserGroupMemberAddedEvent(EventStruct, kw_only=True, tag_field='type', tag='user_group.member_added'):
    """
    Users were added to a user group (`members` lists their ids).
    """

    created_at: datetime
    members: list[str] | None = None
    received_at: datetime | None = None
    user: User | None = None
    user_group: UserGroup | None = None


class UserGroupMemberRemovedEvent(EventStruct, kw_only=True, tag_field='type', tag='user_group.member_removed'):
    """
    Users were removed from a user group (`members` lists their ids).
    """

    created_at: datetime
    members: list[str] | None = None
    received_at: datetime | None = None
    user: User | None = None
    user_group: UserGroup | None = None


class UserGroupUpdatedEvent(EventStruct, kw_only=True, tag_field='type', tag='user_group.updated'):
    """
    A user group's data changed.
    """

    created_at: datetime
    received_at: datetime | None = None
    user: User | None = None
    user_group: UserGroup | None = None


class ChannelConfig(CustomFieldsStruct, kw_only=True):
    """
    The settings of a channel's type, as a channel carries them, with its slash commands.
    """

    allowed_flag_reasons: list[str] | None = None
    automod: str | None = None
    automod_behavior: str | None = None
    automod_thresholds: dict[str, Any] | None = None
    blocklist: str | None = None
    blocklist_behavior: str | None = None
    blocklists: list[dict[str, Any]] | None = None
    chat_preferences: dict[str, Any] | None = None
    commands: list[Command] | None = None
    connect_events: bool | None = None
    count_messages: bool | None = None
    created_at: datetime | None = None
    custom_events: bool | None = None
    delivery_events: bool | None = None
    grants: dict[str, list[str]] | None = None
    mark_messages_pending: bool | None = None
    max_message_length: int | None = None
    message_retention: str | None = None
    mutes: bool | None = None
    name: str | None = None
    partition_size: int | None = None
    partition_ttl: str | None = None
    polls: bool | None = None
    push_level: str | None = None
    push_notifications: bool | None = None
    quotes: bool | None = None
    reactions: bool | None = None
    read_events: bool | None = None
    reminders: bool | None = None
    replies: bool | None = None
    search: bool | None = None
    shared_locations: bool | None = None
    skip_last_msg_update_for_system_msgs: bool | None = None
    typing_events: bool | None = None
    updated_at: datetime | None = None
    uploads: bool | None = None
    url_enrichment: bool | None = None
    user_message_reminders: bool | None = None


class Poll(CustomFieldsStruct, kw_only=True):
    """
    A poll attached to a message, with its options and votes.
    """

    id: str
    allow_answers: bool | None = None
    allow_user_suggested_options: bool | None = None
    answers_count: int | None = None
    created_at: datetime | None = None
    created_by: User | None = None
    created_by_id: str | None = None
    description: str | None = None
    enforce_unique_vote: bool | None = None
    is_closed: bool | None = None
    latest_answers: list[PollVote] | None = None
    latest_votes_by_option: dict[str, list[PollVote]] | None = None
    max_votes_allowed: int | None = None
    name: str | None = None
    options: list[PollOption] | None = None
    own_votes: list[PollVote] | None = None
    updated_at: datetime | None = None
    vote_count: int | None = None
    vote_counts_by_option: dict[str, int] | None = None
    voting_visibility: str | None = None


class QueryChannelsRequest(WireStruct, kw_only=True):
    """
    `POST /channels`
    """

    filter_conditions: dict[str, Any] | None = None
    sort: list[SortParam] | None = None
    limit: int | None = None
    offset: int | None = None
    state: bool | None = None
    watch: bool | None = None
    presence: bool | None = None


class PollClosedEvent(EventStruct, kw_only=True, tag_field='type', tag='poll.closed'):
    """
    A poll stopped taking votes.
    """

    poll: Poll
    created_at: datetime
    activity_id: str | None = None
    cid: str | None = None
    message_id: str | None = None
    received_at: datetime | None = None


class PollDeletedEvent(EventStruct, kw_only=True, tag_field='type', tag='poll.deleted'):
    """
    A poll was deleted.
    """

    poll: Poll
    created_at: datetime
    activity_id: str | None = None
    cid: str | None = None
    message_id: str | None = None
    received_at: datetime | None = None


class PollUpdatedEvent(EventStruct, kw_only=True, tag_field='type', tag='poll.updated'):
    """
    A poll's settings or options changed.
    """

    poll: Poll
    created_at: datetime
    activity_id: str | None = None
    cid: str | None = None
    message_id: str | None = None
    received_at: datetime | None = None


class PollVoteCastedEvent(EventStruct, kw_only=True, tag_field='type', tag='poll.vote_casted'):
    """
    A vote was cast on a poll.
    """

    poll: Poll
    poll_vote: PollVote
    created_at: datetime
    activity_id: str | None = None
    cid: str | None = None
    message_id: str | None = None
    received_at: datetime | None = None


class PollVoteChangedEvent(EventStruct, kw_only=True, tag_field='type', tag='poll.vote_changed'):
    """
    A vote on a poll was changed.
    """

    poll: Poll
    poll_vote: PollVote
    created_at: datetime
    activity_id: str | None = None
    cid: str | None = None
    message_id: str | None = None
    received_at: datetime | None = None


class PollVoteRemovedEvent(EventStruct, kw_only=True, tag_field='type', tag='poll.vote_removed'):
    """
    A vote on a poll was withdrawn.
    """

    poll: Poll
    poll_vote: PollVote
    created_at: datetime
    activity_id: str | None = None
    cid: str | None = None
    message_id: str | None = None
    received_at: datetime | None = None


class ChannelResponse(CustomFieldsStruct, kw_only=True):
    """
    A channel as the wire carries it; custom fields (`name`, `image`, ...) sit flat beside these. The live channel a client watches is `streamchat_core.Channel`.
    """

    id: str
    type: str
    cid: str
    auto_translation_enabled: bool | None = None
    auto_translation_language: str | None = None
    blocked: bool | None = None
    config: ChannelConfig | None = None
    cooldown: int | None = None
    created_at: datetime | None = None
    created_by: User | None = None
    deleted_at: datetime | None = None
    disabled: bool | None = None
    filter_tags: list[str] | None = None
    frozen: bool | None = None
    hidden: bool | None = None
    hide_messages_before: datetime | None = None
    last_message_at: datetime | None = None
    member_count: int | None = None
    members: list[ChannelMember] | None = None
    message_count: int | None = None
    mute_expires_at: datetime | None = None
    muted: bool | None = None
    own_capabilities: list[str] | None = None
    team: str | None = None
    truncated_at: datetime | None = None
    truncated_by: User | None = None
    updated_at: datetime | None = None


class Ban(WireStruct, kw_only=True):
    """
    One ban, as `GET /query_banned_users` lists it.
    """

    user: User | None = None
    banned_by: User | None = None
    channel: ChannelResponse | None = None
    created_at: datetime | None = None
    expires: datetime | None = None
    reason: str | None = None
    shadow: bool | None = None


class QueryBannedUsersResponse(WireStruct, kw_only=True):
    bans: list[Ban]
    duration: str | None = None


class ChannelCreatedEvent(EventStruct, kw_only=True, tag_field='type', tag='channel.created'):
    """
    A channel was created.
    """

    channel: ChannelResponse
    created_at: datetime
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    received_at: datetime | None = None
    team: str | None = None
    user: User | None = None


class ChannelDeletedEvent(EventStruct, kw_only=True, tag_field='type', tag='channel.deleted'):
    """
    A channel was deleted.
    """

    channel: ChannelResponse
    created_at: datetime
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    received_at: datetime | None = None
    team: str | None = None
    user: User | None = None


class ChannelHiddenEvent(EventStruct, kw_only=True, tag_field='type', tag='channel.hidden'):
    """
    The user hid a channel from their list; `clear_history` says whether its history was cleared for them.
    """

    channel: ChannelResponse
    created_at: datetime
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    clear_history: bool | None = None
    received_at: datetime | None = None
    team: str | None = None
    user: User | None = None


class ChannelVisibleEvent(EventStruct, kw_only=True, tag_field='type', tag='channel.visible'):
    """
    A hidden channel is shown again.
    """

    channel: ChannelResponse
    created_at: datetime
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    received_at: datetime | None = None
    team: str | None = None
    user: User | None = None


class MemberAddedEvent(EventStruct, kw_only=True, tag_field='type', tag='member.added'):
    """
    A member joined a channel.
    """

    member: ChannelMember
    created_at: datetime
    channel: ChannelResponse | None = None
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    received_at: datetime | None = None
    team: str | None = None
    user: User | None = None


class MemberRemovedEvent(EventStruct, kw_only=True, tag_field='type', tag='member.removed'):
    """
    A member left or was removed from a channel.
    """

    member: ChannelMember
    created_at: datetime
    channel: ChannelResponse | None = None
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    received_at: datetime | None = None
    team: str | None = None
    user: User | None = None


class MemberUpdatedEvent(EventStruct, kw_only=True, tag_field='type', tag='member.updated'):
    """
    A channel member's record changed (role, ban, invite, pin, archive...).
    """

    member: ChannelMember
    created_at: datetime
    channel: ChannelResponse | None = None
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    received_at: datetime | None = None
    team: str | None = None
    user: User | None = None


class MessageDeliveredEvent(EventStruct, kw_only=True, tag_field='type', tag='message.delivered'):
    """
    A user's client received messages of a channel (delivery receipt).
    """

    created_at: datetime
    channel: ChannelResponse | None = None
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    last_delivered_at: str | None = None
    last_delivered_message_id: str | None = None
    received_at: datetime | None = None
    team: str | None = None
    user: User | None = None


class NotificationAddedToChannelEvent(EventStruct, kw_only=True, tag_field='type', tag='notification.added_to_channel'):
    """
    The user was added to a channel as a member.
    """

    channel: ChannelResponse
    member: ChannelMember
    created_at: datetime
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    received_at: datetime | None = None
    team: str | None = None


class NotificationChannelDeletedEvent(EventStruct, kw_only=True, tag_field='type', tag='notification.channel_deleted'):
    """
    A channel the user belongs to was deleted.
    """

    channel: ChannelResponse
    created_at: datetime
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    grouped_unread_channels: dict[str, int] | None = None
    received_at: datetime | None = None
    team: str | None = None
    total_unread_count: int | None = None
    unread_channels: int | None = None
    unread_count: int | None = None


class NotificationInviteAcceptedEvent(EventStruct, kw_only=True, tag_field='type', tag='notification.invite_accepted'):
    """
    The user accepted an invitation to a channel.
    """

    channel: ChannelResponse
    member: ChannelMember
    created_at: datetime
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    received_at: datetime | None = None
    team: str | None = None
    user: User | None = None


class NotificationInviteRejectedEvent(EventStruct, kw_only=True, tag_field='type', tag='notification.invite_rejected'):
    """
    The user declined an invitation to a channel.
    """

    channel: ChannelResponse
    member: ChannelMember
    created_at: datetime
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    received_at: datetime | None = None
    team: str | None = None
    user: User | None = None


class NotificationInvitedEvent(EventStruct, kw_only=True, tag_field='type', tag='notification.invited'):
    """
    The user was invited to a channel.
    """

    channel: ChannelResponse
    member: ChannelMember
    created_at: datetime
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    received_at: datetime | None = None
    team: str | None = None
    user: User | None = None


class NotificationMarkUnreadEvent(EventStruct, kw_only=True, tag_field='type', tag='notification.mark_unread'):
    """
    The user marked a channel or thread unread from a message on, with the new unread counters.
    """

    created_at: datetime
    channel: ChannelResponse | None = None
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    first_unread_message_id: str | None = None
    grouped_unread_channels: dict[str, int] | None = None
    last_read_at: datetime | None = None
    last_read_message_id: str | None = None
    received_at: datetime | None = None
    team: str | None = None
    thread_id: str | None = None
    total_unread_count: int | None = None
    unread_channels: int | None = None
    unread_count: int | None = None
    unread_messages: int | None = None
    unread_thread_messages: int | None = None
    unread_threads: int | None = None
    user: User | None = None


class NotificationRemovedFromChannelEvent(EventStruct, kw_only=True, tag_field='type', tag='notification.removed_from_channel'):
    """
    The user was removed from a channel's members.
    """

    channel: ChannelResponse
    member: ChannelMember
    created_at: datetime
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    received_at: datetime | None = None
    team: str | None = None
    user: User | None = None


class ChannelMute(WireStruct, kw_only=True):
    """
    A channel muted by a user.
    """

    channel: ChannelResponse | None = None
    created_at: datetime | None = None
    expires: datetime | None = None
    updated_at: datetime | None = None
    user: User | None = None


class OwnUser(User, kw_only=True):
    """
    The connected user (`me`), with devices, mutes, unread counters and push preferences.
    """

    channel_mutes: list[ChannelMute] | None = None
    devices: list[Device] | None = None
    latest_hidden_channels: list[str] | None = None
    mutes: list[UserMute] | None = None
    push_preferences: dict[str, Any] | None = None
    total_unread_count: int | None = None
    total_unread_count_by_team: dict[str, int] | None = None
    unread_channels: int | None = None
    unread_count: int | None = None
    unread_threads: int | None = None


class MuteUserResponse(WireStruct, kw_only=True):
    mute: UserMute | None = None
    mutes: list[UserMute] | None = None
    non_existing_users: list[str] | None = None
    own_user: OwnUser | None = None
    duration: str | None = None


class HealthCheckEvent(EventStruct, kw_only=True, tag_field='type', tag='health.check'):
    """
    The server keep-alive; the first one on a connection carries `me` and the `connection_id`.
    """

    connection_id: str
    created_at: datetime
    cid: str | None = None
    me: OwnUser | None = None
    received_at: datetime | None = None


class NotificationChannelMutesUpdatedEvent(EventStruct, kw_only=True, tag_field='type', tag='notification.channel_mutes_updated'):
    """
    The user's muted channels changed; `me` carries the new list.
    """

    me: OwnUser
    created_at: datetime
    received_at: datetime | None = None


class NotificationMutesUpdatedEvent(EventStruct, kw_only=True, tag_field='type', tag='notification.mutes_updated'):
    """
    The user's muted users changed; `me` carries the new list.
    """

    me: OwnUser
    created_at: datetime
    received_at: datetime | None = None


class LongPollConnectResponse(WireStruct, kw_only=True):
    """
    `GET /longpoll?json=...` (no `connection_id`): the connect event.
    """

    event: HealthCheckEvent


class ChannelStateResponse(WireStruct, kw_only=True):
    """
    The body of a channel query and one entry of a channels query. The state a client keeps of a watched channel is `streamchat_core.ChannelState`.
    """

    channel: ChannelResponse
    active_live_locations: list[dict[str, Any]] | None = None
    draft: Draft | None = None
    duration: str | None = None
    hidden: bool | None = None
    hide_messages_before: datetime | None = None
    members: list[ChannelMember] | None = None
    membership: ChannelMember | None = None
    messages: list[Message] | None = None
    pending_messages: list[dict[str, Any]] | None = None
    pinned_messages: list[Message] | None = None
    push_preferences: dict[str, Any] | None = None
    read: list[ReadState] | None = None
    threads: list[dict[str, Any]] | None = None
    watcher_count: int | None = None
    watchers: list[User] | None = None


class Message(CustomFieldsStruct, kw_only=True):
    """
    A message; custom fields sit flat beside these.
    """

    id: str
    attachments: list[Attachment] | None = None
    cid: str | None = None
    command: str | None = None
    created_at: datetime | None = None
    deleted_at: datetime | None = None
    deleted_for_me: bool | None = None
    deleted_reply_count: int | None = None
    draft: Draft | None = None
    html: str | None = None
    i18n: dict[str, str] | None = None
    image_labels: dict[str, list[str]] | None = None
    latest_reactions: list[Reaction] | None = None
    member: dict[str, Any] | None = None
    mentioned_channel: bool | None = None
    mentioned_group_ids: list[str] | None = None
    mentioned_groups: list[dict[str, Any]] | None = None
    mentioned_here: bool | None = None
    mentioned_roles: list[str] | None = None
    mentioned_users: list[User] | None = None
    message_text_updated_at: datetime | None = None
    mml: str | None = None
    moderation: dict[str, Any] | None = None
    own_reactions: list[Reaction] | None = None
    parent_id: str | None = None
    pin_expires: datetime | None = None
    pinned: bool | None = None
    pinned_at: datetime | None = None
    pinned_by: User | None = None
    poll: Poll | None = None
    poll_id: str | None = None
    quoted_message: Message | None = None
    quoted_message_id: str | None = None
    reaction_counts: dict[str, int] | None = None
    reaction_groups: dict[str, ReactionGroup] | None = None
    reaction_scores: dict[str, int] | None = None
    reminder: Reminder | None = None
    reply_count: int | None = None
    restricted_visibility: list[str] | None = None
    shadowed: bool | None = None
    shared_location: dict[str, Any] | None = None
    show_in_channel: bool | None = None
    silent: bool | None = None
    text: str | None = None
    thread_participants: list[User] | None = None
    type: str | None = None
    updated_at: datetime | None = None
    user: User | None = None


class Thread(CustomFieldsStruct, kw_only=True):
    """
    A thread: the replies under one parent message.
    """

    parent_message_id: str
    channel_cid: str
    active_participant_count: int | None = None
    channel: ChannelResponse | None = None
    created_at: datetime | None = None
    created_by: User | None = None
    created_by_user_id: str | None = None
    deleted_at: datetime | None = None
    last_message_at: datetime | None = None
    parent_message: Message | None = None
    participant_count: int | None = None
    reply_count: int | None = None
    thread_participants: list[dict[str, Any]] | None = None
    title: str | None = None
    updated_at: datetime | None = None


class Draft(WireStruct, kw_only=True):
    """
    A message the user is writing, saved by the server.
    """

    channel_cid: str
    channel: ChannelResponse | None = None
    created_at: datetime | None = None
    message: dict[str, Any] | None = None
    parent_id: str | None = None
    parent_message: Message | None = None
    quoted_message: Message | None = None


class Reminder(WireStruct, kw_only=True):
    """
    A reminder a user set on a message.
    """

    message_id: str
    channel: ChannelResponse | None = None
    channel_cid: str | None = None
    created_at: datetime | None = None
    message: Message | None = None
    remind_at: datetime | None = None
    updated_at: datetime | None = None
    user: User | None = None
    user_id: str | None = None


class QueryChannelsResponse(WireStruct, kw_only=True):
    channels: list[ChannelStateResponse]
    duration: str | None = None


class SendMessageResponse(WireStruct, kw_only=True):
    message: Message
    duration: str | None = None


class MarkReadResponse(WireStruct, kw_only=True):
    event: MessageReadEvent | None = None
    duration: str | None = None


class ExportUserResponse(WireStruct, kw_only=True):
    """
    `GET /users/{id}/export`: the user and what they wrote.
    """

    user: User | None = None
    messages: list[Message] | None = None
    reactions: list[Reaction] | None = None
    duration: str | None = None


class ChannelTruncatedEvent(EventStruct, kw_only=True, tag_field='type', tag='channel.truncated'):
    """
    A channel's messages were truncated (all, or those before a point).
    """

    channel: ChannelResponse
    created_at: datetime
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    message: Message | None = None
    message_id: str | None = None
    received_at: datetime | None = None
    team: str | None = None
    user: User | None = None


class ChannelUpdatedEvent(EventStruct, kw_only=True, tag_field='type', tag='channel.updated'):
    """
    A channel's data changed; `message` is the system message about it, when there is one.
    """

    channel: ChannelResponse
    created_at: datetime
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    message: Message | None = None
    message_id: str | None = None
    received_at: datetime | None = None
    team: str | None = None
    user: User | None = None


class DraftDeletedEvent(EventStruct, kw_only=True, tag_field='type', tag='draft.deleted'):
    """
    A draft message of the user was deleted.
    """

    created_at: datetime
    cid: str | None = None
    draft: Draft | None = None
    parent_id: str | None = None
    received_at: datetime | None = None


class DraftUpdatedEvent(EventStruct, kw_only=True, tag_field='type', tag='draft.updated'):
    """
    A draft message of the user was created or changed.
    """

    created_at: datetime
    cid: str | None = None
    draft: Draft | None = None
    parent_id: str | None = None
    received_at: datetime | None = None


class MessageDeletedEvent(EventStruct, kw_only=True, tag_field='type', tag='message.deleted'):
    """
    A message was deleted, softly or for good (`hard_delete`).
    """

    message: Message
    created_at: datetime
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    deleted_for_me: bool | None = None
    hard_delete: bool | None = None
    message_id: str | None = None
    received_at: datetime | None = None
    team: str | None = None
    user: User | None = None


class MessageNewEvent(EventStruct, kw_only=True, tag_field='type', tag='message.new'):
    """
    A new message in a watched channel.
    """

    message: Message
    created_at: datetime
    channel: ChannelResponse | None = None
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_last_message_at: datetime | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    grouped_unread_channels: dict[str, int] | None = None
    message_id: str | None = None
    parent_author: str | None = None
    received_at: datetime | None = None
    team: str | None = None
    thread_participants: list[User] | None = None
    total_unread_count: int | None = None
    unread_channels: int | None = None
    unread_count: int | None = None
    user: User | None = None
    watcher_count: int | None = None


class PendingMessageEvent(EventStruct, kw_only=True, tag_field='type', tag='message.pending'):
    """
    A message is held for a decision (for example moderation) before it is published.
    """

    created_at: datetime
    channel: ChannelResponse | None = None
    message: Message | None = None
    metadata: dict[str, str] | None = None
    method: str | None = None
    received_at: datetime | None = None
    user: User | None = None


class MessageReadEvent(EventStruct, kw_only=True, tag_field='type', tag='message.read'):
    """
    A user read a channel (or a thread of it) up to a message.
    """

    created_at: datetime
    channel: ChannelResponse | None = None
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    last_read_message_id: str | None = None
    received_at: datetime | None = None
    team: str | None = None
    thread: Thread | None = None
    user: User | None = None


class MessageUndeletedEvent(EventStruct, kw_only=True, tag_field='type', tag='message.undeleted'):
    """
    A soft-deleted message was restored.
    """

    message: Message
    created_at: datetime
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    message_id: str | None = None
    received_at: datetime | None = None
    team: str | None = None


class MessageUpdatedEvent(EventStruct, kw_only=True, tag_field='type', tag='message.updated'):
    """
    A message was edited; `message_update` describes what changed.
    """

    message: Message
    created_at: datetime
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    message_id: str | None = None
    message_update: MessageUpdate | None = None
    received_at: datetime | None = None
    team: str | None = None
    user: User | None = None


class NotificationChannelTruncatedEvent(EventStruct, kw_only=True, tag_field='type', tag='notification.channel_truncated'):
    """
    A channel the user belongs to was truncated.
    """

    channel: ChannelResponse
    created_at: datetime
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    grouped_unread_channels: dict[str, int] | None = None
    message: Message | None = None
    message_id: str | None = None
    received_at: datetime | None = None
    team: str | None = None
    total_unread_count: int | None = None
    unread_channels: int | None = None
    unread_count: int | None = None


class NotificationMarkReadEvent(EventStruct, kw_only=True, tag_field='type', tag='notification.mark_read'):
    """
    The user's own read state moved: a channel, a thread or everything was marked read, with the new unread counters.
    """

    created_at: datetime
    channel: ChannelResponse | None = None
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    grouped_unread_channels: dict[str, int] | None = None
    last_read_message_id: str | None = None
    received_at: datetime | None = None
    team: str | None = None
    thread: Thread | None = None
    thread_id: str | None = None
    total_unread_count: int | None = None
    unread_channels: int | None = None
    unread_count: int | None = None
    unread_thread_messages: int | None = None
    unread_threads: int | None = None
    user: User | None = None


class NotificationNewMessageEvent(EventStruct, kw_only=True, tag_field='type', tag='notification.message_new'):
    """
    A new message in a channel the user belongs to but does not watch on this connection.
    """

    channel: ChannelResponse
    message: Message
    created_at: datetime
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    grouped_unread_channels: dict[str, int] | None = None
    message_id: str | None = None
    parent_author: str | None = None
    received_at: datetime | None = None
    team: str | None = None
    thread_participants: list[User] | None = None
    total_unread_count: int | None = None
    unread_channels: int | None = None
    unread_count: int | None = None
    watcher_count: int | None = None


class ReminderNotificationEvent(EventStruct, kw_only=True, tag_field='type', tag='notification.reminder_due'):
    """
    A reminder the user set on a message is due.
    """

    created_at: datetime
    cid: str | None = None
    message_id: str | None = None
    parent_id: str | None = None
    received_at: datetime | None = None
    reminder: Reminder | None = None
    user_id: str | None = None


class NotificationThreadMessageNewEvent(EventStruct, kw_only=True, tag_field='type', tag='notification.thread_message_new'):
    """
    A new reply in a thread the user takes part in.
    """

    channel: ChannelResponse
    message: Message
    created_at: datetime
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    message_id: str | None = None
    parent_author: str | None = None
    received_at: datetime | None = None
    team: str | None = None
    thread_id: str | None = None
    thread_participants: list[User] | None = None
    unread_thread_messages: int | None = None
    unread_threads: int | None = None
    watcher_count: int | None = None


class ReactionDeletedEvent(EventStruct, kw_only=True, tag_field='type', tag='reaction.deleted'):
    """
    A reaction was removed from a message.
    """

    created_at: datetime
    channel: ChannelResponse | None = None
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    message: Message | None = None
    message_id: str | None = None
    reaction: Reaction | None = None
    received_at: datetime | None = None
    team: str | None = None
    thread_participants: list[User] | None = None
    user: User | None = None


class ReactionNewEvent(EventStruct, kw_only=True, tag_field='type', tag='reaction.new'):
    """
    A reaction was added to a message.
    """

    created_at: datetime
    channel: ChannelResponse | None = None
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    message: Message | None = None
    message_id: str | None = None
    reaction: Reaction | None = None
    received_at: datetime | None = None
    team: str | None = None
    thread_participants: list[User] | None = None
    user: User | None = None


class ReactionUpdatedEvent(EventStruct, kw_only=True, tag_field='type', tag='reaction.updated'):
    """
    A reaction on a message was replaced or rescored.
    """

    created_at: datetime
    channel: ChannelResponse | None = None
    channel_custom: dict[str, Any] | None = None
    channel_id: str | None = None
    channel_member_count: int | None = None
    channel_message_count: int | None = None
    channel_type: str | None = None
    cid: str | None = None
    message: Message | None = None
    message_id: str | None = None
    reaction: Reaction | None = None
    received_at: datetime | None = None
    team: str | None = None
    user: User | None = None


class ReminderCreatedEvent(EventStruct, kw_only=True, tag_field='type', tag='reminder.created'):
    """
    The user set a reminder on a message.
    """

    created_at: datetime
    cid: str | None = None
    message_id: str | None = None
    parent_id: str | None = None
    received_at: datetime | None = None
    reminder: Reminder | None = None
    user_id: str | None = None


class ReminderDeletedEvent(EventStruct, kw_only=True, tag_field='type', tag='reminder.deleted'):
    """
    The user removed a reminder.
    """

    created_at: datetime
    cid: str | None = None
    message_id: str | None = None
    parent_id: str | None = None
    received_at: datetime | None = None
    reminder: Reminder | None = None
    user_id: str | None = None


class ReminderUpdatedEvent(EventStruct, kw_only=True, tag_field='type', tag='reminder.updated'):
    """
    The user changed a reminder.
    """

    created_at: datetime
    cid: str | None = None
    message_id: str | None = None
    parent_id: str | None = None
    received_at: datetime | None = None
    reminder: Reminder | None = None
    user_id: str | None = None


class ThreadUpdatedEvent(EventStruct, kw_only=True, tag_field='type', tag='thread.updated'):
    """
    A thread's own data (title, custom fields...) changed.
    """

    created_at: datetime
    channel_id: str | None = None
    channel_type: str | None = None
    cid: str | None = None
    received_at: datetime | None = None
    thread: Thread | None = None


WSEvent: TypeAlias = Annotated[
    AIIndicatorClearEvent | AIIndicatorStopEvent | AIIndicatorUpdateEvent | AppUpdatedEvent | ChannelCreatedEvent | ChannelDeletedEvent | ChannelFrozenEvent | ChannelHiddenEvent | ChannelKickedEvent | MaxStreakChangedEvent | ChannelTruncatedEvent | ChannelUnfrozenEvent | ChannelUpdatedEvent | ChannelVisibleEvent | ConnectionChangedEvent | ConnectionErrorEvent | ConnectionRecoveredEvent | DraftDeletedEvent | DraftUpdatedEvent | HealthCheckEvent | MemberAddedEvent | MemberRemovedEvent | MemberUpdatedEvent | MessageDeletedEvent | MessageDeliveredEvent | MessageNewEvent | PendingMessageEvent | MessageReadEvent | MessageUndeletedEvent | MessageUpdatedEvent | NotificationAddedToChannelEvent | NotificationChannelDeletedEvent | NotificationChannelMutesUpdatedEvent | NotificationChannelTruncatedEvent | NotificationInviteAcceptedEvent | NotificationInviteRejectedEvent | NotificationInvitedEvent | NotificationMarkReadEvent | NotificationMarkUnreadEvent | NotificationNewMessageEvent | NotificationMutesUpdatedEvent | ReminderNotificationEvent | NotificationRemovedFromChannelEvent | NotificationThreadMessageNewEvent | PollClosedEvent | PollDeletedEvent | PollUpdatedEvent | PollVoteCastedEvent | PollVoteChangedEvent | PollVoteRemovedEvent | ReactionDeletedEvent | ReactionNewEvent | ReactionUpdatedEvent | ReminderCreatedEvent | ReminderDeletedEvent | ReminderUpdatedEvent | ThreadUpdatedEvent | TransportChangedEvent | TypingStartEvent | TypingStopEvent | UserBannedEvent | UserDeactivatedEvent | UserDeletedEvent | UserMessagesDeletedEvent | UserMutedEvent | UserPresenceChangedEvent | UserReactivatedEvent | UserUnbannedEvent | UserUpdatedEvent | UserWatchingStartEvent | UserWatchingStopEvent | UserGroupCreatedEvent | UserGroupDeletedEvent | UserGroupMemberAddedEvent | UserGroupMemberRemovedEvent | UserGroupUpdatedEvent,
    Meta(description='Every event the v1 connection delivers, tagged on `type`.'),
]
"""
Every event the v1 connection delivers, tagged on `type`.
"""


__all__ = [
    "AIIndicatorClearEvent",
    "AIIndicatorStopEvent",
    "AIIndicatorUpdateEvent",
    "APIError",
    "App",
    "AppSettings",
    "AppUpdatedEvent",
    "Attachment",
    "Ban",
    "BanRequest",
    "BlockUsersRequest",
    "BlockUsersResponse",
    "BlockedUser",
    "ChannelConfig",
    "ChannelCreatedEvent",
    "ChannelData",
    "ChannelDeletedEvent",
    "ChannelFrozenEvent",
    "ChannelHiddenEvent",
    "ChannelKickedEvent",
    "ChannelMember",
    "ChannelMute",
    "ChannelResponse",
    "ChannelStateResponse",
    "ChannelTruncatedEvent",
    "ChannelUnfrozenEvent",
    "ChannelUpdatedEvent",
    "ChannelVisibleEvent",
    "Command",
    "ConnectPayload",
    "ConnectionChangedEvent",
    "ConnectionErrorEvent",
    "ConnectionRecoveredEvent",
    "CreateDeviceRequest",
    "CreateGuestRequest",
    "CreateGuestResponse",
    "DeactivateUserRequest",
    "DeactivateUsersRequest",
    "DeleteUserResponse",
    "DeleteUsersRequest",
    "DeliveryReceipts",
    "Device",
    "Draft",
    "DraftDeletedEvent",
    "DraftUpdatedEvent",
    "EmptyResponse",
    "ErrorFrame",
    "EventRequest",
    "ExportUserResponse",
    "GetAppResponse",
    "GetBlockedUsersResponse",
    "GetTaskResponse",
    "HealthCheckEvent",
    "HealthCheckPing",
    "ListDevicesResponse",
    "LongPollConnectResponse",
    "LongPollEventsResponse",
    "MarkReadRequest",
    "MarkReadResponse",
    "MaxStreakChangedEvent",
    "MemberAddedEvent",
    "MemberRemovedEvent",
    "MemberUpdatedEvent",
    "Message",
    "MessageDeletedEvent",
    "MessageDeliveredEvent",
    "MessageNewEvent",
    "MessageReadEvent",
    "MessageRequest",
    "MessageUndeletedEvent",
    "MessageUpdate",
    "MessageUpdatedEvent",
    "MuteUserRequest",
    "MuteUserResponse",
    "NotificationAddedToChannelEvent",
    "NotificationChannelDeletedEvent",
    "NotificationChannelMutesUpdatedEvent",
    "NotificationChannelTruncatedEvent",
    "NotificationInviteAcceptedEvent",
    "NotificationInviteRejectedEvent",
    "NotificationInvitedEvent",
    "NotificationMarkReadEvent",
    "NotificationMarkUnreadEvent",
    "NotificationMutesUpdatedEvent",
    "NotificationNewMessageEvent",
    "NotificationRemovedFromChannelEvent",
    "NotificationThreadMessageNewEvent",
    "OwnUser",
    "PartialUpdateUsersRequest",
    "PartialUserUpdate",
    "PendingMessageEvent",
    "Poll",
    "PollClosedEvent",
    "PollDeletedEvent",
    "PollOption",
    "PollUpdatedEvent",
    "PollVote",
    "PollVoteCastedEvent",
    "PollVoteChangedEvent",
    "PollVoteRemovedEvent",
    "PrivacySettings",
    "QueryBannedUsersPayload",
    "QueryBannedUsersResponse",
    "QueryChannelRequest",
    "QueryChannelsRequest",
    "QueryChannelsResponse",
    "QueryUsersPayload",
    "QueryUsersResponse",
    "Reaction",
    "ReactionDeletedEvent",
    "ReactionGroup",
    "ReactionNewEvent",
    "ReactionUpdatedEvent",
    "ReactivateUserRequest",
    "ReactivateUsersRequest",
    "ReadReceipts",
    "ReadState",
    "Reminder",
    "ReminderCreatedEvent",
    "ReminderDeletedEvent",
    "ReminderNotificationEvent",
    "ReminderUpdatedEvent",
    "RestoreUsersRequest",
    "SendEventRequest",
    "SendEventResponse",
    "SendMessageRequest",
    "SendMessageResponse",
    "SendUserCustomEventRequest",
    "SingleUserResponse",
    "SortParam",
    "TaskStartedResponse",
    "Thread",
    "ThreadUpdatedEvent",
    "TransportChangedEvent",
    "TypingIndicators",
    "TypingStartEvent",
    "TypingStopEvent",
    "UnmuteUserRequest",
    "UpdateAppRequest",
    "UpsertUsersRequest",
    "User",
    "UserBannedEvent",
    "UserDeactivatedEvent",
    "UserDeletedEvent",
    "UserGroup",
    "UserGroupCreatedEvent",
    "UserGroupDeletedEvent",
    "UserGroupMemberAddedEvent",
    "UserGroupMemberRemovedEvent",
    "UserGroupUpdatedEvent",
    "UserMessagesDeletedEvent",
    "UserMute",
    "UserMutedEvent",
    "UserPresenceChangedEvent",
    "UserReactivatedEvent",
    "UserUnbannedEvent",
    "UserUpdatedEvent",
    "UserWatchingStartEvent",
    "UserWatchingStopEvent",
    "UsersResponse",
    "WSEvent",
]
