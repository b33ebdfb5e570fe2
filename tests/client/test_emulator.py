"""The client against the emulator over 127.0.0.1, WebSocket transport, under asyncio and trio."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import anyio
import jwt
import pytest
from client_helpers import WAIT, emulator_client, eventually, running_tasks, sockets_to_port

import streamchat_wire as wire
from streamchat_core import (
    AccessKeyError,
    ConnectionState,
    StreamAPIError,
    StreamChatClient,
    TokenExpiredError,
    TokenNotValidYetError,
    TokenSignatureError,
    TokenUsedBeforeIssuedError,
    UnknownEvent,
    User,
    dev_token,
)
from streamchat_core.emulator import Emulator

pytestmark = pytest.mark.anyio

JOHN = User(id="john", extra_data={"name": "John Doe", "image": "https://example.invalid/john.png"})


async def test_the_handshake_resolves_with_me(emu: Emulator) -> None:
    async with emulator_client(emu) as client:
        me = await client.connect_user(JOHN, emu.create_token("john"))
        assert me.id == "john"
        assert me.extra_data["name"] == "John Doe"
        assert me.extra_data["image"] == "https://example.invalid/john.png"
        assert me.role == "user"
        assert me.created_at is not None
        assert isinstance(me.privacy_settings, wire.PrivacySettings)
        assert client.user == me
        assert client.transport == "websocket"
        assert client.connection_state is ConnectionState.CONNECTED
        assert emu.connection_ids("john") == [client.connection_id]
        stored = emu.user("john")
        assert stored is not None
        assert stored["name"] == "John Doe"
        # REST as the connected user, on the same connection.
        body = await client.request(
            "GET", "/users", params={"payload": {"filter_conditions": {"id": {"$in": ["john"]}}}}
        )
        assert [u["id"] for u in body["users"]] == ["john"]


REJECTIONS: list[tuple[str, Callable[[Emulator], tuple[str, str]], type[StreamAPIError], int]] = [
    ("unknown api key", lambda emu: ("wrong-key", emu.create_token("john")), AccessKeyError, 2),
    (
        "expired",
        lambda emu: (emu.api_key, emu.create_token("john", exp=int(time.time()) - 60)),
        TokenExpiredError,
        40,
    ),
    (
        "not valid yet",
        lambda emu: (emu.api_key, emu.create_token("john", nbf=int(time.time()) + 3600)),
        TokenNotValidYetError,
        41,
    ),
    (
        "issued in the future",
        lambda emu: (emu.api_key, emu.create_token("john", iat=int(time.time()) + 3600)),
        TokenUsedBeforeIssuedError,
        42,
    ),
    (
        "bad signature",
        lambda emu: (
            emu.api_key,
            jwt.encode(
                {"user_id": "john"}, "another-secret-that-is-long-enough-for-hs256", algorithm="HS256"
            ),
        ),
        TokenSignatureError,
        43,
    ),
]


@pytest.mark.parametrize(("case", "make", "error_type", "code"), REJECTIONS, ids=[r[0] for r in REJECTIONS])
async def test_each_rejection_code(
    emu: Emulator,
    case: str,
    make: Callable[[Emulator], tuple[str, str]],
    error_type: type[StreamAPIError],
    code: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    api_key, token = make(emu)
    async with StreamChatClient(api_key, base_url=emu.base_url) as client:
        with anyio.fail_after(WAIT), pytest.raises(error_type) as info:
            await client.connect_user(JOHN, token)
        assert client.connection_state is ConnectionState.DISCONNECTED
    error = info.value
    assert error.code == code
    assert error.status_code in (401, 403)
    assert error.message
    assert token not in str(error)
    assert token not in caplog.text
    assert emu.connection_count() == 0


async def test_dev_tokens_are_refused_unless_allowed(make_emulator: Callable[..., Emulator]) -> None:
    strict = make_emulator(allow_dev_tokens=False)
    async with emulator_client(strict) as client:
        with pytest.raises(TokenSignatureError):
            await client.connect_user(JOHN, dev_token("john"))


async def test_a_provider_refreshes_on_error_40(emu: Emulator) -> None:
    issued: list[str] = []

    async def provider() -> str:
        expired = not issued
        issued.append(emu.create_token("john", exp=int(time.time()) + (-60 if expired else 3600)))
        return issued[-1]

    async with emulator_client(emu) as client:
        me = await client.connect_user(JOHN, provider)
        assert me.id == "john"
    assert len(issued) == 2


async def test_a_provider_refreshes_ahead_of_exp(emu: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="streamchat")
    calls: list[tuple[float, int | None]] = []  # (when, exp of the token in use then)
    refreshed = anyio.Event()

    def provider() -> str:
        now = time.time()
        calls.append((now, None if not calls else previous_exp[-1]))
        exp = int(now) + 3
        previous_exp.append(exp)
        if len(calls) == 2:
            refreshed.set()
        return emu.create_token("john", iat=int(now), exp=exp)

    previous_exp: list[int] = []
    async with emulator_client(emu) as client:
        recovered = client.events("connection.recovered")
        await client.connect_user(JOHN, provider)
        with anyio.fail_after(WAIT):
            await refreshed.wait()
        when, old_exp = calls[1]
        assert old_exp is not None
        assert when < old_exp  # fetched while the first token was still valid
        # Reconnect once the first token has expired: the fresh one is used, no error 40.
        await anyio.sleep(max(old_exp + 0.2 - time.time(), 0))
        emu.drop_connections()
        with anyio.fail_after(WAIT):
            await recovered.receive()
    assert "expired" not in caplog.text


async def test_reconnect_after_the_emulator_drops_every_connection(emu: Emulator) -> None:
    async with emulator_client(emu) as client:
        changes = client.events("connection.changed", "connection.recovered")
        await client.connect_user(JOHN, emu.create_token("john"))
        first_id = client.connection_id
        assert (await changes.receive()).online is True
        emu.drop_connections()
        with anyio.fail_after(WAIT):
            lost = await changes.receive()
            back = await changes.receive()
            recovered = await changes.receive()
        assert (lost.online, back.online, recovered.type) == (False, True, "connection.recovered")
        assert client.connection_id != first_id
        assert emu.connection_ids("john") == [client.connection_id]
        # Still a working connection.
        stream = client.events("custom.after")
        emu.push_event("john", {"type": "custom.after", "n": 1})
        with anyio.fail_after(WAIT):
            assert isinstance(await stream.receive(), UnknownEvent)


async def test_a_silent_connection_is_detected_and_replaced(make_emulator: Callable[..., Emulator]) -> None:
    emu = make_emulator(health_interval=30.0)
    client = emulator_client(emu, ping_interval=0.05, dead_connection_timeout=0.4)
    async with client:
        changes = client.events("connection.changed", "connection.recovered")
        await client.connect_user(JOHN, emu.create_token("john"))
        assert (await changes.receive()).online is True
        first_id = client.connection_id
        emu.set_answer_pings(False)  # the socket stays open, but nothing comes through
        with anyio.fail_after(WAIT):
            assert (await changes.receive()).online is False
        emu.set_answer_pings(True)
        with anyio.fail_after(WAIT):
            while True:
                event = await changes.receive()
                if event.type == "connection.recovered":
                    break
        assert client.connection_id != first_id


@pytest.mark.parametrize("behaviour", ["slow", "raising"])
async def test_a_slow_or_raising_handler_does_not_delay_pings(
    make_emulator: Callable[..., Emulator], behaviour: str
) -> None:
    # The emulator closes a socket that sends nothing for 0.4 s, and checks health every 0.05 s;
    # the client pings 0.02 s after each health check. A reader stuck behind a handler would
    # stop pinging, and the emulator would close the connection.
    emu = make_emulator(health_interval=0.05, dead_connection_timeout=0.4)
    release = anyio.Event()
    handled: list[str] = []

    async def slow(event: Any) -> None:
        handled.append(event.message.text)
        await release.wait()

    def raising(event: Any) -> None:
        handled.append(event.message.text)
        raise RuntimeError("handler bug")

    client = emulator_client(emu, ping_interval=0.02, dead_connection_timeout=2.0)
    client.on("message.new", slow if behaviour == "slow" else raising)
    async with client:
        changes = client.events("connection.changed")
        health = client.events("health.check")
        await client.connect_user(JOHN, emu.create_token("john"))
        first_id = client.connection_id
        assert first_id is not None
        emu.burst(first_id, 5)
        with anyio.fail_after(WAIT):
            for _ in range(40):  # about 0.8 s of health checks: twice the emulator's window
                await health.receive()
        assert client.connection_id == first_id
        assert (await changes.receive()).online is True
        assert emu.connection_ids("john") == [first_id]
        assert handled == (["burst 0"] if behaviour == "slow" else [f"burst {n}" for n in range(5)])
        release.set()


async def test_nothing_is_left_open(emu: Emulator) -> None:
    before = running_tasks()
    async with emulator_client(emu, ping_interval=0.05) as client:
        await client.connect_user(JOHN, emu.create_token("john"))
        assert sockets_to_port(emu.port) >= 1
        await client.disconnect_user()
        assert client.connection_state is ConnectionState.DISCONNECTED
        await eventually(lambda: emu.connection_count() == 0, "the emulator to see the socket closed")
        assert sockets_to_port(emu.port) in (0, -1)
        await client.connect_user(JOHN, emu.create_token("john"))
        await client.request("GET", "/users", params={"payload": {"filter_conditions": {"id": "john"}}})
    # Leaving `async with` disconnects too, and closes the REST client.
    assert running_tasks() == before
    await eventually(lambda: emu.connection_count() == 0, "the emulator to see the socket closed")
    assert sockets_to_port(emu.port) in (0, -1)


async def test_own_user_updates_keep_client_user_current(emu: Emulator) -> None:
    async with emulator_client(emu) as client:
        await client.connect_user(JOHN, emu.create_token("john"))
        updated = client.events("user.updated")
        await client.request(
            "PATCH", "/users", json={"users": [{"id": "john", "set": {"name": "Johnny"}, "unset": ["image"]}]}
        )
        with anyio.fail_after(WAIT):
            event = await updated.receive()
        assert event.user.id == "john"
        user = client.user
        assert user is not None
        assert user.extra_data.get("name") == "Johnny"
        assert "image" not in user.extra_data
        assert user.role == "user"


async def test_tokens_never_reach_logs_or_reprs(emu: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    token = emu.create_token("john")
    async with emulator_client(emu, ping_interval=0.05) as client:
        await client.connect_user(JOHN, token)
        await client.request("GET", "/users", params={"payload": {"filter_conditions": {"id": "john"}}})
        emu.drop_connections()
        await client.wait_for("connection.recovered", timeout=WAIT)
        assert token not in repr(client)
    assert caplog.records  # the libraries did log at DEBUG
    assert token not in caplog.text
