"""A third party's transport: it relays to the built-in WebSocket transport and records its use.

It is installed the way pip installs a plugin (this module and the ``.dist-info`` next to it,
whose entry point names it ``relay``), and it knows only the contract
(:mod:`streamchat_core.transport`) and the public class it wraps: the transports' contract
tests run against it as against the built-in ones.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from streamchat_core.transport import Connection, ConnectRequest
from streamchat_transports.websocket import WebSocketTransport

#: The user id of every connection it was asked to open, in order.
CONNECTS: list[str] = []


class RelayTransport:
    name = "relay"

    def __init__(self) -> None:
        #: The transport it relays to (the tests read which protocol it speaks from it).
        self.inner = WebSocketTransport()

    @asynccontextmanager
    async def connect(self, request: ConnectRequest) -> AsyncIterator[Connection]:
        CONNECTS.append(request.user_id)
        async with self.inner.connect(request) as connection:
            yield connection
