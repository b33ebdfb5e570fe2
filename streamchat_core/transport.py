"""The transport contract: everything a transport needs from the core, and nothing more.

A transport opens one connection to the server and moves frames over it. It does not decide
anything: the core (``streamchat_core.connection`` and ``streamchat_core.session``) owns the
connection state, health checks, dead-connection detection, backoff, token refresh and the
fallback between transports, so every transport, a third party's included, gets them for free.
A transport imports from the core this module only (the built-in ones are checked for it).

A transport is any object with

- ``name``: the name users select it by (also its entry-point name), for example ``"websocket"``;
- ``connect(request)``: an async context manager that opens a :class:`Connection` for a
  :class:`ConnectRequest`, and closes it (promptly, even when cancelled) on exit.

A :class:`Connection` has ``receive()``: the next frame, as ``bytes`` or ``str``.

Optional features are methods a connection may have, each a runtime-checkable protocol that
the core checks with ``isinstance`` on the open connection (there is no other mechanism):

- :class:`KeepAlive`, ``send(frame)``: the server sends ``health.check`` frames on this
  connection and answers the client's pings. The core then pings after each server health
  check, and treats ``dead_timeout`` of silence as death. WebSocket connections are; long-poll
  ones are not (and have no ``send``).
- :class:`TokenUpdatable`, ``update_token(token)``: the connection sends the token again after
  opening, as long-poll does on every poll.
- :class:`Drainable`, ``request_drain()``: the connection can be retired without losing what
  the server queued for it.

Errors: a transport raises only the transport errors exported here (the classes live in
:mod:`streamchat_core.errors`, the one error tree):

- :class:`UpgradeRejectedError` when the server answers the request that opens the connection
  (the WebSocket upgrade, long-poll's connect) with an HTTP error status. It carries the
  status and the body undecoded: the core reads the body and decides between a Stream
  rejection (an API error: final, no fallback) and a firewall's or a proxy's page (retryable,
  may fall back to another transport);
- :class:`ConnectTimeoutError` when opening takes longer than ``request.timeout``;
- :class:`ConnectionClosedError` when the connection ends;
- :class:`TransportError` (``retryable=…``, ``status_code=…``) for the rest: a refused
  connection, a DNS failure, an HTTP error on an open connection.

A Stream error body (``{"error": …}``) that arrives on an open connection (as long-poll's
answer to a poll) is a frame like any other: hand it over, the core decodes it.

:func:`map_exceptions` is the one way to translate your I/O library's errors (the core
translates httpx's the same way). Wrap the calls into the library in it, with a table of the
library's exception classes and the error each becomes, or a function of the exception where
the error needs its fields (a status, a close code), and a redactor,
:meth:`ConnectRequest.redact` (or :func:`redact` with every token the connection holds). The
library's exception stays chained as the ``__cause__``; messages are built from its redacted
description; and a cause whose text holds the token is chained as a redacted copy, so neither
the message nor a traceback shows it.

Helpers, so that every transport does these the same way: :meth:`ConnectRequest.websocket_url`,
:func:`auth_headers` (and :meth:`ConnectRequest.http_headers`), :func:`shared_ssl_context`, and
:func:`redact` (and :meth:`ConnectRequest.redact`): no message or log record ever contains the
token. A transport whose I/O library comes with one of streamchat-core's extras (the websocket
transport under trio: ``[trio]``) checks for it with :func:`require_extra` before importing it,
and turns the :class:`MissingExtraError` into a ``TransportError(str(missing), retryable=False)``
chained from it: the session then fails at once with the one line naming the extra.
"""

from __future__ import annotations

import functools
import re
import ssl
from collections.abc import Iterable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Final, Protocol, runtime_checkable
from urllib.parse import quote, urlencode

from streamchat_core.errors import (
    ConnectionClosedError,
    ConnectTimeoutError,
    TransportError,
    UpgradeRejectedError,
    map_exceptions,
)
from streamchat_core.extras import MissingExtraError, require_extra

__all__ = [
    "REDACTED",
    "ConnectRequest",
    "ConnectTimeoutError",
    "Connection",
    "ConnectionClosedError",
    "Drainable",
    "KeepAlive",
    "MissingExtraError",
    "TokenUpdatable",
    "Transport",
    "TransportError",
    "UpgradeRejectedError",
    "auth_headers",
    "map_exceptions",
    "redact",
    "require_extra",
    "shared_ssl_context",
]

#: What :func:`redact` puts in place of a token or a secret.
REDACTED: Final = "<redacted>"

# The token in a query string (``/connect?…&authorization=…``), in a header pair as libraries
# print them (``(b'authorization', b'…')``), and bare: three base64url parts, the first of
# which decodes to a JSON object, are what every JWT looks like.
_QUERY_TOKEN: Final = re.compile(r"(?i)(authorization=)[^&\s'\"]*")
_HEADER_TOKEN: Final = re.compile(r"(?i)(b?['\"]authorization['\"],\s*b?['\"])[^'\"]*")
_JWT: Final = re.compile(r"eyJ[A-Za-z0-9_\-+/=]*\.[A-Za-z0-9_\-+/=%]*\.[A-Za-z0-9_\-+/=%]*")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every token and secret replaced by :data:`REDACTED`: for logs and messages.

    Replaced: the value of an ``authorization`` query parameter or header pair, anything shaped
    like a JWT, and each of ``secrets`` as it is, URL-encoded, percent-encoded, or escaped as
    ``repr`` prints it in a ``str`` or (encoded) in a ``bytes``: an HTTP library refusing a
    header value quotes it that way.
    """
    # The named secrets first: a pattern that took the start of one would leave its tail.
    for secret in secrets:
        if secret:
            forms = {
                secret,
                quote(secret, safe=""),
                quote(secret),
                repr(secret)[1:-1],
                repr(secret.encode("utf-8", "backslashreplace"))[2:-1],
            }
            # The longest first: a form that contains another is replaced whole.
            for form in sorted(forms, key=len, reverse=True):
                text = text.replace(form, REDACTED)
    text = _QUERY_TOKEN.sub(r"\1" + REDACTED, text)
    text = _HEADER_TOKEN.sub(r"\1" + REDACTED, text)
    return _JWT.sub(REDACTED, text)


def auth_headers(token: str, *, user_agent: str, auth_type: str = "jwt") -> dict[str, str]:
    """The headers that authenticate an HTTP request to Stream (REST, long-poll).

    ``Authorization`` is the raw JWT (no "Bearer"), as Stream's clients send it.
    """
    return {"Authorization": token, "stream-auth-type": auth_type, "X-Stream-Client": user_agent}


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """httpx's default TLS context (certifi's trust store), built once: building one costs about 0.1 s."""
    # Imported here: a transport that does not use TLS this way does not pay for httpx.
    import httpx

    return httpx.create_ssl_context()


@dataclass(frozen=True, kw_only=True)
class ConnectRequest:
    """Everything a transport needs to open a connection for one user.

    ``payload`` is the compact JSON of the connect payload (``{"user_id", "user_details",
    "client_request_id"}``) that travels in the ``json`` query parameter. ``token_generation``
    is the core's count of the token refreshes that gave ``token`` (transports ignore it).
    ``timeout`` bounds opening the connection, in seconds. The token is kept out of the ``repr``.
    """

    base_url: str
    api_key: str
    user_id: str
    payload: bytes
    token: str = field(repr=False)
    token_generation: int = 0
    user_agent: str
    timeout: float
    auth_type: str = "jwt"

    def websocket_query(self) -> str:
        """The ``/connect`` query string, parameters in the order Stream's JS client sends them."""
        return urlencode(
            [
                ("json", self.payload.decode()),
                ("api_key", self.api_key),
                # The token travels in the query: browsers cannot set headers on a WebSocket.
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
        """The headers of an authenticated HTTP request (REST, long-poll): :func:`auth_headers`."""
        return auth_headers(self.token, user_agent=self.user_agent, auth_type=self.auth_type)

    def redact(self, text: str) -> str:
        """``text`` with the token, in every form :func:`redact` knows, replaced: for ``map_exceptions``."""
        return redact(text, [self.token])


@runtime_checkable
class Connection(Protocol):
    """One open connection. ``receive`` and the optional features' methods may be called from different tasks."""

    async def receive(self) -> bytes | str:
        """The next frame. Raises ``ConnectionClosedError`` once the connection has ended."""
        ...


@runtime_checkable
class KeepAlive(Protocol):
    """A connection the server keeps alive: it sends ``health.check`` frames and answers pings.

    The core pings with ``send`` (the only frames it ever sends) after each server health
    check, and declares the connection dead after ``dead_timeout`` of silence.
    """

    async def send(self, frame: bytes | str) -> None:
        """Send one frame. Raises ``ConnectionClosedError`` once the connection has ended."""
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

    def connect(self, request: ConnectRequest) -> AbstractAsyncContextManager[Connection]:
        """Open a connection; closing it on exit, promptly, even under cancellation."""
        ...
