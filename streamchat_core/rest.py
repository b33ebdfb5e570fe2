"""Authenticated REST calls, the way Stream's clients make them.

Every request carries the query parameters ``api_key``, ``user_id`` and (once connected)
``connection_id``, then the call's own; the headers ``Authorization: <raw JWT>`` (no
"Bearer"), ``stream-auth-type: jwt``, ``X-Stream-Client`` and a fresh
``x-client-request-id``. Object and list parameters travel as JSON strings
(``GET /users?payload={…}``). A non-2xx answer with a Stream error body raises the typed
:class:`~streamchat_core.errors.StreamAPIError` for its code; any other failure is a
:class:`~streamchat_core.errors.TransportError`. Messages never contain the token.

``connect_timeout`` bounds opening the TCP (and TLS) connection; ``receive_timeout`` bounds
waiting for the response.
"""

from __future__ import annotations

import functools
import logging
import ssl
import uuid
from collections.abc import Mapping
from typing import Any

import httpx
import msgspec

from streamchat_core import codec
from streamchat_core.errors import ConnectTimeoutError, DecodeError, StreamAPIError, TransportError
from streamchat_core.transport import redact

__all__ = ["RestClient", "encode_params", "shared_ssl_context"]

logger = logging.getLogger("streamchat.rest")


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """httpx's default TLS context, built once: building one costs about 0.1 s."""
    return httpx.create_ssl_context()


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
        headers = {
            "Authorization": token,
            "stream-auth-type": "jwt",
            "X-Stream-Client": self.user_agent,
            "x-client-request-id": str(uuid.uuid4()),
        }
        content: bytes | None = None
        if json is not None:
            content = json if isinstance(json, bytes) else codec.encode(json)
            headers["Content-Type"] = "application/json"
        url = self.base_url + (path if path.startswith("/") else "/" + path)
        what = f"{method.upper()} {path}"
        try:
            response = await http.request(method.upper(), url, params=query, headers=headers, content=content)
        except httpx.ConnectTimeout:
            raise ConnectTimeoutError(f"{what}: could not connect within {self.timeout.connect} s") from None
        except httpx.TimeoutException:
            raise TransportError(f"{what}: no response within {self.timeout.read} s") from None
        except httpx.HTTPError as exc:
            message = redact(f"{what} failed: {type(exc).__name__}: {exc}", [token])
            raise TransportError(message) from None
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
        raise DecodeError(f"the response is not JSON: {exc}") from None
