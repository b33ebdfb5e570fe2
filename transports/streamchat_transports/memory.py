"""An in-memory transport: a server scripted in Python, in the same process.

For tests, yours and ours: every path of the core (handshake, rejections, pings, dead
connections, reconnects, fallback, switching back) can be driven deterministically, under
asyncio and trio alike, with no socket::

    server = MemoryServer()
    client = StreamChatClient("key", transports=[MemoryTransport(server)])

    async def handle(peer: MemoryPeer) -> None:
        peer.accept()
        await peer.send(hello_frame("conn-1", {"id": peer.request.user_id}))
        async for frame in peer:  # the client's pings
            ...

    async with anyio.create_task_group() as tg, client:
        tg.start_soon(server.serve, handle)
        await client.connect_user(User(id="john"), dev_token("john"))

A connection attempt reaches the server as a :class:`MemoryPeer`; the script accepts it
(:meth:`MemoryPeer.accept`) or refuses it with a transport error (:meth:`MemoryPeer.refuse`),
as a network or an HTTP error on the upgrade would.

``MemoryTransport(server, polling=True)`` behaves like long-poll: its connections are not kept
alive with pings (they have no ``send``), and they can be drained
(:attr:`MemoryPeer.drain_requested`) and given a new token (:attr:`MemoryPeer.tokens`).
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import Any, Final

import anyio
import msgspec
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from streamchat_core.transport import (
    ConnectionClosedError,
    ConnectRequest,
    ConnectTimeoutError,
    TransportError,
    map_exceptions,
)

__all__ = [
    "MemoryConnection",
    "MemoryPeer",
    "MemoryServer",
    "MemoryTransport",
    "PollingMemoryConnection",
    "error_frame",
    "hello_frame",
]

Frame = bytes | str

#: The ends of a memory stream: the other side closed it, or this one did.
_ENDED: Final = (anyio.EndOfStream, anyio.ClosedResourceError, anyio.BrokenResourceError)


def _ended(message: str) -> dict[type[Exception], Callable[[str], ConnectionClosedError]]:
    """For ``map_exceptions``: the end of a memory stream is a ``ConnectionClosedError``."""
    return dict.fromkeys(_ENDED, lambda _: ConnectionClosedError(message))


def hello_frame(connection_id: str, me: Mapping[str, Any], **fields: Any) -> bytes:
    """The first frame of a v1 connection: a ``health.check`` carrying ``connection_id`` and ``me``."""
    return msgspec.json.encode(
        {
            "type": "health.check",
            "connection_id": connection_id,
            "cid": "*",
            "me": dict(me),
            "created_at": datetime.now(timezone.utc),
            **fields,
        }
    )


def error_frame(code: int, message: str, status_code: int) -> bytes:
    """A v1 error frame (also the REST error body)."""
    return msgspec.json.encode(
        {
            "error": {
                "code": code,
                "message": message,
                "StatusCode": status_code,
                "duration": "",
                "more_info": "https://getstream.io/chat/docs/api_errors_response",
            }
        }
    )


class MemoryPeer:
    """The server's end of one memory connection."""

    def __init__(self, request: ConnectRequest, *, polling: bool) -> None:
        self.request = request
        self.polling = polling
        #: Every token the client sent: the one it connected with, then each update.
        self.tokens: list[str] = [request.token]
        #: Set when the client asks to drain the connection (polling transports only).
        self.drain_requested = anyio.Event()
        #: Set once the client has closed the connection.
        self.closed_by_client = anyio.Event()
        self._decided = anyio.Event()
        self._refusal: TransportError | None = None
        self._to_client: MemoryObjectSendStream[Frame]
        self._client_receive: MemoryObjectReceiveStream[Frame]
        self._to_client, self._client_receive = anyio.create_memory_object_stream[Frame](math.inf)
        self._to_server: MemoryObjectSendStream[Frame]
        self._server_receive: MemoryObjectReceiveStream[Frame]
        self._to_server, self._server_receive = anyio.create_memory_object_stream[Frame](math.inf)
        self.close_code: int | None = None
        self.close_reason = ""

    @property
    def user_id(self) -> str:
        return self.request.user_id

    def accept(self) -> None:
        """Let the connection open (the client then waits for the first frame)."""
        self._decided.set()

    def refuse(self, error: TransportError) -> None:
        """Fail the connection attempt with ``error``, as the network would."""
        self._refusal = error
        self._decided.set()

    async def send(self, frame: Frame) -> None:
        """Send a frame to the client. Raises ``ConnectionClosedError`` once it is closed."""
        with map_exceptions(_ended("the client closed the connection"), redact=self.request.redact):
            self._to_client.send_nowait(frame)

    async def receive(self) -> Frame:
        """The next frame from the client. Raises ``ConnectionClosedError`` once it is closed."""
        with map_exceptions(_ended("the client closed the connection"), redact=self.request.redact):
            return await self._server_receive.receive()

    def __aiter__(self) -> MemoryPeer:
        return self

    async def __anext__(self) -> Frame:
        try:
            return await self.receive()
        except ConnectionClosedError:
            # The end of the iteration, not a failure: there is no cause to show.
            raise StopAsyncIteration from None

    async def close(self, code: int = 1011, reason: str = "") -> None:
        """Close from the server side; the client's ``receive`` raises after the queued frames."""
        self.close_code = code
        self.close_reason = reason
        self._to_client.close()
        self._to_server.close()

    def _close_from_client(self) -> None:
        self._to_client.close()
        self._client_receive.close()
        self._to_server.close()
        self.closed_by_client.set()


class _MemoryReceiver:
    """What both kinds of memory connection do: receive."""

    def __init__(self, peer: MemoryPeer) -> None:
        self.peer = peer

    async def receive(self) -> Frame:
        with map_exceptions(self._closed, redact=self.peer.request.redact):
            return await self.peer._client_receive.receive()

    def _closed(self, exc: Exception, why: str) -> ConnectionClosedError | None:
        if not isinstance(exc, _ENDED):
            return None
        peer = self.peer
        return ConnectionClosedError(
            f"the memory connection was closed (code {peer.close_code})",
            close_code=peer.close_code,
            close_reason=peer.close_reason,
        )


class MemoryConnection(_MemoryReceiver):
    """The client's end of a memory connection that behaves like a WebSocket: kept alive with pings."""

    async def send(self, frame: Frame) -> None:
        with map_exceptions(_ended("the memory connection is closed"), redact=self.peer.request.redact):
            self.peer._to_server.send_nowait(frame)


class PollingMemoryConnection(_MemoryReceiver):
    """A memory connection that behaves like long-poll: no pings, drainable, token sent on every poll."""

    def update_token(self, token: str) -> None:
        self.peer.tokens.append(token)

    def request_drain(self) -> None:
        self.peer.drain_requested.set()


class MemoryServer:
    """Where memory connections arrive. Drive it with :meth:`accept` or :meth:`serve`."""

    def __init__(self) -> None:
        self._incoming_send: MemoryObjectSendStream[MemoryPeer]
        self._incoming: MemoryObjectReceiveStream[MemoryPeer]
        self._incoming_send, self._incoming = anyio.create_memory_object_stream[MemoryPeer](math.inf)
        #: Every connection attempt so far, in order.
        self.peers: list[MemoryPeer] = []

    def _arrive(self, peer: MemoryPeer) -> None:
        self.peers.append(peer)
        self._incoming_send.send_nowait(peer)

    async def accept(self) -> MemoryPeer:
        """The next connection attempt (accept or refuse it)."""
        return await self._incoming.receive()

    async def serve(
        self,
        handler: Callable[[MemoryPeer], Coroutine[Any, Any, None]],
        *,
        task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED,
    ) -> None:
        """Run ``handler(peer)`` in its own task for each connection attempt, until cancelled."""
        async with anyio.create_task_group() as tg:
            task_status.started()
            while True:
                tg.start_soon(handler, await self.accept())


class MemoryTransport:
    """A transport to a :class:`MemoryServer` in the same process."""

    def __init__(self, server: MemoryServer, *, name: str = "memory", polling: bool = False) -> None:
        self.server = server
        self.name = name
        self.polling = polling

    @asynccontextmanager
    async def connect(
        self, request: ConnectRequest
    ) -> AsyncIterator[MemoryConnection | PollingMemoryConnection]:
        peer = MemoryPeer(request, polling=self.polling)
        self.server._arrive(peer)
        with anyio.move_on_after(request.timeout):
            await peer._decided.wait()
        if not peer._decided.is_set():
            peer._close_from_client()
            raise ConnectTimeoutError(
                f"the memory server did not accept the connection within {request.timeout:g} s"
            )
        if peer._refusal is not None:
            peer._close_from_client()
            raise peer._refusal
        connection: MemoryConnection | PollingMemoryConnection = (
            PollingMemoryConnection(peer) if self.polling else MemoryConnection(peer)
        )
        try:
            yield connection
        finally:
            peer._close_from_client()

    def __repr__(self) -> str:
        return f"MemoryTransport(name={self.name!r}, polling={self.polling})"
