"""The ``websocket`` transport: ``websockets`` under asyncio, ``trio-websocket`` under trio.

It opens ``ws(s)://<base>/connect?json=…&api_key=…&authorization=…`` (see
:meth:`~streamchat_core.transport.ConnectRequest.websocket_url`) and moves text frames. The
library's own keep-alive pings are off: the core pings the way Stream's protocol wants
(``health.check`` frames). Compression is off: it costs more than it saves on small frames.

Errors are mapped to the project's own:

- a refused or reset connection, a DNS failure → ``TransportError`` (retryable);
- an HTTP error status on the upgrade → ``TransportError(status_code=…)`` (retryable: it is
  what a firewall or proxy that blocks WebSockets answers), unless the body is a Stream error
  (``{"error": …}``): that body is then handed over as the connection's only frame, so the
  core sees an API rejection, exactly as when the server accepts the upgrade and sends it;
- no open connection within ``request.timeout`` → ``ConnectTimeoutError``;
- the connection ending → ``ConnectionClosedError`` carrying the close code.

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
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Final

import anyio
import sniffio
import websockets.asyncio.client
from websockets.exceptions import ConnectionClosed, InvalidStatus, InvalidURI, WebSocketException

from streamchat_core import codec
from streamchat_core.errors import ConnectionClosedError, ConnectTimeoutError, DecodeError, TransportError
from streamchat_core.transport import CAPABILITY_PING, Connection, ConnectRequest

if TYPE_CHECKING:
    import trio_websocket

__all__ = ["WebSocketTransport"]

_DEFAULT_MAX_MESSAGE_SIZE: Final = 1 << 20
# Closing after an error or a cancellation: time to send the close frame, not to wait for the answer.
_ABORT_CLOSE_TIMEOUT: Final = 0.1
_TOKEN_IN_QUERY: Final = re.compile(r"(authorization=)[^&\s'\"]*", re.IGNORECASE)


class _RedactTokens(logging.Filter):
    """Blanks the ``authorization`` query parameter in the WebSocket libraries' debug logs.

    Both log the request line of the handshake at DEBUG, and the token travels in the
    ``/connect`` query string (browsers cannot set headers on a WebSocket).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True
        if "uthorization=" in message or "UTHORIZATION=" in message:
            record.msg = _TOKEN_IN_QUERY.sub(r"\1<redacted>", message)
            record.args = None
        return True


for _name in ("websockets.client", "trio-websocket"):
    _logger = logging.getLogger(_name)
    if not any(isinstance(f, _RedactTokens) for f in _logger.filters):
        _logger.addFilter(_RedactTokens())


def _is_stream_error(body: bytes | None) -> bool:
    if not body:
        return False
    try:
        codec.error_from_body(body)
    except DecodeError:
        return False
    return True


def _upgrade_error(request: ConnectRequest, status: int, body: bytes | None) -> TransportError | bytes:
    if body is not None and _is_stream_error(body):
        return body
    return TransportError(
        f"the server answered the WebSocket upgrade with HTTP {status}", retryable=True, status_code=status
    )


def _network_error(request: ConnectRequest, exc: BaseException) -> TransportError:
    detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
    return TransportError(request.redact(f"could not open a WebSocket to {_host(request)}: {detail}"))


def _host(request: ConnectRequest) -> str:
    return request.base_url.split("://", 1)[-1].split("/", 1)[0]


class _RejectedConnection:
    """Hands over the Stream error body of a refused upgrade as the only frame."""

    def __init__(self, body: bytes) -> None:
        self._body: bytes | None = body

    async def receive(self) -> bytes:
        body, self._body = self._body, None
        if body is None:
            raise ConnectionClosedError("the server refused the WebSocket upgrade", retryable=False)
        return body

    async def send(self, frame: bytes | str) -> None:
        raise ConnectionClosedError("the server refused the WebSocket upgrade", retryable=False)


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

    def __init__(self, ws: websockets.asyncio.client.ClientConnection) -> None:
        self._ws = ws
        self._recv = ws.recv

    async def receive(self) -> bytes:
        try:
            # decode=False: text frames as bytes, skipping a UTF-8 decode msgspec does not need.
            return await self._recv(decode=False)
        except ConnectionClosed as exc:
            raise _closed_by_websockets(exc) from None

    async def send(self, frame: bytes | str) -> None:
        try:
            await self._ws.send(frame if isinstance(frame, str) else frame.decode())
        except ConnectionClosed as exc:
            raise _closed_by_websockets(exc) from None


def _closed_by_websockets(exc: ConnectionClosed) -> ConnectionClosedError:
    if exc.rcvd is not None:
        return _closed(exc.rcvd.code, exc.rcvd.reason)
    if exc.sent is not None:  # the client failed the connection: the server broke the protocol
        return _closed(exc.sent.code, exc.sent.reason, by_client=True)
    return _closed(None, "")


class _TrioConnection:
    """A ``trio-websocket`` connection."""

    def __init__(self, ws: trio_websocket.WebSocketConnection) -> None:
        self._ws = ws
        #: Set once the connection ended under us (not closed by this side).
        self.broken = False

    async def receive(self) -> bytes | str:
        from trio_websocket import ConnectionClosed

        try:
            return await self._ws.get_message()
        except ConnectionClosed as exc:
            self.broken = True
            reason = exc.reason
            raise _closed(reason.code if reason else None, (reason.reason or "") if reason else "") from None

    async def send(self, frame: bytes | str) -> None:
        from trio_websocket import ConnectionClosed

        try:
            await self._ws.send_message(frame if isinstance(frame, str) else frame.decode())
        except ConnectionClosed as exc:
            self.broken = True
            reason = exc.reason
            raise _closed(reason.code if reason else None, (reason.reason or "") if reason else "") from None


def _closed(code: int | None, reason: str, *, by_client: bool = False) -> ConnectionClosedError:
    described = f"code {code}" if code is not None else "no close code"
    detail = f"{described}{': ' + reason if reason else ''}"
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
    capabilities = frozenset({CAPABILITY_PING})

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
        try:
            ws = await websockets.asyncio.client.connect(request.websocket_url(), **options)
        except InvalidStatus as exc:
            response = exc.response
            outcome = _upgrade_error(request, response.status_code, bytes(response.body))
            if isinstance(outcome, TransportError):
                raise outcome from None
            yield _RejectedConnection(outcome)
            return
        except (TimeoutError, asyncio.TimeoutError):
            raise ConnectTimeoutError(
                f"no WebSocket handshake with {_host(request)} within {request.timeout:g} s"
            ) from None
        except InvalidURI:
            raise TransportError(
                f"the base URL {request.base_url!r} is not a valid WebSocket URL", retryable=False
            ) from None
        except (OSError, WebSocketException) as exc:
            raise _network_error(request, exc) from None
        graceful = False
        try:
            yield _WebsocketsConnection(ws)
            graceful = True
        finally:
            with anyio.CancelScope(shield=True):
                with anyio.move_on_after(self.close_timeout if graceful else _ABORT_CLOSE_TIMEOUT):
                    await ws.close()
                if ws.transport is not None and not ws.transport.is_closing():
                    ws.transport.abort()

    @asynccontextmanager
    async def _connect_trio(self, request: ConnectRequest) -> AsyncIterator[Connection]:
        import trio_websocket

        entered = False
        # Bounds the end of trio-websocket's context: its reader task waits for the server to
        # close TCP, and after a protocol violation (the library closed the WebSocket without
        # a closing handshake) a server may never do so.
        closing = anyio.CancelScope()
        try:
            with closing:
                async with trio_websocket.open_websocket_url(
                    request.websocket_url(),
                    ssl_context=self.ssl if request.base_url.startswith("https://") else None,
                    message_queue_size=self.trio_message_queue_size,
                    max_message_size=self.max_message_size,
                    connect_timeout=request.timeout,
                    disconnect_timeout=self.close_timeout,
                ) as ws:
                    entered = True
                    graceful = False
                    connection = _TrioConnection(ws)
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
        except trio_websocket.ConnectionRejected as exc:
            if entered:
                raise
            outcome = _upgrade_error(request, exc.status_code, exc.body)
            if isinstance(outcome, TransportError):
                raise outcome from None
            yield _RejectedConnection(outcome)
        except trio_websocket.ConnectionTimeout:
            if entered:
                raise
            raise ConnectTimeoutError(
                f"no WebSocket handshake with {_host(request)} within {request.timeout:g} s"
            ) from None
        except (trio_websocket.HandshakeError, OSError) as exc:
            if entered:
                if isinstance(exc, trio_websocket.DisconnectionTimeout):
                    return
                raise
            raise _network_error(request, exc.__cause__ or exc) from None
        except ValueError:
            if entered:
                raise
            raise TransportError(
                f"the base URL {request.base_url!r} is not a valid WebSocket URL", retryable=False
            ) from None

    def __repr__(self) -> str:
        return "WebSocketTransport()"
