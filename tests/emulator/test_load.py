"""Many concurrent connections to one emulator: 500 WebSockets, each served in full."""

from __future__ import annotations

from collections.abc import Callable

import anyio
import pytest
from client_helpers import eventually
from emulator_peer import Peer, unique

from streamchat_core.emulator import Emulator

pytestmark = pytest.mark.anyio

CONNECTIONS = 500


async def test_500_concurrent_websocket_connections(make_emulator: Callable[..., Emulator]) -> None:
    emu = make_emulator()
    peer = Peer(emu)
    prefix = unique("load")
    connection_ids: dict[int, str] = {}
    answered: set[int] = set()
    all_connected = anyio.Event()
    release = anyio.Event()

    async def one(n: int) -> None:
        user_id = f"{prefix}-{n}"
        async with peer.connected(user_id, user={"n": n}) as (ws, first):
            assert first["me"]["id"] == user_id
            assert first["me"]["n"] == n
            connection_ids[n] = first["connection_id"]
            if len(connection_ids) == CONNECTIONS:
                all_connected.set()
            await release.wait()
            # Every connection is still served: an event pushed to its user arrives on it.
            event = await ws.recv_until("load.check")
            assert event["n"] == n
            answered.add(n)

    with anyio.fail_after(120):  # a safety net only: the test waits for each health.check
        async with anyio.create_task_group() as tasks:
            for n in range(CONNECTIONS):
                tasks.start_soon(one, n)
            await all_connected.wait()
            assert emu.connection_count() == CONNECTIONS
            assert len(set(connection_ids.values())) == CONNECTIONS
            release.set()
            for n in range(CONNECTIONS):
                assert emu.push_event(f"{prefix}-{n}", {"type": "load.check", "n": n}) == 1
    assert answered == set(range(CONNECTIONS))
    await eventually(lambda: emu.connection_count() == 0, "every connection closed")
    for n in (0, CONNECTIONS - 1):
        assert emu.user(f"{prefix}-{n}")["online"] is False  # type: ignore[index]
