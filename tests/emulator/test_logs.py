"""No log line, at any level, carries a token or the secret."""

from __future__ import annotations

import json
import logging

import httpx
import pytest
from emulator_peer import Peer, unique

from streamchat_core.emulator import Emulator
from streamchat_core.emulator.redaction import redact
from streamchat_core.tokens import dev_token

SECRET = "log-test-secret-never-to-be-seen-0123456789"

pytestmark = pytest.mark.anyio


async def test_a_full_session_logs_no_token_and_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(1)  # everything, uvicorn's and websockets' trace output included
    for name in (
        "uvicorn",
        "uvicorn.error",
        "uvicorn.access",
        "uvicorn.asgi",
        "websockets",
        "streamchat.emulator",
    ):
        caplog.set_level(1, logger=name)
    tokens: list[str] = []
    async with Emulator(api_key="log-key", api_secret=SECRET, dead_connection_timeout=60) as emu:
        peer = Peer(emu)
        user_id = unique("logged")
        token = emu.create_token(user_id)
        tokens += [token, emu.server_token(), dev_token(user_id)]
        async with peer.connected(user_id, token=token) as (ws, first):
            await ws.ping()
            await ws.recv_json()
            await ws.send_text("junk frame")
            channel = unique("room")
            await peer.request(
                "POST",
                f"/channels/messaging/{channel}/query",
                token=token,
                user_id=user_id,
                params={"connection_id": first["connection_id"]},
                json_body={"data": {"members": [user_id]}, "watch": True},
            )
            await peer.request(
                "POST",
                f"/channels/messaging/{channel}/message",
                token=token,
                user_id=user_id,
                json_body={"message": {"text": "hi"}},
            )
        for bad in (dev_token(user_id), emu.create_token(user_id, exp=1), "not.a.token"):
            tokens.append(bad)
            async with peer.ws(user_id, token=bad) as ws:
                await ws.recv_json()
        await peer.request(
            "GET", "/users", params={"payload": json.dumps({"filter_conditions": {"id": user_id}})}
        )
        await peer.request("GET", "/users", params={"payload": "{broken"})
        await peer.request("POST", "/nowhere", json_body={})
        async with httpx.AsyncClient(base_url=emu.base_url, trust_env=False) as client:
            payload = json.dumps({"user_id": user_id, "user_details": {"id": user_id}})
            headers = {"Authorization": token}
            connect = await client.get(
                "/longpoll", params={"json": payload, "api_key": emu.api_key}, headers=headers
            )
            lp_id = connect.json()["event"]["connection_id"]
            await client.get(
                "/longpoll",
                params={"connection_id": lp_id, "api_key": emu.api_key, "close": "true"},
                headers=headers,
            )
            # The token in the query string too, as some clients send it.
            await client.get(
                "/users", params={"api_key": emu.api_key, "authorization": token, "payload": "{}"}
            )
    # The test's own clients (httpx, websockets' client side) log their URLs, tokens included:
    # what matters is what the emulator logs, on its thread or through its loggers.
    server_records = [
        r
        for r in caplog.records
        if (r.threadName or "").startswith("streamchat-emulator")
        or r.name.startswith(("uvicorn", "streamchat.emulator"))
        or (r.name.startswith("websockets") and "server" in r.name)
    ]
    assert any(r.name.startswith("uvicorn") for r in server_records), "the capture is not working"
    assert any("authorization=<redacted>" in r.getMessage() for r in server_records)
    # websockets logs the upgrade request line at debug level: it was seen, and cleaned.
    assert any("/connect?" in r.getMessage() for r in server_records)
    for record in server_records:
        text = record.getMessage() + (record.exc_text or "")
        assert SECRET not in text, record
        for t in tokens:
            assert t not in text, (record.name, text)
        assert "eyJ" not in text, (record.name, text)


def test_redact_removes_tokens_in_urls_headers_and_bare() -> None:
    token = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoiYSJ9.c2lnbmF0dXJl"
    assert token not in redact(f"GET /connect?json=%7B%7D&authorization={token}&x=1 HTTP/1.1")
    assert "authorization=<redacted>&x=1" in redact(f"/connect?authorization={token}&x=1")
    assert token not in redact(f"(b'authorization', b'{token}')")
    assert token not in redact(f"token {token} here")
    assert "devtoken" not in redact(
        "authorization=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ1c2VyX2lkIjoiYSJ9.devtoken"
    )
    assert redact("nothing secret here") == "nothing secret here"


def test_the_redaction_filter_is_on_the_server_loggers() -> None:
    with Emulator():
        for name in ("uvicorn.error", "uvicorn.access"):
            assert any(type(f).__name__ == "RedactingFilter" for f in logging.getLogger(name).filters)
