"""A client's channels: one object per channel, kept current from events, re-watched after reconnects.

The registry sees every event first, synchronously, on the task that dispatches it (see
:meth:`ChannelRegistry.observe`, the client's event hub observer), and applies it to the state of its channel before any
event stream or handler gets it. It also runs the channels' background work in the client's
task group:

- each channel's automatic ``typing.stop`` timer (:meth:`Channel.keystroke`);
- one sweeper that forgets other users' typing after ``expire_after`` seconds without a
  ``typing.stop``, and dispatches a local ``typing.stop`` for each, as Stream's clients do.

When the connection goes (``connection.changed`` with ``online`` false), that work is cancelled
at once, the own typing state is reset, and every typing entry is forgotten with a local
``typing.stop``: while offline this client would miss the ``typing.stop`` anyway. So no task of
the registry outlives ``disconnect_user()`` or ``async with client``. When the user is gone for
good (``disconnect_user()``, or a session that failed), the client says so
(:meth:`ChannelRegistry.user_gone`) and the channels are forgotten.

The registry depends on the client only through :class:`~streamchat_core.channel_host.ChannelHost`.

After a reconnect, the watched channels are watched again on the new connection (a
resubscribe hook), several at a time. A re-watch that fails (a reset connection, a timeout, a
5xx, or any other error) is retried with the client's backoff policy until it succeeds, the
connection is lost (the next one re-watches), the application stops watching the channel, or
the user disconnects: a channel is never silently left unwatched. Each failed attempt counts
in ``client.stats.rewatch_retries``. ``connection.recovered`` waits for the re-watches, for at
most ``connect_timeout`` seconds (see :mod:`streamchat_core.session`); a channel still failing
past that is named in a WARNING.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

import anyio

import streamchat_wire as wire
from streamchat_core.channel import Channel, check_channel_address
from streamchat_core.channel_host import ChannelHost
from streamchat_core.codec import Event
from streamchat_core.errors import StreamAPIError
from streamchat_core.typing_state import TypingTimings

__all__ = ["ChannelRegistry"]

logger = logging.getLogger("streamchat.channel")

#: How many channels are re-watched at once after a reconnect.
REWATCH_CONCURRENCY = 8


#: The events that change a channel's state; each has a ``cid``.
_CHANNEL_EVENTS: frozenset[type] = frozenset(
    {
        wire.MessageNewEvent,
        wire.MessageReadEvent,
        wire.NotificationMarkReadEvent,
        wire.TypingStartEvent,
        wire.TypingStopEvent,
        wire.UserWatchingStartEvent,
        wire.UserWatchingStopEvent,
    }
)


class ChannelRegistry:
    """The channels of one client, by cid. Made by the client; reach it through ``client.channel()``."""

    def __init__(self, host: ChannelHost) -> None:
        self._host = host
        self._channels: dict[str, Channel] = {}
        self._scopes: set[anyio.CancelScope] = set()
        self._sweeper: anyio.CancelScope | None = None
        self._sweeper_wake: anyio.Event | None = None
        self._remove_hook: Callable[[], None] | None = None

    @property
    def host(self) -> ChannelHost:
        return self._host

    def __len__(self) -> int:
        return len(self._channels)

    # ------------------------------------------------------------------ channels

    def channel(
        self,
        channel_type: str,
        channel_id: str | None = None,
        *,
        members: Sequence[str] | None = None,
        custom_fields: Mapping[str, Any] | None = None,
        typing_timings: TypingTimings | None = None,
    ) -> Channel:
        """The channel object for ``channel_type:channel_id``: the same one each time while connected.

        Given again with ``members``, custom fields or timings, the existing object takes them
        (members and custom fields are sent with its next query, and only matter when that
        query creates the channel).
        """
        check_channel_address(channel_type, channel_id)
        if channel_id is not None:
            existing = self._channels.get(f"{channel_type}:{channel_id}")
            if existing is not None:
                existing.update_creation_data(members, custom_fields, typing_timings)
                return existing
        channel = Channel(
            self,
            channel_type,
            channel_id,
            members=members,
            custom_fields=custom_fields,
            typing_timings=typing_timings,
        )
        if channel.cid is not None:
            self._channels[channel.cid] = channel
        return channel

    def register(self, channel: Channel) -> None:
        """Route the events of ``channel``'s cid to it (after a query: it may just have got its id)."""
        cid = channel.cid
        if cid is not None and self._channels.get(cid) is not channel:
            self._channels[cid] = channel

    def watching(self, channel: Channel) -> None:
        """``channel`` is watched: make sure it is watched again after a reconnect."""
        self.register(channel)
        if self._remove_hook is None:
            self._remove_hook = self._host.add_resubscribe_hook(self._rewatch)

    async def _rewatch(self, connection_id: str) -> None:
        """Watch every watched channel again on a new connection; returns once all are.

        The session cancels this when the connection is lost or the user disconnects.
        """
        channels = [c for c in self._channels.values() if c.watching]
        if len(channels) == 1:
            await self._rewatch_one(channels[0], connection_id)
            return
        limiter = anyio.CapacityLimiter(REWATCH_CONCURRENCY)

        async def one(channel: Channel) -> None:
            async with limiter:
                await self._rewatch_one(channel, connection_id)

        async with anyio.create_task_group() as tg:
            for channel in channels:
                tg.start_soon(one, channel)

    async def _rewatch_one(self, channel: Channel, connection_id: str) -> None:
        """Re-watch one channel, retrying with the backoff policy until it works or is not wanted."""
        host = self._host
        policy = host.backoff
        counters = host.counters
        bound = host.connect_timeout  # connection.recovered waits this long for the re-watches
        started = anyio.current_time()
        failures = 0
        overdue = False
        while channel.watching:
            try:
                await channel.rewatch(connection_id)
            except Exception as exc:
                failures += 1
                counters.rewatch_retries += 1
                delay = policy.delay(failures)
                # A 4xx (bar 429) is likely to fail again; it is retried all the same: the
                # connection may have been refused for being lost already, or access come back.
                status = exc.status_code if isinstance(exc, StreamAPIError) else None
                refused = status is not None and 400 <= status < 500 and status != 429
                (logger.warning if refused and failures == 1 else logger.info)(
                    "could not watch %s again on connection %s (%s); retry %d in %.2f s",
                    channel.cid,
                    connection_id,
                    exc,
                    failures,
                    delay,
                )
                if not overdue and anyio.current_time() - started >= bound:
                    overdue = True
                    logger.warning(
                        "%s is still not watched again on connection %s after %g s; retrying "
                        "(connection.recovered no longer waits for it)",
                        channel.cid,
                        connection_id,
                        bound,
                    )
                await anyio.sleep(delay)
                continue
            if failures:
                logger.info(
                    "watching %s again on connection %s after %d retries",
                    channel.cid,
                    connection_id,
                    failures,
                )
            return

    # ------------------------------------------------------------------ events

    def observe(self, event: Event) -> Sequence[Event]:
        """Apply an event to channel state; return the local events that follow from it.

        The client's event hub calls this for every event before any stream or handler sees
        it. Local events the registry makes up (a ``typing.stop`` for entries it forgets) come
        back to the hub, which dispatches them right after the event that caused them.
        """
        # On the path of every event: class lookups first, nothing allocated for the others.
        cls = event.__class__
        fields: Any = event  # the class checks below tell which fields it has
        if cls in _CHANNEL_EVENTS:
            channel = self._channels.get(fields.cid) if self._channels else None
            if channel is not None and channel.state.apply(
                event,
                own_user_id=self._host.user_id,
                clock=anyio.current_time,
                expire_after=channel.typing_timings.expire_after,
            ):
                self._typing_started()
        elif cls is wire.ConnectionChangedEvent:
            if not fields.online:
                return self._went_offline()
        elif cls is wire.UserUpdatedEvent or cls is wire.UserPresenceChangedEvent:
            for channel in self._channels.values():
                channel.state.update_user(fields.user)
        return ()

    def _went_offline(self) -> list[Event]:
        self._stop_tasks()
        stops: list[Event] = []
        for channel in self._channels.values():
            channel.went_offline()
            stops.extend(channel.typing_stop_for(entry) for entry in channel.state.clear_typing())
        return stops

    def user_gone(self) -> None:
        """The user is gone for good (``disconnect_user``, or a failed session): forget the channels.

        The client calls this; a new ``connect_user`` starts afresh, as with Stream's clients.
        """
        self._stop_tasks()
        for channel in self._channels.values():
            channel.watching = False
        self._channels.clear()
        if self._remove_hook is not None:
            self._remove_hook()
            self._remove_hook = None

    # ------------------------------------------------------------------ background work

    def _stop_tasks(self) -> None:
        """Cancel every task of the registry (typing timers, the typing sweeper)."""
        for scope in self._scopes:
            scope.cancel()
        self._scopes.clear()
        self._sweeper = None
        self._sweeper_wake = None

    def start_task(
        self, work: Callable[[], Coroutine[Any, Any, None]], name: str
    ) -> anyio.CancelScope | None:
        """Run ``work()`` in the client's task group until it returns or the connection goes.

        Returns its cancel scope; ``None`` (nothing started) when the client is not open.
        """
        scope = anyio.CancelScope()

        async def run() -> None:
            try:
                with scope:
                    await work()
            except Exception:
                logger.exception("%s failed", name)
            finally:
                self._scopes.discard(scope)

        if not self._host.start_soon(run, name):
            return None
        self._scopes.add(scope)
        return scope

    def _typing_started(self) -> None:
        if self._sweeper is not None:
            if self._sweeper_wake is not None:
                self._sweeper_wake.set()  # the new entry may expire first
            return
        self._sweeper = self.start_task(self._sweep, "typing expiry")

    async def _sweep(self) -> None:
        """Forget typing entries as they expire; ends when nobody types (restarted by the next one)."""
        while True:
            now = anyio.current_time()
            for channel in list(self._channels.values()):
                for entry in channel.state.expire_typing(now):
                    self._dispatch_local(channel.typing_stop_for(entry))
            deadlines = [
                d for c in self._channels.values() if (d := c.state.next_typing_expiry()) is not None
            ]
            if not deadlines:
                # No await since the check: no typing.start can have slipped in.
                self._sweeper = None
                self._sweeper_wake = None
                return
            wake = self._sweeper_wake = anyio.Event()
            with anyio.move_on_after(min(deadlines) - anyio.current_time()):
                await wake.wait()

    def _dispatch_local(self, event: Event) -> None:
        self._host.dispatch_local(event)
