"""What channel code needs of the client, as a protocol: the client implements it.

Channel code (``channel.py``, ``channel_registry.py``) depends on this contract only, never on
the client's insides, so the two can change apart and channels can be tested with any host.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any, Protocol, TypeVar

import streamchat_wire as wire
from streamchat_core.backoff import BackoffPolicy
from streamchat_core.codec import Event
from streamchat_core.state import ConnectionState
from streamchat_core.stats import Counters

__all__ = ["ChannelHost"]

T = TypeVar("T")


class ChannelHost(Protocol):
    """The client, as its channels see it."""

    @property
    def user(self) -> wire.OwnUser | None:
        """The connected user, kept current (privacy settings decide what a channel sends)."""
        ...

    @property
    def user_id(self) -> str | None: ...

    @property
    def connection_state(self) -> ConnectionState: ...

    @property
    def connect_timeout(self) -> float:
        """How long ``connection.recovered`` waits for the channels to be watched again."""
        ...

    @property
    def backoff(self) -> BackoffPolicy:
        """The policy a failed re-watch retries with."""
        ...

    @property
    def counters(self) -> Counters:
        """The client's counters (``client.stats``)."""
        ...

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        response_type: type[T],
    ) -> T:
        """An authenticated REST call as the connected user, its body decoded into ``response_type``."""
        ...

    def start_soon(self, work: Callable[[], Coroutine[Any, Any, None]], name: str) -> bool:
        """Run ``work()`` in the client's task group; ``False`` (nothing started) when it is not open."""
        ...

    def dispatch_local(self, event: Event) -> None:
        """Deliver an event made up by the client (a ``typing.stop`` for expired typing) like a server's."""
        ...

    def add_resubscribe_hook(self, hook: Callable[[str], Awaitable[None]]) -> Callable[[], None]:
        """Await ``hook(connection_id)`` on each new connection; returns a function that removes it."""
        ...
