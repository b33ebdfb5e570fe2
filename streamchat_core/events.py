"""Delivering events to user code: handlers, event streams and one-shot waits.

Three styles, all fed by :meth:`EventHub.dispatch`, which never blocks and never runs user code:

- push: ``hub.on(wire.MessageNewEvent, handler)`` or ``hub.on("message.new", handler)``, sync
  or async handlers; ``hub.on(handler)`` or ``"*"`` for every event. They run one after the
  other, in event order, on the hub's own dispatcher task. A handler that raises is logged and
  the next one runs. ``on`` returns a :class:`Subscription`; call it (or its
  ``unsubscribe()``) to unsubscribe.
- pull: ``async for event in hub.events(wire.TypingStartEvent, wire.TypingStopEvent)``: each
  stream has its own unbounded queue, so a slow consumer delays nobody else.
- one-shot: ``await hub.wait_for(wire.UserUpdatedEvent, check=…, timeout=5)``.

An event type is an event class of ``streamchat_wire`` (it matches by the class's ``type`` tag,
and type checkers then know the class of the events a handler, stream or wait gets) or a
``type`` string (any type, known to this version or not; the events are then the :data:`Event`
union, :class:`~streamchat_core.codec.UnknownEvent` included).

The typed signatures (which event class a handler, stream or wait gets) are written once, on
:class:`~streamchat_core.client.StreamChatClient`'s ``on``, ``events`` and ``wait_for``; the
hub's own methods take and return plain values.

The connection's reader task calls ``dispatch`` and goes straight back to reading, so a slow
or stuck handler can never hold up keep-alive pings or dead-connection detection.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import math
import weakref
from collections.abc import Callable, Sequence
from datetime import timedelta
from types import TracebackType
from typing import Any, Generic, Protocol, TypeVar, Union

import anyio
import anyio.abc
import anyio.lowlevel
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

import streamchat_wire as wire
from streamchat_core.codec import Event, UnknownEvent
from streamchat_core.durations import seconds
from streamchat_core.errors import StreamChatError

__all__ = [
    "ALL_EVENTS",
    "AnyEventHandler",
    "EventHub",
    "EventStream",
    "EventType",
    "Handler",
    "HandlerDecorator",
    "Subscription",
]

logger = logging.getLogger("streamchat.events")

#: Subscribe to every event.
ALL_EVENTS = "*"

#: A handler as registered: called with each event; a result that is awaitable is awaited.
Handler = Callable[[Any], object]
#: A handler of every event, or of events named by a string: it gets the :data:`Event` union.
AnyEventHandler = Callable[[Event], object]
#: What selects events: an event class (``streamchat_wire.MessageNewEvent``) or a ``type`` string.
EventType = Union[str, type[wire.EventStruct]]  # noqa: UP007 - a runtime alias

E = TypeVar("E", bound=wire.EventStruct)
R = TypeVar("R")
#: The events a stream yields.
S_co = TypeVar("S_co", bound="wire.EventStruct | UnknownEvent", covariant=True)

# A warning is logged each time the handler backlog crosses one more multiple of this.
_BACKLOG_WARNING_STEP = 10_000
# The dispatcher lets other tasks run at least once every this many events.
_EVENTS_PER_CHECKPOINT = 64


def type_key(event_type: object) -> str:
    """The ``type`` string that ``event_type`` (an event class or a string) selects.

    Raises ``TypeError`` naming anything else, a class that is not an event class included.
    """
    if isinstance(event_type, str):
        if event_type:
            return event_type
        raise TypeError("an event type must be a non-empty string")
    if isinstance(event_type, type):
        tag = getattr(getattr(event_type, "__struct_config__", None), "tag", None)
        if issubclass(event_type, wire.EventStruct) and isinstance(tag, str):
            return tag
        name = f"{event_type.__module__}.{event_type.__qualname__}"
        if event_type is UnknownEvent:
            raise TypeError(
                f"{name} has no single type: subscribe to its type string (e.g. 'custom.thing') or to '*'"
            )
        raise TypeError(
            f"{name} is not an event class: subscribe with an event class such as "
            "streamchat_wire.MessageNewEvent, a type string such as 'message.new', or '*'"
        )
    raise TypeError(f"an event type must be an event class or a string, not {event_type!r}")


def _is_bare_handler(value: object) -> bool:
    # on(handler) and off(handler): a callable that is neither a type string nor a class.
    return callable(value) and not isinstance(value, (str, type))


class HandlerDecorator(Protocol[E]):
    """What ``on(SomeEvent)`` returns: registers the decorated handler and hands it back."""

    def __call__(self, handler: Callable[[E], R], /) -> Callable[[E], R]: ...


class Subscription:
    """A handler registered with ``on()``. Call it, or :meth:`unsubscribe`, to unsubscribe.

    Unsubscribing twice is harmless; a handler removed before its turn still gets the events
    already dispatched.
    """

    __slots__ = ("_hub", "event_type", "handler")

    def __init__(self, hub: EventHub, event_type: str, handler: Handler) -> None:
        self._hub: EventHub | None = hub
        #: The ``type`` the handler gets (``"*"``: every event).
        self.event_type = event_type
        self.handler = handler

    def unsubscribe(self) -> None:
        """Stop calling the handler."""
        hub, self._hub = self._hub, None
        if hub is not None:
            hub.off(self.event_type, self.handler)

    def __call__(self) -> None:
        self.unsubscribe()

    def __repr__(self) -> str:
        state = "" if self._hub is not None else ", unsubscribed"
        return f"Subscription({self.event_type!r}, {_name(self.handler)}{state})"


class EventStream(Generic[S_co]):
    """The events of some types, as they arrive, until the client closes or the stream does.

    Created by :meth:`EventHub.events`; it starts collecting at once, before the first
    ``await``, so an event that arrives between creating it and iterating is not missed. Use it
    as an async iterator, optionally inside ``async with`` (or call :meth:`aclose`) to stop
    collecting. A stream that is dropped stops collecting too. ``EventStream[MessageNewEvent]``
    yields ``MessageNewEvent`` objects; a stream of type strings yields the :data:`Event` union.
    """

    def __init__(
        self, types: frozenset[str], on_close: Callable[[EventStream[Any]], None] | None = None
    ) -> None:
        self.types = types
        self._on_close = on_close
        self._send: MemoryObjectSendStream[Any]
        self._receive: MemoryObjectReceiveStream[Any]
        self._send, self._receive = anyio.create_memory_object_stream[Any](math.inf)

    def wants(self, type_: str) -> bool:
        return ALL_EVENTS in self.types or type_ in self.types

    def _push(self, event: Event) -> None:
        with contextlib.suppress(anyio.ClosedResourceError, anyio.BrokenResourceError):
            self._send.send_nowait(event)

    def _end(self) -> None:
        self._send.close()

    async def receive(self) -> S_co:
        """The next event. Raises ``StopAsyncIteration`` once the stream has ended."""
        try:
            event: S_co = await self._receive.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            raise StopAsyncIteration from None
        return event

    def __aiter__(self) -> EventStream[S_co]:
        return self

    async def __anext__(self) -> S_co:
        return await self.receive()

    async def aclose(self) -> None:
        self._send.close()
        self._receive.close()
        if self._on_close is not None:
            self._on_close(self)
            self._on_close = None

    async def __aenter__(self) -> EventStream[S_co]:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"EventStream(types={sorted(self.types)!r})"


class EventHub:
    """Routes events to handlers, streams and waiters. One per client."""

    def __init__(
        self,
        *,
        observer: Callable[[Event], Sequence[Event]] | None = None,
        on_handler_added: Callable[[], None] | None = None,
    ) -> None:
        self._handlers: dict[str, list[Handler]] = {}
        # The handlers of each event type, "*" included, as a tuple: built on first use.
        self._resolved: dict[str, tuple[Handler, ...]] = {}
        # Streams by id, held weakly: a stream its owner dropped stops collecting. (A dict of
        # weak references, not a WeakSet: iterating a WeakSet on every event costs too much.)
        self._streams: dict[int, weakref.ref[EventStream[Any]]] = {}
        self._send: MemoryObjectSendStream[tuple[Event, tuple[Handler, ...]]] | None = None
        self._receive: MemoryObjectReceiveStream[tuple[Event, tuple[Handler, ...]]] | None = None
        self._backlog = 0
        self._backlog_warned = 0
        #: Called after a handler is added: the client starts the dispatcher task only once
        #: there is a handler to run (streams and waits need none).
        self.on_handler_added = on_handler_added
        #: Sees every event first, synchronously, before any stream or handler: state that
        #: handlers read (channel state) is current when they run. It may return local
        #: events that follow from the one it saw; they are dispatched right after it.
        self.observer = observer

    # -------------------------------------------------------------------- registration

    def on(self, event_type: Any, handler: Any = None) -> Any:
        """Call ``handler(event)`` for every event of ``event_type``; ``on(handler)``: every event.

        ``event_type`` is an event class (``streamchat_wire.MessageNewEvent``), a ``type``
        string or ``"*"``. With a handler, returns a :class:`Subscription` (call it to
        unsubscribe). Without one, returns a decorator that registers the decorated function
        and returns it unchanged (unsubscribe it with :meth:`off`).
        """
        if handler is None and _is_bare_handler(event_type):
            return self._subscribe(ALL_EVENTS, event_type)
        key = type_key(event_type)
        if handler is None:

            def decorator(fn: Handler) -> Handler:
                self._add(key, fn)
                return fn

            return decorator
        return self._subscribe(key, handler)

    def _subscribe(self, key: str, handler: Handler) -> Subscription:
        self._add(key, handler)
        return Subscription(self, key, handler)

    def _add(self, event_type: str, handler: Handler) -> None:
        if not callable(handler):
            raise TypeError(f"handler must be callable, not {type(handler).__name__}")
        self._handlers.setdefault(event_type, []).append(handler)
        self._resolved.clear()
        if self.on_handler_added is not None:
            self.on_handler_added()

    def off(self, event_type: Any, handler: Any = None) -> None:
        """Unsubscribe ``handler`` from ``event_type`` (``off(handler)``: from every event, as
        ``on(handler)`` subscribed it); doing it twice is harmless."""
        if handler is None:
            if not _is_bare_handler(event_type):
                raise TypeError("off() needs the handler to unsubscribe")
            event_type, handler = ALL_EVENTS, event_type
        key = type_key(event_type)
        handlers = self._handlers.get(key)
        if handlers and handler in handlers:
            handlers.remove(handler)
            if not handlers:
                del self._handlers[key]
            self._resolved.clear()

    def events(self, *event_types: EventType) -> EventStream[Any]:
        """A stream of the events of these types (event classes or strings; none: every event).

        For type checkers, the events of up to four event classes are of those classes; with
        strings (or no type, or more classes) they are the :data:`Event` union.
        """
        keys = frozenset(type_key(t) for t in event_types) if event_types else frozenset({ALL_EVENTS})
        stream: EventStream[Any] = EventStream(keys, self._forget)
        if self._send is None:
            stream._end()
        else:
            key = id(stream)
            streams = self._streams
            streams[key] = weakref.ref(stream, lambda _: streams.pop(key, None))
        return stream

    def _forget(self, stream: EventStream[Any]) -> None:
        self._streams.pop(id(stream), None)

    async def wait_for(
        self,
        event_type: EventType,
        *,
        check: Callable[[Any], object] | None = None,
        timeout: float | timedelta | None = None,
    ) -> Any:
        """The next event of ``event_type`` (an event class or a string) for which ``check(event)`` is true.

        Raises ``TimeoutError`` after ``timeout`` (seconds or a ``timedelta``), and
        :class:`StreamChatError` if the client closes first.
        """
        key = type_key(event_type)
        limit = seconds(timeout, "timeout")
        stream = self.events(key)
        try:
            with anyio.fail_after(limit):
                async for event in stream:
                    if check is None or check(event):
                        return event
        finally:
            await stream.aclose()
        raise StreamChatError(f"the client closed while waiting for {key!r}")

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
            logger.exception("the event observer failed on a %r event", event.type)
            follow_ups = ()
        self._deliver(event)
        for follow_up in follow_ups:
            self.dispatch(follow_up)

    def _deliver(self, event: Event) -> None:
        tag = event.type
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
                            "event handler %s raised on a %r event; going on", _name(handler), event.type
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
