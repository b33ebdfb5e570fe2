"""The long-poll transport: connect, hold, buffering between polls, close, error 46, expiry."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest
from client_helpers import WAIT, eventually
from emulator_peer import Peer, error_of_body, unique

from streamchat_core.emulator import Emulator

pytestmark = pytest.mark.anyio


class LongPoller:
    """A long-poll client, as Stream's JavaScript fallback makes its requests."""

    def __init__(self, peer: Peer, client: httpx.AsyncClient, user_id: str) -> None:
        self.peer = peer
        self.client = client
        self.user_id = user_id
        self.connection_id = ""

    def _params(self, **extra: str) -> dict[str, str]:
        return {"api_key": self.peer.emu.api_key, "user_id": self.user_id, **extra}

    def _headers(self) -> dict[str, str]:
        return {"Authorization": self.peer.token(self.user_id), "stream-auth-type": "jwt"}

    async def connect(self, **user: Any) -> dict[str, Any]:
        payload = json.dumps({"user_id": self.user_id, "user_details": {"id": self.user_id, **user}})
        response = await self.client.get(
            "/longpoll", params=self._params(json=payload), headers=self._headers()
        )
        assert response.status_code == 200, response.text
        event = response.json()["event"]
        self.connection_id = event["connection_id"]
        return event  # type: ignore[no-any-return]

    async def poll_raw(self, connection_id: str | None = None, **extra: str) -> httpx.Response:
        params = self._params(connection_id=connection_id or self.connection_id, **extra)
        return await self.client.get("/longpoll", params=params, headers=self._headers())

    async def poll(self) -> list[dict[str, Any]]:
        response = await self.poll_raw()
        assert response.status_code == 200, response.text
        return response.json()["events"]  # type: ignore[no-any-return]


@pytest.fixture
def short_poll_emulator(make_emulator: Callable[..., Emulator]) -> Emulator:
    return make_emulator(longpoll_timeout=0.2)


async def test_connect_answers_a_health_check_with_me(peer: Peer) -> None:
    user_id = unique("lp")
    async with peer.http() as client:
        poller = LongPoller(peer, client, user_id)
        event = await poller.connect(name="Long Poll", type="custom")
    assert event["type"] == "health.check"
    assert event["cid"] == "*"
    assert event["me"]["id"] == user_id
    assert event["me"]["name"] == "Long Poll"
    assert event["me"]["type"] == "custom"
    assert event["me"]["online"] is True
    assert peer.emu.connection_ids(user_id) == [event["connection_id"]]


async def test_a_held_poll_answers_as_soon_as_an_event_is_queued(peer: Peer) -> None:
    # The shared emulator holds polls for 20 s: an answer within the safety net means the
    # event woke the poll (whether it was queued before or during the hold).
    user_id = unique("lp")
    async with peer.http() as client:
        poller = LongPoller(peer, client, user_id)
        await poller.connect()
        async with anyio.create_task_group() as tasks:
            got: list[dict[str, Any]] = []

            async def poll() -> None:
                got.extend(await poller.poll())

            tasks.start_soon(poll)
            peer.emu.push_event(user_id, {"type": "custom.ping", "n": 1})
        assert got == [{"type": "custom.ping", "n": 1}]


async def test_events_queued_between_polls_arrive_once_and_in_order(short_poll_emulator: Emulator) -> None:
    peer = Peer(short_poll_emulator)
    user_id = unique("lp")
    async with peer.http() as client:
        poller = LongPoller(peer, client, user_id)
        await poller.connect()
        for n in range(5):
            assert peer.emu.push_event(poller.connection_id, {"type": "custom.seq", "n": n}) == 1
        assert [e["n"] for e in await poller.poll()] == [0, 1, 2, 3, 4]
        assert await poller.poll() == []  # nothing twice: the next poll times out empty
        for n in range(5, 8):
            peer.emu.push_event(user_id, {"type": "custom.seq", "n": n})
        assert [e["n"] for e in await poller.poll()] == [5, 6, 7]


async def test_a_poll_with_nothing_queued_answers_empty_after_the_timeout(
    short_poll_emulator: Emulator,
) -> None:
    peer = Peer(short_poll_emulator)
    async with peer.http() as client:
        poller = LongPoller(peer, client, unique("lp"))
        await poller.connect()
        assert await poller.poll() == []


async def _until_poll_held(emu: Emulator, connection_id: str) -> None:
    await eventually(
        lambda: any(c["poll_held"] for c in emu.connections() if c["connection_id"] == connection_id),
        "the poll held",
    )


async def test_a_newer_poll_ends_an_older_one_and_gets_the_events(peer: Peer) -> None:
    # Polls are held for 20 s here: every answer within the safety net came from superseding
    # or from an event, never from the timeout.
    user_id = unique("lp")
    async with peer.http() as client:
        poller = LongPoller(peer, client, user_id)
        await poller.connect()
        results: dict[str, list[dict[str, Any]]] = {}
        async with anyio.create_task_group() as tasks:

            async def poll(name: str) -> None:
                results[name] = await poller.poll()

            tasks.start_soon(poll, "older")
            await _until_poll_held(peer.emu, poller.connection_id)
            tasks.start_soon(poll, "newer")
            await eventually(lambda: "older" in results, "the older poll answered")
            await _until_poll_held(peer.emu, poller.connection_id)
            peer.emu.push_event(user_id, {"type": "custom.x"})
        assert results == {"older": [], "newer": [{"type": "custom.x"}]}


async def test_close_ends_the_connection_at_once(peer: Peer) -> None:
    user_id = unique("lp")
    async with peer.http() as client:
        poller = LongPoller(peer, client, user_id)
        await poller.connect()
        with anyio.fail_after(WAIT):
            response = await poller.poll_raw(close="true")
        assert response.status_code == 200
        assert peer.emu.connection_ids(user_id) == []
        assert peer.emu.user(user_id)["online"] is False  # type: ignore[index]
        later = await poller.poll_raw()
        assert later.status_code == 400
        assert later.json()["code"] == 46


async def test_an_unknown_connection_id_gets_error_46(peer: Peer) -> None:
    async with peer.http() as client:
        poller = LongPoller(peer, client, unique("lp"))
        response = await poller.poll_raw("no-such-connection")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 46
    assert error_of_body(body)["code"] == 46
    assert body["StatusCode"] == 400


async def test_a_websocket_connection_id_is_not_a_long_poll_one(peer: Peer) -> None:
    user_id = unique("ws")
    async with peer.connected(user_id) as (_, first), peer.http() as client:
        response = await LongPoller(peer, client, user_id).poll_raw(first["connection_id"])
    assert response.json()["code"] == 46


async def test_another_users_token_cannot_poll_a_connection(peer: Peer) -> None:
    async with peer.http() as client:
        owner = LongPoller(peer, client, unique("owner"))
        await owner.connect()
        thief = LongPoller(peer, client, unique("thief"))
        response = await thief.poll_raw(owner.connection_id)
    assert response.status_code == 401


async def test_an_unpolled_connection_expires_and_then_gets_46(
    make_emulator: Callable[..., Emulator],
) -> None:
    emu = make_emulator(longpoll_timeout=0.2, longpoll_expiry=0.3)
    peer = Peer(emu)
    user_id = unique("lp")
    async with peer.http() as client:
        poller = LongPoller(peer, client, user_id)
        await poller.connect()
        await eventually(lambda: not emu.connection_ids(user_id), "the connection forgotten")
        assert emu.user(user_id)["online"] is False  # type: ignore[index]
        response = await poller.poll_raw()
        assert response.json()["code"] == 46


async def test_a_connection_polled_in_time_does_not_expire(make_emulator: Callable[..., Emulator]) -> None:
    emu = make_emulator(longpoll_timeout=0.2, longpoll_expiry=1.5)
    peer = Peer(emu)
    async with peer.http() as client:
        poller = LongPoller(peer, client, unique("lp"))
        await poller.connect()
        for _ in range(10):  # about 2 s of back-to-back polls, past the 1.5 s expiry
            assert await poller.poll() == []


async def test_dropped_connections_get_46(peer: Peer, make_emulator: Callable[..., Emulator]) -> None:
    emu = make_emulator()
    peer = Peer(emu)
    async with peer.http() as client:
        poller = LongPoller(peer, client, unique("lp"))
        await poller.connect()
        assert emu.drop_connections() == 1
        assert (await poller.poll_raw()).json()["code"] == 46


async def test_stopping_the_emulator_does_not_wait_for_held_polls(
    make_emulator: Callable[..., Emulator],
) -> None:
    emu = make_emulator(longpoll_timeout=60.0)
    peer = Peer(emu)
    async with peer.http() as client:
        poller = LongPoller(peer, client, unique("lp"))
        await poller.connect()
        async with anyio.create_task_group() as tasks:
            results: list[int] = []

            async def held() -> None:
                results.append((await poller.poll_raw()).status_code)

            tasks.start_soon(held)
            await _until_poll_held(emu, poller.connection_id)
            with anyio.fail_after(WAIT):  # far below the 60 s hold
                await anyio.to_thread.run_sync(emu.stop)
        assert results == [400]  # the connection ended: error 46


async def test_a_client_that_hangs_up_mid_poll_loses_no_event(peer: Peer) -> None:
    user_id = unique("lp")
    async with peer.http() as client:
        poller = LongPoller(peer, client, user_id)
        await poller.connect()

        def held() -> bool:
            return any(c["poll_held"] for c in peer.emu.connections(user_id))

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(poller.poll)  # held for 20 s
            await eventually(held, "the poll held")
            tasks.cancel_scope.cancel()  # the client gives up and closes its connection
        # Once the emulator has seen the hang-up, nothing is held: an event now waits for the
        # next poll instead of going to a client that is gone.
        await eventually(lambda: not held(), "the hang-up seen")
        assert peer.emu.connection_ids(user_id) == [poller.connection_id]
        peer.emu.push_event(user_id, {"type": "custom.kept"})
        assert await poller.poll() == [{"type": "custom.kept"}]
