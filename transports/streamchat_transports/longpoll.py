"""The ``longpoll`` transport: events over plain HTTP, for networks that block WebSockets.

Stream's v1 long-poll protocol, as its JavaScript client 9.x speaks it:

- open: ``GET <base>/longpoll?json=<connect payload>&api_key=…&user_id=…`` with the usual REST
  headers (``Authorization: <raw JWT>``, ``stream-auth-type``, ``X-Stream-Client``); the
  answer is ``{"event": <health.check with connection_id and me>}``, the first frame;
- poll: ``GET <base>/longpoll?connection_id=…&api_key=…&user_id=…``; the server answers
  ``{"events": […]}`` at once when events are queued for the connection, otherwise holds the
  request (about 20 s) and answers with an empty list; each event becomes one frame, in order;
- close: ``GET <base>/longpoll?close=true&connection_id=…``, bounded by ``close_timeout``.

An HTTP error answering the open raises ``UpgradeRejectedError`` with the status and the body:
the core decides whether it is Stream's rejection. A Stream error body (``{"error": …}``, or
Stream's REST error with ``code`` and ``message`` at the top level) answering a poll is handed
over as a frame, undecoded; the core decides (error 40: a fresh token through
:meth:`LongPollConnection.update_token`, the same connection goes on; error 46: a new
connection). Network failures, timeouts, other HTTP errors and a base URL httpx cannot use (not
retryable) raise ``TransportError``, translated from httpx's by ``map_exceptions`` with httpx's
exception chained as the cause (a redacted copy when its text quotes the token, as one refusing
a header value does).

Draining (:meth:`LongPollConnection.request_drain`), used when the client switches back to
WebSocket: the poll in flight completes as usual; then one more poll collects what the server
had queued, with a short timeout (``drain_timeout``): a server answers at once when something
is queued, so a poll it holds that long had nothing left from before. Then ``receive`` raises
``ConnectionClosedError`` and the connection is closed with ``close=true``.
"""

from __future__ import annotations

import collections
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import anyio
import httpx
import msgspec

from streamchat_core.transport import (
    ConnectionClosedError,
    ConnectRequest,
    ConnectTimeoutError,
    TransportError,
    UpgradeRejectedError,
    auth_headers,
    map_exceptions,
    redact,
    shared_ssl_context,
)

__all__ = ["LongPollConnection", "LongPollTransport"]


class _ConnectBody(msgspec.Struct):
    event: msgspec.Raw


class _PollBody(msgspec.Struct):
    events: list[msgspec.Raw] = msgspec.field(default_factory=list)


class _Hello(msgspec.Struct):
    connection_id: str


# Only what tells a Stream error body from any other answer (a proxy's page): reading what it
# says is the core's business.
class _APIError(msgspec.Struct):
    code: int
    message: str


class _ErrorEnvelope(msgspec.Struct):
    error: _APIError


#: What map_exceptions is given: the foreign exception classes, and what each becomes.
_Errors = dict[type[Exception], Callable[[str], TransportError]]

_CONNECT_BODY = msgspec.json.Decoder(_ConnectBody)
_POLL_BODY = msgspec.json.Decoder(_PollBody)
_HELLO = msgspec.json.Decoder(_Hello)
_ERROR_SHAPES = (msgspec.json.Decoder(_ErrorEnvelope), msgspec.json.Decoder(_APIError))


def _is_stream_error(body: bytes) -> bool:
    for shape in _ERROR_SHAPES:
        try:
            shape.decode(body)
        except (msgspec.DecodeError, msgspec.ValidationError):
            continue
        return True
    return False


class LongPollConnection:
    """One long-poll connection: ``receive`` polls when it has no frame left."""

    def __init__(
        self, transport: LongPollTransport, http: httpx.AsyncClient, request: ConnectRequest
    ) -> None:
        self._transport = transport
        self._http = http
        self._request = request
        self._url = request.base_url.rstrip("/") + "/longpoll"
        self._token = request.token
        self._frames: collections.deque[bytes] = collections.deque()
        self.connection_id: str | None = None
        # Set once the connection is closed: there is nothing to poll or close then.
        self._gone = False
        self._drain = False
        self._drained = False

    # ------------------------------------------------------------------ the contract

    def update_token(self, token: str) -> None:
        self._token = token

    def request_drain(self) -> None:
        self._drain = True

    async def receive(self) -> bytes:
        frames = self._frames
        while not frames:
            if self._gone or self._drained:
                raise ConnectionClosedError("the long-poll connection has ended")
            if self._drain:
                await self._final_poll()
            else:
                await self._poll(self._transport.poll_timeout)
        return frames.popleft()

    # ------------------------------------------------------------------ requests

    def _params(self, **extra: str) -> dict[str, str]:
        params = {"api_key": self._request.api_key, "user_id": self._request.user_id}
        params.update(extra)
        return params

    def _headers(self) -> dict[str, str]:
        request = self._request
        return auth_headers(self._token, user_agent=request.user_agent, auth_type=request.auth_type)

    def _redact(self, text: str) -> str:
        # Both tokens: the one it opened with, and the one it polls with since update_token.
        return redact(text, (self._request.token, self._token))

    async def _get(self, params: dict[str, str], timeout: float, what: str) -> httpx.Response:
        timed_out: Callable[[str], TransportError] = (
            (lambda _: ConnectTimeoutError(f"no answer to the long-poll connect within {timeout:g} s"))
            if what == "open"
            else (lambda _: TransportError(f"no answer to the long-poll {what} within {timeout:g} s"))
        )
        errors: _Errors = {
            httpx.TimeoutException: timed_out,  # before its base, HTTPError
            httpx.HTTPError: lambda why: TransportError(f"the long-poll {what} failed: {why}"),
            # Not an HTTPError: httpx raises it before sending, on a malformed host or port.
            httpx.InvalidURL: lambda _: TransportError(
                f"the base URL {self._request.base_url!r} is not a valid long-poll URL", retryable=False
            ),
        }
        with map_exceptions(errors, redact=self._redact):
            return await self._http.get(self._url, params=params, headers=self._headers(), timeout=timeout)

    async def open(self) -> None:
        params = self._params(json=self._request.payload.decode())
        response = await self._get(params, self._request.timeout, "open")
        body = response.content
        if not response.is_success:
            raise UpgradeRejectedError(
                f"the long-poll open was answered with HTTP {response.status_code}",
                status_code=response.status_code,
                body=body,
            )
        not_hello: _Errors = {  # ValidationError is a DecodeError
            msgspec.DecodeError: lambda why: TransportError(
                f"the long-poll connect answer is not a connect event: {why}"
            )
        }
        with map_exceptions(not_hello, redact=self._redact):
            event = bytes(_CONNECT_BODY.decode(body).event)
            self.connection_id = _HELLO.decode(event).connection_id
        self._frames.append(event)

    async def _poll(self, timeout: float) -> None:
        assert self.connection_id is not None
        response = await self._get(self._params(connection_id=self.connection_id), timeout, "poll")
        body = response.content
        if not response.is_success:
            if not _is_stream_error(body):
                raise TransportError(
                    f"the long-poll poll was answered with HTTP {response.status_code}",
                    status_code=response.status_code,
                )
            self._frames.append(body)
            return
        not_events: _Errors = {
            msgspec.DecodeError: lambda why: TransportError(
                f"the long-poll answer is not a list of events: {why}"
            )
        }
        with map_exceptions(not_events, redact=self._redact):
            events = _POLL_BODY.decode(body).events
        self._frames.extend(bytes(e) for e in events)

    async def _final_poll(self) -> None:
        # Started after the drain request: whatever the server had queued by then comes back
        # at once. A poll it holds for drain_timeout means nothing was queued.
        self._drained = True
        with anyio.move_on_after(self._transport.drain_timeout), contextlib.suppress(TransportError):
            await self._poll(self._transport.drain_timeout + 5.0)

    async def close(self) -> None:
        if self.connection_id is None or self._gone:
            return
        self._gone = True
        params = self._params(close="true", connection_id=self.connection_id)
        # Failing is harmless: the server forgets a connection nobody polls.
        with contextlib.suppress(TransportError):
            await self._get(params, self._transport.close_timeout, "close")


class LongPollTransport:
    """Long-poll connections over httpx (asyncio and trio alike).

    ``poll_timeout`` bounds one poll (30 s: the server holds a poll about 20 s);
    ``close_timeout`` bounds the closing request (2 s); ``drain_timeout`` is how long the last
    poll of a drain may take (2 s). Pass ``client`` to use your own ``httpx.AsyncClient`` (for
    proxies, TLS settings); it is not closed. ``trust_env`` is passed to the clients this
    transport makes.
    """

    name = "longpoll"

    def __init__(
        self,
        *,
        poll_timeout: float = 30.0,
        close_timeout: float = 2.0,
        drain_timeout: float = 2.0,
        client: httpx.AsyncClient | None = None,
        trust_env: bool = True,
    ) -> None:
        self.poll_timeout = poll_timeout
        self.close_timeout = close_timeout
        self.drain_timeout = drain_timeout
        self.client = client
        self.trust_env = trust_env

    @asynccontextmanager
    async def connect(self, request: ConnectRequest) -> AsyncIterator[LongPollConnection]:
        own: httpx.AsyncClient | None = None
        http = self.client
        if http is None:
            http = own = httpx.AsyncClient(verify=shared_ssl_context(), trust_env=self.trust_env)
        try:
            connection = LongPollConnection(self, http, request)
            await connection.open()
            try:
                yield connection
            finally:
                with anyio.CancelScope(shield=True):
                    await connection.close()
        finally:
            if own is not None:
                with anyio.CancelScope(shield=True):
                    await own.aclose()

    def __repr__(self) -> str:
        return f"LongPollTransport(poll_timeout={self.poll_timeout})"
