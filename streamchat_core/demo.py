"""``streamchat demo``: Stream's "Initialization & Users" walk-through, against an in-process emulator.

It starts an emulator on 127.0.0.1 (development tokens allowed), then does what Stream's
documentation shows: create a client, connect ``john`` with a name and an image, print the
connection and the user the server returned, disconnect. Nothing leaves the machine.

The walk-through is a list of steps (:data:`STEPS`), each an async function of a
:class:`Demo`; later chapters (a second user, a channel) add steps to it.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

import anyio
import msgspec
import streamchat_wire as wire

from streamchat_core.client import StreamChatClient
from streamchat_core.emulator import Emulator

__all__ = ["STEPS", "Demo", "main", "run"]

API_KEY = "demo-key"
JOHN = wire.User(
    id="john",
    extra_data={"name": "John Doe", "image": "https://getstream.io/random_png/?name=John+Doe"},
)


@dataclass
class Demo:
    """What the steps share: the emulator, the clients by user id, and where to print."""

    emulator: Emulator
    log_level: int
    out: TextIO = sys.stdout
    clients: dict[str, StreamChatClient] = field(default_factory=dict)

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def new_client(self) -> StreamChatClient:
        return StreamChatClient(API_KEY, log_level=self.log_level, base_url=self.emulator.base_url)


Step = Callable[[Demo], Awaitable[None]]


def _unset(value: Any) -> Any:
    return None if value is msgspec.UNSET else value


def _switch(setting: Any) -> str:
    enabled = _unset(getattr(setting, "enabled", msgspec.UNSET)) if setting is not None else None
    return "off" if enabled is False else "on"


def describe_user(user: wire.OwnUser) -> list[str]:
    """The lines that show a user: identity, custom fields, role, creation time, privacy settings."""
    privacy = _unset(user.privacy_settings)
    created = _unset(user.created_at)
    lines = [
        f"  id:         {user.id}",
        f"  name:       {user.extra_data.get('name', '')}",
        f"  image:      {user.extra_data.get('image', '')}",
        f"  role:       {_unset(user.role)}",
        f"  created_at: {created.isoformat() if created is not None else None}",
        "  privacy settings:",
        f"    typing indicators: {_switch(_unset(privacy.typing_indicators) if privacy else None)}",
        f"    read receipts:     {_switch(_unset(privacy.read_receipts) if privacy else None)}",
        f"    delivery receipts: {_switch(_unset(privacy.delivery_receipts) if privacy else None)}",
    ]
    return lines


def describe_connection(client: StreamChatClient) -> list[str]:
    return [
        f"  state:         {client.connection_state.value}",
        f"  connection id: {client.connection_id}",
        f"  transport:     {client.transport}",
    ]


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


async def disconnect_john(demo: Demo) -> None:
    client = demo.clients["john"]
    demo.say("Disconnecting john ...")
    await client.disconnect_user()
    demo.say(f"Final state: {client.connection_state.value}")


#: The walk-through, in order. Each step gets the shared :class:`Demo`.
STEPS: list[Step] = [connect_john, disconnect_john]


async def run(demo: Demo, steps: Sequence[Step] = STEPS) -> None:
    """Open one client per user the steps use (john), run the steps, close everything."""
    demo.say(f"streamchat demo: emulator at {demo.emulator.base_url}, {anyio_backend_name()} backend")
    client = demo.new_client()
    demo.clients["john"] = client
    async with client:
        demo.say(f"Created {client!r}")
        for step in steps:
            await step(demo)


def anyio_backend_name() -> str:
    import sniffio

    return sniffio.current_async_library()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="streamchat demo", description="Connect users to an in-process emulator and show what they see."
    )
    parser.add_argument("--backend", choices=("asyncio", "trio"), default="asyncio", help="async library to run on")
    parser.add_argument(
        "--log-level", default="WARNING", help="level of the streamchat logger (DEBUG, INFO, WARNING, ...)"
    )
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    level = logging.getLevelName(args.log_level.upper())
    if not isinstance(level, int):
        parser.error(f"unknown log level {args.log_level!r}")
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
