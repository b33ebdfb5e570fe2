"""Reconnect storms on the emulator: every drop recovered, failed re-watches retried, no delivery lost or repeated.

A scaled-down ``scripts/storm``: many clients in one process, each watching one channel, the
emulator dropping every connection again and again, some re-watch queries failing. After each
``connection.recovered`` the channel must be live: every message sent then reaches every
client exactly once. Nothing here waits on the clock; the waits end on events.
"""

from __future__ import annotations

import collections
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import anyio
import pytest
from client_helpers import WAIT, emulator_client, fast_backoff

import streamchat_wire as wire
from streamchat_core import User
from streamchat_core.channel import Channel
from streamchat_core.emulator import Emulator

pytestmark = pytest.mark.anyio

CLIENTS = 50
DROPS = 5
MESSAGES = 3  # sent after each recovery
CHANNEL = "storm"


class Progress:
    """Something happened on some client: wakes :meth:`until`, which rechecks its condition."""

    def __init__(self) -> None:
        self._changed = anyio.Event()

    def poke(self, *_: Any) -> None:
        self._changed.set()

    async def until(self, condition: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
        try:
            with anyio.fail_after(timeout):
                while not condition():
                    self._changed = anyio.Event()
                    if condition():
                        return
                    await self._changed.wait()
        except TimeoutError:
            raise AssertionError(f"timed out waiting for {what}") from None


class Member:
    """One client of the storm and what it received."""

    def __init__(self, emu: Emulator, user_id: str, progress: Progress) -> None:
        self.user_id = user_id
        self.client = emulator_client(emu, backoff=fast_backoff(stable_after=0.0), connect_timeout=WAIT)
        self.received: collections.Counter[str] = collections.Counter()
        self.recoveries = 0
        self.channel: Channel | None = None
        self._progress = progress
        self.client.on("message.new", self._on_message)
        self.client.on("connection.recovered", self._on_recovered)

    def _on_message(self, event: Any) -> None:
        self.received[event.message.id] += 1
        self._progress.poke()

    def _on_recovered(self, event: Any) -> None:
        self.recoveries += 1
        self._progress.poke()

    async def connect(self, emu: Emulator, members: list[str] | None = None) -> None:
        await self.client.connect_user(User(id=self.user_id), emu.create_token(self.user_id))
        if members is not None:
            await self.watch(members)

    async def watch(self, members: list[str]) -> None:
        self.channel = self.client.channel("messaging", CHANNEL, members=members)
        await self.channel.watch()


async def test_a_storm_of_drops_loses_and_repeats_no_delivery(emu: Emulator) -> None:
    progress = Progress()
    user_ids = [f"storm-{i}" for i in range(CLIENTS)]
    members = [Member(emu, uid, progress) for uid in user_ids]
    sent: list[str] = []
    async with contextlib.AsyncExitStack() as stack:
        for member in members:
            await stack.enter_async_context(member.client)
        async with anyio.create_task_group() as tg:
            for member in members:
                tg.start_soon(member.connect, emu)
        await members[0].watch(user_ids)  # creates the channel with everyone in it
        async with anyio.create_task_group() as tg:
            for member in members[1:]:
                tg.start_soon(member.watch, user_ids)
        sender = members[0].channel
        assert sender is not None

        for drop in range(1, DROPS + 1):
            # Some re-watches fail once: dropped without an answer, or answered 500.
            if drop == 2:
                emu.fail_channel_queries(3, "reset")
            elif drop == 4:
                emu.fail_channel_queries(3, "error")
            assert emu.drop_connections() == CLIENTS
            await progress.until(lambda d=drop: all(m.recoveries >= d for m in members), f"recovery {drop}")
            for n in range(MESSAGES):
                sent.append((await sender.send_message(f"after drop {drop}, #{n}")).id)
            await progress.until(
                lambda: all(all(m.received[i] for i in sent) for m in members),
                f"the messages after drop {drop}",
            )
        # Events reach a connection in order: once this last message is in, any repeat of an
        # earlier one would be in too.
        sent.append((await sender.send_message("the end")).id)
        await progress.until(lambda: all(m.received[sent[-1]] for m in members), "the last message")

        for member in members:
            assert {i: member.received[i] for i in sent} == dict.fromkeys(sent, 1), member.user_id
            assert member.client.stats.reconnects == DROPS
            assert member.recoveries == DROPS
            assert member.channel is not None
            assert member.channel.watching
        assert sum(m.client.stats.rewatch_retries for m in members) == 6


@pytest.mark.parametrize("mode", ["reset", "error"])
async def test_a_failed_rewatch_is_retried_and_recovered_waits_for_it(
    emu: Emulator, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="streamchat")
    progress = Progress()
    john = Member(emu, "john", progress)
    async with john.client:
        await john.connect(emu, ["john"])
        emu.fail_channel_queries(2, mode)  # john's re-watch is the only query: it fails twice
        recovered = john.client.events("connection.recovered")
        emu.drop_connections()
        with anyio.fail_after(WAIT):
            await recovered.receive()
        # connection.recovered came once the channel was watched again, after both failures.
        assert john.client.stats.rewatch_retries == 2
        assert john.channel is not None
        assert john.channel.watching
        message = await john.channel.send_message("still there?")
        await progress.until(lambda: john.received[message.id] == 1, "the message after recovery")
    assert "could not watch messaging:storm again" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_recovered_is_not_held_back_forever_by_a_channel_that_keeps_failing(
    emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="streamchat")
    progress = Progress()
    john = Member(emu, "john", progress)
    # connect_timeout bounds how long connection.recovered waits for the re-watches.
    john.client = emulator_client(emu, connect_timeout=1.0)
    john.client.on("message.new", john._on_message)
    rewatched = anyio.Event()
    warned = anyio.Event()

    async def after_the_rewatch(connection_id: str) -> None:  # hooks run in order: the registry's first
        rewatched.set()

    class OnWarning(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "still not watched again" in record.getMessage():
                warned.set()

    handler = OnWarning(logging.WARNING)
    logging.getLogger("streamchat.channel").addHandler(handler)

    async with john.client:
        await john.connect(emu, ["john"])
        john.client.add_resubscribe_hook(after_the_rewatch)
        recovered = john.client.events("connection.recovered")
        emu.fail_channel_queries(1_000_000, "error")
        try:
            emu.drop_connections()
            with anyio.fail_after(WAIT):
                event = await recovered.receive()
            assert isinstance(event, wire.ConnectionRecoveredEvent)
            assert not rewatched.is_set()  # announced while the re-watch still fails
            with anyio.fail_after(WAIT):  # and the channel still failing is named
                await warned.wait()
            assert "messaging:storm is still not watched again" in caplog.text
        finally:
            emu.fail_channel_queries(0)
            logging.getLogger("streamchat.channel").removeHandler(handler)
        # The re-watch went on in the background and gets through once queries work again.
        with anyio.fail_after(WAIT):
            await rewatched.wait()
        assert john.channel is not None
        assert john.channel.watching
        message = await john.channel.send_message("back")
        await progress.until(lambda: john.received[message.id] == 1, "the message after the late re-watch")
