"""The event hub: handlers off the reader, streams that start at once, one-shot waits."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

import anyio
import anyio.lowlevel
import pytest
from client_helpers import WAIT, running

import streamchat_wire as wire
from streamchat_core.codec import UnknownEvent, decode_event
from streamchat_core.errors import StreamChatError
from streamchat_core.events import EventHub

pytestmark = pytest.mark.anyio


def typing(user: str) -> wire.TypingStartEvent:
    return wire.TypingStartEvent(
        created_at=datetime(2024, 5, 1, tzinfo=timezone.utc), cid="messaging:x", user=wire.User(id=user)
    )


async def test_handlers_get_their_types_and_the_catch_all_gets_everything() -> None:
    hub = EventHub()
    seen: list[tuple[str, str]] = []
    done = anyio.Event()

    def on_typing(event: Any) -> None:
        seen.append(("typing", event.type))

    async def on_any(event: Any) -> None:
        await anyio.lowlevel.checkpoint()
        seen.append(("*", event.type))
        if event.type == "custom.last":
            done.set()

    hub.on("typing.start", on_typing)
    hub.on("*", on_any)
    async with running(hub):
        hub.dispatch(typing("a"))
        hub.dispatch(wire.ConnectionChangedEvent(online=True))
        hub.dispatch(decode_event(b'{"type":"custom.last"}'))
        with anyio.fail_after(WAIT):
            await done.wait()
    assert seen == [
        ("typing", "typing.start"),
        ("*", "typing.start"),
        ("*", "connection.changed"),
        ("*", "custom.last"),
    ]


async def test_unsubscribe_decorator_and_off() -> None:
    hub = EventHub()
    seen: list[str] = []
    unsubscribe = hub.on("typing.start", lambda e: seen.append("plain"))

    @hub.on("typing.start")
    def decorated(event: Any) -> None:
        seen.append("decorated")

    assert callable(decorated)  # the decorator hands the function back
    marker = anyio.Event()
    hub.on("custom.marker", lambda e: marker.set())
    async with running(hub):
        hub.dispatch(typing("a"))
        unsubscribe()
        unsubscribe()  # twice is harmless
        hub.dispatch(typing("b"))
        hub.off("typing.start", decorated)
        hub.dispatch(typing("c"))
        hub.dispatch(decode_event(b'{"type":"custom.marker"}'))
        with anyio.fail_after(WAIT):
            await marker.wait()
    assert seen == ["plain", "decorated", "decorated"]


async def test_a_raising_handler_is_logged_and_the_next_ones_run(caplog: pytest.LogCaptureFixture) -> None:
    hub = EventHub()
    seen: list[str] = []

    def broken(event: Any) -> None:
        raise ValueError("boom")

    second = anyio.Event()

    def record(event: Any) -> None:
        seen.append(event.user.id)
        if len(seen) == 2:
            second.set()

    hub.on("typing.start", broken)
    hub.on("typing.start", record)
    async with running(hub):
        hub.dispatch(typing("a"))
        hub.dispatch(typing("b"))
        with anyio.fail_after(WAIT):
            await second.wait()
    assert seen == ["a", "b"]
    failures = [r for r in caplog.records if "raised" in r.getMessage()]
    assert len(failures) == 2
    assert failures[0].levelno == logging.ERROR
    assert failures[0].exc_info is not None


async def test_a_stream_collects_from_creation_and_ends_with_the_hub() -> None:
    hub = EventHub()
    async with running(hub):
        stream = hub.events("typing.start", "custom.thing")
        everything = hub.events()
        hub.dispatch(typing("a"))  # before anyone iterates
        hub.dispatch(wire.ConnectionChangedEvent(online=False))
        hub.dispatch(decode_event(b'{"type":"custom.thing","n":1}'))
        first = await stream.receive()
        second = await stream.receive()
        assert first.type == "typing.start"
        assert isinstance(second, UnknownEvent)
        assert second.payload["n"] == 1
        assert [(await everything.receive()).type for _ in range(3)] == [
            "typing.start",
            "connection.changed",
            "custom.thing",
        ]
    # The hub stopped: the streams end.
    assert [e async for e in stream] == []
    assert hub.events("x") is not None
    assert [e async for e in hub.events("x")] == []


async def test_a_closed_or_dropped_stream_stops_collecting() -> None:
    hub = EventHub()
    async with running(hub):
        async with hub.events("typing.start") as stream:
            hub.dispatch(typing("a"))
            assert (await stream.receive()).type == "typing.start"
        hub.dispatch(typing("b"))
        with pytest.raises(StopAsyncIteration):
            await stream.receive()
        dropped = hub.events("typing.start")
        del dropped
        assert len(hub._streams) == 0


async def test_wait_for_with_a_check_and_timeouts() -> None:
    hub = EventHub()
    async with anyio.create_task_group() as tg:
        hub.open()
        tg.start_soon(hub.run)

        async def produce() -> None:
            await anyio.wait_all_tasks_blocked()
            for user in ("a", "b", "c"):
                hub.dispatch(typing(user))

        tg.start_soon(produce)
        event = await hub.wait_for("typing.start", check=lambda e: e.user.id == "b", timeout=WAIT)
        assert event.user.id == "b"
        with pytest.raises(TimeoutError):
            await hub.wait_for("never.happens", timeout=timedelta(milliseconds=20))
        with pytest.raises(TypeError, match="timeout"):
            await hub.wait_for("x", timeout="soon")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="negative"):
            await hub.wait_for("x", timeout=-1)
        tg.cancel_scope.cancel()


async def test_wait_for_on_a_stopped_hub_raises() -> None:
    with pytest.raises(StreamChatError, match="closed"):
        await EventHub().wait_for("typing.start", timeout=1)


async def test_bad_registrations_are_refused() -> None:
    hub = EventHub()
    with pytest.raises(TypeError):
        hub.on("", lambda e: None)
    with pytest.raises(TypeError):
        hub.on("x", "not callable")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        hub.events("")
