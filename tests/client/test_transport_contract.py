"""The transport contract's helpers: URLs, headers, redaction, and the WebSocket error mapping."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

from streamchat_core import TransportError
from streamchat_core.transport import ConnectRequest, redact
from streamchat_transports.memory import error_frame
from streamchat_transports.websocket import _upgrade_error

TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoiam9obiJ9.s1g+n/at=ure"


def request(base_url: str = "https://chat.example.test/prefix/") -> ConnectRequest:
    return ConnectRequest(
        base_url=base_url,
        api_key="key",
        user_id="john",
        payload=b'{"user_id":"john","user_details":{"id":"john","name":"J D"}}',
        token=TOKEN,
        user_agent="stream-chat-python-core-v0|x=y",
        timeout=6.0,
    )


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


def test_an_http_error_on_the_upgrade_is_a_network_failure_unless_stream_says_why() -> None:
    blocked = _upgrade_error(request(), 403, b"<html>Forbidden by policy</html>")
    assert isinstance(blocked, TransportError)
    assert (blocked.status_code, blocked.retryable) == (403, True)
    assert str(blocked) == "the server answered the WebSocket upgrade with HTTP 403"

    body = error_frame(43, "signature is invalid", 401)
    assert _upgrade_error(request(), 401, body) == body  # handed over as a frame: an API rejection
    assert isinstance(_upgrade_error(request(), 502, None), TransportError)
