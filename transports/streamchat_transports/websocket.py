"""The ``websocket`` transport: ``websockets`` under asyncio, ``trio-websocket`` under trio.

It opens ``ws(s)://<base>/connect?json=…&api_key=…&authorization=…`` (see
:meth:`~streamchat_core.transport.ConnectRequest.websocket_url`) and moves text frames. The
library's own keep-alive pings are off: the core pings the way Stream's protocol wants
(``health.check`` frames). Compression is off: it costs more than it saves on small frames.

Errors are mapped to the project's own:

- a refused or reset connection, a DNS failure → ``TransportError`` (retryable);
- an HTTP error status on the upgrade → ``UpgradeRejectedError`` carrying the status and the
  body, unread: the core tells Stream's rejection (an API error) from a firewall's or a proxy's
  page (retryable);
- no open connection within ``request.timeout`` → ``ConnectTimeoutError``;
- a base URL that makes no WebSocket URL → ``TransportError`` (not retryable);
- the connection ending → ``ConnectionClosedError`` carrying the close code.

Each is translated where it enters, by ``map_exceptions``, with the library's exception chained
as the cause (a redacted copy when its text holds the URL, and so the token). Under trio without
the ``[trio]`` extra, opening a connection raises a ``TransportError`` (not retryable) whose
message is the one line naming the extra, chained from ``MissingExtraError``.

A protocol violation by the server (a reserved opcode, reserved bits set, a masked frame, a
fragmented control frame, invalid UTF-8 in a text frame where the library checks it) fails the
connection at once: ``receive()`` raises ``ConnectionClosedError`` carrying the close code the
client sent (1002, 1007). Both libraries then wait for the server to close TCP, as RFC 6455
asks of a client, and a server that broke the protocol may never do so: under asyncio the
socket is closed as soon as ``websockets`` has queued its close frame; under trio the
connection's TCP stream is closed once the closing handshake is done or has timed out. (Under asyncio, text
frames are read as bytes, unchecked: a frame with invalid UTF-8 reaches the core, which drops
it and reads on.)

Leaving the connection's ``async with`` normally closes it with the closing handshake, bounded
by ``close_timeout``; leaving it with an exception (a cancellation included) sends the close
frame and drops the connection at once.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import math
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Final

import anyio
import sniffio
import websockets.asyncio.client
from websockets.exceptions import ConnectionClosed, InvalidStatus, InvalidURI, WebSocketException

from streamchat_core.transport import (
    Connection,
    ConnectionClosedError,
    ConnectRequest,
    ConnectTimeoutError,
    MissingExtraError,
    TransportError,
    UpgradeRejectedError,
    map_exceptions,
    redact,
    require_extra,
)

if TYPE_CHECKING:
    import trio_websocket

__all__ = ["WebSocketTransport"]

_DEFAULT_MAX_MESSAGE_SIZE: Final = 1 << 20
# Closing after an error or a cancellation: time to send the close frame, not to wait for the answer.
_ABORT_CLOSE_TIMEOUT: Final = 0.1


class _RedactTokens(logging.Filter):
    """Blanks tokens (the ``authorization`` query parameter) in the WebSocket libraries' debug logs.

    Both log the request line of the handshake at DEBUG, and the token travels in the
    ``/connect`` query string (browsers cannot set headers on a WebSocket).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


for _name in ("websockets.client", "trio-websocket"):
    _logger = logging.getLogger(_name)
    if not any(isinstance(f, _RedactTokens) for f in _logger.filters):
        _logger.addFilter(_RedactTokens())


def _rejected(status: int, body: bytes | bytearray | None) -> UpgradeRejectedError:
    return UpgradeRejectedError(
        f"the server answered the WebSocket upgrade with HTTP {status}",
        status_code=status,
        body=bytes(body) if body else b"",
    )


def _network_error(request: ConnectRequest, exc: BaseException) -> TransportError:
    detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
    return TransportError(request.redact(f"could not open a WebSocket to {_host(request)}: {detail}"))


def _handshake_timeout(request: ConnectRequest) -> ConnectTimeoutError:
    return ConnectTimeoutError(f"no WebSocket handshake with {_host(request)} within {request.timeout:g} s")


def _invalid_url(request: ConnectRequest) -> TransportError:
    return TransportError(f"the base URL {request.base_url!r} is not a valid WebSocket URL", retryable=False)


def _websockets_opening_error(request: ConnectRequest) -> Callable[[Exception, str], TransportError | None]:
    """How ``map_exceptions`` translates what ``websockets.connect`` raises."""

    def translate(exc: Exception, why: str) -> TransportError | None:
        if isinstance(exc, InvalidStatus):
            return _rejected(exc.response.status_code, exc.response.body)
        if isinstance(exc, (TimeoutError, asyncio.TimeoutError)):  # one class from Python 3.11
            return _handshake_timeout(request)
        # InvalidURI's text is the whole URL, token included: it is chained redacted. A
        # ValueError is what urllib raises on a malformed host or port (as under trio).
        if isinstance(exc, (InvalidURI, ValueError)):
            return _invalid_url(request)
        if isinstance(exc, (OSError, WebSocketException)):
            return _network_error(request, exc)
        return None

    return translate


def _host(request: ConnectRequest) -> str:
    return request.base_url.split("://", 1)[-1].split("/", 1)[0]


class _FailFastClientConnection(websockets.asyncio.client.ClientConnection):
    """A ``websockets`` connection that closes its socket once the server broke the protocol.

    On a protocol violation ``websockets`` sends a close frame and, being the client, waits
    for the server to close TCP; until then ``recv()`` waits too. Closing the transport (after
    the close frame is written) ends that wait at once.
    """

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        transport = self.transport
        if self.protocol.parser_exc is not None and transport is not None and not transport.is_closing():
            transport.close()


class _WebsocketsConnection:
    """A ``websockets`` (asyncio) connection."""

    def __init__(self, ws: websockets.asyncio.client.ClientConnection, request: ConnectRequest) -> None:
        self._ws = ws
        self._recv = ws.recv
        self._redact = request.redact

    # Translated in the except clause, not by a map_exceptions block around the call: entering
    # one costs more than the rest of handing a frame over, and receive runs once per frame.
    async def receive(self) -> bytes:
        try:
            # decode=False: text frames as bytes, skipping a UTF-8 decode msgspec does not need.
            return await self._recv(decode=False)
        except ConnectionClosed:
            with map_exceptions(self._closed, redact=self._redact):
                raise

    async def send(self, frame: bytes | str) -> None:
        try:
            await self._ws.send(frame if isinstance(frame, str) else frame.decode())
        except ConnectionClosed:
            with map_exceptions(self._closed, redact=self._redact):
                raise

    def _closed(self, exc: Exception, why: str) -> ConnectionClosedError | None:
        if not isinstance(exc, ConnectionClosed):
            return None
        if exc.rcvd is not None:
            return _closed(exc.rcvd.code, exc.rcvd.reason, redact=self._redact)
        if exc.sent is not None:  # the client failed the connection: the server broke the protocol
            return _closed(exc.sent.code, exc.sent.reason, by_client=True, redact=self._redact)
        return _closed(None, "", redact=self._redact)


class _TrioConnection:
    """A ``trio-websocket`` connection."""

    def __init__(self, ws: trio_websocket.WebSocketConnection, request: ConnectRequest) -> None:
        from trio_websocket import ConnectionClosed

        self._ws = ws
        self._redact = request.redact
        self._connection_closed = ConnectionClosed
        #: Set once the connection ended under us (not closed by this side).
        self.broken = False

    # Translated in the except clause, for the reason _WebsocketsConnection's are.
    async def receive(self) -> bytes | str:
        try:
            return await self._ws.get_message()
        except self._connection_closed:
            with map_exceptions(self._closed, redact=self._redact):
                raise

    async def send(self, frame: bytes | str) -> None:
        try:
            await self._ws.send_message(frame if isinstance(frame, str) else frame.decode())
        except self._connection_closed:
            with map_exceptions(self._closed, redact=self._redact):
                raise

    def _closed(self, exc: Exception, why: str) -> ConnectionClosedError | None:
        if not isinstance(exc, self._connection_closed):
            return None
        self.broken = True
        reason = exc.reason
        return _closed(
            reason.code if reason else None, (reason.reason or "") if reason else "", redact=self._redact
        )


def _closed(
    code: int | None, reason: str, *, by_client: bool = False, redact: Callable[[str], str]
) -> ConnectionClosedError:
    described = f"code {code}" if code is not None else "no close code"
    # The reason is the server's text: redacted in the message, as every text that is not ours.
    detail = f"{described}{': ' + redact(reason) if reason else ''}"
    message = (
        f"the WebSocket connection failed: the server broke the protocol (closed with {detail})"
        if by_client
        else f"the WebSocket connection closed ({detail})"
    )
    return ConnectionClosedError(message, close_code=code, close_reason=reason)


@functools.cache
def _websockets_supports_proxy() -> bool:
    return "proxy" in inspect.signature(websockets.asyncio.client.connect.__init__).parameters


class WebSocketTransport:
    """WebSocket connections to Stream's ``/connect`` endpoint, under asyncio or trio.

    ``max_message_size`` caps one incoming frame (1 MiB); ``close_timeout`` bounds the closing
    handshake (1 s, as Stream's JS client); ``ssl`` is an ``ssl.SSLContext`` for ``wss://``
    (default: the system's trust store). Under asyncio, ``proxy`` is passed to ``websockets``
    (``None``: no proxy; ``True``: from the environment), websockets 15 and later.
    """

    name = "websocket"

    def __init__(
        self,
        *,
        max_message_size: int = _DEFAULT_MAX_MESSAGE_SIZE,
        close_timeout: float = 1.0,
        ssl: Any = None,
        proxy: str | bool | None = None,
        trio_message_queue_size: int = 64,
    ) -> None:
        self.max_message_size = max_message_size
        self.close_timeout = close_timeout
        self.ssl = ssl
        self.proxy = proxy
        self.trio_message_queue_size = trio_message_queue_size

    def connect(self, request: ConnectRequest) -> Any:
        if sniffio.current_async_library() == "trio":
            return self._connect_trio(request)
        return self._connect_asyncio(request)

    @asynccontextmanager
    async def _connect_asyncio(self, request: ConnectRequest) -> AsyncIterator[Connection]:
        options: dict[str, Any] = {
            "compression": None,
            "max_size": self.max_message_size,
            "open_timeout": request.timeout,
            "ping_interval": None,
            "close_timeout": self.close_timeout,
            "user_agent_header": request.user_agent,
            "create_connection": _FailFastClientConnection,
        }
        if _websockets_supports_proxy():
            options["proxy"] = self.proxy
        if self.ssl is not None and request.base_url.startswith("https://"):
            options["ssl"] = self.ssl
        with map_exceptions(_websockets_opening_error(request), redact=request.redact):
            ws = await websockets.asyncio.client.connect(request.websocket_url(), **options)
        graceful = False
        try:
            yield _WebsocketsConnection(ws, request)
            graceful = True
        finally:
            with anyio.CancelScope(shield=True):
                with anyio.move_on_after(self.close_timeout if graceful else _ABORT_CLOSE_TIMEOUT):
                    await ws.close()
                if ws.transport is not None and not ws.transport.is_closing():
                    ws.transport.abort()

    @asynccontextmanager
    async def _connect_trio(self, request: ConnectRequest) -> AsyncIterator[Connection]:
        try:
            require_extra("trio", "the websocket transport under trio")
        except MissingExtraError as missing:
            # A transport raises transport errors only; not retryable, so the session fails at
            # once with the one line, where an ImportError would be retried until connect_timeout.
            raise TransportError(str(missing), retryable=False) from missing
        import h11
        import trio_websocket
        import wsproto.utilities

        entered = False

        def opening_error(exc: Exception, why: str) -> TransportError | None:
            # Once open, what leaves the block is the caller's or the connection's own.
            if entered:
                return None
            if isinstance(exc, trio_websocket.ConnectionRejected):
                return _rejected(exc.status_code, exc.body)
            if isinstance(exc, trio_websocket.ConnectionTimeout):
                return _handshake_timeout(request)
            if isinstance(exc, (trio_websocket.HandshakeError, OSError)):
                return _network_error(request, exc.__cause__ or exc)
            if isinstance(exc, (h11.ProtocolError, wsproto.utilities.ProtocolError)):
                # An answer to the upgrade that is not HTTP: trio-websocket lets its HTTP
                # libraries' errors out as they are.
                return _network_error(request, exc)
            if isinstance(exc, ValueError):  # urllib's, on a malformed URL
                return _invalid_url(request)
            return None

        # Bounds opening, then the end of trio-websocket's context. Opening: when the
        # handshake times out, trio-websocket raises ConnectionTimeout only once its reader
        # task ends, and that task waits for a server that never answers (trio-websocket
        # 0.12). The end: the reader task waits for the server to close TCP, and after a
        # protocol violation (the library closed the WebSocket without a closing handshake) a
        # server may never do so.
        closing = anyio.CancelScope(deadline=anyio.current_time() + request.timeout)
        try:
            with map_exceptions(opening_error, redact=request.redact), closing:
                async with trio_websocket.open_websocket_url(
                    request.websocket_url(),
                    ssl_context=self.ssl if request.base_url.startswith("https://") else None,
                    message_queue_size=self.trio_message_queue_size,
                    max_message_size=self.max_message_size,
                    connect_timeout=request.timeout,
                    disconnect_timeout=self.close_timeout,
                ) as ws:
                    entered = True
                    closing.deadline = math.inf
                    graceful = False
                    connection = _TrioConnection(ws, request)
                    try:
                        yield connection
                        graceful = not connection.broken
                    finally:
                        # When cancelled, trio-websocket's reader task is cancelled too and no
                        # closing handshake can complete: send the close frame and go.
                        timeout = self.close_timeout if graceful else _ABORT_CLOSE_TIMEOUT
                        with anyio.CancelScope(shield=True):
                            with anyio.move_on_after(timeout):
                                await ws.aclose()
                            # Then drop TCP (the reader task ends with it), without waiting for
                            # the server to: trio-websocket has no public way to do this.
                            stream = getattr(ws, "_stream", None)
                            if stream is not None:
                                with anyio.move_on_after(_ABORT_CLOSE_TIMEOUT):
                                    await stream.aclose()
                        closing.deadline = anyio.current_time() + _ABORT_CLOSE_TIMEOUT
        except trio_websocket.DisconnectionTimeout:
            # Only once open (opening_error translates it before): the closing handshake took
            # longer than close_timeout, and the connection is closed all the same.
            return
        if closing.cancelled_caught and not entered:
            raise _handshake_timeout(request)

    def __repr__(self) -> str:
        return "WebSocketTransport()"
