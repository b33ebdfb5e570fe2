"""A small bot written against the typed event API; ``mypy --strict`` must accept it as it is.

Never run: ``tests/client/test_typing_api.py`` type-checks it (no casts, no ignores). Each
handler, stream and wait reads the fields of its own event class, as a bot would.
"""

from __future__ import annotations

from streamchat_core import Channel, StreamChatClient, Subscription, User, models


def log_everything(event: models.Event) -> None:
    print("event", event.type)


def subscribe(client: StreamChatClient, channel: Channel, me: models.OwnUser) -> list[Subscription]:
    @client.on(models.MessageNewEvent)
    async def answer(event: models.MessageNewEvent) -> None:
        text = event.message.text or ""
        if event.user is not None and event.user.id != me.id:
            await channel.send_message(f"{event.user.id}, you said {len(text)} characters")

    everything: Subscription = client.on(log_everything)
    reactions = client.on(models.ReactionNewEvent, lambda e: print(e.cid, e.created_at.isoformat()))
    pings = client.on("custom.ping", log_everything)
    client.off(models.MessageNewEvent, answer)
    return [everything, reactions, pings]


async def announce_typing(client: StreamChatClient) -> None:
    async for e in client.events(models.TypingStartEvent):
        if e.user is not None:
            print(f"{e.user.id} is typing in {e.cid}")
        break
    async with client.events(models.TypingStartEvent, models.TypingStopEvent) as typing:
        async for t in typing:
            if isinstance(t, models.TypingStopEvent):
                print("stopped at", t.created_at)
                break


async def wait_for_jane(client: StreamChatClient) -> str | None:
    e = await client.wait_for(models.UserUpdatedEvent, check=lambda e: e.user.id == "jane", timeout=5)
    ping = await client.wait_for("custom.ping", timeout=5)
    if isinstance(ping, models.UnknownEvent):
        print(ping.type, ping.payload.get("n"))
    return e.user.name


async def run_bot(client: StreamChatClient) -> None:
    me = await client.connect_user(User(id="helper-bot"), client.dev_token("helper-bot"))
    channel = client.channel("messaging", "support", members=[me.id, "jane"])
    await channel.watch()
    subscriptions = subscribe(client, channel, me)
    await announce_typing(client)
    print("jane's name:", await wait_for_jane(client))
    for subscription in subscriptions:
        subscription.unsubscribe()
    await client.disconnect_user()
