"""WebSocket connect: the first frame, the upsert, pings, health checks, the dead-connection window."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import anyio
import pytest
from client_helpers import eventually
from emulator_peer import Peer, UpgradeRefused, unique

from streamchat_core.emulator import Emulator

pytestmark = pytest.mark.anyio

NANO_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z")


async def test_first_frame_is_health_check_with_me(peer: Peer) -> None:
    user_id = unique("john")
    async with peer.connected(user_id, user={"name": "John Doe", "image": "https://x/y.png"}) as (_, first):
        assert next(iter(first)) == "type"  # the tag comes first: clients read it without parsing
        assert first["type"] == "health.check"
        assert first["cid"] == "*"
        assert isinstance(first["connection_id"], str)
        assert first["connection_id"]
        assert NANO_RFC3339.fullmatch(first["created_at"])
        me = first["me"]
        assert me["id"] == user_id
        assert me["name"] == "John Doe"
        assert me["image"] == "https://x/y.png"
        assert me["role"] == "user"
        assert me["online"] is True
        assert me["banned"] is False
        assert me["privacy_settings"] == {
            "typing_indicators": {"enabled": True},
            "read_receipts": {"enabled": True},
            "delivery_receipts": {"enabled": True},
        }
        for counter in ("unread_count", "total_unread_count", "unread_channels", "unread_threads"):
            assert me[counter] == 0
        for listed in ("devices", "mutes", "channel_mutes", "blocked_user_ids"):
            assert me[listed] == []
        assert peer.emu.connection_ids(user_id) == [first["connection_id"]]


async def test_custom_fields_stay_flat_with_a_key_named_type_and_nested_values(peer: Peer) -> None:
    user_id = unique("ann")
    custom = {
        "type": "team",
        "favorite_color": "teal",
        "nested": {"a": [1, 2], "b": {"c": None}},
        "name": "Ännä 😀",
    }
    async with peer.connected(user_id, user=custom) as (_, first):
        me = first["me"]
        for key, value in custom.items():
            assert me[key] == value
        assert "extra_data" not in json.dumps(me)


async def test_a_second_connect_updates_fields_and_keeps_created_at(peer: Peer) -> None:
    user_id = unique("bob")
    async with peer.connected(user_id, user={"name": "Bob", "age": 30}) as (_, first):
        created_at = first["me"]["created_at"]
    async with peer.connected(user_id, user={"name": "Robert"}) as (_, second):
        me = second["me"]
        assert me["name"] == "Robert"
        assert me["age"] == 30  # a connect adds and changes fields; it never removes one
        assert me["created_at"] == created_at
        assert me["updated_at"] >= first["me"]["updated_at"]
        assert me["last_active"] >= first["me"]["last_active"]


async def test_a_client_cannot_set_fields_the_server_owns(peer: Peer) -> None:
    user_id = unique("sneaky")
    user = {"role": "admin", "banned": True, "created_at": "2001-01-01T00:00:00Z", "teams": ["red"]}
    async with peer.connected(user_id, user=user) as (_, first):
        me = first["me"]
        assert me["role"] == "user"
        assert me["banned"] is False
        assert me["created_at"] != "2001-01-01T00:00:00Z"
        assert me["teams"] == []


async def test_privacy_settings_sent_on_connect_come_back_in_me(peer: Peer) -> None:
    user_id = unique("priv")
    settings = {"typing_indicators": {"enabled": False}, "read_receipts": {"enabled": False}}
    async with peer.connected(user_id, user={"privacy_settings": settings}) as (_, first):
        ps = first["me"]["privacy_settings"]
        assert ps["typing_indicators"] == {"enabled": False}
        assert ps["read_receipts"] == {"enabled": False}
        assert ps["delivery_receipts"] == {"enabled": True}


async def test_each_ping_is_answered_with_a_health_check(peer: Peer) -> None:
    async with peer.connected(unique("pinger")) as (ws, first):
        for _ in range(3):
            await ws.ping()
            answer = await ws.recv_json()
            assert answer["type"] == "health.check"
            assert answer["connection_id"] == first["connection_id"]
            assert answer["cid"] == "*"
            assert "me" not in answer
            assert NANO_RFC3339.fullmatch(answer["created_at"])


async def test_junk_frames_are_ignored_and_the_connection_keeps_working(peer: Peer) -> None:
    async with peer.connected(unique("junk")) as (ws, _):
        for junk in ("not json", "{}", "[]", '[{"type": "message.new"}]', '{"type": "health.check"}'):
            await ws.send_text(junk)
        await ws.ping()
        assert (await ws.recv_json())["type"] == "health.check"


async def test_the_server_sends_a_health_check_every_interval(make_emulator: Callable[..., Emulator]) -> None:
    peer = Peer(make_emulator(health_interval=0.2))
    async with peer.connected(unique("idle")) as (ws, first):
        for _ in range(2):  # without pinging
            frame = await ws.recv_json()
            assert frame["type"] == "health.check"
            assert frame["connection_id"] == first["connection_id"]


async def test_a_silent_connection_is_closed_after_the_dead_connection_window(
    make_emulator: Callable[..., Emulator],
) -> None:
    emu = make_emulator(dead_connection_timeout=0.3)
    peer = Peer(emu)
    user_id = unique("silent")
    async with peer.connected(user_id) as (ws, _):
        closed = await ws.wait_closed()
        assert closed.code == 1001
    await eventually(lambda: not emu.connection_ids(user_id), "the connection gone")


async def test_pings_keep_a_connection_alive_past_the_window(make_emulator: Callable[..., Emulator]) -> None:
    emu = make_emulator(dead_connection_timeout=2.0)
    peer = Peer(emu)
    async with peer.connected(unique("alive")) as (ws, first):
        # Each ping is answered before the next is sent, so the connection is never silent
        # for more than a fraction of the window; the rounds add up to more than the window.
        for _ in range(9):
            await ws.ping()
            assert (await ws.recv_json())["type"] == "health.check"
            await anyio.sleep(0.25)
        assert emu.connection_ids(first["me"]["id"]) == [first["connection_id"]]


async def test_no_websocket_refuses_the_upgrade_with_an_http_error(
    make_emulator: Callable[..., Emulator],
) -> None:
    peer = Peer(make_emulator(websocket=False))
    with pytest.raises(UpgradeRefused) as refused:
        async with peer.ws(unique("blocked")):
            pass
    assert refused.value.status == 403


async def test_an_unknown_websocket_path_is_refused(peer: Peer) -> None:
    with pytest.raises(UpgradeRefused):
        async with peer.ws(url=f"{peer.emu.ws_url}/nowhere"):
            pass


async def test_a_user_is_online_while_connected_and_offline_after(peer: Peer) -> None:
    user_id = unique("presence")
    async with peer.connected(user_id) as (ws, _):
        assert peer.emu.user(user_id)["online"] is True  # type: ignore[index]
        async with peer.connected(user_id):
            pass
        assert peer.emu.user(user_id)["online"] is True  # type: ignore[index]
        await ws.close()
    await eventually(lambda: peer.emu.user(user_id)["online"] is False, "the user offline")  # type: ignore[index]
