"""The Emulator object: sync and async use under both backends, tokens, clean shutdown."""

from __future__ import annotations

import socket
import threading
from typing import Any

import anyio
import pytest
from emulator_peer import Peer, unique

from streamchat_core.emulator import Emulator, EmulatorError


def _emulator_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("streamchat-emulator")]


def test_sync_context_manager_serves_and_leaves_nothing_behind() -> None:
    before = len(_emulator_threads())
    with Emulator() as emu:
        assert emu.running
        assert emu.base_url.startswith("http://127.0.0.1:")
        assert emu.port > 0
        with socket.create_connection(("127.0.0.1", emu.port), timeout=5):
            pass
        port = emu.port
    assert not emu.running
    assert len(_emulator_threads()) == before
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass
    with pytest.raises(EmulatorError):
        emu.connection_count()


@pytest.mark.anyio
async def test_async_context_manager_under_each_backend() -> None:
    async with Emulator(allow_dev_tokens=True) as emu:
        peer = Peer(emu)
        user_id = unique("async")
        async with peer.connected(user_id, token=emu.dev_token(user_id)) as (_, first):
            assert first["me"]["id"] == user_id
    assert not emu.running


@pytest.mark.anyio
async def test_stopping_with_open_websockets_closes_them() -> None:
    async with Emulator() as emu:
        peer = Peer(emu)
        async with peer.connected(unique("open")) as (ws, _):
            await anyio.to_thread.run_sync(emu.stop)
            assert (await ws.wait_closed()).code in (1001, 1012)


def test_the_secret_is_random_by_default_and_never_in_the_repr() -> None:
    first, second = Emulator(), Emulator()
    assert first.api_secret != second.api_secret
    assert len(first.api_secret) >= 32
    with Emulator(api_key="k", api_secret="a-secret-that-must-stay-hidden-123456") as emu:
        assert "a-secret-that-must-stay-hidden" not in repr(emu)
        assert "a-secret-that-must-stay-hidden" not in repr(emu.config)
        assert "k" in repr(emu)


def test_starting_twice_or_on_a_busy_port_fails_clearly() -> None:
    with Emulator() as emu:
        with pytest.raises(EmulatorError, match="already started"):
            emu.start()
        with pytest.raises(EmulatorError, match="cannot listen"):
            Emulator(port=emu.port).start()


def test_bad_settings_are_refused() -> None:
    options: dict[str, Any]
    for options in ({"health_interval": 0}, {"longpoll_timeout": -1}, {"api_key": ""}, {"max_body_bytes": 0}):
        with pytest.raises(ValueError, match="must be"):
            Emulator(**options)


def test_controls_work_from_the_emulators_own_thread() -> None:
    with Emulator() as emu:
        loop = emu._loop  # the emulator's own loop: a control called from there must not deadlock
        assert loop is not None
        done = threading.Event()
        result: list[int] = []

        def on_loop() -> None:
            result.append(emu.connection_count())
            emu.set_answer_pings(True)
            done.set()

        loop.call_soon_threadsafe(on_loop)
        assert done.wait(10)
        assert result == [0]
        holder: list[BaseException] = []

        def stop_on_loop() -> None:
            try:
                emu.stop()
            except BaseException as exc:
                holder.append(exc)
            done.set()

        done.clear()
        loop.call_soon_threadsafe(stop_on_loop)
        assert done.wait(10)
        assert len(holder) == 1
        assert isinstance(holder[0], EmulatorError)
        assert "own thread" in str(holder[0])


def test_controls_from_many_threads_at_once() -> None:
    with Emulator() as emu:
        errors: list[BaseException] = []

        def work() -> None:
            try:
                for _ in range(50):
                    emu.set_answer_pings(True)
                    emu.connection_ids()
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert errors == []
