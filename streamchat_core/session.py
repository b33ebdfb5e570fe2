"""One user's session, from ``connect_user`` to ``disconnect_user``: keeping a connection up.

The :class:`Session` supervises :class:`~streamchat_core.connection.Link` objects (one
connection each, opened by a :class:`~streamchat_core.link_pool.LinkPool`) and carries out
the decisions of :mod:`streamchat_core.reconnect_rules`: every reconnect rule, and every rule
of time (backoff, jitter, the first-connect deadline), is there. The session's own parts:

- **Recovery.** After a reconnect, the resubscribe hooks run (:mod:`streamchat_core.resubscribe`:
  channels are watched again on the new connection); then ``connection.recovered`` is
  dispatched, so that once it fires the channels are live again (it waits for the hooks for
  at most ``connect_timeout`` seconds).
- **Switching back** from a fallback transport: :mod:`streamchat_core.switchback`.
- **The state**, written in one place, :meth:`Session._set_state`, which also emits
  ``connection.changed``. Local events (``connection.changed``, ``connection.recovered``,
  ``transport.changed``) are dispatched like server events, in order with them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

import anyio
import anyio.abc

import streamchat_wire as wire
from streamchat_core.auth import TokenManager
from streamchat_core.backoff import BackoffPolicy
from streamchat_core.codec import Event
from streamchat_core.connection import Link, Sink
from streamchat_core.errors import StreamChatError, TokenProviderError, TransportError
from streamchat_core.link_pool import LinkPool
from streamchat_core.own_user import OWN_USER_EVENTS, own_user_after, own_user_from
from streamchat_core.reconnect_rules import HELD_AFTER, Action, Attempts, decide
from streamchat_core.resubscribe import ResubscribeHook, Resubscriber
from streamchat_core.state import ConnectionState
from streamchat_core.stats import Counters
from streamchat_core.switchback import SwitchBack
from streamchat_core.transport import Transport

__all__ = ["HELD_AFTER", "ResubscribeHook", "Session", "SessionConfig"]

logger = logging.getLogger("streamchat.session")

# After disconnect_user, how long connections may take to close before they are dropped.
_CLOSE_GRACE = 5.0


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


def _opened_or_lost(link: Link) -> Callable[[], bool]:
    return lambda: link.up.is_set() or link.lost.is_set()


def _lost_or_candidate(link: Link, switch_back: SwitchBack) -> Callable[[], bool]:
    return lambda: link.lost.is_set() or switch_back.candidate is not None


class Session:
    """Keeps one user connected until closed. Run :meth:`run` in the client's task group.

    ``dispatch`` delivers events (the server's and the local ones) to the client;
    ``on_failed`` is called once the session has ended on its own (a rejection, no first
    connection within ``connect_timeout``), after the state says ``DISCONNECTED``.
    """

    def __init__(
        self,
        *,
        user: wire.User,
        tokens: TokenManager,
        chain: Sequence[Transport],
        config: SessionConfig,
        dispatch: Callable[[Event], None],
        counters: Counters,
        hooks: Sequence[ResubscribeHook] = (),
        on_failed: Callable[[Session], None] | None = None,
    ) -> None:
        if not chain:
            raise ValueError("at least one transport is needed")
        self.user_details = user
        self.tokens = tokens
        self.chain = list(chain)
        self.config = config
        self._dispatch = dispatch
        self._on_failed = on_failed
        self.counters = counters
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
        self._links = LinkPool(
            user=user, tokens=tokens, settings=config, counters=counters, start_soon=self._start_soon
        )
        self._tg: anyio.abc.TaskGroup | None = None
        self._closing = False
        self._current: Link | None = None
        self._index = 0
        self._mode = self.chain[0].name
        self._wake = anyio.Event()
        self._hooks = Resubscriber(
            hooks,
            wait_at_most=config.connect_timeout,
            start_soon=self._start_soon,
            wait_for=self._wait_for,
            notify=self._notify,
        )
        self._switch_back = SwitchBack(
            open_link=self._open_candidate,
            deliver=self._deliver,
            resubscribe=self._hooks.run,
            notify=self._notify,
            start_soon=self._start_soon,
            probe_interval=config.probe_interval,
            handover_grace=config.handover_grace,
        )

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
                        tg.start_soon(self._links.refresh_ahead)
                    with self._supervisor_scope:
                        try:
                            await self._supervise()
                        except Exception as exc:  # a bug: report it, never leave connect_user hanging
                            logger.exception("the connection supervisor failed")
                            failure = StreamChatError(
                                f"the connection supervisor failed: {type(exc).__name__}: {exc}"
                            )
                            failure.__cause__ = exc
                            self._fail(failure)
                    # Let the connections finish their closing handshakes (each transport
                    # bounds its own), then stop whatever is left.
                    self._stop_background()
                    with anyio.move_on_after(_CLOSE_GRACE):
                        await self._links.wait_closed()
                    tg.cancel_scope.cancel()
        finally:
            self._tg = None
            if self.state is not ConnectionState.DISCONNECTED:
                self._set_state(ConnectionState.DISCONNECTED)
            if not self.ready.is_set():
                if self.error is None:
                    self.error = StreamChatError("disconnect_user() was called while connecting")
                self.ready.set()
            self.finished.set()

    def close(self) -> None:
        """Stop: every connection is closed and every task ends; wait on :attr:`finished`."""
        self._closing = True
        self._supervisor_scope.cancel()
        self._stop_background()

    def _stop_background(self) -> None:
        self._switch_back.stop()
        self._hooks.cancel_all()
        self._links.cancel_all()

    async def wait_ready(self) -> wire.OwnUser:
        """The own user once the first connection is up; raises what ended the session otherwise."""
        await self.ready.wait()
        if self.error is not None and self.user is None:
            raise self.error
        if self.user is None:  # pragma: no cover - ready is only set with one of the two
            raise StreamChatError("the session ended before connecting")
        return self.user

    # ------------------------------------------------------------------ state

    def _set_state(self, state: ConnectionState, connection_id: str | None = None) -> None:
        """The one place that writes the state; emits ``connection.changed`` when online-ness flips."""
        was_online = self.state is ConnectionState.CONNECTED
        self.state = state
        self.connection_id = connection_id if state is ConnectionState.CONNECTED else None
        online = state is ConnectionState.CONNECTED
        if online != was_online:
            self._dispatch(wire.ConnectionChangedEvent(online=online))

    def _fail(self, error: BaseException) -> None:
        if self.user is None:
            # Never up: wait_ready() raises this to the connect_user caller, who handles it.
            logger.info("connecting %r failed: %s", self.user_id, error)
        else:
            # Up before: nobody awaits this session any more, so it is said here.
            logger.error("giving up on the connection of %r: %s", self.user_id, error)
        self.error = error
        self._set_state(ConnectionState.DISCONNECTED)
        self.ready.set()
        if self._on_failed is not None:
            self._on_failed(self)

    # ------------------------------------------------------------------ links

    def _notify(self) -> None:
        self._wake.set()

    async def _wait_for(self, condition: Callable[[], bool]) -> None:
        while not condition():
            self._wake = anyio.Event()
            if condition():
                return
            await self._wake.wait()

    def _start_soon(self, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        assert self._tg is not None
        self._tg.start_soon(work)

    async def _new_link(self, transport: Transport, timeout: float) -> Link:
        """Start a live connection attempt: it delivers its events and announces itself once up."""
        return await self._links.open(
            transport, timeout, sink=self._deliver, on_change=self._notify, on_up=self._on_link_up
        )

    async def _open_candidate(self, transport: Transport, sink: Sink, on_change: Callable[[], None]) -> Link:
        return await self._links.open(transport, self.config.connect_timeout, sink=sink, on_change=on_change)

    # ------------------------------------------------------------------ supervision

    async def _supervise(self) -> None:
        """Open connections over the chain until closed, carrying out :func:`decide`'s decisions."""
        attempts = Attempts(
            connect_timeout=self.config.connect_timeout, backoff=self.config.backoff, now=anyio.current_time()
        )
        while True:
            transport = self.chain[self._index]
            timeout = attempts.timeout(anyio.current_time())
            opened = held = False
            stale_generation: int | None = None
            try:
                link = await self._new_link(transport, timeout)
            except TokenProviderError as exc:
                error: BaseException = exc
            else:
                self._current = link
                await self._wait_for(_opened_or_lost(link))
                if link.up.is_set():
                    opened = True
                    link = await self._stay_connected(link, reconnect=attempts.was_up)
                    held = attempts.connection_ended(anyio.current_time() - link.up_at)
                    if self._closing:
                        return
                    self._set_state(ConnectionState.CONNECTING)
                # Not link.done: the transport may still be closing; nothing more comes from it.
                await self._wait_for(link.lost.is_set)
                error = link.error if link.error is not None else TransportError("the connection was closed")
                stale_generation = link.request.token_generation
            attempts.attempt_failed(error, timeout)

            facts = {
                "was_up": attempts.was_up,
                "has_provider": self.tokens.has_provider,
                "can_fall_back": self._index + 1 < len(self.chain),
            }
            decision = decide(error, opened=opened, held=held, **facts)
            if decision.action is Action.REFRESH_TOKEN:
                logger.info("the token expired; fetching a fresh one from the provider")
                try:
                    await self.tokens.refresh(stale_generation)
                except TokenProviderError as exc:
                    error = exc
                    decision = decide(exc, opened=opened, held=False, **facts)
            if decision.action is Action.FAIL:
                self._fail(error)
                return
            if decision.action is Action.FALL_BACK:
                following = self.chain[self._index + 1].name
                logger.warning(
                    "could not open a %s connection (%s); falling back to %s",
                    transport.name,
                    error,
                    following,
                )
                self._index += 1
                attempts.fall_back(anyio.current_time())
                continue
            if decision.action is Action.RETRY:
                logger.info("%s (%s); reconnecting over %s", decision.reason, error, transport.name)
            delay = attempts.next_delay(decision, anyio.current_time())
            if delay is not None:
                logger.debug("next connection attempt in %.2f s", delay)
                await anyio.sleep(delay)
            if attempts.expired(anyio.current_time()):
                self._fail(attempts.give_up_error(transport.name))
                return

    async def _stay_connected(self, link: Link, *, reconnect: bool) -> Link:
        """Serve ``link`` (and the links that replace it by switching back) until one ends."""
        if reconnect:
            self.counters.reconnects += 1
            await self._hooks.run(link)
            if link.up.is_set() and not link.lost.is_set():
                self._dispatch(wire.ConnectionRecoveredEvent())
        switch_back = self._switch_back
        while True:
            if self._index > 0:
                switch_back.start(link, self.chain[: self._index])
            await self._wait_for(_lost_or_candidate(link, switch_back))
            if link.lost.is_set():
                self._hooks.cancel(link)
                switch_back.stop()
                return link
            candidate = switch_back.take()
            if candidate is None or candidate.lost.is_set():
                continue
            link = await self._hand_over(link, candidate)

    async def _hand_over(self, old: Link, new: Link) -> Link:
        """Switch to ``new``, a connection over a preferred transport (see :meth:`SwitchBack.handover`)."""
        old_failed = await self._switch_back.handover(old, new)
        self._hooks.cancel(old)
        self._index = self.chain.index(new.transport)
        if new.lost.is_set():
            self._current = new
            logger.info("the %s connection ended during the switch back", new.name)
            return new
        self._adopt(new)
        if old_failed:
            logger.warning("the %s connection failed during the switch back: %s", old.name, old.error)
            self._dispatch(wire.ConnectionRecoveredEvent())
        logger.info("switched back to %s, connection id %s", new.name, new.connection_id)
        return new

    # ------------------------------------------------------------------ what links deliver

    def _adopt(self, link: Link) -> None:
        """``link`` (up) is the connection in use now: the own user, the mode and the state follow it."""
        hello = link.hello
        assert hello is not None
        self._current = link
        if isinstance(hello.me, wire.OwnUser):
            self.user = hello.me
        elif self.user is None:
            self.user = own_user_from(self.user_details)
        if link.name != self._mode:
            self._mode = link.name
            self._dispatch(wire.TransportChangedEvent(mode=link.name))
        self._set_state(ConnectionState.CONNECTED, hello.connection_id)

    def _on_link_up(self, link: Link) -> None:
        self._adopt(link)
        hello = link.hello
        assert hello is not None
        self._deliver(hello, link.hello_frame)
        logger.info("connected %r over %s, connection id %s", self.user_id, link.name, hello.connection_id)
        self.ready.set()

    def _deliver(self, event: Event, frame: bytes | str = b"") -> None:
        # On the path of every event: a class lookup, and a call only for the two that matter.
        own = self.user
        if own is not None and event.__class__ in OWN_USER_EVENTS:
            self.user = own_user_after(own, event)
        self._dispatch(event)

    def __repr__(self) -> str:
        return f"Session(user_id={self.user_id!r}, state={self.state.value}, connection_id={self.connection_id!r})"
