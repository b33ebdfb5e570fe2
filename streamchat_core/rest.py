"""Authenticated REST calls, the way Stream's clients make them.

Every request carries the query parameters ``api_key``, ``user_id`` and (once connected)
``connection_id``, then the call's own; the headers ``Authorization: <raw JWT>`` (no
"Bearer"), ``stream-auth-type: jwt``, ``X-Stream-Client`` and a fresh
``x-client-request-id``. Object and list parameters travel as JSON strings
(``GET /users?payload={…}``). A non-2xx answer with a Stream error body raises the typed
:class:`~streamchat_core.errors.StreamAPIError` for its code; any other failure is a
:class:`~streamchat_core.errors.TransportError`, translated from httpx's by
:func:`~streamchat_core.errors.map_exceptions` with httpx's exception as its ``__cause__``.
Messages and tracebacks never contain the token.

``connect_timeout`` bounds opening the TCP (and TLS) connection; ``receive_timeout`` bounds
waiting for the response.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import httpx
import msgspec

from streamchat_core import codec
from streamchat_core.errors import (
    ConnectTimeoutError,
    DecodeError,
    StreamAPIError,
    StreamChatError,
    TransportError,
    map_exceptions,
)
from streamchat_core.transport import auth_headers, redact, shared_ssl_context

__all__ = ["RestClient", "encode_params"]

logger = logging.getLogger("streamchat.rest")


def encode_params(params: Mapping[str, Any] | None) -> dict[str, str]:
    """Query parameters as strings: objects and lists as compact JSON, ``None`` left out."""
    out: dict[str, str] = {}
    for key, value in (params or {}).items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, (str, int, float)):
            out[key] = str(value)
        else:
            out[key] = codec.encode(value).decode()
    return out


class RestClient:
    """A thin layer over one ``httpx.AsyncClient``, opened and closed with the Stream client."""

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        user_agent: str,
        connect_timeout: float,
        receive_timeout: float,
        http_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.user_agent = user_agent
        self.timeout = httpx.Timeout(
            connect=connect_timeout, read=receive_timeout, write=receive_timeout, pool=connect_timeout
        )
        self._http_transport = http_transport
        self._http: httpx.AsyncClient | None = None

    async def open(self) -> None:
        """Nothing to do yet: the HTTP client is made on the first request (a bot may never make one)."""

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(
                timeout=self.timeout, transport=self._http_transport, verify=shared_ssl_context()
            )
        return self._http

    async def aclose(self) -> None:
        http, self._http = self._http, None
        if http is not None:
            await http.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        token: str,
        user_id: str,
        connection_id: str | None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> bytes:
        """Send one request and return the body of a 2xx answer."""
        http = self._client()
        query: dict[str, str] = {"api_key": self.api_key, "user_id": user_id}
        if connection_id:
            query["connection_id"] = connection_id
        query.update(encode_params(params))
        headers = auth_headers(token, user_agent=self.user_agent)
        headers["x-client-request-id"] = str(uuid.uuid4())
        content: bytes | None = None
        if json is not None:
            content = json if isinstance(json, bytes) else codec.encode(json)
            headers["Content-Type"] = "application/json"
        url = self.base_url + (path if path.startswith("/") else "/" + path)
        what = f"{method.upper()} {path}"
        # Subclasses first: the first match wins.
        errors: dict[type[Exception], Callable[[str], StreamChatError]] = {
            httpx.ConnectTimeout: lambda _: ConnectTimeoutError(
                f"{what}: could not connect within {self.timeout.connect} s"
            ),
            httpx.TimeoutException: lambda _: TransportError(
                f"{what}: no response within {self.timeout.read} s"
            ),
            httpx.HTTPError: lambda why: TransportError(f"{what} failed: {why}"),
        }
        # The token travels in a header only, so httpx's errors do not show it, except one that
        # quotes a header (h11 refusing a value): map_exceptions then chains a redacted stand-in.
        with map_exceptions(errors, redact=lambda text: redact(text, [token])):
            response = await http.request(method.upper(), url, params=query, headers=headers, content=content)
        body = response.content
        if response.is_success:
            return body
        raise error_for_response(what, response.status_code, body)


def error_for_response(what: str, status: int, body: bytes) -> StreamAPIError | TransportError:
    """The exception for a non-2xx answer: typed when the body is a Stream error."""
    try:
        error = codec.error_from_body(body)
    except DecodeError:
        return TransportError(
            f"{what}: HTTP {status}", retryable=status >= 500 or status == 429, status_code=status
        )
    if error.status_code is None:
        error.status_code = status
    return error


def decode_json(body: bytes) -> Any:
    """A JSON body as plain Python values."""
    try:
        return msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        # msgspec's message says what and where, never quotes the body: safe to chain.
        raise DecodeError(f"the response is not JSON: {exc}") from exc
