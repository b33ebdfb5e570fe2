"""The transport contract: what a transport must do, and nothing more.

A transport opens one connection to the server and moves frames over it. It does not decide
anything: the core (``streamchat_core.connection`` and ``streamchat_core.session``) owns the
connection state, health checks, dead-connection detection, backoff, token refresh and the
fallback between transports, so every transport, a third party's included, gets them for free.

A transport is any object with

- ``name``: the name users select it by (also its entry-point name), for example ``"websocket"``;
- ``capabilities``: a frozenset of :data:`CAPABILITY_PING` and friends;
- ``connect(request)``: an async context manager that opens a :class:`Connection` for a
  :class:`ConnectRequest`, and closes it (promptly, even when cancelled) on exit.

A :class:`Connection` has ``receive()`` (the next frame as ``bytes`` or ``str``) and
``send(frame)``. Optional methods: ``update_token(token)`` (the connection sends the token
again later, as long-poll does on every poll) and ``request_drain()`` (see :class:`Drainable`).

Errors: a transport raises :class:`~streamchat_core.errors.TransportError` subclasses only.
``ConnectTimeoutError`` when opening takes longer than ``request.timeout``;
``ConnectionClosedError`` when the connection ends; ``TransportError(retryable=…,
status_code=…)`` for the rest (a refused connection, an HTTP error on the upgrade). When the
server answers with a Stream error body (``{"error": …}``), the transport hands it over as a
frame: the core decodes it and decides. Messages never contain the token: build URLs with
:meth:`ConnectRequest.redact`.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Final, Protocol, runtime_checkable
from urllib.parse import quote, urlencode

__all__ = [
    "CAPABILITY_PING",
    "ConnectRequest",
    "Connection",
    "Drainable",
    "TokenUpdatable",
    "Transport",
]

#: The server sends ``health.check`` frames on this connection and answers the client's
#: pings: the core pings after each server health check and treats silence as death.
CAPABILITY_PING: Final = "ping"

_REDACTED: Final = "<redacted>"


@dataclass(frozen=True)
class ConnectRequest:
    """Everything a transport needs to open a connection for one user.

    ``payload`` is the compact JSON of the connect payload (``{"user_id", "user_details",
    "client_request_id"}``) that travels in the ``json`` query parameter. ``timeout`` bounds
    opening the connection, in seconds. The token is kept out of the ``repr``.
    """

    base_url: str
    api_key: str
    user_id: str
    payload: bytes
    token: str = field(repr=False)
    user_agent: str
    timeout: float
    auth_type: str = "jwt"

    def websocket_query(self) -> str:
        """The ``/connect`` query string, parameters in the order Stream's JS client sends them."""
        return urlencode(
            [
                ("json", self.payload.decode()),
                ("api_key", self.api_key),
                ("authorization", self.token),
                ("stream-auth-type", self.auth_type),
                ("X-Stream-Client", self.user_agent),
            ],
            quote_via=quote,
        )

    def websocket_url(self, path: str = "/connect") -> str:
        """``ws(s)://<base>/connect?<query>``: the base URL's scheme swapped, its path prefix kept."""
        base = self.base_url.rstrip("/")
        if base.startswith("https://"):
            base = "wss://" + base[len("https://") :]
        elif base.startswith("http://"):
            base = "ws://" + base[len("http://") :]
        return f"{base}{path}?{self.websocket_query()}"

    def http_headers(self) -> dict[str, str]:
        """The headers of an authenticated HTTP request (REST, long-poll)."""
        return {
            "Authorization": self.token,
            "stream-auth-type": self.auth_type,
            "X-Stream-Client": self.user_agent,
        }

    def redact(self, text: str) -> str:
        """``text`` with the token (raw or URL-encoded) replaced: for logs and error messages."""
        return redact(text, [self.token])


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret in ``text``, raw or URL-encoded, by ``<redacted>``."""
    for secret in secrets:
        if secret:
            for form in {secret, quote(secret, safe=""), quote(secret)}:
                text = text.replace(form, _REDACTED)
    return text


@runtime_checkable
class Connection(Protocol):
    """One open connection. ``receive`` and ``send`` may be called from different tasks."""

    async def receive(self) -> bytes | str:
        """The next frame. Raises ``ConnectionClosedError`` once the connection has ended."""
        ...

    async def send(self, frame: bytes | str) -> None:
        """Send one frame (the core only ever sends keep-alive pings)."""
        ...


@runtime_checkable
class TokenUpdatable(Protocol):
    """A connection that sends the token again after opening (long-poll sends it on every poll)."""

    def update_token(self, token: str) -> None: ...


@runtime_checkable
class Drainable(Protocol):
    """A connection that can be retired without losing what the server queued for it.

    After ``request_drain()``, ``receive()`` still returns every frame the server had queued
    for this connection when the call was made, then raises ``ConnectionClosedError``. The
    core uses it to switch transports with no event lost: see ``streamchat_core.session``.
    """

    def request_drain(self) -> None: ...


@runtime_checkable
class Transport(Protocol):
    """A way of reaching the server. Implementations must be cheap to create and reusable."""

    name: str
    capabilities: frozenset[str]

    def connect(self, request: ConnectRequest) -> AbstractAsyncContextManager[Connection]:
        """Open a connection; closing it on exit, promptly, even under cancellation."""
        ...
