"""Deliberate type errors against the typed event API: mypy must reject each marked line.

Never run: ``tests/client/test_typing_api.py`` type-checks it and compares what mypy rejects
with the marks: ``# expect-error[code]`` on each line that must fail, and only those.
"""

from __future__ import annotations

import streamchat_wire as wire
from streamchat_core import StreamChatClient, UnknownEvent


async def on_message(event: wire.MessageNewEvent) -> None:
    print(event.message.text)


async def misuse(client: StreamChatClient) -> None:
    # A handler of one event class subscribed to another, to a string, to every event.
    client.on(wire.TypingStartEvent, on_message)  # expect-error[arg-type]
    client.on("message.new", on_message)  # expect-error[arg-type]
    client.on(on_message)  # expect-error[arg-type]

    @client.on(wire.TypingStartEvent)  # expect-error[arg-type]
    async def wrong(event: wire.MessageNewEvent) -> None: ...

    @client.on("message.new")  # expect-error[type-var]
    async def too_narrow(event: wire.MessageNewEvent) -> None: ...

    # Fields the events of a stream do not have, or may not have.
    async for e in client.events(wire.TypingStartEvent):
        print(e.message)  # expect-error[attr-defined]
        print(e.user.id)  # expect-error[union-attr]
    async for m in client.events(wire.MessageNewEvent, wire.MessageUpdatedEvent):
        print(m.reaction)  # expect-error[union-attr]
    async for anything in client.events("message.new"):
        print(anything.message)  # expect-error[union-attr]

    # Waits: the result is the class waited for; the check gets it too.
    typing: wire.TypingStartEvent = await client.wait_for(wire.MessageNewEvent)  # expect-error[arg-type]
    print(typing)
    await client.wait_for(wire.UserUpdatedEvent, check=lambda e: e.message)  # expect-error[attr-defined]

    # Classes that are not event classes.
    client.events(wire.User)  # expect-error[type-var]
    client.on(wire.Message, print)  # expect-error[type-var]
    client.events(UnknownEvent)  # expect-error[type-var]

    # A subscription is unsubscribed with no arguments.
    client.on(wire.MessageNewEvent, on_message).unsubscribe("now")  # expect-error[call-arg]
