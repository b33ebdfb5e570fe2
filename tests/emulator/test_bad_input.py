"""Bad requests get a clear error with the right code and status; everyone else keeps being served."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from emulator_peer import Peer, error_of_body, unique

from streamchat_core.emulator import Emulator

pytestmark = pytest.mark.anyio


async def test_malformed_json_body(peer: Peer) -> None:
    response = await peer.request("POST", "/users", content=b'{"users": {')
    assert (response.status_code, response.json()["code"]) == (400, 4)
    assert "not valid" in response.json()["message"]


async def test_wrong_types_name_the_field(peer: Peer) -> None:
    response = await peer.request("POST", "/users", json_body={"users": {"a": {"id": 42}}})
    body = response.json()
    assert (response.status_code, body["code"]) == (400, 4)
    assert "$.users" in body["message"]
    assert "id" in body["message"]


async def test_missing_body_and_missing_parameters(peer: Peer) -> None:
    empty = await peer.request("POST", "/users")
    assert (empty.status_code, empty.json()["code"]) == (400, 4)
    no_payload = await peer.request("GET", "/users")
    assert (no_payload.status_code, no_payload.json()["code"]) == (400, 4)
    assert "payload" in no_payload.json()["message"]
    bad_payload = await peer.request("GET", "/users", params={"payload": "{not json"})
    assert (bad_payload.status_code, bad_payload.json()["code"]) == (400, 4)


async def test_missing_api_key_token_and_auth_type(peer: Peer) -> None:
    async with peer.http() as client:
        no_key = await client.get(
            "/users", params={"payload": "{}"}, headers={"Authorization": peer.emu.server_token()}
        )
        assert (no_key.status_code, no_key.json()["code"]) == (400, 4)
        no_token = await client.get("/users", params={"payload": "{}", "api_key": peer.emu.api_key})
        assert (no_token.status_code, no_token.json()["code"]) == (401, 5)
        odd_type = await client.get(
            "/users",
            params={"payload": "{}", "api_key": peer.emu.api_key},
            headers={"Authorization": peer.emu.server_token(), "stream-auth-type": "magic"},
        )
        assert (odd_type.status_code, odd_type.json()["code"]) == (400, 4)
        wrong_key = await client.get(
            "/users",
            params={"payload": "{}", "api_key": "nope"},
            headers={"Authorization": peer.emu.server_token()},
        )
        assert (wrong_key.status_code, wrong_key.json()["code"]) == (401, 2)


async def test_rest_token_errors_use_the_token_codes(peer: Peer) -> None:
    response = await peer.request(
        "GET", "/users", params={"payload": "{}"}, token=peer.emu.create_token("x", exp=1_000_000_000)
    )
    assert (response.status_code, response.json()["code"]) == (401, 40)


async def test_an_oversized_body_is_code_22(make_emulator: Callable[..., Emulator]) -> None:
    peer = Peer(make_emulator(max_body_bytes=10_000))
    big = {"users": {"a": {"id": "a", "bio": "x" * 20_000}}}
    response = await peer.request("POST", "/users", json_body=big)
    assert (response.status_code, response.json()["code"]) == (413, 22)

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: the limit holds while reading
        for _ in range(30):
            yield b"x" * 1000

    async with peer.http() as client:
        streamed = await client.post(
            "/users",
            params={"api_key": peer.emu.api_key},
            headers={"Authorization": peer.emu.server_token()},
            content=chunks(),
        )
    assert (streamed.status_code, streamed.json()["code"]) == (413, 22)


async def test_an_unknown_api_key_gets_the_auth_error_on_any_path(peer: Peer) -> None:
    # Stream checks the key before routing; without a key, the path is what is wrong.
    async with peer.http() as client:
        unknown_key = await client.get("/no/such/thing", params={"api_key": "not-this-emulators-key"})
        right_key = await client.get("/no/such/thing", params={"api_key": peer.emu.api_key})
    assert unknown_key.status_code == 401
    assert error_of_body(unknown_key.json())["code"] == 2
    assert right_key.status_code == 404
    assert error_of_body(right_key.json())["code"] == 16


async def test_an_unknown_path_and_a_wrong_method(peer: Peer) -> None:
    async with peer.http() as client:
        missing = await client.get("/no/such/thing")
        wrong = await client.delete("/users")
    assert (missing.status_code, missing.json()["code"]) == (404, 16)
    assert error_of_body(missing.json())["code"] == 16
    assert wrong.status_code == 405
    assert wrong.json()["code"] == 4


async def test_an_oversized_websocket_frame_closes_that_socket_only(
    make_emulator: Callable[..., Emulator],
) -> None:
    peer = Peer(make_emulator(max_frame_bytes=1024))
    async with peer.connected(unique("other")) as (bystander, _):
        async with peer.connected(unique("big")) as (ws, _):
            await ws.send_text("x" * 5000)
            closed = await ws.wait_closed()
            assert closed.code == 1009
        await bystander.ping()
        assert (await bystander.recv_json())["type"] == "health.check"


async def test_an_oversized_request_head_is_an_http_error_and_serving_goes_on(peer: Peer) -> None:
    async with peer.http() as client:
        try:
            huge = await client.get("/users", params={"payload": "{}"}, headers={"X-Filler": "x" * 100_000})
        except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError):
            # The server answers (431/400) and closes while the client is still sending: TCP
            # may then reset the connection before the client reads the answer.
            pass
        else:
            assert 400 <= huge.status_code < 500
    async with peer.connected(unique("after")) as (_, first):
        assert first["me"]["online"] is True


async def test_state_survives_a_barrage_of_bad_requests(peer: Peer) -> None:
    user_id = unique("keeper")
    ok = await peer.request("POST", "/users", json_body={"users": {user_id: {"id": user_id, "name": "Kept"}}})
    assert ok.status_code == 200
    bad_bodies = [b"", b"null", b"[]", b'{"users": null}', b'{"users": {"x": []}}', b"\xff\xfe", b"{" * 5000]
    for body in bad_bodies:
        response = await peer.request("POST", "/users", content=body)
        assert (response.status_code, response.json()["code"]) == (400, 4), body[:20]
    for body in bad_bodies:
        response = await peer.request("PATCH", "/users", content=body)
        assert response.status_code == 400
    async with peer.http() as client:
        for path in ("/longpoll", "/channels", "/channels/messaging/x/query", "/_emulator/drop"):
            response = await client.post(path, content=b"{")
            assert 400 <= response.status_code < 500
    found = await peer.request(
        "GET", "/users", params={"payload": json.dumps({"filter_conditions": {"id": user_id}})}
    )
    assert found.json()["users"][0]["name"] == "Kept"
