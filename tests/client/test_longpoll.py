"""The long-poll fallback against the emulator: falling back, polling, switching back, errors 46 and 40."""

from __future__ import annotations

import logging
import pathlib
import time
from collections.abc import Callable
from typing import Any

import anyio
import pytest
from client_helpers import WAIT, emulator_client, eventually, running_tasks

from streamchat_core import ConnectionState, StreamChatClient, TransportError, User
from streamchat_core.emulator import Emulator
from streamchat_core.plugins import refresh_transports

pytestmark = pytest.mark.anyio

JOHN = User(id="john", extra_data={"name": "John Doe"})


async def test_without_websockets_the_client_falls_back_to_long_poll(
    make_emulator: Callable[..., Emulator],
) -> None:
    open_emu = make_emulator()
    blocked = make_emulator(websocket=False, longpoll_timeout=0.5)
    async with emulator_client(open_emu) as client:
        over_websocket = await client.connect_user(JOHN, open_emu.create_token("john"))

    client = emulator_client(blocked, enable_ws_fallback=True)
    async with client:
        events = client.events()
        me = await client.connect_user(JOHN, blocked.create_token("john"))
        assert client.transport == "longpoll"
        assert client.connection_state is ConnectionState.CONNECTED
        assert blocked.connection_ids("john") == [client.connection_id]
        first = [await events.receive() for _ in range(3)]
        assert [e.type for e in first] == ["transport.changed", "connection.changed", "health.check"]
        assert first[0].mode == "longpoll"
        assert first[1].online is True

        # The same own user as over WebSocket (timestamps aside).
        def shape(user: Any) -> dict[str, Any]:
            return {
                "id": user.id,
                "role": user.role,
                "extra": dict(user.extra_data),
                "privacy": user.privacy_settings,
                "unread": user.total_unread_count,
            }

        assert shape(me) == shape(over_websocket)

        # Events arrive in the order the server sent them.
        stream = client.events("custom.seq")
        for n in range(50):
            blocked.push_event("john", {"type": "custom.seq", "n": n})
        with anyio.fail_after(WAIT):
            received = [(await stream.receive()).payload["n"] for _ in range(50)]
        assert received == list(range(50))

        # REST goes out with the long-poll connection's id.
        body = await client.request(
            "GET", "/users", params={"payload": {"filter_conditions": {"id": "john"}}}
        )
        assert body["users"][0]["name"] == "John Doe"


async def test_without_the_fallback_a_blocked_websocket_fails_cleanly(
    make_emulator: Callable[..., Emulator],
) -> None:
    blocked = make_emulator(websocket=False)
    before = running_tasks()
    async with emulator_client(blocked, connect_timeout=1.0) as client:
        with anyio.fail_after(WAIT), pytest.raises(TransportError) as info:
            await client.connect_user(JOHN, blocked.create_token("john"))
        assert client.connection_state is ConnectionState.DISCONNECTED
    error = info.value
    assert error.status_code == 403
    assert str(error) == (
        "could not connect over websocket within 1 s: the server answered the WebSocket upgrade with HTTP 403"
    )
    assert blocked.connection_count() == 0
    assert running_tasks() == before


async def test_an_api_rejection_never_falls_back(make_emulator: Callable[..., Emulator]) -> None:
    emu = make_emulator(longpoll_timeout=0.5)
    async with emulator_client(emu, enable_ws_fallback=True) as client:
        transports = client.events("transport.changed")
        with anyio.fail_after(WAIT), pytest.raises(Exception, match="token is expired") as info:
            await client.connect_user(JOHN, emu.create_token("john", exp=int(time.time()) - 10))
        assert getattr(info.value, "code", None) == 40
        await transports.aclose()
        assert [e async for e in transports] == []


async def test_switching_back_delivers_every_event_once_and_in_order(
    make_emulator: Callable[..., Emulator],
) -> None:
    emu = make_emulator(websocket=False, longpoll_timeout=0.3)
    client = emulator_client(emu, enable_ws_fallback=True, ws_probe_interval=0.1)
    async with client:
        seen = client.events("custom.seq", "transport.changed")
        await client.connect_user(JOHN, emu.create_token("john"))
        assert (await seen.receive()).mode == "longpoll"
        longpoll_id = client.connection_id

        received: list[int] = []
        modes: list[tuple[str, int]] = []
        switched = anyio.Event()
        sent = 0

        async def collect() -> None:
            async for event in seen:
                if event.type == "transport.changed":
                    modes.append((event.mode, len(received)))
                    switched.set()
                else:
                    received.append(event.payload["n"])

        async with anyio.create_task_group() as tg:
            tg.start_soon(collect)
            with anyio.fail_after(WAIT):
                # Events flow before, during and after the switch.
                for _ in range(20):
                    emu.push_event("john", {"type": "custom.seq", "n": sent})
                    sent += 1
                    await anyio.sleep(0.005)
                emu.set_websocket_enabled(True)
                while not switched.is_set():
                    emu.push_event("john", {"type": "custom.seq", "n": sent})
                    sent += 1
                    await anyio.sleep(0.005)
                for _ in range(20):
                    emu.push_event("john", {"type": "custom.seq", "n": sent})
                    sent += 1
                    await anyio.sleep(0.005)
                await eventually(lambda: len(received) >= sent, "every event")
            tg.cancel_scope.cancel()

        assert received == list(range(sent))
        assert [mode for mode, _ in modes] == ["websocket"]
        assert 0 < modes[0][1] < sent
        assert client.transport == "websocket"
        assert client.connection_id != longpoll_id
        # The long-poll connection was closed on the server (close=true).
        await eventually(lambda: emu.connection_ids("john") == [client.connection_id], "one connection")


async def test_error_46_reconnects_with_a_fresh_connection(make_emulator: Callable[..., Emulator]) -> None:
    emu = make_emulator(websocket=False, longpoll_timeout=0.3)
    async with emulator_client(emu, enable_ws_fallback=True) as client:
        recovered = client.events("connection.recovered")
        await client.connect_user(JOHN, emu.create_token("john"))
        first_id = client.connection_id
        emu.drop_connections()  # the next poll gets error 46
        with anyio.fail_after(WAIT):
            await recovered.receive()
        assert client.connection_id != first_id
        assert client.transport == "longpoll"
        stream = client.events("custom.after")
        emu.push_event("john", {"type": "custom.after"})
        with anyio.fail_after(WAIT):
            await stream.receive()


def two_second_tokens(emu: Emulator, issued: list[int]) -> Callable[[], str]:
    """A token provider for john whose tokens expire two seconds after they are made.

    Each token's expiry (Unix seconds) is appended to ``issued``.
    """

    def provider() -> str:
        now = int(time.time())
        issued.append(now + 2)
        return emu.create_token("john", iat=now, exp=now + 2)

    return provider


async def test_token_expiry_while_polling_refreshes_through_the_provider(
    make_emulator: Callable[..., Emulator], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="streamchat")
    emu = make_emulator(websocket=False, longpoll_timeout=0.2)
    issued: list[int] = []
    provider = two_second_tokens(emu, issued)

    # token_refresh_margin=0: no refresh ahead of exp, so a poll meets error 40.
    async with emulator_client(emu, enable_ws_fallback=True, token_refresh_margin=0) as client:
        await client.connect_user(JOHN, provider)
        connection_id = client.connection_id
        await anyio.sleep(max(issued[0] + 0.5 - time.time(), 0))
        await eventually(lambda: len(issued) >= 2, "a fresh token")
        stream = client.events("custom.after")
        emu.push_event("john", {"type": "custom.after"})
        with anyio.fail_after(WAIT):
            await stream.receive()
        assert client.connection_id == connection_id  # the same connection went on
    assert "the token expired on the longpoll connection; refreshed it" in caplog.text


async def test_refreshing_ahead_of_exp_avoids_error_40_while_polling(
    make_emulator: Callable[..., Emulator], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="streamchat")
    emu = make_emulator(websocket=False, longpoll_timeout=0.2)
    issued: list[int] = []
    provider = two_second_tokens(emu, issued)

    async with emulator_client(emu, enable_ws_fallback=True) as client:
        await client.connect_user(JOHN, provider)
        connection_id = client.connection_id
        await anyio.sleep(max(issued[0] + 0.5 - time.time(), 0))
        stream = client.events("custom.after")
        emu.push_event("john", {"type": "custom.after"})
        with anyio.fail_after(WAIT):
            await stream.receive()
        assert client.connection_id == connection_id
    assert len(issued) >= 2
    assert "expired" not in caplog.text


async def test_disconnect_while_a_poll_is_held_returns_promptly(
    make_emulator: Callable[..., Emulator],
) -> None:
    emu = make_emulator(websocket=False, longpoll_timeout=30.0)
    before = running_tasks()
    async with emulator_client(emu, enable_ws_fallback=True) as client:
        await client.connect_user(JOHN, emu.create_token("john"))
        await eventually(lambda: any(c["poll_held"] for c in emu.connections("john")), "the first poll held")
        # Far less than the 30 s the server would hold the poll.
        with anyio.fail_after(5):
            await client.disconnect_user()
        assert client.connection_state is ConnectionState.DISCONNECTED
        await eventually(lambda: emu.connection_count() == 0, "close=true to end the server's connection")
    assert running_tasks() == before


async def test_a_third_party_transport_takes_part_in_the_fallback_chain(
    make_emulator: Callable[..., Emulator], tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "chain_relay_transport.py").write_text(
        "from streamchat_transports.websocket import WebSocketTransport\n\n"
        "class ChainRelay(WebSocketTransport):\n    name = 'chain-relay'\n"
    )
    dist = tmp_path / "chain_relay-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: chain-relay\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[streamchat.transports]\nchain-relay = chain_relay_transport:ChainRelay\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    refresh_transports()

    emu = make_emulator(websocket=False, longpoll_timeout=0.3)
    client = StreamChatClient(
        emu.api_key, base_url=emu.base_url, transports=["chain-relay", "longpoll"], ws_probe_interval=0.1
    )
    async with client:
        modes = client.events("transport.changed")
        await client.connect_user(JOHN, emu.create_token("john"))
        assert client.transport == "longpoll"
        assert (await modes.receive()).mode == "longpoll"
        emu.set_websocket_enabled(True)
        with anyio.fail_after(WAIT):
            assert (await modes.receive()).mode == "chain-relay"
        assert client.transport == "chain-relay"
