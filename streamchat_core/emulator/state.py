"""Everything the emulator knows, and the one place that changes it.

All state lives in one :class:`EmulatorState`, touched only from the emulator's event loop, so
a change and the events it causes happen together with nothing interleaved. Users, open
connections and channels are kept in memory; an event is encoded once and appended to the
outbox of every connection it goes to.

Presence: a user is online while it has at least one connection, WebSocket or long-poll. Its
first connection and its last disconnection send ``user.presence.changed`` to the connections
watching a channel the user belongs to.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Iterable, Mapping
from typing import Any

import streamchat_wire as wire
from streamchat_core import codec
from streamchat_core.emulator import events, message_views, user_views
from streamchat_core.emulator.channels import Channel, ChannelStore, Message
from streamchat_core.emulator.clock import now_ns, rfc3339_micro, rfc3339_nano
from streamchat_core.emulator.config import EmulatorConfig
from streamchat_core.emulator.connections import (
    Connection,
    ConnectionRegistry,
    Kind,
    Outbox,
    new_connection_id,
)
from streamchat_core.emulator.users import UserStore, effective_privacy

__all__ = ["CLOSE_DEAD", "CLOSE_DROPPED", "CLOSE_SHUTDOWN", "CLOSE_SLOW_CONSUMER", "EmulatorState"]

log = logging.getLogger("streamchat.emulator")

#: WebSocket close codes the emulator uses when it ends a connection itself. None is 1000:
#: after the handshake a client treats 1000 as "closed on purpose" and does not reconnect.
CLOSE_DROPPED = 1012  # "service restart": the drop_connections control
CLOSE_SHUTDOWN = 1001  # "going away": the emulator stops
CLOSE_SLOW_CONSUMER = 1008  # too many undelivered events
CLOSE_DEAD = 1001  # nothing received within the dead-connection window

#: How far ahead of a slow reader a burst may run (frames waiting in one outbox).
_BURST_WINDOW = 512


class EmulatorState:
    """Users, connections and channels of one emulator, and the operations on them."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        #: When this emulator started: the creation time of its app and channel types.
        self.created_at = rfc3339_micro(now_ns())
        self.users = UserStore()
        self.connections = ConnectionRegistry()
        self.channels = ChannelStore()
        #: Runtime switches the control endpoints flip.
        self.websocket_enabled = config.websocket
        self.answer_pings = True
        #: Fault injection: how many of the next channel queries fail, and how ("reset", "error").
        self.failing_channel_queries = 0
        self.channel_query_failure = "reset"
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = False

    # ------------------------------------------------------------------ lifecycle

    @property
    def stopping(self) -> bool:
        return self._stopping

    def start_soon(self, fn: Callable[[], Coroutine[Any, Any, None]], name: str) -> None:
        """Run background work (a burst, the long-poll reaper) until it ends or the emulator stops.

        Must be called on the emulator's loop. A failure is logged, never raised into anyone.
        """
        if self._stopping:
            raise RuntimeError("the emulator is stopping")
        task = asyncio.get_running_loop().create_task(fn(), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())

    def shut_down(self) -> None:
        """End every connection, wake every held long-poll, cancel background work."""
        self._stopping = True
        for connection in self.connections:
            self.end_connection(connection, CLOSE_SHUTDOWN, "the emulator is shutting down")
        for task in list(self._tasks):
            task.cancel()

    async def wait_background_done(self) -> None:
        while self._tasks:
            await asyncio.wait(list(self._tasks))

    # ------------------------------------------------------------------ connections

    def open_connection(self, user: wire.User, kind: Kind) -> tuple[Connection, dict[str, Any]]:
        """Upsert a connecting user and register its connection.

        Returns the connection and its first event: a ``health.check`` with ``me``.
        """
        now = now_ns()
        record = self.users.upsert_on_connect(user, now)
        connection = Connection(
            id=new_connection_id(), user_id=user.id, kind=kind, outbox=Outbox(self.config.max_queued_events)
        )
        if self.connections.add(connection):
            record = self.users.set_presence(user.id, True, now) or record
            self._announce_presence(record)
        log.debug("connection %s opened (%s) for user %r", connection.id, kind, user.id)
        return connection, events.health_check(connection.id, self.own_user(record))

    def end_connection(self, connection: Connection, code: int = 1000, reason: str = "") -> None:
        """Forget a connection and tell its transport to close it. Safe to call twice."""
        connection.request_close(code, reason)
        was_known = self.connections.get(connection.id) is connection
        last = self.connections.remove(connection)
        if not was_known:
            return
        for channel in self.channels.unwatch_connection(connection.id):
            if connection.user_id not in channel.watchers.values():
                self.announce_watching(channel, connection.user_id, start=False)
        if last:
            record = self.users.set_presence(connection.user_id, False, now_ns())
            if record is not None:
                self._announce_presence(record)
        log.debug("connection %s closed (%s): %s", connection.id, code, reason or "by the client")

    def own_user(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """The ``me`` object: the user with privacy settings, lists and unread counters."""
        unread = self.channels.unread_counts(record["id"])
        return user_views.own_user_view(
            record,
            privacy_settings=effective_privacy(record),
            unread_messages=unread.messages,
            unread_channels=unread.channels,
        )

    # ------------------------------------------------------------------ delivery

    def encode(self, event: Mapping[str, Any]) -> bytes:
        return codec.encode(event)

    def deliver(self, connections: Iterable[Connection], event: Mapping[str, Any]) -> None:
        """Queue one event for each of ``connections`` (encoded once)."""
        frame: bytes | None = None
        for connection in connections:
            if frame is None:
                frame = self.encode(event)
            self.deliver_frame(connection, frame)

    def deliver_frame(self, connection: Connection, frame: bytes) -> None:
        if connection.closing:
            return
        if not connection.outbox.put(frame):
            log.warning(
                "connection %s has %d undelivered events; closing it", connection.id, len(connection.outbox)
            )
            self.end_connection(connection, CLOSE_SLOW_CONSUMER, "too many undelivered events")

    def public_user(self, user_id: str) -> dict[str, Any]:
        """A user as others see it (:func:`.user_views.user_view`), or a bare ``{"id"}`` if unknown
        (never the case: every user an operation names is checked to exist first)."""
        record = self.users.get(user_id)
        return user_views.user_view(record) if record is not None else {"id": user_id}

    def user_changed(self, record: Mapping[str, Any]) -> None:
        """Send ``user.updated`` to the user's own connections and to those watching with it."""
        user_id = record["id"]
        event = events.user_updated(user_views.user_view(record, private=True))
        targets = {c.id: c for c in self.connections.of_user(user_id)}
        for connection in self._presence_audience(user_id):
            targets.setdefault(connection.id, connection)
        self.deliver(targets.values(), event)

    def _presence_audience(self, user_id: str) -> list[Connection]:
        """Connections, not the user's own, watching a channel the user belongs to."""
        seen: dict[str, Connection] = {}
        for channel in self.channels.of_member(user_id):
            for connection_id in channel.watchers:
                connection = self.connections.get(connection_id)
                if connection is not None and connection.user_id != user_id:
                    seen.setdefault(connection.id, connection)
        return list(seen.values())

    def _announce_presence(self, record: Mapping[str, Any]) -> None:
        audience = self._presence_audience(record["id"])
        if audience:
            self.deliver(audience, events.user_presence_changed(user_views.user_view(record)))

    def announce_watching(self, channel: Channel, user_id: str, *, start: bool) -> None:
        """``user.watching.start`` or ``.stop`` to the channel's other watchers."""
        audience = [
            c
            for c in (self.connections.get(cid) for cid in channel.watchers)
            if c is not None and c.user_id != user_id
        ]
        if not audience:
            return
        event = events.user_watching(
            channel.type,
            channel.id,
            start=start,
            user=self.public_user(user_id),
            watcher_count=channel.watcher_count(),
        )
        self.deliver(audience, event)

    # ------------------------------------------------------------------ controls

    def drop_connections(self) -> int:
        """End every connection as a network failure would (WebSocket close 1012); the count."""
        dropped = list(self.connections)
        # All at once, as a failing network: the watching and presence events that each end
        # causes are not queued on the connections that are going down with it.
        for connection in dropped:
            connection.request_close(CLOSE_DROPPED, "dropped by the emulator")
        for connection in dropped:
            self.end_connection(connection, CLOSE_DROPPED, "dropped by the emulator")
        return len(dropped)

    def fail_channel_queries(self, count: int, mode: str = "reset") -> None:
        """Make the next ``count`` channel queries fail: ``"reset"`` drops the HTTP connection
        without an answer, ``"error"`` answers HTTP 500 (Stream's body, code -1)."""
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"count must be a non-negative integer, not {count!r}")
        if mode not in ("reset", "error"):
            raise ValueError(f"mode must be 'reset' or 'error', not {mode!r}")
        self.failing_channel_queries = count
        self.channel_query_failure = mode

    def take_channel_query_failure(self) -> str | None:
        """How the channel query being served must fail (``None``: it must not)."""
        if self.failing_channel_queries <= 0:
            return None
        self.failing_channel_queries -= 1
        return self.channel_query_failure

    def describe_connections(self, user_id: str | None = None) -> list[dict[str, Any]]:
        """Open connections, oldest first: id, user, kind, and for long-poll whether a poll is held."""
        listed = self.connections.of_user(user_id) if user_id else list(self.connections)
        return [
            {
                "connection_id": c.id,
                "user_id": c.user_id,
                "kind": c.kind,
                "poll_held": c.kind == "longpoll" and c.last_poll_end is None,
                "queued_events": len(c.outbox),
            }
            for c in listed
        ]

    def push_event(self, target: str, event: Mapping[str, Any]) -> int:
        """Queue ``event`` for a connection id, or for every connection of a user id.

        Returns how many connections it was queued for (0 when the target is unknown).
        """
        if not isinstance(event, Mapping) or not isinstance(event.get("type"), str):
            raise ValueError("an event must be a mapping with a string 'type'")
        frame = {"type": event["type"], **{k: v for k, v in event.items() if k != "type"}}
        connection = self.connections.get(target)
        targets = [connection] if connection is not None else self.connections.of_user(target)
        self.deliver(targets, frame)
        return len(targets)

    def burst(self, connection_id: str, count: int) -> None:
        """Send ``count`` ``message.new`` events to one connection as fast as it takes them.

        Each event is on channel ``messaging:emulator-burst`` and carries ``burst_seq``
        (0 to count-1) and ``burst_total``; its message text is ``burst <seq>``.
        """
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError(f"count must be a non-negative integer, not {count!r}")
        connection = self.connections.get(connection_id)
        if connection is None:
            raise KeyError(f"no open connection {connection_id!r}")
        self.start_soon(lambda: self._run_burst(connection, count), name=f"burst-{connection_id}")

    async def _run_burst(self, connection: Connection, count: int) -> None:
        # The channel and its one author exist only in these events: nobody else watches it.
        started = now_ns()
        ts = rfc3339_micro(started)
        sender = user_views.user_view(
            {"id": "emulator-burst", "name": "Burst", "role": "user", "created_at": ts, "updated_at": ts}
        )
        template = message_views.message_shape(
            Message(
                id="",
                cid="messaging:emulator-burst",
                user_id=sender["id"],
                text="",
                created_at=ts,
                updated_at=ts,
            ),
            sender,
        )
        base = events.message_new(
            "messaging",
            "emulator-burst",
            message=template,
            watcher_count=1,
            channel_last_message_at=ts,
            created_at=rfc3339_nano(started),
        )
        seq = 0
        while seq < count and not connection.closing:
            await connection.outbox.wait_below(_BURST_WINDOW)
            room = min(count - seq, _BURST_WINDOW - len(connection.outbox))
            for _ in range(room):
                message_id = f"burst-{connection.id}-{seq}"
                text = f"burst {seq}"
                message = {
                    **template,
                    "id": message_id,
                    "text": text,
                    "html": message_views.render_html(text),
                }
                frame = {
                    **base,
                    "message": message,
                    "message_id": message_id,
                    "burst_seq": seq,
                    "burst_total": count,
                }
                self.deliver_frame(connection, self.encode(frame))
                seq += 1
