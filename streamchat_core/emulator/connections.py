"""Live connections (WebSocket and long-poll alike) and the events waiting for them.

Every connection has an :class:`Outbox`: events are appended to it on the emulator's event loop,
in order, and taken out by whoever moves them to the client (the WebSocket writer, or the next
long-poll). Putting never blocks, so delivering one event to many connections never waits on a
slow one; a connection that lets more than ``limit`` events pile up is closed instead.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Connection", "ConnectionRegistry", "Outbox", "new_connection_id"]

Kind = Literal["websocket", "longpoll"]
_counter = itertools.count(1)


def new_connection_id() -> str:
    # Unique and unguessable: a long-poll connection id is all a poll presents besides the token.
    return f"{next(_counter):x}-{secrets.token_hex(12)}"


class Outbox:
    """Encoded event frames waiting for one connection, in the order they were put."""

    def __init__(self, limit: int) -> None:
        self._frames: deque[bytes] = deque()
        self._limit = limit
        self._ready = asyncio.Event()
        self._drained = asyncio.Event()
        self._drained.set()

    def __len__(self) -> int:
        return len(self._frames)

    def put(self, frame: bytes) -> bool:
        """Append a frame; ``False`` (and nothing appended) when the outbox is full."""
        if len(self._frames) >= self._limit:
            return False
        self._frames.append(frame)
        self._ready.set()
        self._drained.clear()
        return True

    def take_all(self) -> list[bytes]:
        frames = list(self._frames)
        self._frames.clear()
        self._ready.clear()
        self._drained.set()
        return frames

    async def wait(self, done: Callable[[], bool]) -> None:
        """Return once a frame is waiting or ``done()`` is true (checked after each wake-up)."""
        while not self._frames and not done():
            self._ready.clear()
            await self._ready.wait()

    async def wait_below(self, count: int) -> None:
        """Return once fewer than ``count`` frames are waiting (a producer's back-pressure)."""
        while len(self._frames) >= count:
            self._drained.clear()
            await self._drained.wait()

    def wake(self) -> None:
        """Wake a waiting reader without a frame, so that it checks its ``done()`` again."""
        self._ready.set()


@dataclass(eq=False)
class Connection:
    """One connected user on one transport."""

    id: str
    user_id: str
    kind: Kind
    outbox: Outbox
    #: For long-poll: when a poll last ended (or the connection opened); ``None`` while one is held.
    last_poll_end: float | None = field(default_factory=time.monotonic)
    #: Set when the emulator decides to end the connection: (close code, reason).
    close_reason: tuple[int, str] | None = None
    #: Incremented by each poll so that an older held poll knows it was superseded.
    poll_generation: int = 0

    @property
    def closing(self) -> bool:
        return self.close_reason is not None

    def request_close(self, code: int, reason: str) -> None:
        if self.close_reason is None:
            self.close_reason = (code, reason)
        self.outbox.wake()


class ConnectionRegistry:
    """Every open connection, by id and by user."""

    def __init__(self) -> None:
        self._by_id: dict[str, Connection] = {}
        self._by_user: dict[str, dict[str, Connection]] = {}

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Connection]:
        return iter(list(self._by_id.values()))

    def get(self, connection_id: str) -> Connection | None:
        return self._by_id.get(connection_id)

    def of_user(self, user_id: str) -> list[Connection]:
        return list(self._by_user.get(user_id, {}).values())

    def add(self, connection: Connection) -> bool:
        """Register a connection; ``True`` when it is the user's first."""
        self._by_id[connection.id] = connection
        mine = self._by_user.setdefault(connection.user_id, {})
        mine[connection.id] = connection
        return len(mine) == 1

    def remove(self, connection: Connection) -> bool:
        """Forget a connection; ``True`` when it was the user's last (``False`` if unknown)."""
        if self._by_id.pop(connection.id, None) is None:
            return False
        mine = self._by_user.get(connection.user_id, {})
        mine.pop(connection.id, None)
        if not mine:
            self._by_user.pop(connection.user_id, None)
            return True
        return False
