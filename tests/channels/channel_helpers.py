"""Helpers for the channel tests: two connected users in one watched channel, and event waits.

Absence is never checked by waiting on the clock. Events reach one connection in the order the
server produced them, so after an action that must *not* reach john, a marker message is sent
and everything john receives before the marker is what the action caused.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx
from client_helpers import WAIT, emulator_client

import streamchat_wire as wire
from streamchat_core.channel import Channel
from streamchat_core.client import StreamChatClient
from streamchat_core.codec import Event
from streamchat_core.events import EventStream
from streamchat_core.typing_state import TypingTimings

#: Intervals no test reaches: nothing automatic happens unless a test asks for it.
NEVER = 3600.0
QUIET = TypingTimings(throttle=NEVER, stop_after=NEVER, expire_after=NEVER)


def privacy(*, typing: bool = True, read: bool = True) -> wire.PrivacySettings:
    return wire.PrivacySettings(
        typing_indicators=wire.TypingIndicators(enabled=typing), read_receipts=wire.ReadReceipts(enabled=read)
    )


class RecordingTransport(httpx.AsyncBaseTransport):
    """The client's HTTP transport, remembering each request: proves what a client did *not* send."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()

    def event_types(self) -> list[str]:
        """The ``type`` of every event the client posted to a channel's ``/event``."""
        found = []
        for request in self.requests:
            if request.method == "POST" and request.url.path.endswith("/event"):
                found.append(json.loads(request.content)["event"]["type"])
        return found


@dataclass
class User:
    id: str
    client: StreamChatClient
    channel: Channel
    http: RecordingTransport
    #: Every event this user's client received since the pair was set up.
    stream: EventStream
    seen: list[Event] = field(default_factory=list)

    async def until(self, check: Callable[[Any], bool], what: str = "the event") -> list[Event]:
        """Read this user's events until one satisfies ``check``; returns those read, that one last."""
        read: list[Event] = []
        with anyio.fail_after(WAIT):
            async for event in self.stream:
                self.seen.append(event)
                read.append(event)
                if check(event):
                    return read
        raise AssertionError(f"{self.id}'s event stream ended before {what}")

    async def next_of(self, event_type: str, *, sender: str | None = None) -> Any:
        """The next event of ``event_type`` (from ``sender``, if given) this user receives."""
        read = await self.until(lambda e: is_event(e, event_type, sender), f"{event_type} from {sender}")
        return read[-1]


def is_event(event: Any, event_type: str, sender: str | None = None) -> bool:
    if event.type != event_type:
        return False
    if sender is None:
        return True
    user = getattr(event, "user", None)
    return getattr(user, "id", None) == sender


def from_user(events: Sequence[Any], event_type: str, sender: str) -> list[Any]:
    return [e for e in events if is_event(e, event_type, sender)]


async def marker(sender: User, *receivers: User) -> list[list[Event]]:
    """``sender`` sends a message; wait until each receiver has it. Returns what each read before it."""
    message = await sender.channel.send_message(f"marker from {sender.id}")
    before = []
    for receiver in receivers:
        read = await receiver.until(
            lambda e: e.type == "message.new" and e.message.id == message.id,
            f"the marker from {sender.id}",
        )
        before.append(read[:-1])
    return before


@dataclass
class Pair:
    john: User
    jane: User
    channel_id: str

    @property
    def path(self) -> str:
        return f"/channels/messaging/{self.channel_id}"


@contextlib.asynccontextmanager
async def pair(
    emu: Any,
    *,
    john_privacy: wire.PrivacySettings | None = None,
    jane_privacy: wire.PrivacySettings | None = None,
    john_options: dict[str, Any] | None = None,
    jane_options: dict[str, Any] | None = None,
    john_timings: TypingTimings = QUIET,
    jane_timings: TypingTimings = QUIET,
    before_jane: Callable[[], None] | None = None,
    channel_id: str = "general",
) -> AsyncIterator[Pair]:
    """john and jane connected, both watching ``messaging:<channel_id>`` (john created it).

    Returns once john has seen jane start watching, so every later event is a test's own.
    ``before_jane`` runs after john is connected, before jane connects (to change the emulator).
    """
    async with contextlib.AsyncExitStack() as stack:
        users = {}
        for name, settings, options, timings in (
            ("john", john_privacy, john_options, john_timings),
            ("jane", jane_privacy, jane_options, jane_timings),
        ):
            if name == "jane" and before_jane is not None:
                before_jane()
            http = RecordingTransport()
            client = emulator_client(emu, http_transport=http, **(options or {}))
            await stack.enter_async_context(client)
            user = wire.User(id=name, extra_data={"name": name.title()})
            if settings is not None:
                user.privacy_settings = settings
            await client.connect_user(user, client.dev_token(name))
            members = ["john", "jane"] if name == "john" else None
            channel = client.channel("messaging", channel_id, members=members, typing_timings=timings)
            stream = client.events()
            stack.push_async_callback(stream.aclose)
            users[name] = User(name, client, channel, http, stream)
        john, jane = users["john"], users["jane"]
        await john.channel.watch()
        await jane.channel.watch()
        await john.next_of("user.watching.start", sender="jane")
        yield Pair(john, jane, channel_id)
        for u in (john, jane):
            await u.client.disconnect_user()
