"""``streamchat demo``: two users in one channel, one of them private, against an in-process emulator.

It starts an emulator on 127.0.0.1 (development tokens allowed) and walks through two
chapters of Stream's documentation. Nothing leaves the machine.

1. *Initialization & Users*: create a client, connect ``john`` with a name and an image, print
   the connection and the user the server returned.
2. *Privacy settings*: ``jane`` connects with typing indicators and read receipts off; both
   watch ``messaging:general``. john types, jane types (her client sends nothing), jane's client
   is bypassed with a raw ``typing.start`` (the server drops it), john sends a message, jane
   marks it read, john marks it read. Then a side-by-side table shows which typing and read
   events each of them received, and both disconnect.

The output does not depend on timing: each step waits for the events it causes (or, for an
event that must not arrive, for a later event on the same connection) before the next.

The walk-through is a list of steps (:data:`STEPS`), each an async function of a :class:`Demo`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TextIO

import anyio
import httpx

import streamchat_wire as wire
from streamchat_core.channel import Channel
from streamchat_core.client import StreamChatClient
from streamchat_core.codec import Event
from streamchat_core.emulator import Emulator
from streamchat_core.errors import StreamChatError
from streamchat_core.events import EventStream
from streamchat_core.extras import MissingExtraError, require_extra
from streamchat_core.privacy import PrivacySetting, privacy_enabled

__all__ = ["STEPS", "Demo", "main", "run"]

API_KEY = "demo-key"
JOHN = wire.User(
    id="john",
    extra_data={"name": "John Doe", "image": "https://getstream.io/random_png/?name=John+Doe"},
)
JANE = wire.User(
    id="jane",
    extra_data={"name": "Jane Roe", "image": "https://getstream.io/random_png/?name=Jane+Roe"},
    privacy_settings=wire.PrivacySettings(
        typing_indicators=wire.TypingIndicators(enabled=False),
        read_receipts=wire.ReadReceipts(enabled=False),
    ),
)
CHANNEL_TYPE, CHANNEL_ID = "messaging", "general"
#: The events the table shows.
SHOWN = (wire.TypingStartEvent, wire.TypingStopEvent, wire.MessageReadEvent, wire.NotificationMarkReadEvent)
#: A safety net for each wait; the demo never waits this long unless something is broken.
WAIT = 15.0


class SentEvents(httpx.AsyncBaseTransport):
    """A client's HTTP transport that notes the type of each event the client posts to a channel."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.types: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/event"):
            with contextlib.suppress(ValueError, KeyError, TypeError):
                self.types.append(str(json.loads(request.content)["event"]["type"]))
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


class Seen:
    """The typing and read events one client receives, read in order up to each barrier."""

    def __init__(self, stream: EventStream[Event]) -> None:
        self._stream = stream
        self.shown: list[str] = []

    async def until(self, what: str, check: Callable[[Event], bool]) -> None:
        """Read events up to the first one for which ``check`` holds."""
        with anyio.fail_after(WAIT):
            async for event in self._stream:
                if isinstance(event, SHOWN):
                    self.shown.append(describe_event(event))
                if check(event):
                    return
        raise StreamChatError(f"the client closed while waiting for {what}")


def describe_event(event: Event) -> str:
    user = getattr(event, "user", None)
    who = getattr(user, "id", "?")
    if isinstance(event, wire.MessageReadEvent):
        return f"message.read by {who}"
    if isinstance(event, wire.NotificationMarkReadEvent):
        return f"notification.mark_read ({who})"
    return f"{event.type} from {who}"


def _is(event_class: type[wire.EventStruct], sender: str) -> Callable[[Event], bool]:
    return lambda e: isinstance(e, event_class) and getattr(getattr(e, "user", None), "id", None) == sender


@dataclass
class Demo:
    """What the steps share: the emulator, clients, channels and event logs by user id, where to print."""

    emulator: Emulator
    log_level: int
    # Looked up when the demo starts, not at import: the output may have been redirected since.
    out: TextIO = field(default_factory=lambda: sys.stdout)
    clients: dict[str, StreamChatClient] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    seen: dict[str, Seen] = field(default_factory=dict)
    sent: dict[str, SentEvents] = field(default_factory=dict)

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def new_client(self, http_transport: httpx.AsyncBaseTransport | None = None) -> StreamChatClient:
        return StreamChatClient(
            API_KEY, log_level=self.log_level, base_url=self.emulator.base_url, http_transport=http_transport
        )


Step = Callable[[Demo], Awaitable[None]]


def describe_privacy(user: wire.User) -> list[str]:
    def switch(setting: PrivacySetting) -> str:
        return "on" if privacy_enabled(user, setting) else "off"

    return [
        "  privacy settings:",
        f"    typing indicators: {switch('typing_indicators')}",
        f"    read receipts:     {switch('read_receipts')}",
        f"    delivery receipts: {switch('delivery_receipts')}",
    ]


def describe_user(user: wire.OwnUser) -> list[str]:
    """The lines that show a user: identity, custom fields, role, creation time, privacy settings."""
    created = user.created_at
    return [
        f"  id:         {user.id}",
        f"  name:       {user.extra_data.get('name', '')}",
        f"  image:      {user.extra_data.get('image', '')}",
        f"  role:       {user.role}",
        f"  created_at: {created.isoformat() if created is not None else None}",
        *describe_privacy(user),
    ]


def describe_connection(client: StreamChatClient) -> list[str]:
    return [
        f"  state:         {client.connection_state.value}",
        f"  connection id: {client.connection_id}",
        f"  transport:     {client.transport}",
    ]


# ---------------------------------------------------------------------------------- chapter 1


async def connect_john(demo: Demo) -> None:
    """Initialization & Users: create a client and connect john with a name and an image."""
    client = demo.clients["john"]
    demo.say("Connecting john (a development token) ...")
    me = await client.connect_user(JOHN, client.dev_token("john"))
    demo.say("Connection:")
    for line in describe_connection(client):
        demo.say(line)
    demo.say("The user the server returned (me):")
    for line in describe_user(me):
        demo.say(line)


# ---------------------------------------------------------------------------------- chapter 2


async def connect_jane(demo: Demo) -> None:
    client = demo.clients["jane"]
    demo.say()
    demo.say("Connecting jane, who turned typing indicators and read receipts off ...")
    me = await client.connect_user(JANE, client.dev_token("jane"))
    demo.say(f"  connection id: {client.connection_id} ({client.transport})")
    for line in describe_privacy(me):
        demo.say(line)


async def watch_channel(demo: Demo) -> None:
    cid = f"{CHANNEL_TYPE}:{CHANNEL_ID}"
    for name, client in demo.clients.items():
        # Subscribed before anything happens in the channel: nothing is missed.
        demo.seen[name] = Seen(client.events(*SHOWN, "message.new"))
    john = demo.clients["john"].channel(CHANNEL_TYPE, CHANNEL_ID, members=["john", "jane"])
    jane = demo.clients["jane"].channel(CHANNEL_TYPE, CHANNEL_ID)
    demo.channels = {"john": john, "jane": jane}
    demo.say()
    demo.say(f"john creates {cid} with john and jane as members and watches it; jane watches it too.")
    watching = demo.clients["john"].events(wire.UserWatchingStartEvent)
    await john.watch()
    await jane.watch()
    with anyio.fail_after(WAIT):
        async for _ in watching:
            if john.state.watcher_count >= 2:
                break
    await watching.aclose()
    state = john.state
    config = state.config
    demo.say(
        f"  members: {', '.join(sorted(state.members))}; watchers: {state.watcher_count}; "
        f"typing events: {'on' if config and config.typing_events else 'off'}; "
        f"read events: {'on' if config and config.read_events else 'off'}"
    )


async def john_types(demo: Demo) -> None:
    john = demo.channels["john"]
    demo.say()
    demo.say("john presses three keys: one typing.start goes out; typing.stop follows on its own")
    demo.say(f"  about {john.typing_timings.stop_after:g} s after the last key.")
    for _ in range(3):
        await john.keystroke()
    await demo.seen["jane"].until("john's typing.stop", _is(wire.TypingStopEvent, "john"))
    demo.say(f"  john's client posted: {', '.join(demo.sent['john'].types)}")


async def jane_types(demo: Demo) -> None:
    jane = demo.channels["jane"]
    demo.say("jane presses a key and stops: her client sends nothing (typing indicators off).")
    await jane.keystroke()
    await jane.stop_typing()
    demo.say(f"  jane's client posted: {', '.join(demo.sent['jane'].types) or 'nothing'}")
    demo.say("jane's client is bypassed: a raw typing.start straight to the /event endpoint ...")
    response = await demo.clients["jane"].request(
        "POST",
        f"/channels/{CHANNEL_TYPE}/{CHANNEL_ID}/event",
        json=wire.SendEventRequest(event=wire.EventRequest(type="typing.start")),
    )
    demo.say(f"  the server answers with the {response['event']['type']} event and delivers it to no one.")


async def john_sends(demo: Demo) -> None:
    demo.say('john sends "Hi Jane!"; both receive it.')
    message = await demo.channels["john"].send_message("Hi Jane!")

    def is_it(e: Event) -> bool:
        return isinstance(e, wire.MessageNewEvent) and e.message.id == message.id

    await demo.seen["jane"].until("john's message", is_it)
    # Events reach john in the order the server made them: had jane's raw typing.start been
    # delivered, john would have read it before his own message.
    await demo.seen["john"].until("john's message", is_it)


async def both_read(demo: Demo) -> None:
    demo.say("jane marks the channel read (read receipts off: only her own client hears of it).")
    await demo.channels["jane"].mark_read()
    await demo.seen["jane"].until(
        "jane's notification.mark_read", _is(wire.NotificationMarkReadEvent, "jane")
    )
    demo.say("john marks the channel read.")
    await demo.channels["john"].mark_read()
    # As above: jane's read, had it reached john, would come before his own notification.
    await demo.seen["john"].until(
        "john's notification.mark_read", _is(wire.NotificationMarkReadEvent, "john")
    )
    await demo.seen["jane"].until("john's message.read", _is(wire.MessageReadEvent, "john"))


async def show_what_they_saw(demo: Demo) -> None:
    demo.say()
    demo.say("Typing and read events each of them received, in order:")
    columns = {
        "john": ("john (privacy defaults)", demo.seen["john"].shown),
        "jane": ("jane (typing indicators, read receipts off)", demo.seen["jane"].shown),
    }
    width = max(len(s) for _, lines in columns.values() for s in [*lines, _]) + 2
    titles = [title for title, _ in columns.values()]
    demo.say(f"  {titles[0]:<{width}}| {titles[1]}")
    demo.say(f"  {'-' * (width - 1)} | {'-' * (width - 1)}")
    left, right = columns["john"][1], columns["jane"][1]
    for i in range(max(len(left), len(right))):
        a = left[i] if i < len(left) else "(nothing more)" if i == len(left) else ""
        b = right[i] if i < len(right) else ""
        demo.say(f"  {a:<{width}}| {b}")
    demo.say()
    demo.say("Read states each of them gets from the server (a query):")
    for name, channel in demo.channels.items():
        state = await channel.query()
        readers = sorted(r.user.id for r in state.read or [])
        demo.say(f"  {name}: {', '.join(readers)}")


async def disconnect_all(demo: Demo) -> None:
    demo.say()
    demo.say("Disconnecting john and jane ...")
    for client in demo.clients.values():
        await client.disconnect_user()
    demo.say(
        "Final state: "
        + ", ".join(f"{name} {client.connection_state.value}" for name, client in demo.clients.items())
    )


#: The walk-through, in order. Each step gets the shared :class:`Demo`.
STEPS: list[Step] = [
    connect_john,
    connect_jane,
    watch_channel,
    john_types,
    jane_types,
    john_sends,
    both_read,
    show_what_they_saw,
    disconnect_all,
]


async def run(demo: Demo, steps: Sequence[Step] = STEPS) -> None:
    """Open one client per user (john, jane), run the steps, close everything."""
    demo.say(f"streamchat demo: emulator at {demo.emulator.base_url}, {anyio_backend_name()} backend")
    async with contextlib.AsyncExitStack() as stack:
        for name in ("john", "jane"):
            sent = demo.sent[name] = SentEvents()
            client = demo.clients[name] = demo.new_client(sent)
            await stack.enter_async_context(client)
        demo.say(f"Created {demo.clients['john']!r}")
        for step in steps:
            await step(demo)


def anyio_backend_name() -> str:
    import sniffio

    return sniffio.current_async_library()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="streamchat demo", description="Connect users to an in-process emulator and show what they see."
    )
    parser.add_argument(
        "--backend", choices=("asyncio", "trio"), default="asyncio", help="async library to run on"
    )
    parser.add_argument(
        "--log-level", default="WARNING", help="level of the streamchat logger (DEBUG, INFO, WARNING, ...)"
    )
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    level = logging.getLevelName(args.log_level.upper())
    if not isinstance(level, int):
        parser.error(f"unknown log level {args.log_level!r}")
    if args.backend == "trio":
        try:
            require_extra("trio", "streamchat demo --backend trio")
        except MissingExtraError as exc:
            print(exc, file=sys.stderr)
            return 1
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    with Emulator(api_key=API_KEY, allow_dev_tokens=True) as emulator:
        demo = Demo(emulator=emulator, log_level=level)
        try:
            anyio.run(run, demo, backend=args.backend)
        except Exception as exc:
            print(f"streamchat demo failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
