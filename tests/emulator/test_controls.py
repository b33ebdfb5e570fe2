"""Fault injection: drop, refuse upgrades, stop answering pings, bursts, pushed events; over HTTP too."""

from __future__ import annotations

from collections.abc import Callable

import anyio
import pytest
from emulator_peer import Peer, UpgradeRefused, unique

from streamchat_core.emulator import Emulator

pytestmark = pytest.mark.anyio


async def test_drop_connections_closes_every_socket_with_1012(make_emulator: Callable[..., Emulator]) -> None:
    emu = make_emulator()
    peer = Peer(emu)
    async with peer.connected(unique("a")) as (a, _), peer.connected(unique("b")) as (b, _):
        assert emu.drop_connections() == 2
        assert (await a.wait_closed()).code == 1012
        assert (await b.wait_closed()).code == 1012
    assert emu.connection_count() == 0


async def test_refusing_and_accepting_upgrades_at_runtime(make_emulator: Callable[..., Emulator]) -> None:
    emu = make_emulator()
    peer = Peer(emu)
    async with peer.connected(unique("stays")) as (open_ws, _):
        emu.set_websocket_enabled(False)
        with pytest.raises(UpgradeRefused) as refused:
            async with peer.ws(unique("refused")):
                pass
        assert refused.value.status == 403
        await open_ws.ping()  # an open socket is left alone
        assert (await open_ws.recv_json())["type"] == "health.check"
        emu.set_websocket_enabled(True)
        async with peer.connected(unique("back")):
            pass


async def test_not_answering_pings_keeps_the_socket_open(make_emulator: Callable[..., Emulator]) -> None:
    emu = make_emulator(health_interval=0.05)
    peer = Peer(emu)
    user_id = unique("mute")
    async with peer.connected(user_id) as (ws, _):
        emu.set_answer_pings(False)
        await anyio.sleep(0.3)  # several health intervals: none may produce a health check
        await ws.ping()
        marker = await peer.push_marker(user_id)
        seen = await ws.events_until_marker(marker)
        # Health checks queued before the switch may still arrive; none after the ping.
        assert all(e["type"] == "health.check" for e in seen)
        await ws.ping()
        marker = await peer.push_marker(user_id)
        assert await ws.events_until_marker(marker) == []
        emu.set_answer_pings(True)
        await ws.ping()
        assert (await ws.recv_json())["type"] == "health.check"


async def test_a_burst_arrives_complete_and_in_order(peer: Peer) -> None:
    user_id = unique("burst")
    async with peer.connected(user_id) as (ws, first):
        peer.emu.burst(first["connection_id"], 2000)
        seqs: list[int] = []
        while len(seqs) < 2000:
            event = await ws.recv_json()
            if event["type"] == "message.new":
                assert event["cid"] == "messaging:emulator-burst"
                assert event["burst_total"] == 2000
                assert event["message"]["text"] == f"burst {event['burst_seq']}"
                seqs.append(event["burst_seq"])
        assert seqs == list(range(2000))


async def test_burst_to_an_unknown_connection_raises(peer: Peer) -> None:
    with pytest.raises(KeyError):
        peer.emu.burst("no-such-connection", 10)
    with pytest.raises(ValueError, match="count"):
        peer.emu.burst("no-such-connection", -1)


async def test_push_event_delivers_any_event_verbatim(peer: Peer) -> None:
    user_id = unique("push")
    async with peer.connected(user_id) as (ws, first):
        event = {"type": "brand.new.type", "nested": {"a": [1, {"b": None}]}, "type_2": "x"}
        assert peer.emu.push_event(user_id, event) == 1
        assert await ws.recv_json() == event
        assert peer.emu.push_event(first["connection_id"], {"type": "x.y"}) == 1
        assert await ws.recv_json() == {"type": "x.y"}
    assert peer.emu.push_event(unique("nobody"), {"type": "x"}) == 0
    with pytest.raises(ValueError, match="type"):
        peer.emu.push_event(user_id, {"no": "type"})


async def test_inspection_methods(peer: Peer) -> None:
    user_id = unique("inspect")
    async with peer.connected(user_id) as (_, first), peer.connected(user_id) as (_, second):
        ids = peer.emu.wait_for_connections(user_id, count=2)
        assert ids == [first["connection_id"], second["connection_id"]]
        assert peer.emu.connection_ids(user_id) == ids
        described = peer.emu.connections(user_id)
        assert [c["kind"] for c in described] == ["websocket", "websocket"]
        assert peer.emu.connection_count() >= 2
    with pytest.raises(TimeoutError):
        peer.emu.wait_for_connections(unique("never"), timeout=0.05)


async def test_the_http_controls_need_a_server_token(make_emulator: Callable[..., Emulator]) -> None:
    emu = make_emulator()
    peer = Peer(emu)
    user_id = unique("ctl")
    async with peer.connected(user_id) as (ws, first):
        async with peer.http() as client:
            anonymous = await client.post("/_emulator/drop")
            assert (anonymous.status_code, anonymous.json()["code"]) == (401, 5)
            as_user = await client.post("/_emulator/drop", headers={"Authorization": peer.token(user_id)})
            assert (as_user.status_code, as_user.json()["code"]) == (403, 17)

            server = {"Authorization": emu.server_token()}
            listed = await client.get("/_emulator/connections", params={"user_id": user_id}, headers=server)
            assert [c["connection_id"] for c in listed.json()["connections"]] == [first["connection_id"]]
            pushed = await client.post(
                "/_emulator/push", headers=server, json={"target": user_id, "event": {"type": "t.x", "n": 1}}
            )
            assert pushed.json()["delivered"] == 1
            assert await ws.recv_json() == {"type": "t.x", "n": 1}
            burst = await client.post(
                "/_emulator/burst", headers=server, json={"connection_id": first["connection_id"], "count": 3}
            )
            assert burst.status_code == 200
            assert [(await ws.recv_json())["burst_seq"] for _ in range(3)] == [0, 1, 2]
            unknown = await client.post(
                "/_emulator/burst", headers=server, json={"connection_id": "nope", "count": 3}
            )
            assert (unknown.status_code, unknown.json()["code"]) == (404, 16)
            bad = await client.post("/_emulator/pings", headers=server, json={"answer": "maybe"})
            assert (bad.status_code, bad.json()["code"]) == (400, 4)
            off = await client.post("/_emulator/pings", headers=server, json={"answer": False})
            assert off.json()["answer"] is False
            await ws.ping()
            marker = await peer.push_marker(user_id)
            assert await ws.events_until_marker(marker) == []
            await client.post("/_emulator/pings", headers=server, json={"answer": True})
            refuse = await client.post("/_emulator/websocket", headers=server, json={"enabled": False})
            assert refuse.json()["enabled"] is False
            with pytest.raises(UpgradeRefused):
                async with peer.ws(unique("refused")):
                    pass
            await client.post("/_emulator/websocket", headers=server, json={"enabled": True})
            dropped = await client.post("/_emulator/drop", headers=server)
            assert dropped.json()["dropped"] == 1
        assert (await ws.wait_closed()).code == 1012


async def test_failing_the_next_channel_queries(make_emulator: Callable[..., Emulator]) -> None:
    import httpx

    emu = make_emulator()
    peer = Peer(emu)
    user_id = unique("q")
    async with peer.connected(user_id):
        query = f"/channels/messaging/{unique('c')}/query"
        body = {"data": {"members": [user_id]}}
        emu.fail_channel_queries(1, "error")
        failed = await peer.request("POST", query, user_id=user_id, json_body=body)
        assert (failed.status_code, failed.json()["code"]) == (500, -1)
        emu.fail_channel_queries(1)  # "reset": no answer at all
        with pytest.raises(httpx.RemoteProtocolError):
            await peer.request("POST", query, user_id=user_id, json_body=body)
        ok = await peer.request("POST", query, user_id=user_id, json_body=body)
        assert ok.status_code == 200  # only the next ones fail
        with pytest.raises(ValueError, match="mode"):
            emu.fail_channel_queries(1, "sometimes")
        async with peer.http() as client:
            server = {"Authorization": emu.server_token()}
            set_ = await client.post(
                "/_emulator/fail-queries", headers=server, json={"count": 2, "mode": "error"}
            )
            assert set_.json() == {"count": 2, "mode": "error", "duration": "0.00ms"}
            bad = await client.post("/_emulator/fail-queries", headers=server, json={"count": -1})
            assert (bad.status_code, bad.json()["code"]) == (400, 4)
        for _ in range(2):
            failed = await peer.request("POST", query, user_id=user_id, json_body=body)
            assert failed.status_code == 500
        assert (await peer.request("POST", query, user_id=user_id, json_body=body)).status_code == 200
