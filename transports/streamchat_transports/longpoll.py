"""The ``longpoll`` transport: events over plain HTTP, for networks that block WebSockets.

Stream's v1 long-poll protocol, as its JavaScript client 9.x speaks it:

- open: ``GET <base>/longpoll?json=<connect payload>&api_key=…&user_id=…`` with the usual REST
  headers (``Authorization: <raw JWT>``, ``stream-auth-type``, ``X-Stream-Client``); the
  answer is ``{"event": <health.check with connection_id and me>}``, the first frame;
- poll: ``GET <base>/longpoll?connection_id=…&api_key=…&user_id=…``; the server answers
  ``{"events": […]}`` at once when events are queued for the connection, otherwise holds the
  request (about 20 s) and answers with an empty list; each event becomes one frame, in order;
- close: ``GET <base>/longpoll?close=true&connection_id=…``, bounded by ``close_timeout``.

A Stream error body (``{"error": …}``) on any request is handed over as a frame; the core
decides (error 40: a fresh token through :meth:`LongPollConnection.update_token`, the same
connection goes on; error 46: a new connection). Network failures, timeouts and HTTP errors
without a Stream body raise ``TransportError``.

Draining (:meth:`LongPollConnection.request_drain`), used when the client switches back to
WebSocket: the poll in flight completes as usual; then one more poll collects what the server
had queued, with a short timeout (``drain_timeout``): a server answers at once when something
is queued, so a poll it holds that long had nothing left from before. Then ``receive`` raises
``ConnectionClosedError`` and the connection is closed with ``close=true``.
"""

from __future__ import annotations

import collections
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import httpx
import msgspec

from streamchat_core import codec
from streamchat_core.errors import ConnectionClosedError, ConnectTimeoutError, DecodeError, TransportError
from streamchat_core.rest import shared_ssl_context
from streamchat_core.transport import ConnectRequest

__all__ = ["LongPollConnection", "LongPollTransport"]


class _ConnectBody(msgspec.Struct):
    event: msgspec.Raw


class _PollBody(msgspec.Struct):
    events: list[msgspec.Raw] = msgspec.field(default_factory=list)


class _Hello(msgspec.Struct):
    connection_id: str


_CONNECT_BODY = msgspec.json.Decoder(_ConnectBody)
_POLL_BODY = msgspec.json.Decoder(_PollBody)
_HELLO = msgspec.json.Decoder(_Hello)


def _stream_error(body: bytes) -> bool:
    try:
        codec.error_from_body(body)
    except DecodeError:
        return False
    return True


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
        # Set once the server no longer knows the connection (error 46), or it answered
        # the opening request with an error: there is nothing to close then.
        self._gone = False
        self._drain = False
        self._drained = False

    # ------------------------------------------------------------------ the contract

    def update_token(self, token: str) -> None:
        self._token = token

    def request_drain(self) -> None:
        self._drain = True

    async def send(self, frame: bytes | str) -> None:
        raise TransportError("a long-poll connection cannot send frames", retryable=False)

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
        return {
            "Authorization": self._token,
            "stream-auth-type": self._request.auth_type,
            "X-Stream-Client": self._request.user_agent,
        }

    async def _get(self, params: dict[str, str], timeout: float, what: str) -> httpx.Response:
        try:
            return await self._http.get(self._url, params=params, headers=self._headers(), timeout=timeout)
        except httpx.TimeoutException:
            if what == "open":
                raise ConnectTimeoutError(
                    f"no answer to the long-poll connect within {timeout:g} s"
                ) from None
            raise TransportError(f"no answer to the long-poll {what} within {timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise TransportError(
                self._request.redact(f"the long-poll {what} failed: {type(exc).__name__}: {exc}")
            ) from None

    def _check(self, response: httpx.Response, what: str) -> bytes | None:
        """The body of a 2xx answer; ``None`` after queueing a Stream error body as a frame."""
        body = response.content
        if response.is_success:
            return body
        if _stream_error(body):
            self._frames.append(body)
            return None
        raise TransportError(
            f"the long-poll {what} was answered with HTTP {response.status_code}",
            retryable=True,
            status_code=response.status_code,
        )

    async def open(self) -> None:
        params = self._params(json=self._request.payload.decode())
        response = await self._get(params, self._request.timeout, "open")
        body = self._check(response, "open")
        if body is None:
            self._gone = True  # rejected: the error frame is all there is
            return
        try:
            event = bytes(_CONNECT_BODY.decode(body).event)
            self.connection_id = _HELLO.decode(event).connection_id
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise TransportError(f"the long-poll connect answer is not a connect event: {exc}") from None
        self._frames.append(event)

    async def _poll(self, timeout: float) -> None:
        assert self.connection_id is not None
        response = await self._get(self._params(connection_id=self.connection_id), timeout, "poll")
        body = self._check(response, "poll")
        if body is None:
            if self._transport._is_gone(self._frames[-1]):
                self._gone = True
            return
        try:
            events = _POLL_BODY.decode(body).events
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise TransportError(f"the long-poll answer is not a list of events: {exc}") from None
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
    capabilities: frozenset[str] = frozenset()

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

    @staticmethod
    def _is_gone(frame: bytes) -> bool:
        try:
            return codec.error_from_body(frame).code == 46
        except DecodeError:  # pragma: no cover - only Stream error bodies are queued here
            return False

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
