"""Protocol violations: whatever a transport's library does with one, no zombie connection is left.

Run against every registered transport that speaks a protocol these tests can break (the test
plugin's included), through the client: the core must learn at once that the connection is
unusable.
"""

from __future__ import annotations

import struct
from typing import Any

import anyio
import msgspec
import pytest
from client_helpers import WAIT, fast_backoff
from raw_server import (
    OP_CLOSE,
    OP_CONTINUATION,
    OP_PING,
    RawPeer,
    hello,
    http_response,
    serving_raw,
    ws_frame,
)
from transport_helpers import Protocol, plugin_installed, registered_transports, wire_protocol

import streamchat_wire as wire
from streamchat_core import ConnectionState, StreamChatClient, User, dev_token
from streamchat_core.plugins import resolve_transport

# ---------------------------------------------------------------------------- protocol violations
#
# Whatever a transport's library does with a protocol violation, the core must learn at once
# that the connection is unusable and reconnect: never report ``connected`` on a connection
# that can no longer deliver. Each registered transport meets each violation of its protocol
# from a raw server that sends it right after a valid first frame and then never closes the
# socket (the worst case: the library must not wait for the server). The keep-alive timers
# are far longer than the test's safety net, so only a prompt reaction passes.

_AFTER = ws_frame(b'{"type":"custom.after"}')
_BIG = 1 << 20

WS_VIOLATIONS: dict[str, bytes] = {
    "invalid UTF-8 in a text frame": ws_frame(b'{"type":"custom.bad","t":"\xff\xfe"}'),
    "a reserved opcode": ws_frame(b"{}", opcode=0x3),
    "reserved bits set": ws_frame(b'{"type":"custom.bad"}', rsv=4),
    "a masked server frame": ws_frame(b'{"type":"custom.bad"}', mask=True),
    "a fragmented control frame": ws_frame(b"ping", opcode=OP_PING, fin=False),
    "a continuation with no message": ws_frame(b'{"type":"custom.bad"}', opcode=OP_CONTINUATION),
    "a close frame with a reserved code": ws_frame(struct.pack("!H", 999), opcode=OP_CLOSE),
    "a frame over max_message_size": ws_frame(b'{"type":"custom.big","x":"' + b"x" * _BIG + b'"}'),
}

HTTP_VIOLATIONS: dict[str, bytes] = {
    "a status line that is not HTTP": b"HTTP/1.1 two hundred OK\r\n\r\n",
    "TLS bytes instead of HTTP": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
    "a broken chunked body": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    "a header line with no colon": b"HTTP/1.1 200 OK\r\nContent-Type application/json\r\n\r\n",
    "a body that is not a poll answer": http_response(200, b"[1, 2, 3]"),
}


VIOLATIONS: dict[Protocol | None, dict[str, bytes]] = {
    "websocket": WS_VIOLATIONS,
    "longpoll": HTTP_VIOLATIONS,
}


def _violations() -> list[Any]:
    cases = []
    names = registered_transports()
    with plugin_installed():
        protocols = {name: wire_protocol(resolve_transport(name)) for name in names}
    for name in names:
        table = VIOLATIONS.get(protocols[name], {})
        cases.extend(pytest.param(name, violation, id=f"{name}: {violation}") for violation in table)
    return cases


def _events_body(*events: bytes) -> bytes:
    return msgspec.json.encode({"events": [msgspec.Raw(e) for e in events]})


@pytest.mark.anyio
@pytest.mark.parametrize(("transport_name", "violation"), _violations(), indirect=["transport_name"])
async def test_a_protocol_violation_never_leaves_a_zombie_connection(
    transport_name: str, violation: str
) -> None:
    client: StreamChatClient | None = None
    states_when_reconnecting: list[ConnectionState] = []
    opens = 0

    def opened() -> int:
        nonlocal opens
        opens += 1
        if opens > 1:
            assert client is not None
            states_when_reconnecting.append(client.connection_state)
        return opens

    async def websocket(peer: RawPeer) -> None:
        await peer.upgrade()
        n = opened()
        await peer.send(ws_frame(hello(f"c{n}", "john")))
        if n == 1:
            await peer.send(WS_VIOLATIONS[violation])
            await peer.send(_AFTER)
        await peer.wait_closed()

    async def longpoll(peer: RawPeer) -> None:
        violated = False
        while True:
            _, _, query, _ = await peer.read_request()
            if "json" in query:
                n = opened()
                await peer.send(http_response(200, b'{"event":' + hello(f"c{n}", "john") + b"}"))
            elif "close" in query:
                await peer.send(http_response(200, b"{}"))
            elif query.get("connection_id") == ["c1"] and not violated:
                violated = True
                await peer.send(HTTP_VIOLATIONS[violation])
                await peer.wait_closed()
                return
            elif query.get("connection_id") == ["c1"]:  # a transport that shrugged it off polls again
                await peer.send(http_response(200, _events_body(b'{"type":"custom.after"}')))
            else:  # the new connection's polls are held
                await peer.wait_closed()
                return

    script = websocket if wire_protocol(resolve_transport(transport_name)) == "websocket" else longpoll
    async with serving_raw(script) as server:
        client = StreamChatClient(
            "key",
            base_url=server.base_url,
            transports=[transport_name],
            backoff=fast_backoff(),
            connect_timeout=WAIT,
            ping_interval=10 * WAIT,
            dead_connection_timeout=10 * WAIT,
        )
        async with client:
            events = client.events("custom.after", "connection.recovered")
            await client.connect_user(User(id="john"), dev_token("john"))
            with anyio.fail_after(WAIT):
                event = await events.receive()
            if not isinstance(event, wire.ConnectionRecoveredEvent):  # custom.after
                # The library let it through and the connection still delivers; a frame the
                # codec cannot read was dropped.
                assert (client.connection_id, opens) == ("c1", 1)
                assert client.stats.frames_dropped <= 1
            else:
                assert client.connection_id == "c2"
                assert states_when_reconnecting == [ConnectionState.CONNECTING]
                assert client.connection_state is ConnectionState.CONNECTED
                with anyio.fail_after(WAIT):  # the broken connection's socket is not left open
                    await server.peers[0].closed_by_client.wait()
