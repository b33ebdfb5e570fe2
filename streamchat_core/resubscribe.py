"""Running the resubscribe hooks when a new connection replaces another.

A hook is awaited with the new connection id (it re-watches channels, for instance). Hooks may
retry for as long as they need, but not past their connection: :meth:`Resubscriber.cancel`
stops them once it is lost. ``connection.recovered`` waits for them for at most
``connect_timeout`` seconds (:meth:`Resubscriber.run`); after that they go on in the background.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

import anyio

from streamchat_core.connection import Link

__all__ = ["ResubscribeHook", "Resubscriber"]

logger = logging.getLogger("streamchat.session")

#: Awaited with the new connection id each time a new connection replaces another (a
#: reconnect, or a transport switch), before ``connection.recovered`` (or the switch's
#: ``transport.changed``): where channel code re-watches its channels. A hook may retry for as
#: long as it needs: it is cancelled when its connection is lost or the session ends, and it
#: holds ``connection.recovered`` back for at most ``connect_timeout`` seconds.
ResubscribeHook = Callable[[str], Awaitable[None]]


class Resubscriber:
    """The hook runs of one session, each bound to its connection."""

    def __init__(
        self,
        hooks: Sequence[ResubscribeHook],
        *,
        wait_at_most: float,
        start_soon: Callable[[Callable[[], Coroutine[Any, Any, None]]], None],
        wait_for: Callable[[Callable[[], bool]], Awaitable[None]],
        notify: Callable[[], None],
    ) -> None:
        self._hooks = hooks
        self._wait_at_most = wait_at_most
        self._start_soon = start_soon
        # The session's wake-up: its links call notify on every change, so one wait covers
        # "the hooks are done" and "the connection is lost".
        self._wait_for = wait_for
        self._notify = notify
        self._runs: dict[Link, anyio.CancelScope] = {}

    async def run(self, link: Link) -> None:
        """Run the hooks for ``link``, a new connection.

        Returns once they are done, the connection is lost, or ``wait_at_most`` seconds have
        passed; in the last case they go on in the background until done or the link is lost.
        """
        if not self._hooks:
            return
        connection_id = link.connection_id
        assert connection_id is not None
        finished = anyio.Event()
        scope = self._runs[link] = anyio.CancelScope()

        async def run_hooks() -> None:
            try:
                with scope:
                    for hook in self._hooks:
                        try:
                            await hook(connection_id)
                        except Exception:
                            logger.exception("a resubscribe hook failed for connection %s", connection_id)
            finally:
                if self._runs.get(link) is scope:
                    del self._runs[link]
                finished.set()
                self._notify()

        self._start_soon(run_hooks)
        with anyio.move_on_after(self._wait_at_most):
            await self._wait_for(lambda: finished.is_set() or link.lost.is_set())
        if link.lost.is_set():
            self.cancel(link)
        elif not finished.is_set():
            logger.info(
                "resubscribing on connection %s takes longer than %g s; it goes on in the background",
                connection_id,
                self._wait_at_most,
            )

    def cancel(self, link: Link) -> None:
        """Stop the hooks of ``link`` (lost, or retired)."""
        scope = self._runs.get(link)
        if scope is not None:
            scope.cancel()

    def cancel_all(self) -> None:
        for scope in self._runs.values():
            scope.cancel()
