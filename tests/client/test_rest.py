"""REST calls through the client: what goes on the wire, how errors come back, token refresh."""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx
import msgspec
import pytest
from client_helpers import WAIT, fast_backoff, open_peer, stay_open

import streamchat_wire as wire
from streamchat_core import (
    NotConnectedError,
    StreamAPIError,
    StreamChatClient,
    TransportError,
    User,
    dev_token,
)
from streamchat_core.errors import ConnectTimeoutError
from streamchat_transports.memory import MemoryPeer, MemoryServer, MemoryTransport, error_frame

pytestmark = pytest.mark.anyio


def client_for(server: MemoryServer, handler: Any, **options: Any) -> StreamChatClient:
    return StreamChatClient(
        "key",
        base_url="http://rest.invalid/prefix",
        transports=[MemoryTransport(server)],
        backoff=fast_backoff(),
        http_transport=httpx.MockTransport(handler),
        **options,
    )


def ok(body: Any) -> httpx.Response:
    return httpx.Response(200, content=msgspec.json.encode(body))


async def test_requests_carry_the_defaults_and_decode_the_body() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return ok({"users": [{"id": "john", "name": "John"}], "duration": "1ms"})

    server = MemoryServer()
    async with anyio.create_task_group() as tg:
        await tg.start(server.serve, stay_open)
        async with client_for(server, handler) as client:
            await client.connect_user(User(id="john"), dev_token("john"))
            plain = await client.request(
                "get", "/users", params={"payload": {"filter_conditions": {"id": "john"}}, "presence": True}
            )
            typed = await client.request("GET", "users", response_type=wire.QueryUsersResponse)
            await client.request(
                "POST",
                "/channels/messaging/general/message",
                json=wire.SendMessageRequest(
                    message=wire.MessageRequest(text="hi", extra_data={"mood": "ok"})
                ),
            )
        tg.cancel_scope.cancel()
    assert plain["users"][0]["name"] == "John"
    assert typed.users[0].extra_data["name"] == "John"
    first = seen[0]
    assert first.method == "GET"
    assert first.url.path == "/prefix/users"
    assert dict(first.url.params) == {
        "api_key": "key",
        "user_id": "john",
        "connection_id": "c1",
        "payload": '{"filter_conditions":{"id":"john"}}',
        "presence": "true",
    }
    assert first.headers["Authorization"] == dev_token("john")
    assert first.headers["stream-auth-type"] == "jwt"
    assert first.headers["X-Stream-Client"].startswith("stream-chat-python-core-v")
    assert len(first.headers["x-client-request-id"]) == 36
    assert seen[0].headers["x-client-request-id"] != seen[1].headers["x-client-request-id"]
    assert json.loads(seen[2].content) == {"message": {"text": "hi", "mood": "ok"}}
    assert seen[2].headers["Content-Type"] == "application/json"


async def test_error_bodies_become_typed_errors() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/missing"):
            return httpx.Response(404, content=error_frame(16, "channel not found", 404))
        if request.url.path.endswith("/proxy"):
            return httpx.Response(502, content=b"<html>bad gateway</html>")
        raise httpx.ConnectTimeout("too slow", request=request)

    server = MemoryServer()
    async with anyio.create_task_group() as tg:
        await tg.start(server.serve, stay_open)
        async with client_for(server, handler) as client:
            await client.connect_user(User(id="john"), dev_token("john"))
            with pytest.raises(StreamAPIError) as info:
                await client.request("GET", "/missing")
            assert (info.value.code, info.value.status_code, info.value.message) == (
                16,
                404,
                "channel not found",
            )
            with pytest.raises(TransportError, match="HTTP 502") as transport_info:
                await client.request("GET", "/proxy")
            assert transport_info.value.status_code == 502
            assert transport_info.value.retryable
            with pytest.raises(ConnectTimeoutError):
                await client.request("GET", "/slow")
        tg.cancel_scope.cancel()


async def test_error_40_refreshes_through_the_provider_and_retries() -> None:
    tokens = iter([dev_token("john").replace("devtoken", f"t{n}") for n in range(1, 5)])
    used: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        used.append(request.headers["Authorization"])
        if len(used) == 1:
            return httpx.Response(401, content=error_frame(40, "token is expired", 401))
        return ok({"users": []})

    server = MemoryServer()
    async with anyio.create_task_group() as tg:
        await tg.start(server.serve, stay_open)
        async with client_for(server, handler, token_refresh_margin=0) as client:
            await client.connect_user(User(id="john"), lambda: next(tokens))
            assert await client.request("GET", "/users") == {"users": []}
        tg.cancel_scope.cancel()
    assert used[0].endswith(".t1")
    assert used[1].endswith(".t2")


async def test_requests_wait_for_a_connect_in_flight() -> None:
    release = anyio.Event()
    seen: list[str | None] = []

    async def slow_open(peer: MemoryPeer) -> None:
        peer.accept()
        await release.wait()
        await open_peer(peer, "c-late")
        await peer.closed_by_client.wait()

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.params.get("connection_id"))
        return ok({})

    server = MemoryServer()
    async with anyio.create_task_group() as tg:
        await tg.start(server.serve, slow_open)
        async with client_for(server, handler) as client, anyio.create_task_group() as inner:
            inner.start_soon(client.connect_user, User(id="john"), dev_token("john"))
            await anyio.wait_all_tasks_blocked()
            inner.start_soon(client.request, "GET", "/users")
            await anyio.wait_all_tasks_blocked()
            assert seen == []
            release.set()
        assert seen == ["c-late"]
        tg.cancel_scope.cancel()


async def test_no_request_before_connect_user() -> None:
    async with StreamChatClient("key", http_transport=httpx.MockTransport(lambda r: ok({}))) as client:
        with anyio.fail_after(WAIT), pytest.raises(NotConnectedError, match="connect_user"):
            await client.request("GET", "/users")
