"""The transport contract, checked against every registered transport (the test plugin's included).

Each test runs once per transport (see ``conftest.py``), against the emulator over loopback, or
against a raw server (``raw_server.py``) for the servers that misbehave: one that never
answers, one that turns the opening request down.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest
from client_helpers import WAIT, eventually, fast_backoff, open_peer
from raw_server import RawPeer, RawServer, http_response, serving_raw
from transport_helpers import (
    TOKEN,
    Protocol,
    connect_request,
    displayed,
    refusing_port,
    token_forms,
    wire_protocol,
)

from streamchat_core import (
    ConnectionClosedError,
    ConnectTimeoutError,
    StreamAPIError,
    StreamChatClient,
    TokenSignatureError,
    TransportError,
    User,
    codec,
)
from streamchat_core.connection import ping_frame, rejection_error
from streamchat_core.emulator import Emulator
from streamchat_core.plugins import resolve_transport
from streamchat_core.transport import (
    Connection,
    Drainable,
    KeepAlive,
    TokenUpdatable,
    Transport,
    UpgradeRejectedError,
)
from streamchat_transports.memory import MemoryPeer, MemoryServer, MemoryTransport, error_frame

pytestmark = pytest.mark.anyio

#: The optional features (see ``streamchat_core.transport``) a connection has, by protocol.
FEATURES: dict[Protocol, set[type]] = {
    "websocket": {KeepAlive},
    "longpoll": {TokenUpdatable, Drainable},
}


def transport_and_protocol(name: str) -> tuple[Transport, Protocol]:
    transport = resolve_transport(name)
    protocol = wire_protocol(transport)
    if protocol is None:  # an installed plugin these tests cannot serve
        pytest.skip(f"no test server speaks what the {name!r} transport speaks")
    return transport, protocol


def emulator_request(emu: Emulator, **options: Any) -> Any:
    return connect_request(emu.base_url, api_key=emu.api_key, token=emu.create_token("john"), **options)


# ---------------------------------------------------------------------------- a working server


async def test_it_opens_hands_over_the_first_frame_then_every_event_in_order(
    transport_name: str, streamchat_emulator: Emulator
) -> None:
    emu = streamchat_emulator
    transport, _ = transport_and_protocol(transport_name)
    with anyio.fail_after(WAIT):
        async with transport.connect(emulator_request(emu)) as conn:
            assert isinstance(conn, Connection)
            first = json.loads(await conn.receive())
            assert (first["type"], first["me"]["id"]) == ("health.check", "john")
            assert emu.connection_ids("john") == [first["connection_id"]]
            for n in range(3):
                emu.push_event(first["connection_id"], {"type": "custom.contract", "n": n})
            received = [json.loads(await conn.receive()) for _ in range(3)]
    assert [(event["type"], event["n"]) for event in received] == [("custom.contract", n) for n in range(3)]


async def test_its_connections_have_the_features_of_their_protocol_and_they_work(
    transport_name: str, streamchat_emulator: Emulator
) -> None:
    emu = streamchat_emulator
    transport, protocol = transport_and_protocol(transport_name)
    with anyio.fail_after(WAIT):
        async with transport.connect(emulator_request(emu)) as conn:
            first = json.loads(await conn.receive())
            connection_id = first["connection_id"]
            features = {
                feature for feature in (KeepAlive, TokenUpdatable, Drainable) if isinstance(conn, feature)
            }
            assert features == FEATURES[protocol]
            if isinstance(conn, KeepAlive):
                # The core's own ping; the server answers it with a health check.
                await conn.send(ping_frame("john--contract"))
                answer = json.loads(await conn.receive())
                assert (answer["type"], answer["connection_id"]) == ("health.check", connection_id)
            if isinstance(conn, TokenUpdatable):
                # The next poll carries the new token: a token the server refuses gets Stream's
                # error, handed over as a frame, undecoded; the same connection goes on.
                conn.update_token("not-a-token")
                refused = await conn.receive()
                with pytest.raises(StreamAPIError, match="token"):
                    codec.decode_event(refused)
                conn.update_token(emu.create_token("john"))
                emu.push_event(connection_id, {"type": "custom.contract"})
                assert json.loads(await conn.receive())["type"] == "custom.contract"


async def test_the_end_of_a_connection_is_connection_closed_error(
    transport_name: str, streamchat_emulator: Emulator
) -> None:
    emu = streamchat_emulator
    transport, _ = transport_and_protocol(transport_name)
    with anyio.fail_after(WAIT):
        async with transport.connect(emulator_request(emu)) as conn:
            connection_id = json.loads(await conn.receive())["connection_id"]
            if isinstance(conn, Drainable):
                # Retired by the core: what the server had queued comes first, then the end.
                emu.push_event(connection_id, {"type": "custom.last"})
                conn.request_drain()
                assert json.loads(await conn.receive())["type"] == "custom.last"
            else:
                assert emu.drop_connections() == 1  # closed with 1012, as a restarting server
            with pytest.raises(ConnectionClosedError) as info:
                await conn.receive()
            if not isinstance(conn, Drainable):
                assert info.value.close_code == 1012
            with pytest.raises(ConnectionClosedError):  # and it stays ended
                await conn.receive()


async def test_closing_is_prompt_even_when_cancelled(
    transport_name: str, streamchat_emulator: Emulator
) -> None:
    emu = streamchat_emulator
    transport, _ = transport_and_protocol(transport_name)
    opened = anyio.Event()

    async def hold() -> None:
        async with transport.connect(emulator_request(emu)) as conn:
            await conn.receive()
            opened.set()
            await conn.receive()  # nothing comes: the emulator would hold a poll for 600 s

    # Far less than the emulator would hold a poll or wait for a closing handshake.
    with anyio.fail_after(WAIT):
        async with anyio.create_task_group() as tg:
            tg.start_soon(hold)
            await opened.wait()
            await anyio.wait_all_tasks_blocked()  # the second receive is waiting on the server
            tg.cancel_scope.cancel()
    # Closed, not abandoned: the server learns it.
    await eventually(lambda: emu.connection_count() == 0, "the server to see the connection closed")


# ---------------------------------------------------------------------------- misbehaving servers


async def silent(peer: RawPeer) -> None:
    await peer.wait_closed()


async def test_a_server_that_never_answers_is_a_connect_timeout(transport_name: str) -> None:
    transport, _ = transport_and_protocol(transport_name)
    async with serving_raw(silent) as server:
        with anyio.fail_after(WAIT), pytest.raises(ConnectTimeoutError) as info:
            async with transport.connect(connect_request(server.base_url, timeout=0.2)):
                pytest.fail("a connection opened to a server that never answered")
        assert len(server.peers) == 1
    assert "0.2 s" in str(info.value)


def rejecting(status: int, body: bytes, content_type: str) -> Any:
    async def script(peer: RawPeer) -> None:
        while True:
            await peer.read_request()
            await peer.send(http_response(status, body, content_type=content_type))

    return script


REJECTIONS: dict[str, tuple[int, bytes, str]] = {
    "a firewall's page": (403, b"<html>Forbidden by policy</html>", "text/html"),
    "Stream's error": (401, error_frame(43, "signature is invalid", 401), "application/json"),
    "an empty answer": (502, b"", "text/plain"),
}


@pytest.mark.parametrize("case", REJECTIONS)
async def test_a_rejected_opening_carries_its_status_and_body_for_the_core_to_read(
    transport_name: str, case: str
) -> None:
    status, body, content_type = REJECTIONS[case]
    transport, protocol = transport_and_protocol(transport_name)
    async with serving_raw(rejecting(status, body, content_type)) as server:
        with anyio.fail_after(WAIT), pytest.raises(UpgradeRejectedError) as info:
            async with transport.connect(connect_request(server.base_url)):
                pytest.fail("a connection opened though the server turned it down")
    rejected = info.value
    # The transport hands the answer over as it came, and decides nothing.
    assert (rejected.status_code, rejected.retryable, rejected.body) == (status, True, body)
    assert isinstance(rejected, TransportError)
    opening = (
        "the server answered the WebSocket upgrade"
        if protocol == "websocket"
        else "the long-poll open was answered"
    )
    assert str(rejected) == f"{opening} with HTTP {status}"
    decided = rejection_error(rejected)
    if case == "Stream's error":  # an API rejection
        assert isinstance(decided, TokenSignatureError)
        assert (decided.code, decided.status_code, decided.message) == (43, 401, "signature is invalid")
        assert decided.__cause__ is rejected
    else:  # a network failure: retryable, the session may fall back
        assert decided is rejected


@asynccontextmanager
async def memory_fallback() -> AsyncIterator[MemoryServer]:
    """A second transport's server that accepts every connection."""

    async def accept(peer: MemoryPeer) -> None:
        await open_peer(peer, f"memory-{len(server.peers)}")
        await peer.closed_by_client.wait()

    server = MemoryServer()
    async with anyio.create_task_group() as tg:
        await tg.start(server.serve, accept)
        yield server
        tg.cancel_scope.cancel()


def client_for(server: RawServer, *transports: Any, **options: Any) -> StreamChatClient:
    return StreamChatClient(
        "key", base_url=server.base_url, transports=list(transports), backoff=fast_backoff(), **options
    )


async def test_the_core_makes_streams_rejection_final(transport_name: str) -> None:
    transport_and_protocol(transport_name)
    status, body, content_type = REJECTIONS["Stream's error"]
    async with memory_fallback() as fallback, serving_raw(rejecting(status, body, content_type)) as server:
        client = client_for(server, transport_name, MemoryTransport(fallback), connect_timeout=WAIT)
        async with client:
            with anyio.fail_after(WAIT), pytest.raises(TokenSignatureError) as info:
                await client.connect_user(User(id="john"), TOKEN)
        assert len(server.peers) == 1  # never retried
        assert fallback.peers == []  # never fell back
    assert info.value.code == 43
    assert TOKEN not in displayed(info.value)


async def test_the_core_makes_a_firewalls_page_a_network_failure_that_falls_back(transport_name: str) -> None:
    transport_and_protocol(transport_name)
    status, body, content_type = REJECTIONS["a firewall's page"]
    async with memory_fallback() as fallback, serving_raw(rejecting(status, body, content_type)) as server:
        async with client_for(server, transport_name, MemoryTransport(fallback)) as client:
            with anyio.fail_after(WAIT):
                await client.connect_user(User(id="john"), TOKEN)
            assert client.transport == "memory"
        async with client_for(server, transport_name, connect_timeout=0.5) as client:
            with anyio.fail_after(WAIT), pytest.raises(TransportError) as info:
                await client.connect_user(User(id="john"), TOKEN)
    error = info.value
    assert not isinstance(error, StreamAPIError)
    assert (error.status_code, error.retryable) == (403, True)
    assert TOKEN not in displayed(error)


# ---------------------------------------------------------------------------- no token anywhere


def sending(answer: bytes) -> Any:
    async def script(peer: RawPeer) -> None:
        await peer.read_request()
        await peer.send(answer)
        await peer.wait_closed()

    return script


FAILURES: dict[str, Any] = {
    "a refused connection": None,
    "a server that never answers": silent,
    "Stream's rejection": rejecting(*REJECTIONS["Stream's error"]),
    "a firewall's page": rejecting(*REJECTIONS["a firewall's page"]),
    "an answer that is not HTTP": sending(b"HTTP/1.1 two hundred OK\r\n\r\n"),
}


@pytest.mark.parametrize("failure", FAILURES)
async def test_the_token_is_in_no_error_and_no_log_record(
    transport_name: str, failure: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(1)  # everything, the WebSocket and HTTP libraries' debug output included
    transport, protocol = transport_and_protocol(transport_name)
    script = FAILURES[failure]

    async def attempt(base_url: str) -> None:
        async with transport.connect(connect_request(base_url, timeout=0.5)):
            pytest.fail("a connection opened though it should have failed")

    with anyio.fail_after(WAIT):
        if script is None:
            with pytest.raises(TransportError) as info:
                await attempt(f"http://127.0.0.1:{await refusing_port()}")
        else:
            async with serving_raw(script) as server:
                with pytest.raises(TransportError) as info:
                    await attempt(server.base_url)
    text = displayed(info.value) + caplog.text
    for form in token_forms(TOKEN):
        assert form not in text, failure
    if protocol == "websocket" and script is not None:
        # The libraries log the URL, token included, at DEBUG: seen, and cleaned.
        assert "authorization=<redacted>" in caplog.text
