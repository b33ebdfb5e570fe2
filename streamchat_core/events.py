"""Delivering events to user code: handlers, event streams and one-shot waits.

Three styles, all fed by :meth:`EventHub.dispatch`, which never blocks and never runs user code:

- push: ``hub.on("message.new", handler)``, sync or async handlers, ``"*"`` for every event;
  they run one after the other, in event order, on the hub's own dispatcher task. A handler
  that raises is logged and the next one runs.
- pull: ``async for event in hub.events("typing.start", "typing.stop")``: each stream has its
  own unbounded queue, so a slow consumer delays nobody else.
- one-shot: ``await hub.wait_for("user.updated", check=…, timeout=5)``.

The connection's reader task calls ``dispatch`` and goes straight back to reading, so a slow
or stuck handler can never hold up keep-alive pings or dead-connection detection.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import math
import weakref
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from types import TracebackType
from typing import Any, TypeVar, overload

import anyio
import anyio.abc
import anyio.lowlevel
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from streamchat_core.codec import Event
from streamchat_core.errors import StreamChatError

__all__ = ["ALL_EVENTS", "EventHub", "EventStream", "Handler", "event_type"]

logger = logging.getLogger("streamchat.events")

#: Subscribe to every event.
ALL_EVENTS = "*"

Handler = Callable[[Any], "Awaitable[None] | None"]
H = TypeVar("H", bound=Handler)

# A warning is logged each time the handler backlog crosses one more multiple of this.
_BACKLOG_WARNING_STEP = 10_000
# The dispatcher lets other tasks run at least once every this many events.
_EVENTS_PER_CHECKPOINT = 64


def event_type(event: Event) -> str:
    """The ``type`` of an event, known or not."""
    tag = event.type_tag
    return tag if tag is not None else ""


def seconds(value: float | timedelta | None, what: str) -> float | None:
    """A timeout given in seconds or as a ``timedelta``, as seconds; ``None`` stays ``None``."""
    if value is None:
        return None
    if isinstance(value, timedelta):
        result = value.total_seconds()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        result = float(value)
    else:
        raise TypeError(f"{what} must be a number of seconds or a timedelta, not {type(value).__name__}")
    if math.isnan(result) or result < 0:
        raise ValueError(f"{what} must not be negative, got {value!r}")
    return result


class EventStream:
    """The events of some types, as they arrive, until the client closes or the stream does.

    Created by :meth:`EventHub.events`; it starts collecting at once, before the first
    ``await``, so an event that arrives between creating it and iterating is not missed. Use it
    as an async iterator, optionally inside ``async with`` (or call :meth:`aclose`) to stop
    collecting. A stream that is dropped stops collecting too.
    """

    def __init__(self, types: frozenset[str], on_close: Callable[[EventStream], None] | None = None) -> None:
        self.types = types
        self._on_close = on_close
        self._send: MemoryObjectSendStream[Event]
        self._receive: MemoryObjectReceiveStream[Event]
        self._send, self._receive = anyio.create_memory_object_stream[Event](math.inf)

    def wants(self, type_: str) -> bool:
        return ALL_EVENTS in self.types or type_ in self.types

    def _push(self, event: Event) -> None:
        with contextlib.suppress(anyio.ClosedResourceError, anyio.BrokenResourceError):
            self._send.send_nowait(event)

    def _end(self) -> None:
        self._send.close()

    async def receive(self) -> Event:
        """The next event. Raises ``StopAsyncIteration`` once the stream has ended."""
        try:
            return await self._receive.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            raise StopAsyncIteration from None

    def __aiter__(self) -> EventStream:
        return self

    async def __anext__(self) -> Event:
        return await self.receive()

    async def aclose(self) -> None:
        self._send.close()
        self._receive.close()
        if self._on_close is not None:
            self._on_close(self)
            self._on_close = None

    async def __aenter__(self) -> EventStream:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"EventStream(types={sorted(self.types)!r})"


class EventHub:
    """Routes events to handlers, streams and waiters. One per client."""

    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = {}
        # The handlers of each event type, "*" included, as a tuple: built on first use.
        self._resolved: dict[str, tuple[Handler, ...]] = {}
        # Streams by id, held weakly: a stream its owner dropped stops collecting. (A dict of
        # weak references, not a WeakSet: iterating a WeakSet on every event costs too much.)
        self._streams: dict[int, weakref.ref[EventStream]] = {}
        self._send: MemoryObjectSendStream[tuple[Event, tuple[Handler, ...]]] | None = None
        self._receive: MemoryObjectReceiveStream[tuple[Event, tuple[Handler, ...]]] | None = None
        self._backlog = 0
        self._backlog_warned = 0
        #: Called after a handler is added: the client starts the dispatcher task only once
        #: there is a handler to run (streams and waits need none).
        self.on_handler_added: Callable[[], None] | None = None
        #: Sees every event first, synchronously, before any stream or handler: state that
        #: handlers read (channel state) is current when they run. It may return local
        #: events that follow from the one it saw; they are dispatched right after it.
        self.observer: Callable[[Event], Sequence[Event]] | None = None

    # -------------------------------------------------------------------- registration

    @overload
    def on(self, event_type: str) -> Callable[[H], H]: ...

    @overload
    def on(self, event_type: str, handler: Handler) -> Callable[[], None]: ...

    def on(self, event_type: str, handler: Handler | None = None) -> Callable[[H], H] | Callable[[], None]:
        """Call ``handler(event)`` for every event of ``event_type`` (``"*"``: every event).

        With a handler, returns a function that unsubscribes it. Without one, returns a
        decorator that registers the decorated function and returns it unchanged (unsubscribe
        it with :meth:`off`).
        """
        if not isinstance(event_type, str) or not event_type:
            raise TypeError(f"event_type must be a non-empty string, not {event_type!r}")
        if handler is None:

            def decorator(fn: H) -> H:
                self._add(event_type, fn)
                return fn

            return decorator
        self._add(event_type, handler)
        return lambda: self.off(event_type, handler)

    def _add(self, event_type: str, handler: Handler) -> None:
        if not callable(handler):
            raise TypeError(f"handler must be callable, not {type(handler).__name__}")
        self._handlers.setdefault(event_type, []).append(handler)
        self._resolved.clear()
        if self.on_handler_added is not None:
            self.on_handler_added()

    def off(self, event_type: str, handler: Handler) -> None:
        """Unsubscribe ``handler`` from ``event_type``; doing it twice is harmless."""
        handlers = self._handlers.get(event_type)
        if handlers and handler in handlers:
            handlers.remove(handler)
            if not handlers:
                del self._handlers[event_type]
            self._resolved.clear()

    def events(self, *event_types: str) -> EventStream:
        """A stream of the events of these types (none given: every event)."""
        for t in event_types:
            if not isinstance(t, str) or not t:
                raise TypeError(f"event types must be non-empty strings, not {t!r}")
        stream = EventStream(frozenset(event_types) if event_types else frozenset({ALL_EVENTS}), self._forget)
        if self._send is None:
            stream._end()
        else:
            key = id(stream)
            streams = self._streams
            streams[key] = weakref.ref(stream, lambda _: streams.pop(key, None))
        return stream

    def _forget(self, stream: EventStream) -> None:
        self._streams.pop(id(stream), None)

    async def wait_for(
        self,
        event_type: str,
        *,
        check: Callable[[Any], bool] | None = None,
        timeout: float | timedelta | None = None,
    ) -> Any:
        """The next event of ``event_type`` for which ``check(event)`` is true.

        Raises ``TimeoutError`` after ``timeout`` (seconds or a ``timedelta``), and
        :class:`StreamChatError` if the client closes first.
        """
        limit = seconds(timeout, "timeout")
        stream = self.events(event_type)
        try:
            with anyio.fail_after(limit):
                async for event in stream:
                    if check is None or check(event):
                        return event
        finally:
            await stream.aclose()
        raise StreamChatError(f"the client closed while waiting for {event_type!r}")

    # -------------------------------------------------------------------- delivery

    def dispatch(self, event: Event) -> None:
        """Show an event to the observer, hand it to every stream and queue it for its handlers.

        Never blocks. The handlers are those registered now: one removed before its turn
        still gets it.
        """
        observer = self.observer
        if observer is None:
            self._deliver(event)
            return
        try:
            follow_ups = observer(event)
        except Exception:  # a bug in state keeping must not cost the application its events
            logger.exception("the event observer failed on a %r event", event.type_tag)
            follow_ups = ()
        self._deliver(event)
        for follow_up in follow_ups:
            self.dispatch(follow_up)

    def _deliver(self, event: Event) -> None:
        tag = event.type_tag or ""
        if self._streams:
            for ref in tuple(self._streams.values()):
                stream = ref()
                if stream is not None and stream.wants(tag):
                    stream._push(event)
        send = self._send
        if send is None:
            return
        handlers = self._resolved.get(tag)
        if handlers is None:
            if len(self._resolved) > 1000:  # a server sending ever new types: keep it bounded
                self._resolved.clear()
            handlers = (*self._handlers.get(tag, ()), *self._handlers.get(ALL_EVENTS, ()))
            self._resolved[tag] = handlers
        if handlers:
            send.send_nowait((event, handlers))
            self._backlog += 1
            if self._backlog >= self._backlog_warned + _BACKLOG_WARNING_STEP:
                self._backlog_warned += _BACKLOG_WARNING_STEP
                logger.warning(
                    "%d events are waiting for slow event handlers; handlers run one at a time, in order",
                    self._backlog,
                )

    @property
    def has_handlers(self) -> bool:
        return bool(self._handlers)

    def open(self) -> None:
        """Start accepting events: streams collect, handlers queue up for :meth:`run`."""
        if self._send is None:
            self._send, self._receive = anyio.create_memory_object_stream[tuple[Event, tuple[Handler, ...]]](
                math.inf
            )

    async def run(self) -> None:
        """The dispatcher task: runs handlers until cancelled, then :meth:`close`. Call :meth:`open` first."""
        receive = self._receive
        if receive is None:
            raise RuntimeError("EventHub.open() must be called before run()")
        receive_nowait = receive.receive_nowait
        try:
            since_checkpoint = 0
            while True:
                # Take what is queued without a trip through the event loop per event,
                # but let other tasks (the reader, pings) run every so often.
                try:
                    event, handlers = receive_nowait()
                except anyio.WouldBlock:
                    try:
                        event, handlers = await receive.receive()
                    except (anyio.EndOfStream, anyio.ClosedResourceError):
                        return
                    since_checkpoint = 0
                except (anyio.EndOfStream, anyio.ClosedResourceError):
                    return
                else:
                    since_checkpoint += 1
                    if since_checkpoint >= _EVENTS_PER_CHECKPOINT:
                        since_checkpoint = 0
                        await anyio.lowlevel.checkpoint()
                self._backlog -= 1
                if self._backlog < self._backlog_warned:
                    self._backlog_warned = (self._backlog // _BACKLOG_WARNING_STEP) * _BACKLOG_WARNING_STEP
                for handler in handlers:
                    try:
                        result = handler(event)
                        if result is not None and inspect.isawaitable(result):
                            await result
                    except Exception:
                        logger.exception(
                            "event handler %s raised on a %r event; going on", _name(handler), event.type_tag
                        )
        finally:
            self.close()

    def close(self) -> None:
        """Stop accepting events; end every stream. Harmless when already closed."""
        send, self._send = self._send, None
        receive, self._receive = self._receive, None
        if send is not None:
            send.close()
        if receive is not None:
            receive.close()
        self._backlog = self._backlog_warned = 0
        for ref in tuple(self._streams.values()):
            stream = ref()
            if stream is not None:
                stream._end()
        self._streams.clear()


def _name(handler: Handler) -> str:
    return getattr(handler, "__qualname__", None) or repr(handler)
