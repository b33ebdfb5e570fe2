"""The client: connect a user, receive events, make authenticated REST calls.

::

    async with StreamChatClient("api_key", base_url=emu.base_url) as client:
        me = await client.connect_user(User(id="john", extra_data={"name": "John Doe"}), token)
        client.on(models.MessageNewEvent, handler)  # or "message.new"; client.on(handler): all
        async for event in client.events(models.TypingStartEvent, models.TypingStopEvent):
            ...
        await client.disconnect_user()

The client is an async context manager that owns a task group: the connection's reader,
pinger and timers, and the task that runs event handlers, all live in it, and nothing
outlives ``async with`` or ``disconnect_user()``: no task, no socket. The connection itself is
kept up by a :class:`~streamchat_core.session.Session`; this module is the public surface.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Coroutine, Mapping, Sequence
from datetime import timedelta
from types import TracebackType
from typing import Any, ClassVar, TypeVar, overload

import anyio
import anyio.abc
import httpx

import streamchat_wire as wire
from streamchat_core import codec
from streamchat_core._version import __version__
from streamchat_core.auth import TokenManager, TokenSource
from streamchat_core.backoff import BackoffPolicy, ExponentialBackoff
from streamchat_core.channel import Channel, TypingTimings
from streamchat_core.channel_registry import ChannelRegistry
from streamchat_core.durations import positive_seconds, seconds
from streamchat_core.errors import NotConnectedError, TokenExpiredError, UsageError
from streamchat_core.events import (
    AnyEventHandler,
    EventHub,
    EventStream,
    EventType,
    Handler,
    HandlerDecorator,
    Subscription,
)
from streamchat_core.logs import show_logs
from streamchat_core.own_user import merge_user
from streamchat_core.plugins import TransportSpec, resolve_chain
from streamchat_core.privacy import PrivacySetting, privacy_settings_with
from streamchat_core.rest import RestClient, decode_json
from streamchat_core.session import ResubscribeHook, Session, SessionConfig
from streamchat_core.state import ConnectionState
from streamchat_core.stats import ClientStats, Counters
from streamchat_core.tokens import dev_token
from streamchat_core.transport import Transport
from streamchat_core.validation import validate_user

__all__ = ["DEFAULT_BASE_URL", "StreamChatClient"]

#: Stream's production API.
DEFAULT_BASE_URL = "https://chat.stream-io-api.com"

T = TypeVar("T")
E = TypeVar("E", bound=wire.EventStruct)
E1 = TypeVar("E1", bound=wire.EventStruct)
E2 = TypeVar("E2", bound=wire.EventStruct)
E3 = TypeVar("E3", bound=wire.EventStruct)
E4 = TypeVar("E4", bound=wire.EventStruct)
H = TypeVar("H", bound=AnyEventHandler)

logger = logging.getLogger("streamchat.client")

#: The ``X-Stream-Client`` value, in the shape Stream's own clients use.
USER_AGENT = f"stream-chat-python-core-v{__version__}"

# REST calls retry at most this many times on error 40 with a token provider.
_TOKEN_RETRIES = 2


def _unwrap(exc: BaseException) -> BaseException:
    """The single exception inside (nested) exception groups of one, else ``exc`` itself."""
    while True:
        inner = getattr(exc, "exceptions", None)
        if not isinstance(inner, tuple) or len(inner) != 1 or not isinstance(inner[0], BaseException):
            return exc
        exc = inner[0]


class StreamChatClient:
    """A Stream Chat client for one API key, under asyncio or trio.

    Timeouts take seconds or a ``timedelta``:

    - ``connect_timeout`` bounds opening a connection: the WebSocket handshake and the first
      frame (the TCP connect, for HTTP). The first ``connect_user`` keeps trying for that long.
      Default 15 s, or 6 s with ``enable_ws_fallback``, as Stream's JavaScript client.
    - ``receive_timeout`` bounds waiting for an HTTP response (REST). Default 6 s.

    ``transports`` lists transports (names from the ``streamchat.transports`` entry points,
    classes, or instances) in order of preference; when one cannot open a connection for a
    network reason, the next is tried. ``enable_ws_fallback=True`` adds ``"longpoll"`` to the
    end of the list, for networks that block WebSockets; while on a fallback, the preferred
    transports are probed every ``ws_probe_interval`` seconds and the client switches back.

    ``ping_interval`` (25 s) and ``dead_connection_timeout`` (35 s) are the keep-alive timers;
    ``backoff`` decides the delay between reconnects; ``token_refresh_margin`` is how long
    before ``exp`` a provider's token is refreshed (at most a quarter of its lifetime; 0 turns
    refreshing ahead off, leaving only the refresh on error 40). ``log_level`` sets the level of the
    ``streamchat`` logger; in a program that configured no logging (neither the root logger nor
    ``streamchat`` has a handler) it also makes the records visible, on stderr. A program that
    configured logging keeps full control: nothing is added.
    """

    _instance: ClassVar[StreamChatClient | None] = None
    _instance_options: ClassVar[dict[str, Any]] = {}
    _instance_lock: ClassVar[threading.Lock] = threading.Lock()

    #: ``dev_token(user_id)``: a development token (accepted only with auth checks off).
    dev_token = staticmethod(dev_token)

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str | None = None,
        log_level: int | str | None = None,
        connect_timeout: float | timedelta | None = None,
        receive_timeout: float | timedelta = 6.0,
        transports: Sequence[TransportSpec] | TransportSpec | None = None,
        enable_ws_fallback: bool = False,
        ws_probe_interval: float | timedelta = 30.0,
        ping_interval: float | timedelta = 25.0,
        dead_connection_timeout: float | timedelta = 35.0,
        backoff: BackoffPolicy | None = None,
        token_refresh_margin: float | timedelta = 60.0,
        handover_grace: float | timedelta = 1.0,
        user_agent: str = USER_AGENT,
        http_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not isinstance(api_key, str) or not api_key:
            raise ValueError("api_key must be a non-empty string")
        if log_level is not None:
            show_logs(log_level)
        self.api_key = api_key
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must start with http:// or https://, not {self.base_url!r}")
        if connect_timeout is None:  # Stream's JS client: shorter where a fallback waits
            connect_timeout = 6.0 if enable_ws_fallback else 15.0
        self.connect_timeout = positive_seconds(connect_timeout, "connect_timeout")
        self.receive_timeout = positive_seconds(receive_timeout, "receive_timeout")
        self.enable_ws_fallback = enable_ws_fallback
        self.transports: list[Transport] = resolve_chain(transports, enable_ws_fallback)
        self._backoff = backoff if backoff is not None else ExponentialBackoff()
        self._ping_interval = positive_seconds(ping_interval, "ping_interval")
        self._dead_timeout = positive_seconds(dead_connection_timeout, "dead_connection_timeout")
        self._probe_interval = positive_seconds(ws_probe_interval, "ws_probe_interval")
        self._token_refresh_margin = seconds(token_refresh_margin, "token_refresh_margin") or 0.0
        self._handover_grace = positive_seconds(handover_grace, "handover_grace")
        self._user_agent = user_agent
        self._counters = Counters()
        self._channels = ChannelRegistry(_ChannelHost(self))
        # Channel state must be current before any stream or handler sees an event: the
        # channels see each event first, synchronously, where it is dispatched.
        self._hub = EventHub(observer=self._channels.observe, on_handler_added=self._start_dispatcher)
        self._dispatching = False
        self._rest = RestClient(
            self.base_url,
            api_key,
            user_agent=user_agent,
            connect_timeout=self.connect_timeout,
            receive_timeout=self.receive_timeout,
            http_transport=http_transport,
        )
        self._hooks: list[ResubscribeHook] = []
        self._tg: anyio.abc.TaskGroup | None = None
        self._session: Session | None = None
        self._state_without_session = ConnectionState.INITIALIZING

    # ------------------------------------------------------------------ singleton

    @classmethod
    def get_instance(cls, api_key: str, **options: Any) -> StreamChatClient:
        """The process's one client. Asking again with another API key raises.

        Options given on a later call must equal the first call's (or be left out).
        """
        with StreamChatClient._instance_lock:
            instance = StreamChatClient._instance
            if instance is None:
                instance = cls(api_key, **options)
                StreamChatClient._instance = instance
                StreamChatClient._instance_options = dict(options)
                return instance
            if instance.api_key != api_key:
                raise UsageError(
                    f"this process already has a client for the API key {instance.api_key!r}; "
                    f"get_instance() cannot return one for {api_key!r}"
                )
            if options and options != StreamChatClient._instance_options:
                raise ValueError("get_instance() was called again with different options")
            return instance

    @classmethod
    def reset_instance(cls) -> None:
        """Forget the process's client, so the next :meth:`get_instance` makes a new one (tests)."""
        with StreamChatClient._instance_lock:
            StreamChatClient._instance = None
            StreamChatClient._instance_options = {}

    # ------------------------------------------------------------------ state

    @property
    def connection_state(self) -> ConnectionState:
        session = self._session
        return session.state if session is not None else self._state_without_session

    @property
    def connection_id(self) -> str | None:
        """The current connection's id (``None`` while not connected)."""
        session = self._session
        return session.connection_id if session is not None else None

    @property
    def user(self) -> wire.OwnUser | None:
        """The connected user (``me`` from the first frame), kept current from ``user.updated``."""
        session = self._session
        return session.user if session is not None else None

    @property
    def user_id(self) -> str | None:
        session = self._session
        return session.user_id if session is not None else None

    @property
    def transport(self) -> str | None:
        """The name of the transport in use, ``None`` while not connected."""
        session = self._session
        return session.transport_name if session is not None else None

    @property
    def is_open(self) -> bool:
        """Whether the client is inside ``async with``."""
        return self._tg is not None

    @property
    def stats(self) -> ClientStats:
        """Counters over the client's life: frames dropped, reconnects, re-watch retries (:mod:`~streamchat_core.stats`)."""
        return self._counters.snapshot()

    def __repr__(self) -> str:
        user = f", user_id={self.user_id!r}" if self.user_id is not None else ""
        return (
            f"StreamChatClient(api_key={self.api_key!r}, base_url={self.base_url!r}, "
            f"state={self.connection_state.value!r}{user})"
        )

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> StreamChatClient:
        if self._tg is not None:
            raise UsageError("the client is already open; `async with client:` cannot be nested")
        await self._rest.open()
        tg = anyio.create_task_group()
        await tg.__aenter__()
        self._hub.open()
        self._tg = tg
        self._dispatching = False
        if self._hub.has_handlers:
            self._start_dispatcher()
        return self

    def _start_dispatcher(self) -> None:
        # The task that runs handlers starts with the first handler: a client that only
        # uses streams and waits never needs it.
        if self._tg is not None and not self._dispatching:
            self._dispatching = True
            self._tg.start_soon(self._hub.run)

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        tg = self._tg
        if tg is None:
            return
        self._tg = None
        try:
            # Clean up even when cancelled; it is bounded (transports bound their closing).
            with anyio.CancelScope(shield=True):
                await self.disconnect_user()
        finally:
            tg.cancel_scope.cancel()
            try:
                await tg.__aexit__(None, None, None)
            except BaseException as group:
                raise _unwrap(group) from None
            finally:
                self._hub.close()
                with anyio.CancelScope(shield=True):
                    await self._rest.aclose()

    def _require_open(self) -> anyio.abc.TaskGroup:
        if self._tg is None:
            raise UsageError("the client is not open: use it inside `async with client:`")
        return self._tg

    # ------------------------------------------------------------------ users

    async def connect_user(self, user: wire.User, token: TokenSource) -> wire.OwnUser:
        """Connect ``user`` and return the own user (``me``) from the server's first frame.

        ``token`` is a JWT whose ``user_id`` is the user's id, or a provider (a sync or async
        callable returning one), called again whenever a fresh token is needed. The user is
        checked before anything touches the network (:class:`InvalidUserError`). A rejection
        raises the typed :class:`StreamAPIError` carrying Stream's code, status and message.
        Connecting the same user again returns the same result; connecting another user
        before :meth:`disconnect_user` raises.
        """
        tg = self._require_open()
        validate_user(user)
        session = self._session
        if session is not None and not session.finished.is_set():
            if session.user_id == user.id:
                return await session.wait_ready()
            raise UsageError(
                f"user {session.user_id!r} is connected; call disconnect_user() before connecting {user.id!r}"
            )
        tokens = TokenManager(user.id, token, refresh_margin=self._token_refresh_margin)
        session = Session(
            user=user,
            tokens=tokens,
            chain=self.transports,
            config=SessionConfig(
                base_url=self.base_url,
                api_key=self.api_key,
                user_agent=self._user_agent,
                connect_timeout=self.connect_timeout,
                ping_interval=self._ping_interval,
                dead_timeout=self._dead_timeout,
                backoff=self._backoff,
                probe_interval=self._probe_interval,
                handover_grace=self._handover_grace,
            ),
            dispatch=self._hub.dispatch,
            counters=self._counters,
            hooks=self._hooks,
            on_failed=self._session_failed,
        )
        self._session = session
        tg.start_soon(session.run)
        try:
            return await session.wait_ready()
        except BaseException:
            if session.error is not None:
                # Failed for good: wait until its tasks and sockets are gone before raising.
                with anyio.CancelScope(shield=True):
                    await session.finished.wait()
            raise

    async def disconnect_user(self, timeout: float | timedelta | None = None) -> None:
        """Close the connection and forget the user. Harmless when nobody is connected.

        Returns once every task and socket of the connection is gone. ``timeout`` (seconds)
        bounds the wait; the transports bound their own closing handshakes anyway.
        """
        session, self._session = self._session, None
        if session is None:
            return
        self._state_without_session = ConnectionState.DISCONNECTED
        session.close()
        try:
            with anyio.move_on_after(seconds(timeout, "timeout")):
                await session.finished.wait()
        finally:
            # After the session's last connection.changed: the channels have seen it go offline.
            self._channels.user_gone()

    def _session_failed(self, session: Session) -> None:
        """A session ended on its own (a rejection, no first connection): its channels go with it."""
        if self._session is session:
            self._channels.user_gone()

    # ------------------------------------------------------------------ events

    @overload
    def on(self, event_type: type[E], handler: Callable[[E], object]) -> Subscription: ...

    # An event class is callable too, so mypy sees this overlap with on(handler) below; the
    # runtime tells them apart (a class is never taken for a handler), and so does the order.
    @overload
    def on(self, event_type: type[E]) -> HandlerDecorator[E]: ...  # type: ignore[overload-overlap]

    @overload
    def on(self, event_type: str, handler: AnyEventHandler) -> Subscription: ...

    @overload
    def on(self, event_type: str) -> Callable[[H], H]: ...

    @overload
    def on(self, handler: AnyEventHandler, /) -> Subscription: ...

    def on(self, event_type: Any, handler: Any = None) -> Any:
        """Call ``handler(event)`` for each event of ``event_type``; ``on(handler)``: every event.

        ``event_type`` is an event class (``models.MessageNewEvent``: type checkers then know
        the handler gets that class), a ``type`` string (``"message.new"``, any type, known to
        this version or not) or ``"*"``. Handlers may be sync or async. They run one at a
        time, in event order, never on the connection's reader task; one that raises is logged
        and the client goes on. Returns a :class:`~streamchat_core.events.Subscription`: call
        it, or its ``unsubscribe()``, to unsubscribe. Used as a decorator
        (``@client.on(models.MessageNewEvent)``) it returns the function unchanged (unsubscribe
        it with :meth:`off`).
        """
        return self._hub.on(event_type, handler)

    @overload
    def off(self, event_type: EventType, handler: Handler) -> None: ...

    @overload
    def off(self, handler: Handler, /) -> None: ...

    def off(self, event_type: Any, handler: Any = None) -> None:
        """Unsubscribe a handler registered with :meth:`on` (``off(handler)``: one of ``on(handler)``)."""
        self._hub.off(event_type, handler)

    # The class forms overlap the last one for mypy (an event class could be one it never
    # delivers); every event the hub delivers is an Event, so the narrower types hold.
    @overload
    def events(self, t1: type[E1], /) -> EventStream[E1]: ...  # type: ignore[overload-overlap]

    @overload
    def events(  # type: ignore[overload-overlap]
        self, t1: type[E1], t2: type[E2], /
    ) -> EventStream[E1 | E2]: ...

    @overload
    def events(  # type: ignore[overload-overlap]
        self, t1: type[E1], t2: type[E2], t3: type[E3], /
    ) -> EventStream[E1 | E2 | E3]: ...

    @overload
    def events(  # type: ignore[overload-overlap]
        self, t1: type[E1], t2: type[E2], t3: type[E3], t4: type[E4], /
    ) -> EventStream[E1 | E2 | E3 | E4]: ...

    @overload
    def events(self, *event_types: EventType) -> EventStream[codec.Event]: ...

    def events(self, *event_types: EventType) -> EventStream[Any]:
        """An async iterator over the events of these types (none: every event), from now on.

        Types are event classes or strings, as for :meth:`on`; for type checkers, a stream of
        up to four event classes yields those classes, one of strings the ``Event`` union.
        """
        return self._hub.events(*event_types)

    @overload
    async def wait_for(
        self,
        event_type: type[E],
        *,
        check: Callable[[E], object] | None = None,
        timeout: float | timedelta | None = None,
    ) -> E: ...

    @overload
    async def wait_for(
        self,
        event_type: str,
        *,
        check: Callable[[codec.Event], object] | None = None,
        timeout: float | timedelta | None = None,
    ) -> codec.Event: ...

    async def wait_for(
        self,
        event_type: EventType,
        *,
        check: Callable[[Any], object] | None = None,
        timeout: float | timedelta | None = None,
    ) -> Any:
        """The next event of ``event_type`` (a class or a string) for which ``check(event)`` holds.

        Raises ``TimeoutError`` after ``timeout`` (seconds or a ``timedelta``).
        """
        return await self._hub.wait_for(event_type, check=check, timeout=timeout)

    def add_resubscribe_hook(self, hook: ResubscribeHook) -> Callable[[], None]:
        """Await ``hook(connection_id)`` whenever a new connection replaces the previous one.

        That is after a reconnect (before ``connection.recovered`` is dispatched) and during a
        switch back from long-poll (before the old connection is retired): the place to
        re-watch channels on the new connection. Returns a function that removes the hook.
        """
        self._hooks.append(hook)
        return lambda: self._hooks.remove(hook) if hook in self._hooks else None

    # ------------------------------------------------------------------ channels and the own user

    def channel(
        self,
        channel_type: str,
        channel_id: str | None = None,
        *,
        members: Sequence[str] | None = None,
        typing_timings: TypingTimings | None = None,
        **custom_fields: Any,
    ) -> Channel:
        """The channel ``channel_type:channel_id`` (the same object each time, until ``disconnect_user``).

        ``members`` and custom fields are used when the first query creates the channel;
        without an id, the server names the channel after its members. ``typing_timings``
        changes the typing intervals (tests). See :class:`~streamchat_core.channel.Channel`.
        """
        return self._channels.channel(
            channel_type,
            channel_id,
            members=members,
            custom_fields=custom_fields,
            typing_timings=typing_timings,
        )

    async def partial_update_user(
        self, set: Mapping[str, Any] | None = None, unset: Sequence[str] = ()
    ) -> wire.OwnUser:
        """Set and unset top-level fields of the connected user (``PATCH /users``); returns :attr:`user`.

        :attr:`user` is updated from the response before this returns, so a change of privacy
        settings applies to the very next keystroke; the server also sends ``user.updated``.
        """
        session = await self._connected_session()
        update = wire.PartialUserUpdate(id=session.user_id, set=dict(set or {}), unset=list(unset))
        response = await self.request(
            "PATCH",
            "/users",
            json=wire.PartialUpdateUsersRequest(users=[update]),
            response_type=wire.UsersResponse,
        )
        updated = response.users.get(session.user_id)
        if updated is not None and session.user is not None:
            session.user = merge_user(session.user, updated)
        if session.user is None:  # pragma: no cover - a connected session always has its user
            raise NotConnectedError("the connection ended during the update")
        return session.user

    async def update_privacy_settings(
        self,
        *,
        typing_indicators: bool | None = None,
        read_receipts: bool | None = None,
        delivery_receipts: bool | None = None,
    ) -> wire.OwnUser:
        """Turn the connected user's privacy settings on or off (``None``: unchanged), at once on both sides."""
        given: dict[PrivacySetting, bool | None] = {
            "typing_indicators": typing_indicators,
            "read_receipts": read_receipts,
            "delivery_receipts": delivery_receipts,
        }
        changes = {k: v for k, v in given.items() if v is not None}
        settings = privacy_settings_with(self.user, changes)
        return await self.partial_update_user(set={"privacy_settings": settings})

    # ------------------------------------------------------------------ REST

    async def _connected_session(self) -> Session:
        session = self._session
        if session is None:
            raise NotConnectedError("no user is connected: call connect_user() first")
        if not session.ready.is_set():
            await session.ready.wait()
        if session.state is ConnectionState.DISCONNECTED:
            error = session.error
            raise NotConnectedError(
                f"the connection of {session.user_id!r} ended" + (f": {error}" if error is not None else "")
            ) from error
        return session

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = ...,
        json: Any = ...,
        response_type: None = ...,
    ) -> Any: ...

    @overload
    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = ...,
        json: Any = ...,
        response_type: type[T],
    ) -> T: ...

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        response_type: type[Any] | None = None,
    ) -> Any:
        """An authenticated REST call as the connected user.

        Waits for a ``connect_user`` in flight; raises :class:`NotConnectedError` before any.
        ``params`` go in the query (objects and lists as JSON); ``json`` is the body (a wire
        model, or plain values). Returns the body decoded into ``response_type`` (a wire
        model) or, without one, as plain Python values. On error 40 with a token provider the
        token is refreshed and the call retried.
        """
        self._require_open()
        session = await self._connected_session()
        tokens = session.tokens
        attempt = 0
        while True:
            token = await tokens.get()
            generation = tokens.generation
            try:
                body = await self._rest.request(
                    method,
                    path,
                    token=token,
                    user_id=session.user_id,
                    connection_id=session.connection_id,
                    params=params,
                    json=json,
                )
                break
            except TokenExpiredError:
                attempt += 1
                if not tokens.has_provider or attempt > _TOKEN_RETRIES:
                    raise
                await tokens.refresh(generation)
        if response_type is not None:
            return codec.decode(body, response_type)
        return decode_json(body) if body else None


class _ChannelHost:
    """The client as its channels see it (:class:`~streamchat_core.channel_host.ChannelHost`).

    A separate object, so that what channel code may use of the client is this list and
    nothing more, and the client's public surface does not grow by it.
    """

    def __init__(self, client: StreamChatClient) -> None:
        self._client = client
        self.request = client.request

    @property
    def user(self) -> wire.OwnUser | None:
        return self._client.user

    @property
    def user_id(self) -> str | None:
        return self._client.user_id

    @property
    def connection_state(self) -> ConnectionState:
        return self._client.connection_state

    @property
    def connect_timeout(self) -> float:
        return self._client.connect_timeout

    @property
    def backoff(self) -> BackoffPolicy:
        return self._client._backoff

    @property
    def counters(self) -> Counters:
        return self._client._counters

    def start_soon(self, work: Callable[[], Coroutine[Any, Any, None]], name: str) -> bool:
        tg = self._client._tg
        if tg is None:
            return False
        tg.start_soon(work, name=name)
        return True

    def dispatch_local(self, event: codec.Event) -> None:
        self._client._hub.dispatch(event)

    def add_resubscribe_hook(self, hook: ResubscribeHook) -> Callable[[], None]:
        return self._client.add_resubscribe_hook(hook)
