"""One connection, from opening it to its end: the handshake, the reader, pings, liveness.

A :class:`Link` runs in its own task. It opens a connection through a transport, waits for the
first frame (a ``health.check`` carrying ``connection_id`` and ``me``, or an error frame),
then reads frames until the connection ends, handing each decoded event to its ``sink``. It
never runs user code: the sink only queues.

Keep-alive, on connections that are :class:`~streamchat_core.transport.KeepAlive` (as Stream's
JS client does it):

- after each server ``health.check``, a ping is due ``ping_interval`` seconds later (25 s);
- a connection that has sent nothing for ``dead_timeout`` seconds (35 s) is dead.

A frame that cannot be decoded (not JSON, invalid UTF-8, nested too deeply, not the shape of
its event type, or any exception the decoder raises) never costs the connection: it is dropped,
counted (``client.stats.frames_dropped``), named in a rate-limited WARNING (why, never its
content; see :mod:`streamchat_core.stats`), and the next frame is read. Only the transport
ends a connection: ``receive()`` raising, an error frame, or silence.

A link never retries: it records why it ended (:attr:`Link.error`) and the session decides.
The moment its connection can no longer deliver (``receive()`` raised, the connection went
silent, an error frame came), :attr:`Link.lost` is set and the session told, before the
transport has finished closing (bounded by :data:`CLOSE_BOUND`): however a transport's library
handles a protocol violation, the core never reports ``connected`` on a connection that cannot
deliver. Errors never escape its task, so they never turn into exception groups.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import math
from collections.abc import Awaitable, Callable

import anyio
import msgspec
import sniffio

import streamchat_wire as wire
from streamchat_core import codec
from streamchat_core.codec import Event
from streamchat_core.errors import (
    ConnectionClosedError,
    ConnectTimeoutError,
    DecodeError,
    StreamAPIError,
    TokenExpiredError,
    TransportError,
    UpgradeRejectedError,
)
from streamchat_core.stats import Counters, describe_decode_failure
from streamchat_core.transport import (
    Connection,
    ConnectRequest,
    Drainable,
    KeepAlive,
    TokenUpdatable,
    Transport,
)

__all__ = ["CLOSE_BOUND", "Link", "Sink", "rejection_error"]

logger = logging.getLogger("streamchat.connection")

Sink = Callable[[Event, "bytes | str"], None]

#: Once a connection is lost, how long its transport may take to close before it is abandoned.
CLOSE_BOUND = 5.0


def _clock() -> Callable[[], float]:
    """The running loop's clock (the one anyio uses), without anyio's per-call backend lookup."""
    if sniffio.current_async_library() == "asyncio":
        return asyncio.get_running_loop().time
    return anyio.current_time


def rejection_error(rejected: UpgradeRejectedError) -> StreamAPIError | UpgradeRejectedError:
    """What a rejected opening means: Stream's error when the body is one, else the network failure.

    A Stream error body is the server turning the user down (a bad key or token): final, not
    retried, no fallback. Any other body is a firewall's or a proxy's page: ``rejected`` itself,
    retryable, so the session may fall back to another transport.
    """
    if not rejected.body:
        return rejected
    try:
        error = codec.error_from_body(rejected.body)
    except DecodeError:
        return rejected
    if error.status_code is None:
        error.status_code = rejected.status_code
    error.__cause__ = rejected
    return error


def ping_frame(client_id: str) -> str:
    """The keep-alive ping: a JSON array holding one ``health.check``, as Stream's clients send it."""
    return codec.encode([wire.HealthCheckPing(type="health.check", client_id=client_id)]).decode()


class Link:
    """One connection attempt and, if it succeeds, the connection's whole life.

    Start :meth:`run` in a task group; watch :attr:`up`, :attr:`lost` and :attr:`done`; read
    :attr:`error` once lost (``None`` when it was closed on purpose or drained).
    """

    def __init__(
        self,
        transport: Transport,
        request: ConnectRequest,
        *,
        sink: Sink,
        client_id: str,
        ping_interval: float,
        dead_timeout: float,
        refresh_token: Callable[[int], Awaitable[tuple[str, int]]] | None = None,
        on_up: Callable[[Link], None] | None = None,
        on_change: Callable[[], None] | None = None,
        counters: Counters | None = None,
    ) -> None:
        self.transport = transport
        self.request = request
        self.sink = sink
        self.client_id = client_id
        self.ping_interval = ping_interval
        self.dead_timeout = dead_timeout
        #: Given the generation of a token met with error 40, a fresh token and its generation.
        self.refresh_token = refresh_token
        self.on_up = on_up
        self.on_change = on_change
        self.counters = counters if counters is not None else Counters()
        self.up = anyio.Event()
        #: Set once the connection can deliver nothing more (the transport may still be closing).
        self.lost = anyio.Event()
        #: Set once the link's task has ended: the connection is closed.
        self.done = anyio.Event()
        self.hello: wire.HealthCheckEvent | None = None
        self.hello_frame: bytes | str = b""
        self.error: BaseException | None = None
        self.drained = False
        self.connection: Connection | None = None
        self.up_at: float = math.inf
        self._scope = anyio.CancelScope()
        self._serve_scope: anyio.CancelScope | None = None
        self._ping_at = math.inf
        self._keepalive_scope: anyio.CancelScope | None = None
        self._last_frame_at = 0.0
        self._closing = False
        self._drain_requested = False

    @property
    def name(self) -> str:
        return self.transport.name

    @property
    def connection_id(self) -> str | None:
        return self.hello.connection_id if self.hello is not None else None

    def cancel(self) -> None:
        """Close the connection; the link ends with no error.

        An open connection stops reading and is closed with the transport's closing handshake
        (bounded by the transport); one still opening is abandoned at once.
        """
        self._closing = True
        if self._serve_scope is not None:
            self._serve_scope.cancel()
        else:
            self._scope.cancel()

    def request_drain(self) -> bool:
        """Ask the connection to hand over what the server queued, then end. False if it cannot."""
        conn = self.connection
        if conn is not None and isinstance(conn, Drainable):
            self._drain_requested = True
            conn.request_drain()
            return True
        return False

    def update_token(self, token: str, generation: int) -> None:
        """Use ``token`` (of the token manager's ``generation``) from now on.

        The request keeps the token and its generation together: a reconnect after error 40
        tells the token manager which token it found stale.
        """
        self.request = dataclasses.replace(self.request, token=token, token_generation=generation)
        conn = self.connection
        if conn is not None and isinstance(conn, TokenUpdatable):
            conn.update_token(token)

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()

    # ------------------------------------------------------------------ the task

    async def run(self) -> None:
        try:
            with self._scope:
                await self._open_and_read()
        except Exception as exc:  # a transport broke its contract; do not let it kill the session
            logger.exception("the %s transport raised an unexpected error", self.name)
            if self.error is None:
                self.error = TransportError(f"the {self.name} transport failed: {type(exc).__name__}")
        finally:
            self._keepalive_scope = None
            self.counters.flush(self.name)
            self.lost.set()
            self.done.set()
            self._changed()

    async def _open_and_read(self) -> None:
        request = self.request
        with anyio.CancelScope(deadline=anyio.current_time() + request.timeout) as guard:
            try:
                async with self.transport.connect(request) as conn:
                    self.connection = conn
                    if not await self._handshake(conn):
                        return
                    guard.deadline = math.inf
                    self.up_at = self._last_frame_at = anyio.current_time()
                    self.up.set()
                    # Synchronously, before the next frame is read: the session announces
                    # the connection before any event that arrived on it.
                    if self.on_up is not None:
                        self.on_up(self)
                    self._changed()
                    try:
                        await self._serve(conn)
                    finally:
                        self._lose()
            except UpgradeRejectedError as exc:
                if self.error is None and not self._closing:
                    self.error = rejection_error(exc)
            except (TransportError, StreamAPIError) as exc:
                if self.error is None and not self._closing:
                    self.error = exc
        if guard.cancelled_caught and not self.up.is_set() and self.error is None:
            self.error = ConnectTimeoutError(
                f"the {self.name} connection was not open (handshake and first frame) within {request.timeout:g} s"
            )

    async def _handshake(self, conn: Connection) -> bool:
        try:
            frame = await conn.receive()
        except ConnectionClosedError as exc:
            if exc.close_code == 1000:
                # Stream's clients treat a normal close before the first frame as a refusal.
                self.error = ConnectionClosedError(
                    f"the server closed the {self.name} connection before accepting it "
                    f"(code 1000{': ' + exc.close_reason if exc.close_reason else ''})",
                    retryable=False,
                    close_code=1000,
                    close_reason=exc.close_reason,
                )
            else:
                self.error = exc
            return False
        try:
            event = codec.decode_event(frame)
        except StreamAPIError as exc:
            self.error = exc
            return False
        except Exception as exc:  # DecodeError, RecursionError, ...: whatever the decoder raises
            self.error = TransportError(
                f"the server's first frame is not a v1 event: {describe_decode_failure(exc)}"
            )
            return False
        if not isinstance(event, wire.HealthCheckEvent):
            self.error = TransportError(
                f"the server's first frame is a {event.type!r} event, not the health.check that opens a connection"
            )
            return False
        self.hello = event
        self.hello_frame = frame
        return True

    async def _serve(self, conn: Connection) -> None:
        pinged = conn if isinstance(conn, KeepAlive) else None
        async with anyio.create_task_group() as tg:
            self._serve_scope = tg.cancel_scope
            if self._closing:
                tg.cancel_scope.cancel()
            if pinged is not None:
                self._ping_at = anyio.current_time() + self.ping_interval
                tg.start_soon(self._keepalive, pinged)
            await self._read(conn, pinged is not None)
            tg.cancel_scope.cancel()
        self._serve_scope = None

    def _lose(self) -> None:
        """The connection can deliver nothing more: tell the session now, bound the closing."""
        if self.lost.is_set():
            return
        self.lost.set()
        self._scope.deadline = min(self._scope.deadline, anyio.current_time() + CLOSE_BOUND)
        self._changed()

    async def _read(self, conn: Connection, keepalive: bool) -> None:
        receive = conn.receive
        decode = codec.decode_event
        clock = _clock()
        health = wire.HealthCheckEvent
        while True:
            try:
                frame = await receive()
            except ConnectionClosedError as exc:
                if self._drain_requested:
                    self.drained = True
                elif not self._closing and self.error is None:
                    self.error = exc
                return
            except TransportError as exc:
                if self.error is None and not self._closing:
                    self.error = exc
                return
            except Exception as exc:  # a transport broke its contract: the connection is unusable
                logger.exception("the %s transport raised an unexpected error", self.name)
                if self.error is None and not self._closing:
                    self.error = TransportError(f"the {self.name} transport failed: {type(exc).__name__}")
                return
            self._last_frame_at = clock()
            try:
                event = decode(frame)
            except StreamAPIError as exc:
                if not await self._on_error_frame(exc):
                    return
                continue
            except Exception as exc:  # DecodeError, RecursionError, ...: drop the frame, read on
                self._drop(frame, describe_decode_failure(exc))
                continue
            if keepalive and event.__class__ is health:
                self._on_health_check()
            try:
                self.sink(event, frame)
            except Exception as exc:  # reading a lazily decoded part of the event failed
                logger.debug("delivering an event raised", exc_info=True)
                self._drop(frame, f"delivering it raised {type(exc).__name__}")

    def _drop(self, frame: bytes | str, reason: str) -> None:
        size = len(frame) if not isinstance(frame, str) else len(frame.encode("utf-8", "surrogatepass"))
        self.counters.frame_dropped(self.name, size, reason)

    async def _on_error_frame(self, exc: StreamAPIError) -> bool:
        """Whether to go on reading after an error frame on an open connection."""
        conn = self.connection
        if (
            isinstance(exc, TokenExpiredError)
            and self.refresh_token is not None
            and conn is not None
            and isinstance(conn, TokenUpdatable)
        ):
            # The connection sends the token again (long-poll): refresh it and keep going.
            try:
                token, generation = await self.refresh_token(self.request.token_generation)
            except Exception as refresh_error:
                self.error = refresh_error
                return False
            self.update_token(token, generation)
            logger.info("the token expired on the %s connection; refreshed it", self.name)
            return True
        self.error = exc
        return False

    def _on_health_check(self) -> None:
        self._ping_at = at = self._last_frame_at + self.ping_interval
        scope = self._keepalive_scope
        if scope is not None and at < scope.deadline:
            scope.deadline = at

    async def _keepalive(self, conn: KeepAlive) -> None:
        """Ping when one is due; declare the connection dead after ``dead_timeout`` of silence.

        One task does both: it sleeps until the next ping or the silence deadline, whichever
        comes first. Frames move the silence deadline without waking it (the reader only
        records when the last one came); on waking it works out which of the two is due.
        """
        frame = ping_frame(self.client_id)
        clock = _clock()
        while True:
            wake_at = min(self._ping_at, self._last_frame_at + self.dead_timeout)
            with anyio.CancelScope(deadline=wake_at) as scope:
                self._keepalive_scope = scope
                await anyio.sleep_forever()
            self._keepalive_scope = None
            now = clock()
            silent_for = now - self._last_frame_at
            if silent_for >= self.dead_timeout:
                logger.warning(
                    "the %s connection %s sent nothing for %.1f s: treating it as dead",
                    self.name,
                    self.connection_id,
                    silent_for,
                )
                if self.error is None:
                    self.error = ConnectionClosedError(
                        f"the {self.name} connection sent nothing for {self.dead_timeout:g} s"
                    )
                self._scope.cancel()
                return
            if now >= self._ping_at:
                self._ping_at = math.inf
                try:
                    await conn.send(frame)
                except TransportError as exc:
                    if self.error is None and not self._closing:
                        self.error = exc
                    self._scope.cancel()
                    return

    def __repr__(self) -> str:
        state = "done" if self.done.is_set() else "up" if self.up.is_set() else "opening"
        return f"Link({self.name!r}, connection_id={self.connection_id!r}, {state})"


def event_key(frame: bytes | str) -> bytes:
    """A key that is equal for the same event received on two connections.

    The frame as canonical JSON (keys sorted, whitespace dropped) without ``connection_id``,
    the one field a server may set per connection.
    """
    value = msgspec.json.decode(frame)
    if isinstance(value, dict):
        value.pop("connection_id", None)
    return msgspec.json.encode(value, order="sorted")
