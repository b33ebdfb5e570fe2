"""The contract module's helpers: the connect request's URL and headers, auth headers, TLS, redaction."""

from __future__ import annotations

import dataclasses
import json
import ssl
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from transport_helpers import TOKEN, connect_request

from streamchat_core import errors, extras, transport
from streamchat_core.transport import (
    REDACTED,
    ConnectRequest,
    UpgradeRejectedError,
    auth_headers,
    redact,
    shared_ssl_context,
)


def request(base_url: str = "https://chat.example.test/prefix/") -> ConnectRequest:
    return connect_request(base_url)


def test_the_websocket_url_is_the_one_stream_clients_open() -> None:
    url = request().websocket_url()
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("wss", "chat.example.test", "/prefix/connect")
    query = parse_qsl(parts.query)
    assert [k for k, _ in query] == [
        "json",
        "api_key",
        "authorization",
        "stream-auth-type",
        "X-Stream-Client",
    ]
    values = dict(query)
    assert json.loads(values["json"])["user_details"]["name"] == "J D"
    assert values["authorization"] == TOKEN
    assert values["stream-auth-type"] == "jwt"
    assert request("http://127.0.0.1:9").websocket_url().startswith("ws://127.0.0.1:9/connect?json=")


def test_http_headers_and_redaction() -> None:
    assert request().http_headers() == {
        "Authorization": TOKEN,
        "stream-auth-type": "jwt",
        "X-Stream-Client": "stream-chat-python-core-v0|x=y",
    }
    url = request().websocket_url()
    assert TOKEN not in request().redact(url)
    assert "authorization=<redacted>" in request().redact(url)
    assert TOKEN not in repr(request())
    assert redact(f"a {TOKEN} b", [TOKEN, ""]) == "a <redacted> b"


def test_one_helper_builds_the_auth_headers() -> None:
    assert auth_headers("t0k", user_agent="ua") == {
        "Authorization": "t0k",
        "stream-auth-type": "jwt",
        "X-Stream-Client": "ua",
    }
    anonymous = dataclasses.replace(request(), auth_type="anonymous")
    assert anonymous.http_headers()["stream-auth-type"] == "anonymous"
    assert anonymous.http_headers() == auth_headers(
        TOKEN, user_agent=anonymous.user_agent, auth_type="anonymous"
    )


def test_the_token_travels_with_its_generation() -> None:
    assert request().token_generation == 0
    later = dataclasses.replace(request(), token="fresh", token_generation=3)
    assert (later.token, later.token_generation) == ("fresh", 3)
    assert "fresh" not in repr(later)
    with pytest.raises(TypeError):  # keyword-only: no field can be passed in the wrong place
        ConnectRequest("https://x", "key", "john", b"{}", TOKEN, 0, "ua", 1.0)  # type: ignore[misc]


def test_one_redactor_for_every_form_of_a_token_or_secret() -> None:
    opaque = "opaque+secret/with=chars&more"  # not shaped like a JWT: found only when named
    assert REDACTED == "<redacted>"
    for form in (opaque, quote(opaque, safe=""), quote(opaque)):
        assert redact(f"x {form} y", [opaque]) == f"x {REDACTED} y"
    assert redact(f"GET /connect?json=%7B%7D&authorization={quote(opaque, safe='')}&x=1") == (
        "GET /connect?json=%7B%7D&authorization=<redacted>&x=1"
    )
    assert redact(f"(b'authorization', b'{opaque}')") == "(b'authorization', b'<redacted>')"
    assert redact(f"bare {TOKEN} here") == "bare <redacted> here"
    assert redact("nothing secret here", ["", "absent"]) == "nothing secret here"
    # As an HTTP library quotes a header it refuses: repr's escapes, in a str and in a bytes.
    escaped = "eyJhbGciOiJIUzI1NiJ9.e30.s1g\n\\\u00e9'"  # a newline, a backslash, é, a quote
    assert redact(f"value {escaped!r}", [escaped]) == 'value "<redacted>"'
    assert redact(f"value {escaped.encode()!r}", [escaped]) == 'value b"<redacted>"'


def test_one_tls_context_shared_by_every_http_client() -> None:
    context = shared_ssl_context()
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert shared_ssl_context() is context
    from streamchat_core import rest

    assert rest.shared_ssl_context is shared_ssl_context


def test_the_contract_re_exports_the_one_error_tree() -> None:
    for name in (
        "TransportError",
        "ConnectTimeoutError",
        "ConnectionClosedError",
        "UpgradeRejectedError",
        "map_exceptions",
    ):
        assert name in transport.__all__
        assert getattr(transport, name) is getattr(errors, name)
    for name in ("MissingExtraError", "require_extra"):
        assert name in transport.__all__
        assert getattr(transport, name) is getattr(extras, name)
    body = b'{"error":{"code":43}}'
    rejected = UpgradeRejectedError("rejected with HTTP 401", status_code=401, body=body)
    assert isinstance(rejected, errors.TransportError)
    assert (rejected.status_code, rejected.retryable, rejected.body) == (401, True, body)
    assert (str(rejected), repr(rejected)) == (
        "rejected with HTTP 401",
        "UpgradeRejectedError('rejected with HTTP 401')",
    )
