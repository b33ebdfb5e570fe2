"""The connections of one session: opening each with the current token, tracking them until closed.

A session has one live connection, and for moments two (a switch back from long-poll opens
the new one beside the old). The :class:`LinkPool` makes each :class:`~streamchat_core.connection.Link`
(its :class:`~streamchat_core.transport.ConnectRequest` carries the token and the token's
generation together), runs it in the session's task group, keeps the token of every open
connection current (:meth:`LinkPool.refresh_ahead`), and closes them all at the end.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

import anyio

import streamchat_wire as wire
from streamchat_core import codec
from streamchat_core.auth import TokenManager
from streamchat_core.connection import Link, Sink
from streamchat_core.errors import TokenProviderError
from streamchat_core.stats import Counters
from streamchat_core.transport import ConnectRequest, Transport

__all__ = ["LinkPool", "LinkSettings"]

logger = logging.getLogger("streamchat.session")

# After refreshing ahead of expiry failed, how long before trying again.
_REFRESH_RETRY = 1.0


class LinkSettings(Protocol):
    """What opening a connection takes from the client's settings (``SessionConfig`` has it)."""

    @property
    def base_url(self) -> str: ...
    @property
    def api_key(self) -> str: ...
    @property
    def user_agent(self) -> str: ...
    @property
    def ping_interval(self) -> float: ...
    @property
    def dead_timeout(self) -> float: ...


class LinkPool:
    """Opens and tracks the connections of one user's session."""

    def __init__(
        self,
        *,
        user: wire.User,
        tokens: TokenManager,
        settings: LinkSettings,
        counters: Counters,
        start_soon: Callable[[Callable[[], Coroutine[Any, Any, None]]], None],
    ) -> None:
        self._user = user
        self._tokens = tokens
        self._settings = settings
        self._counters = counters
        self._start_soon = start_soon
        self._links: set[Link] = set()

    async def open(
        self,
        transport: Transport,
        timeout: float,
        *,
        sink: Sink,
        on_change: Callable[[], None],
        on_up: Callable[[Link], None] | None = None,
    ) -> Link:
        """Start a connection attempt over ``transport``; raises ``TokenProviderError`` if no token."""
        tokens, settings = self._tokens, self._settings
        token = await tokens.get()
        user_id = self._user.id
        payload = codec.encode(
            wire.ConnectPayload(user_id=user_id, user_details=self._user, client_request_id=str(uuid.uuid4()))
        )
        request = ConnectRequest(
            base_url=settings.base_url,
            api_key=settings.api_key,
            user_id=user_id,
            payload=payload,
            token=token,
            token_generation=tokens.generation,
            user_agent=settings.user_agent,
            timeout=timeout,
        )
        link = Link(
            transport,
            request,
            sink=sink,
            client_id=f"{user_id}--{uuid.uuid4()}",
            ping_interval=settings.ping_interval,
            dead_timeout=settings.dead_timeout,
            refresh_token=self._refresh_token if tokens.has_provider else None,
            on_up=on_up,
            on_change=on_change,
            counters=self._counters,
        )
        self._links.add(link)

        async def run_link() -> None:
            try:
                await link.run()
            finally:
                self._links.discard(link)

        self._start_soon(run_link)
        return link

    async def _refresh_token(self, stale_generation: int) -> tuple[str, int]:
        """A fresh token (and its generation) in place of ``stale_generation``'s, met with error 40."""
        token = await self._tokens.refresh(stale_generation)
        return token, self._tokens.generation

    def cancel_all(self) -> None:
        for link in tuple(self._links):
            link.cancel()

    async def wait_closed(self) -> None:
        """Return once every connection's task has ended (bound it with a cancel scope)."""
        for link in tuple(self._links):
            await link.done.wait()

    async def refresh_ahead(self) -> None:
        """Fetch a fresh token before the current one expires, so no connection meets error 40.

        Runs for the session's life; every open connection gets the new token.
        """
        tokens = self._tokens
        while True:
            generation = tokens.generation
            delay = tokens.refresh_delay()
            if delay is None:
                await tokens.wait_changed(generation)
                continue
            await anyio.sleep(delay)
            try:
                token = await tokens.refresh(generation)
            except TokenProviderError as exc:
                logger.warning("refreshing the token ahead of its expiry failed: %s", exc)
                await anyio.sleep(_REFRESH_RETRY)
                continue
            logger.debug("refreshed the token ahead of its expiry")
            for link in tuple(self._links):
                if not link.done.is_set():
                    link.update_token(token, tokens.generation)
