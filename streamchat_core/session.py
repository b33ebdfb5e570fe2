"""One user's session, from ``connect_user`` to ``disconnect_user``: keeping a connection up.

The :class:`Session` supervises :class:`~streamchat_core.connection.Link` objects, one
connection each. It owns the state machine and every decision:

- **Reconnect** after a lost or dead connection. The first attempt after losing a connection
  that worked (one that stayed up at least :data:`HELD_AFTER` seconds, or ``stable_after``
  if that is shorter) goes out at once, after only a small random jitter
  (:func:`~streamchat_core.backoff.reconnect_jitter`, 0 to 250 ms): the server is usually
  back at once, and the jitter keeps thousands of clients from arriving in the same
  millisecond. Only failures back off, with the backoff policy: an attempt that does not open,
  and a connection that drops sooner than that (a server that accepts and closes at once is
  not hammered). The failure count resets once a connection has stayed up
  ``backoff.stable_after`` seconds. Never after an API rejection: that ends the session. Two
  exceptions, as in Stream's clients: error 40 (token expired) with a token provider fetches
  a fresh token and reconnects, and error 46 (unknown connection id, long-poll) reconnects
  with a fresh connection.
- **Recovery.** After a reconnect, the resubscribe hooks run (the channels are watched again
  on the new connection, each retried with the backoff policy until it succeeds); then
  ``connection.recovered`` is dispatched, so that once it fires the channels are live again.
  A hook that is still retrying after ``connect_timeout`` seconds no longer holds the event
  back: it fires then (with a WARNING naming what is still pending), and the hook goes on in
  the background until it succeeds, the connection is lost, or the user disconnects.
- **The first connection** is tried until ``connect_timeout`` has passed, then fails.
- **Fallback.** ``transports`` is a chain in order of preference. When a connection cannot be
  opened for a network reason (a refused or reset connection, an HTTP error on the upgrade, a
  timeout), the next transport in the chain is tried at once. An API rejection never falls
  back. The switch emits ``transport.changed``.
- **Switching back.** While on a fallback transport, the preferred ones are probed every
  ``probe_interval`` seconds; see :meth:`Session._handover` for how a switch back loses and
  duplicates no event.
- **Token refresh ahead of ``exp``** when a provider is given.

Local events (``connection.changed``, ``connection.recovered``, ``transport.changed``) are
dispatched like server events, in order with them.
"""

from __future__ import annotations

import collections
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import anyio
import msgspec

import streamchat_wire as wire
from streamchat_core import codec
from streamchat_core.auth import TokenManager
from streamchat_core.backoff import BackoffPolicy, reconnect_jitter
from streamchat_core.codec import Event
from streamchat_core.connection import Link, event_key
from streamchat_core.errors import (
    ConnectionIDNotFoundError,
    ConnectTimeoutError,
    StreamAPIError,
    StreamChatError,
    TokenExpiredError,
    TokenProviderError,
    TransportError,
)
from streamchat_core.events import EventHub
from streamchat_core.state import ConnectionState
from streamchat_core.stats import counters_for
from streamchat_core.transport import ConnectRequest, Transport

__all__ = ["HELD_AFTER", "ResubscribeHook", "Session", "SessionConfig", "merge_user"]

logger = logging.getLogger("streamchat.session")

#: Awaited with the new connection id each time a new connection replaces another (a
#: reconnect, or a transport switch), before ``connection.recovered`` (or the switch's
#: ``transport.changed``): where channel code re-watches its channels. A hook may retry for as
#: long as it needs: it is cancelled when its connection is lost or the session ends, and it
#: holds ``connection.recovered`` back for at most ``connect_timeout`` seconds.
ResubscribeHook = Callable[[str], Awaitable[None]]

#: A connection that stayed up this long (or ``stable_after``, if shorter) worked: losing it
#: is not a failure, and the next attempt goes out at once (after a jitter).
HELD_AFTER = 1.0

# After disconnect_user, how long connections may take to close before they are dropped.
_CLOSE_GRACE = 5.0
# No new first-connection attempt this close to the connect_timeout deadline.
_DEADLINE_SLACK = 0.02

_USER_FIELDS = tuple(f.name for f in msgspec.structs.fields(wire.User) if f.name != "extra_data")


@dataclass(frozen=True)
class SessionConfig:
    base_url: str
    api_key: str
    user_agent: str
    connect_timeout: float
    ping_interval: float
    dead_timeout: float
    backoff: BackoffPolicy
    probe_interval: float
    handover_grace: float


def merge_user(own: wire.OwnUser, user: wire.User) -> wire.OwnUser:
    """``own`` updated from a ``user.updated`` event's user: the fields it carries replace ours.

    Custom fields are replaced as a whole (a user object always carries all of them); the
    own-user fields the event cannot carry (devices, mutes, unread counts) are kept.
    """
    changes = {name: getattr(user, name) for name in _USER_FIELDS if getattr(user, name) is not None}
    return msgspec.structs.replace(own, **changes, extra_data=dict(user.extra_data.items()))


def _opened_or_done(link: Link) -> Callable[[], bool]:
    return lambda: link.up.is_set() or link.lost.is_set()


def _own_user_from(user: wire.User) -> wire.OwnUser:
    return codec.decode(codec.encode(user), wire.OwnUser)


class Session:
    """Keeps one user connected until closed. Run :meth:`run` in the client's task group."""

    def __init__(
        self,
        *,
        user: wire.User,
        tokens: TokenManager,
        chain: Sequence[Transport],
        config: SessionConfig,
        hub: EventHub,
        hooks: Sequence[ResubscribeHook] = (),
    ) -> None:
        if not chain:
            raise ValueError("at least one transport is needed")
        self.user_details = user
        self.tokens = tokens
        self.chain = list(chain)
        self.config = config
        self.hub = hub
        self.hooks = hooks
        #: The client's counters (``client.stats``).
        self.counters = counters_for(hub)
        self.state = ConnectionState.CONNECTING
        #: The own user, from the first frame's ``me``, kept current from ``user.updated``.
        self.user: wire.OwnUser | None = None
        self.connection_id: str | None = None
        #: Why the session ended, when it ended on its own (a rejection, a first-connect timeout).
        self.error: BaseException | None = None
        #: Set once the first connection is up, or the session has failed for good.
        self.ready = anyio.Event()
        #: Set once every task and socket of the session is gone.
        self.finished = anyio.Event()
        self._scope = anyio.CancelScope()
        self._supervisor_scope = anyio.CancelScope()
        self._links: set[Link] = set()
        self._tg: anyio.abc.TaskGroup | None = None
        self._closing = False
        self._online = False
        self._current: Link | None = None
        self._index = 0
        self._mode = self.chain[0].name
        self._wake = anyio.Event()
        self._candidate: Link | None = None
        self._candidate_buffer: list[tuple[Event, bytes | str]] = []
        self._candidate_delivered: collections.Counter[bytes] = collections.Counter()
        self._prober: anyio.CancelScope | None = None
        # The resubscribe hooks running, each bound to its connection.
        self._hook_runs: dict[Link, anyio.CancelScope] = {}

    @property
    def transport_name(self) -> str | None:
        """The name of the transport in use (``None`` while not connected)."""
        link = self._current
        return link.name if link is not None and self.state is ConnectionState.CONNECTED else None

    @property
    def user_id(self) -> str:
        return self.user_details.id

    # ------------------------------------------------------------------ lifecycle

    async def run(self) -> None:
        try:
            with self._scope:
                async with anyio.create_task_group() as tg:
                    self._tg = tg
                    if self.tokens.has_provider and self.tokens.refresh_margin > 0:
                        tg.start_soon(self._refresh_ahead)
                    with self._supervisor_scope:
                        try:
                            await self._supervise()
                        except Exception as exc:  # a bug: report it, never leave connect_user hanging
                            logger.exception("the connection supervisor failed")
                            self._fail(
                                StreamChatError(
                                    f"the connection supervisor failed: {type(exc).__name__}: {exc}"
                                )
                            )
                    # Let the connections finish their closing handshakes (each transport
                    # bounds its own), then stop whatever is left.
                    self._stop_probing()
                    self._stop_hooks()
                    for link in tuple(self._links):
                        link.cancel()
                    with anyio.move_on_after(_CLOSE_GRACE):
                        for link in tuple(self._links):
                            await link.done.wait()
                    tg.cancel_scope.cancel()
        finally:
            self._tg = None
            if self.state is not ConnectionState.DISCONNECTED:
                self._set_offline(ConnectionState.DISCONNECTED)
            if not self.ready.is_set():
                if self.error is None:
                    self.error = StreamChatError("disconnect_user() was called while connecting")
                self.ready.set()
            self.finished.set()

    def close(self) -> None:
        """Stop: every connection is closed and every task ends; wait on :attr:`finished`."""
        self._closing = True
        self._supervisor_scope.cancel()
        self._stop_probing()
        self._stop_hooks()
        for link in tuple(self._links):
            link.cancel()

    async def wait_ready(self) -> wire.OwnUser:
        """The own user once the first connection is up; raises what ended the session otherwise."""
        await self.ready.wait()
        if self.error is not None and self.user is None:
            raise self.error
        if self.user is None:  # pragma: no cover - ready is only set with one of the two
            raise StreamChatError("the session ended before connecting")
        return self.user

    # ------------------------------------------------------------------ supervision

    def _notify(self) -> None:
        self._wake.set()

    async def _wait_for(self, condition: Callable[[], bool]) -> None:
        while not condition():
            self._wake = anyio.Event()
            if condition():
                return
            await self._wake.wait()

    async def _new_link(
        self,
        transport: Transport,
        timeout: float,
        *,
        sink: Callable[[Event, bytes | str], None] | None = None,
        on_change: Callable[[], None] | None = None,
    ) -> Link:
        """Start a connection attempt. Without ``sink`` it is live: it delivers and announces itself."""
        token = await self.tokens.get()
        generation = self.tokens.generation
        payload = codec.encode(
            wire.ConnectPayload(
                user_id=self.user_id, user_details=self.user_details, client_request_id=str(uuid.uuid4())
            )
        )
        request = ConnectRequest(
            base_url=self.config.base_url,
            api_key=self.config.api_key,
            user_id=self.user_id,
            payload=payload,
            token=token,
            user_agent=self.config.user_agent,
            timeout=timeout,
        )
        link = Link(
            transport,
            request,
            sink=sink if sink is not None else self._deliver,
            client_id=f"{self.user_id}--{uuid.uuid4()}",
            ping_interval=self.config.ping_interval,
            dead_timeout=self.config.dead_timeout,
            refresh_token=self._refresh_for if self.tokens.has_provider else None,
            on_up=self._on_link_up if sink is None else None,
            on_change=on_change if on_change is not None else self._notify,
            counters=self.counters,
        )
        link.token_generation = generation
        assert self._tg is not None
        self._links.add(link)
        self._tg.start_soon(self._run_link, link)
        return link

    async def _run_link(self, link: Link) -> None:
        try:
            await link.run()
        finally:
            self._links.discard(link)

    async def _refresh_for(self, link: Link) -> str:
        """A fresh token for a link that met error 40 (unless another task already got one)."""
        token = await self.tokens.refresh(link.token_generation)
        link.token_generation = self.tokens.generation
        return token

    async def _supervise(self) -> None:
        config = self.config
        failures = 0
        was_up = False
        deadline = anyio.current_time() + config.connect_timeout
        # What to report if the first connection never opens: the last failure that says
        # something, not a timeout caused by our own deadline cutting the last attempt short.
        telling: BaseException | None = None
        while True:
            transport = self.chain[self._index]
            timeout = (
                config.connect_timeout
                if was_up
                else min(deadline - anyio.current_time(), config.connect_timeout)
            )
            opened = held = False
            try:
                link = await self._new_link(transport, timeout)
            except TokenProviderError as exc:
                error: BaseException = exc
            else:
                self._current = link
                await self._wait_for(_opened_or_done(link))
                if link.up.is_set():
                    opened = True
                    link = await self._stay_connected(link, reconnect=was_up)
                    was_up = True
                    lived = anyio.current_time() - link.up_at
                    stable_after = config.backoff.stable_after
                    if lived >= stable_after:
                        failures = 0
                    # A connection that worked was lost: not a failure, reconnect at once.
                    held = lived >= min(stable_after, HELD_AFTER)
                    if self._closing:
                        return
                    self._set_offline(ConnectionState.CONNECTING)
                # Not link.done: the transport may still be closing; nothing more comes from it.
                await self._wait_for(link.lost.is_set)
                error = link.error if link.error is not None else TransportError("the connection was closed")
            cut_short = timeout < config.connect_timeout and isinstance(error, ConnectTimeoutError)
            if telling is None or not cut_short:
                telling = error

            # What now? An API rejection ends the session, save for errors 40 and 46.
            if isinstance(error, TokenExpiredError) and self.tokens.has_provider:
                logger.info("the token expired; fetching a fresh one from the provider")
                try:
                    await self.tokens.refresh(link.token_generation)
                except TokenProviderError as exc:
                    error = exc
                    held = False
                if not held:
                    failures += 1
            elif isinstance(error, ConnectionIDNotFoundError):
                logger.info("the server no longer knows the connection; opening a new one")
                if not held:
                    failures += 1
            elif isinstance(error, StreamAPIError) or (
                isinstance(error, TransportError) and not error.retryable
            ):
                self._fail(error)
                return
            elif isinstance(error, TokenProviderError):
                failures += 1
            elif not opened and self._index + 1 < len(self.chain):
                following = self.chain[self._index + 1].name
                logger.warning(
                    "could not open a %s connection (%s); falling back to %s",
                    transport.name,
                    error,
                    following,
                )
                self._index += 1
                deadline = anyio.current_time() + config.connect_timeout
                continue
            elif held:
                logger.info("the %s connection was lost (%s); reconnecting at once", transport.name, error)
            else:
                failures += 1
                logger.info("the %s connection failed (%s); retrying", transport.name, error)
            if isinstance(error, TokenProviderError) and not was_up:
                self._fail(error)
                return

            now = anyio.current_time()
            if not was_up and now >= deadline - _DEADLINE_SLACK:
                self._fail(self._first_connect_error(transport, telling))
                return
            # The first attempt after losing a connection that worked does not back off.
            delay = reconnect_jitter(config.backoff) if held else config.backoff.delay(max(failures, 1))
            if not was_up:
                delay = min(delay, deadline - now)
            logger.debug("next connection attempt in %.2f s", delay)
            await anyio.sleep(delay)
            if not was_up and anyio.current_time() >= deadline - _DEADLINE_SLACK:
                self._fail(self._first_connect_error(transport, telling))
                return

    def _first_connect_error(self, transport: Transport, last: BaseException) -> BaseException:
        timeout = self.config.connect_timeout
        if isinstance(last, (StreamAPIError, StreamChatError)) and not isinstance(last, TransportError):
            return last
        message = f"could not connect over {transport.name} within {timeout:g} s: {last}"
        error: TransportError
        if isinstance(last, ConnectTimeoutError) or not isinstance(last, TransportError):
            error = ConnectTimeoutError(message)
        else:
            error = TransportError(message, retryable=last.retryable, status_code=last.status_code)
        error.__cause__ = last
        return error

    async def _stay_connected(self, link: Link, *, reconnect: bool) -> Link:
        """Serve ``link`` (and the links that replace it by switching back) until one ends."""
        if reconnect:
            self.counters.reconnects += 1
            await self._resubscribe(link)
            if link.up.is_set() and not link.lost.is_set():
                self._dispatch(wire.ConnectionRecoveredEvent())
        while True:
            if self._index > 0 and self._prober is None and not link.lost.is_set():
                assert self._tg is not None
                self._prober = anyio.CancelScope()
                self._tg.start_soon(self._probe, self._prober)
            await self._wait_for(self._ended_or_candidate(link))
            if link.lost.is_set():
                self._cancel_hooks(link)
                self._stop_probing()
                if self._candidate is not None:
                    self._candidate.cancel()
                    self._candidate = None
                return link
            candidate, self._candidate = self._candidate, None
            assert candidate is not None
            if candidate.lost.is_set():
                continue
            link = await self._handover(link, candidate)

    def _ended_or_candidate(self, link: Link) -> Callable[[], bool]:
        return lambda: link.lost.is_set() or self._candidate is not None

    # ------------------------------------------------------------------ link callbacks

    def _on_link_up(self, link: Link) -> None:
        hello = link.hello
        assert hello is not None
        self._current = link
        self.connection_id = hello.connection_id
        if isinstance(hello.me, wire.OwnUser):
            self.user = hello.me
        elif self.user is None:
            self.user = _own_user_from(self.user_details)
        if link.name != self._mode:
            self._mode = link.name
            self._dispatch(wire.TransportChangedEvent(mode=link.name))
        self.state = ConnectionState.CONNECTED
        if not self._online:
            self._online = True
            self._dispatch(wire.ConnectionChangedEvent(online=True))
        self._deliver(hello, link.hello_frame)
        logger.info("connected %r over %s, connection id %s", self.user_id, link.name, hello.connection_id)
        self.ready.set()

    def _deliver(self, event: Event, frame: bytes | str = b"") -> None:
        own = self.user
        if own is not None and isinstance(event, (wire.UserUpdatedEvent, wire.UserPresenceChangedEvent)):
            user = event.user
            if user.id == own.id:
                if isinstance(event, wire.UserUpdatedEvent):
                    self.user = merge_user(own, user)
                else:  # presence: only what presence is about
                    changes = {
                        name: getattr(user, name)
                        for name in ("online", "last_active")
                        if getattr(user, name) is not None
                    }
                    self.user = msgspec.structs.replace(own, **changes)
        self.hub.dispatch(event)

    def _dispatch(self, event: Event) -> None:
        self.hub.dispatch(event)

    def _set_offline(self, state: ConnectionState) -> None:
        self.state = state
        self.connection_id = None
        if self._online:
            self._online = False
            self._dispatch(wire.ConnectionChangedEvent(online=False))

    def _fail(self, error: BaseException) -> None:
        if self.user is None:
            # Never up: wait_ready() raises this to the connect_user caller, who handles it.
            logger.info("connecting %r failed: %s", self.user_id, error)
        else:
            # Up before: nobody awaits this session any more, so it is said here.
            logger.error("giving up on the connection of %r: %s", self.user_id, error)
        self.error = error
        self._set_offline(ConnectionState.DISCONNECTED)
        self.ready.set()

    async def _resubscribe(self, link: Link) -> None:
        """Run the resubscribe hooks for a new connection.

        Returns once they are done, the connection is lost, or ``connect_timeout`` has passed;
        in the last case they go on in the background until done or the connection is lost.
        """
        if not self.hooks:
            return
        assert self._tg is not None
        finished = anyio.Event()
        self._hook_runs[link] = anyio.CancelScope()
        self._tg.start_soon(self._run_hooks, link, finished)
        with anyio.move_on_after(self.config.connect_timeout):
            await self._wait_for(lambda: finished.is_set() or link.lost.is_set())
        if link.lost.is_set():
            self._cancel_hooks(link)
        elif not finished.is_set():
            logger.info(
                "resubscribing on connection %s takes longer than %g s; it goes on in the background",
                link.connection_id,
                self.config.connect_timeout,
            )

    async def _run_hooks(self, link: Link, finished: anyio.Event) -> None:
        connection_id = link.connection_id
        assert connection_id is not None
        # Hooks may retry for as long as they need, but not past their connection: the
        # supervisor cancels the scope once it sees the connection lost (_cancel_hooks).
        scope = self._hook_runs[link]
        try:
            with scope:
                for hook in self.hooks:
                    try:
                        await hook(connection_id)
                    except Exception:
                        logger.exception("a resubscribe hook failed for connection %s", connection_id)
        finally:
            if self._hook_runs.get(link) is scope:
                del self._hook_runs[link]
            finished.set()
            self._notify()

    def _cancel_hooks(self, link: Link) -> None:
        scope = self._hook_runs.get(link)
        if scope is not None:
            scope.cancel()

    def _stop_hooks(self) -> None:
        for scope in self._hook_runs.values():
            scope.cancel()

    # ------------------------------------------------------------------ switching back

    def _stop_probing(self) -> None:
        if self._prober is not None:
            self._prober.cancel()
            self._prober = None

    async def _probe(self, scope: anyio.CancelScope) -> None:
        with scope:
            try:
                while self._candidate is None:
                    await anyio.sleep(self.config.probe_interval)
                    for transport in self.chain[: self._index]:
                        candidate = await self._try_candidate(transport)
                        if candidate is not None:
                            self._candidate = candidate
                            self._notify()
                            return
            finally:
                if self._prober is scope:
                    self._prober = None

    async def _try_candidate(self, transport: Transport) -> Link | None:
        """Open a connection over ``transport`` beside the current one; it buffers its events.

        From before the attempt starts, every event the current connection delivers is
        remembered (see :meth:`_handover`): an event published just after the new connection
        registers may reach us over the old one before the new one's first frame does.
        """
        current = self._current
        if current is None or current.lost.is_set():
            return None
        buffer: list[tuple[Event, bytes | str]] = []
        delivered: collections.Counter[bytes] = collections.Counter()

        def keep(event: Event, frame: bytes | str) -> None:
            if event.__class__ is not wire.HealthCheckEvent:
                buffer.append((event, frame))

        def deliver_and_remember(event: Event, frame: bytes | str) -> None:
            if event.__class__ is not wire.HealthCheckEvent:
                delivered[event_key(frame)] += 1
            self._deliver(event, frame)

        current.sink = deliver_and_remember
        adopted = False
        try:
            changed = anyio.Event()
            try:
                link = await self._new_link(
                    transport, self.config.connect_timeout, sink=keep, on_change=changed.set
                )
            except TokenProviderError as exc:
                logger.info("not probing %s: %s", transport.name, exc)
                return None
            try:
                await changed.wait()
            finally:
                link.on_change = self._notify
                if not (link.up.is_set() and not link.lost.is_set()):
                    link.cancel()
            if link.up.is_set() and not link.lost.is_set():
                logger.info(
                    "%s works again (connection id %s); switching back", transport.name, link.connection_id
                )
                self._candidate_buffer = buffer
                self._candidate_delivered = delivered
                adopted = True
                return link
            await link.lost.wait()
            logger.debug("%s still fails: %s", transport.name, link.error)
            return None
        finally:
            if not adopted and current.sink == deliver_and_remember:
                current.sink = self._deliver

    async def _handover(self, old: Link, new: Link) -> Link:
        """Move delivery from ``old`` to ``new`` (already up, buffering), losing and repeating nothing.

        The server delivers each event to every connection of the user that exists when it
        is published. So an event published before ``new`` opened is only on ``old``, and one
        published after is on both. Hence:

        1. From before ``new`` was opened, every event ``old`` delivers is remembered by
           :func:`~streamchat_core.connection.event_key`, while ``new`` buffers its events.
        2. ``old`` is drained: asked to hand over everything the server had queued for it,
           then closed (for long-poll: the poll in flight completes, one more poll collects what
           is queued, then ``close=true``). A transport that cannot drain is read for
           ``handover_grace`` seconds more, then closed; the guarantee is then only as good as
           that grace period.
        3. The buffer is delivered, skipping each event ``old`` already delivered; then
           ``new`` delivers live.

        Every event published before ``new`` opened came from ``old`` (drained); every later one
        is in the buffer, in server order, and is delivered unless ``old`` delivered it: no
        loss, no repeat, order kept. Two different events are confused only if they are equal
        byte for byte apart from ``connection_id``, timestamps included. If ``old`` fails
        during the handover, events queued for it may be lost; ``connection.recovered`` then
        tells listeners to resynchronise.
        """
        buffer, self._candidate_buffer = self._candidate_buffer, []
        delivered, self._candidate_delivered = self._candidate_delivered, collections.Counter()
        await self._resubscribe(new)
        if old.request_drain():
            logger.debug("draining the %s connection %s", old.name, old.connection_id)
        else:
            await anyio.sleep(self.config.handover_grace)
            old.cancel()
        # Lost, not done: once its reader has stopped, nothing more comes from it.
        await old.lost.wait()
        self._cancel_hooks(old)
        failed = old.error is not None and not old.drained

        # Steps 3 and the switch, with no await in between: nothing can interleave.
        for event, frame in buffer:
            key = event_key(frame)
            if delivered[key] > 0:
                delivered[key] -= 1
                continue
            self._deliver(event, frame)
        buffer.clear()
        new.sink = self._deliver
        self._index = self.chain.index(new.transport)
        self._current = new
        self._candidate = None
        if new.lost.is_set():
            logger.info("the %s connection ended during the switch back", new.name)
            return new
        hello = new.hello
        assert hello is not None
        self.connection_id = hello.connection_id
        if isinstance(hello.me, wire.OwnUser):
            self.user = hello.me
        self._mode = new.name
        self._dispatch(wire.TransportChangedEvent(mode=new.name))
        if failed:
            logger.warning("the %s connection failed during the switch back: %s", old.name, old.error)
            self._dispatch(wire.ConnectionRecoveredEvent())
        logger.info("switched back to %s, connection id %s", new.name, hello.connection_id)
        return new

    # ------------------------------------------------------------------ tokens

    async def _refresh_ahead(self) -> None:
        """Fetch a fresh token before the current one expires, so no connection meets error 40."""
        while True:
            generation = self.tokens.generation
            delay = self.tokens.refresh_delay()
            if delay is None:
                await self.tokens.wait_changed(generation)
                continue
            await anyio.sleep(delay)
            try:
                token = await self.tokens.refresh(generation)
            except TokenProviderError as exc:
                logger.warning("refreshing the token ahead of its expiry failed: %s", exc)
                await anyio.sleep(1.0)
                continue
            logger.debug("refreshed the token ahead of its expiry")
            for link in tuple(self._links):
                if not link.done.is_set():
                    link.update_token(token)
                    link.token_generation = self.tokens.generation

    def __repr__(self) -> str:
        return f"Session(user_id={self.user_id!r}, state={self.state.value}, connection_id={self.connection_id!r})"
