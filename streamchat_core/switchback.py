"""The way back from a fallback transport: probe the preferred ones, hand over with nothing lost.

While the session runs on a fallback (long-poll after the WebSocket failed), a
:class:`SwitchBack` probes the transports ahead of it in the chain every ``probe_interval``
seconds. A probe that opens becomes the *candidate*: a second connection beside the current
one, up but buffering its events. The session then calls :meth:`SwitchBack.handover`, which
moves delivery to it losing and repeating no event (the proof is in its docstring).

It owns the candidate connection, its buffer and the de-duplication record; the session hands
it what it needs as callables (opening a connection, delivering an event, re-watching on a new
connection), so it knows nothing of the session.
"""

from __future__ import annotations

import collections
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

import anyio

import streamchat_wire as wire
from streamchat_core.codec import Event
from streamchat_core.connection import Link, Sink, event_key
from streamchat_core.errors import TokenProviderError
from streamchat_core.transport import Transport

__all__ = ["SwitchBack"]

logger = logging.getLogger("streamchat.session")

#: Opens a connection over a transport that delivers to the given sink and calls the given
#: function on each change of the link (up, lost). May raise ``TokenProviderError``.
OpenLink = Callable[[Transport, Sink, Callable[[], None]], Awaitable[Link]]


class SwitchBack:
    """Probing for, and handing over to, a connection over a preferred transport."""

    def __init__(
        self,
        *,
        open_link: OpenLink,
        deliver: Sink,
        resubscribe: Callable[[Link], Awaitable[None]],
        notify: Callable[[], None],
        start_soon: Callable[[Callable[[], Coroutine[Any, Any, None]]], None],
        probe_interval: float,
        handover_grace: float,
    ) -> None:
        self._open_link = open_link
        self._deliver = deliver
        self._resubscribe = resubscribe
        self._notify = notify
        self._start_soon = start_soon
        self._probe_interval = probe_interval
        self._handover_grace = handover_grace
        #: A connection over a preferred transport that is up and buffering, once a probe worked.
        self.candidate: Link | None = None
        self._buffer: list[tuple[Event, bytes | str]] = []
        self._delivered: collections.Counter[bytes] = collections.Counter()
        self._prober: anyio.CancelScope | None = None

    def start(self, current: Link, preferred: Sequence[Transport]) -> None:
        """Probe ``preferred`` (in order) every ``probe_interval`` seconds beside ``current``."""
        if self._prober is not None or current.lost.is_set() or not preferred:
            return
        scope = self._prober = anyio.CancelScope()
        transports = tuple(preferred)

        async def probe() -> None:
            await self._probe(scope, current, transports)

        self._start_soon(probe)

    def stop(self) -> None:
        """Stop probing and drop the candidate, if any: the current connection was lost."""
        if self._prober is not None:
            self._prober.cancel()
            self._prober = None
        if self.candidate is not None:
            self.candidate.cancel()
            self.candidate = None

    def take(self) -> Link | None:
        """The candidate, now the caller's to hand over to (``None`` if there is none)."""
        candidate, self.candidate = self.candidate, None
        return candidate

    async def _probe(self, scope: anyio.CancelScope, current: Link, preferred: Sequence[Transport]) -> None:
        with scope:
            try:
                while self.candidate is None:
                    await anyio.sleep(self._probe_interval)
                    for transport in preferred:
                        candidate = await self._try(current, transport)
                        if candidate is not None:
                            self.candidate = candidate
                            self._notify()
                            return
            finally:
                if self._prober is scope:
                    self._prober = None

    async def _try(self, current: Link, transport: Transport) -> Link | None:
        """Open a connection over ``transport`` beside ``current``; it buffers its events.

        From before the attempt starts, every event ``current`` delivers is remembered (see
        :meth:`handover`): an event published just after the new connection registers may
        reach us over the old one before the new one's first frame does.
        """
        if current.lost.is_set():
            return None
        buffer: list[tuple[Event, bytes | str]] = []
        delivered: collections.Counter[bytes] = collections.Counter()
        deliver = self._deliver

        def keep(event: Event, frame: bytes | str) -> None:
            if event.__class__ is not wire.HealthCheckEvent:
                buffer.append((event, frame))

        def deliver_and_remember(event: Event, frame: bytes | str) -> None:
            if event.__class__ is not wire.HealthCheckEvent:
                delivered[event_key(frame)] += 1
            deliver(event, frame)

        current.sink = deliver_and_remember
        adopted = False
        try:
            changed = anyio.Event()
            try:
                link = await self._open_link(transport, keep, changed.set)
            except TokenProviderError as exc:
                logger.info("not probing %s: %s", transport.name, exc)
                return None
            try:
                await changed.wait()
            finally:
                link.on_change = self._notify
                if not (link.up.is_set() and not link.lost.is_set()):
                    link.cancel()
            if link.up.is_set() and not link.lost.is_set():
                logger.info(
                    "%s works again (connection id %s); switching back", transport.name, link.connection_id
                )
                self._buffer = buffer
                self._delivered = delivered
                adopted = True
                return link
            await link.lost.wait()
            logger.debug("%s still fails: %s", transport.name, link.error)
            return None
        finally:
            if not adopted and current.sink == deliver_and_remember:
                current.sink = deliver

    async def handover(self, old: Link, new: Link) -> bool:
        """Move delivery from ``old`` to ``new`` (up, buffering), losing and repeating nothing.

        Returns whether ``old`` failed during the handover (events queued for it may then be
        lost: the caller dispatches ``connection.recovered`` so listeners resynchronise).

        The server delivers each event to every connection of the user that exists when it
        is published. So an event published before ``new`` opened is only on ``old``, and one
        published after is on both. Hence:

        1. From before ``new`` was opened, every event ``old`` delivers is remembered by
           :func:`~streamchat_core.connection.event_key`, while ``new`` buffers its events.
        2. ``old`` is drained: asked to hand over everything the server had queued for it,
           then closed (for long-poll: the poll in flight completes, one more poll collects what
           is queued, then ``close=true``). A transport that cannot drain is read for
           ``handover_grace`` seconds more, then closed; the guarantee is then only as good as
           that grace period.
        3. The buffer is delivered, skipping each event ``old`` already delivered; then
           ``new`` delivers live.

        Every event published before ``new`` opened came from ``old`` (drained); every later one
        is in the buffer, in server order, and is delivered unless ``old`` delivered it: no
        loss, no repeat, order kept. Two different events are confused only if they are equal
        byte for byte apart from ``connection_id``, timestamps included.
        """
        buffer, self._buffer = self._buffer, []
        delivered, self._delivered = self._delivered, collections.Counter()
        await self._resubscribe(new)
        if old.request_drain():
            logger.debug("draining the %s connection %s", old.name, old.connection_id)
        else:
            await anyio.sleep(self._handover_grace)
            old.cancel()
        # Lost, not done: once its reader has stopped, nothing more comes from it.
        await old.lost.wait()
        failed = old.error is not None and not old.drained

        # Step 3 and the switch, with no await in between: nothing can interleave.
        deliver = self._deliver
        for event, frame in buffer:
            key = event_key(frame)
            if delivered[key] > 0:
                delivered[key] -= 1
                continue
            deliver(event, frame)
        new.sink = deliver
        return failed
