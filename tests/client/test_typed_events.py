"""Subscribing by event class: ``on(cls)``, ``events(cls)``, ``wait_for(cls)``, ``on(handler)``.

A class matches the events of its ``type`` tag; a class that is not an event class is refused
with a ``TypeError`` naming it. ``on()`` returns a :class:`Subscription`, callable and with
``unsubscribe()``. The hub is tested alone, then the client against the emulator.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timezone
from typing import Any

import anyio
import pytest
from client_helpers import WAIT, emulator_client, running

import streamchat_wire as wire
from streamchat_core import Event, StreamChatClient, Subscription, UnknownEvent, User, models
from streamchat_core.emulator import Emulator
from streamchat_core.events import EventHub

pytestmark = pytest.mark.anyio

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


def typing_start(user: str) -> wire.TypingStartEvent:
    return wire.TypingStartEvent(created_at=NOW, cid="messaging:x", user=wire.User(id=user))


def typing_stop(user: str) -> wire.TypingStopEvent:
    return wire.TypingStopEvent(created_at=NOW, cid="messaging:x", user=wire.User(id=user))


def unknown(type_: str) -> UnknownEvent:
    return UnknownEvent(type_, b'{"type":"' + type_.encode() + b'"}')


def test_every_event_has_its_wire_type() -> None:
    assert typing_start("a").type == "typing.start"
    assert wire.ConnectionChangedEvent(online=True).type == "connection.changed"
    assert unknown("custom.thing").type == "custom.thing"
    assert models.MessageNewEvent is wire.MessageNewEvent
    assert {
        "User",
        "OwnUser",
        "Message",
        "ChannelResponse",
        "ChannelMember",
        "ReadState",
        "Reaction",
        "Attachment",
    } <= set(models.__all__)
    assert {"MessageNewEvent", "TypingStartEvent", "EventStruct", "Event", "UnknownEvent"} <= set(
        models.__all__
    )
    assert all(hasattr(models, name) for name in models.__all__)


async def test_a_class_gets_its_own_events_and_a_bare_handler_gets_every_event() -> None:
    hub = EventHub()
    seen: list[tuple[str, Any]] = []
    done = anyio.Event()

    def on_typing(event: wire.TypingStartEvent) -> None:
        assert isinstance(event, wire.TypingStartEvent)
        seen.append(("typing", event.user.id if event.user else None))

    def on_any(event: Event) -> None:
        seen.append(("*", event.type))
        if event.type == "custom.done":
            done.set()

    hub.on(wire.TypingStartEvent, on_typing)

    @hub.on(wire.ConnectionChangedEvent)
    async def on_changed(event: wire.ConnectionChangedEvent) -> None:
        seen.append(("changed", event.online))

    everything = hub.on(on_any)
    assert isinstance(everything, Subscription)
    assert everything.event_type == "*"
    assert callable(on_changed)  # the decorator hands the function back
    async with running(hub):
        hub.dispatch(typing_start("a"))
        hub.dispatch(wire.ConnectionChangedEvent(online=True))
        hub.dispatch(typing_stop("a"))
        hub.dispatch(unknown("custom.done"))
        with anyio.fail_after(WAIT):
            await done.wait()
    assert seen == [
        ("typing", "a"),
        ("*", "typing.start"),
        ("changed", True),
        ("*", "connection.changed"),
        ("*", "typing.stop"),
        ("*", "custom.done"),
    ]


async def test_subscriptions_unsubscribe_by_call_method_or_off() -> None:
    hub = EventHub()
    seen: list[str] = []

    def record(event: wire.TypingStartEvent) -> None:
        seen.append(f"{event.user.id if event.user else ''}")

    def record_all(event: Event) -> None:
        if event.type == "typing.start":
            seen.append("all")

    first = hub.on(wire.TypingStartEvent, record)
    second = hub.on(wire.TypingStartEvent, record)  # the same handler twice: two subscriptions
    bare = hub.on(record_all)
    by_string = hub.on("typing.start", record)

    @hub.on(wire.TypingStartEvent)
    def decorated(event: wire.TypingStartEvent) -> None:
        seen.append("decorated")

    marker = anyio.Event()
    hub.on("custom.marker", lambda e: marker.set())
    async with running(hub):
        hub.dispatch(typing_start("a"))  # record x3, decorated, then the catch-all
        first.unsubscribe()
        first.unsubscribe()  # harmless, and it does not take `second` with it
        first()
        hub.dispatch(typing_start("b"))  # record x2, decorated, the catch-all
        second()
        by_string.unsubscribe()
        hub.off(wire.TypingStartEvent, decorated)
        hub.dispatch(typing_start("c"))  # all
        hub.off(record_all)  # off(handler) undoes on(handler)
        hub.dispatch(typing_start("d"))  # nothing
        bare.unsubscribe()  # already off: harmless
        hub.dispatch(unknown("custom.marker"))
        with anyio.fail_after(WAIT):
            await marker.wait()
    assert seen == ["a", "a", "a", "decorated", "all", "b", "b", "decorated", "all", "all"]
    assert "unsubscribed" in repr(first)


async def test_streams_and_waits_of_classes() -> None:
    hub = EventHub()
    async with running(hub):
        typing = hub.events(wire.TypingStartEvent, wire.TypingStopEvent)
        mixed = hub.events(wire.TypingStopEvent, "custom.thing")
        hub.dispatch(typing_start("a"))
        hub.dispatch(wire.ConnectionChangedEvent(online=False))
        hub.dispatch(unknown("custom.thing"))
        hub.dispatch(typing_stop("a"))
        assert [type(await typing.receive()) for _ in range(2)] == [
            wire.TypingStartEvent,
            wire.TypingStopEvent,
        ]
        assert [(await mixed.receive()).type for _ in range(2)] == ["custom.thing", "typing.stop"]
        await typing.aclose()
        await mixed.aclose()

        async def produce() -> None:
            await anyio.wait_all_tasks_blocked()
            for user in ("a", "b", "c"):
                hub.dispatch(typing_stop(user))
                hub.dispatch(typing_start(user))

        async with anyio.create_task_group() as tg:
            tg.start_soon(produce)
            event = await hub.wait_for(
                wire.TypingStartEvent, check=lambda e: e.user is not None and e.user.id == "b", timeout=WAIT
            )
        assert isinstance(event, wire.TypingStartEvent)
        assert event.user is not None
        assert event.user.id == "b"


@pytest.mark.parametrize("not_an_event", [wire.User, wire.Message, wire.EventStruct, UnknownEvent, int, dict])
async def test_a_class_that_is_not_an_event_class_is_refused_by_name(not_an_event: type) -> None:
    hub = EventHub()
    name = not_an_event.__qualname__
    with pytest.raises(TypeError, match=name):
        hub.on(not_an_event, lambda e: None)
    with pytest.raises(TypeError, match=name):
        hub.on(not_an_event)
    with pytest.raises(TypeError, match=name):
        hub.events(wire.MessageNewEvent, not_an_event)
    with pytest.raises(TypeError, match=name):
        await hub.wait_for(not_an_event, timeout=1)
    with pytest.raises(TypeError, match=name):
        hub.off(not_an_event, print)
    assert not hub.has_handlers


async def test_other_bad_arguments_are_refused() -> None:
    hub = EventHub()
    with pytest.raises(TypeError, match="callable"):
        hub.on(wire.MessageNewEvent, "not callable")  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        hub.on(42)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="handler"):
        hub.off("message.new")  # type: ignore[call-overload]
    assert not hub.has_handlers


# ------------------------------------------------------------------------------ the client


async def connected(stack: contextlib.AsyncExitStack, emu: Emulator, user_id: str) -> StreamChatClient:
    client = await stack.enter_async_context(emulator_client(emu))
    await client.connect_user(User(id=user_id), client.dev_token(user_id))
    return client


async def test_the_client_delivers_events_by_class(emu: Emulator) -> None:
    async with contextlib.AsyncExitStack() as stack:
        john = await connected(stack, emu, "john")
        jane = await connected(stack, emu, "jane")
        johns = john.channel("messaging", "typed", members=["john", "jane"])
        await johns.watch()
        janes = jane.channel("messaging", "typed")
        watching = john.events(models.UserWatchingStartEvent)
        await janes.watch()
        with anyio.fail_after(WAIT):
            async for w in watching:
                if w.user is not None and w.user.id == "jane":
                    break
        await watching.aclose()

        messages: list[tuple[str | None, str | None]] = []
        types: list[str] = []
        second = anyio.Event()

        @john.on(models.MessageNewEvent)
        async def on_message(event: models.MessageNewEvent) -> None:
            messages.append((event.user.id if event.user else None, event.message.text))
            if event.message.text == "second":
                second.set()

        everything = john.on(lambda e: types.append(e.type))
        typing = john.events(models.TypingStartEvent)

        await janes.keystroke()
        with anyio.fail_after(WAIT):
            started = await typing.receive()
        assert isinstance(started, models.TypingStartEvent)
        assert started.user is not None
        assert started.user.id == "jane"
        await typing.aclose()

        async with anyio.create_task_group() as tg:

            async def send_first() -> None:
                await anyio.wait_all_tasks_blocked()  # john's wait_for is listening
                await janes.send_message("first")

            tg.start_soon(send_first)
            got = await john.wait_for(
                models.MessageNewEvent, check=lambda e: e.message.text == "first", timeout=WAIT
            )
        assert got.user is not None
        assert got.user.id == "jane"
        everything.unsubscribe()
        await janes.send_message("second")
        with anyio.fail_after(WAIT):
            await second.wait()
        assert messages == [("jane", "first"), ("jane", "second")]
        assert "typing.start" in types
        assert "message.new" in types
        # After the unsubscribe, the catch-all heard of the first message and not the second.
        assert types.count("message.new") == 1

        async with anyio.create_task_group() as tg:

            async def rename_jane() -> None:
                await anyio.wait_all_tasks_blocked()  # john's wait_for is listening
                await jane.partial_update_user(set={"name": "Jane Doe"})

            tg.start_soon(rename_jane)
            updated = await john.wait_for(
                models.UserUpdatedEvent, check=lambda e: e.user.id == "jane", timeout=WAIT
            )
        assert updated.user.name == "Jane Doe"
        john.off(models.MessageNewEvent, on_message)
