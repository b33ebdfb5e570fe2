"""A raw TCP server speaking just enough WebSocket and HTTP to break the protocol on purpose.

The transport contract tests use it to send what no well-behaved library would: a text frame
with invalid UTF-8, a reserved opcode, reserved bits set, a masked server frame, a fragmented
control frame; or, for long-poll, an HTTP answer that is not HTTP. Frames are built by hand
(:func:`ws_frame`), so nothing between the test and the socket can tidy them up.

Each accepted connection is handed to a script, ``script(peer)``, in its own task; the peer
does the WebSocket upgrade (:meth:`RawPeer.upgrade`) or reads an HTTP request
(:meth:`RawPeer.read_request`) and then writes raw bytes. It runs under asyncio and trio.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import anyio
import anyio.abc
import msgspec

__all__ = ["RawPeer", "RawServer", "http_response", "serving_raw", "ws_frame"]

_WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

OP_CONTINUATION = 0x0
OP_TEXT = 0x1
OP_BINARY = 0x2
OP_CLOSE = 0x8
OP_PING = 0x9


def ws_frame(
    payload: bytes,
    *,
    opcode: int = OP_TEXT,
    fin: bool = True,
    rsv: int = 0,
    mask: bool = False,
) -> bytes:
    """One WebSocket frame, exactly as given (``rsv`` is the three RSV bits, 0 to 7)."""
    first = (0x80 if fin else 0) | ((rsv & 7) << 4) | (opcode & 0x0F)
    length = len(payload)
    mask_bit = 0x80 if mask else 0
    if length < 126:
        head = struct.pack("!BB", first, mask_bit | length)
    elif length < 1 << 16:
        head = struct.pack("!BBH", first, mask_bit | 126, length)
    else:
        head = struct.pack("!BBQ", first, mask_bit | 127, length)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def hello(connection_id: str, user_id: str) -> bytes:
    """The first frame of a v1 connection."""
    return msgspec.json.encode(
        {
            "type": "health.check",
            "connection_id": connection_id,
            "cid": "*",
            "me": {"id": user_id, "role": "user"},
            "created_at": "2026-01-01T00:00:00Z",
        }
    )


def http_response(status: int, body: bytes, *, content_type: str = "application/json") -> bytes:
    reason = {200: "OK", 400: "Bad Request", 500: "Internal Server Error"}.get(status, "Status")
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
    )
    return head.encode() + body


class RawPeer:
    """The server's end of one TCP connection."""

    def __init__(self, stream: anyio.abc.SocketStream, number: int) -> None:
        self.stream = stream
        #: 1 for the first connection the server accepted, 2 for the next, …
        self.number = number
        self._buffer = b""
        #: Set once the client has closed its end (or the connection broke).
        self.closed_by_client = anyio.Event()

    async def _read_head(self) -> bytes:
        while b"\r\n\r\n" not in self._buffer:
            chunk = await self.stream.receive()
            self._buffer += chunk
        head, self._buffer = self._buffer.split(b"\r\n\r\n", 1)
        return head

    async def read_request(self) -> tuple[str, str, dict[str, list[str]], dict[str, str]]:
        """The next HTTP request's method, path, query and headers (lower-case names)."""
        head = await self._read_head()
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        parts = urlsplit(target)
        return method, parts.path, parse_qs(parts.query), headers

    async def upgrade(self) -> dict[str, list[str]]:
        """Read the upgrade request and accept it; returns its query."""
        _, _, query, headers = await self.read_request()
        accept = base64.b64encode(hashlib.sha1(headers["sec-websocket-key"].encode() + _WS_GUID).digest())
        await self.send(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
        )
        return query

    async def send(self, data: bytes) -> None:
        await self.stream.send(data)

    async def wait_closed(self) -> None:
        """Read (and discard) until the client closes its end."""
        try:
            while True:
                await self.stream.receive()
        except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError, OSError):
            pass
        finally:
            self.closed_by_client.set()


Script = Callable[[RawPeer], Coroutine[Any, Any, None]]


class RawServer:
    def __init__(self, listener: anyio.abc.Listener[anyio.abc.SocketStream], port: int) -> None:
        self.listener = listener
        self.port = port
        #: Every connection so far, in the order they arrived.
        self.peers: list[RawPeer] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@asynccontextmanager
async def serving_raw(script: Script) -> AsyncIterator[RawServer]:
    """A server on 127.0.0.1 running ``script`` for each connection, until the block ends."""
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    server = RawServer(listener, port)

    async def handle(stream: anyio.abc.SocketStream) -> None:
        peer = RawPeer(stream, len(server.peers) + 1)
        server.peers.append(peer)
        async with stream:
            try:
                await script(peer)
            except (anyio.EndOfStream, anyio.BrokenResourceError, anyio.ClosedResourceError, OSError):
                peer.closed_by_client.set()

    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, handle)
        try:
            yield server
        finally:
            tg.cancel_scope.cancel()
