"""Frames that cannot be decoded never cost the connection: dropped, counted, named, rate-limited."""

from __future__ import annotations

import logging

import anyio
import msgspec
import pytest
from client_helpers import WAIT, fast_backoff, open_peer, serving

from streamchat_core import StreamChatClient, User, dev_token
from streamchat_core.events import EventStream
from streamchat_core.stats import FIRST_WARNINGS, ClientStats, describe_decode_failure
from streamchat_transports.memory import MemoryPeer, MemoryServer, MemoryTransport

pytestmark = pytest.mark.anyio

JOHN = User(id="john")
SECRET = "s3cr3t-in-the-frame"  # must never reach a log line


def deep(depth: int) -> bytes:
    return (
        b'{"type":"message.new","cid":"messaging:x","secret":"'
        + SECRET.encode()
        + b'","x":'
        + b"[" * depth
        + b"]" * depth
        + b"}"
    )


#: One of each kind of frame the codec rejects.
BAD_FRAMES: dict[str, bytes] = {
    "nested too deeply": deep(5000),
    "invalid UTF-8": b'{"type":"message.new","text":"\xff\xfe' + SECRET.encode() + b'"}',
    "not JSON": b"{not json " + SECRET.encode(),
    "no type": b'{"secret":"' + SECRET.encode() + b'"}',
    "the wrong shape": b'{"type":"message.new","cid":"messaging:x","watcher_count":"'
    + SECRET.encode()
    + b'"}',
    "not an object": b'["' + SECRET.encode() + b'"]',
}


def marker(n: int) -> bytes:
    return msgspec.json.encode({"type": "custom.marker", "n": n})


def client_for(server: MemoryServer) -> StreamChatClient:
    return StreamChatClient(
        "key", base_url="http://memory.invalid", transports=[MemoryTransport(server)], backoff=fast_backoff()
    )


async def markers(stream: EventStream, count: int) -> list[int]:
    """The numbers of the next ``count`` markers (the stream is made before connecting)."""
    got: list[int] = []
    with anyio.fail_after(WAIT):
        while len(got) < count:
            event = await stream.receive()
            got.append(event.payload["n"])
    return got


async def test_each_kind_of_bad_frame_is_dropped_and_the_next_one_read(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def handle(peer: MemoryPeer) -> None:
        await open_peer(peer, "c1")
        for n, frame in enumerate(BAD_FRAMES.values()):
            await peer.send(frame)
            await peer.send(marker(n))
        await peer.closed_by_client.wait()

    caplog.set_level(logging.WARNING, logger="streamchat")
    async with serving(handle) as server, client_for(server) as client:
        stream = client.events("custom.marker")
        await client.connect_user(JOHN, dev_token("john"))
        assert await markers(stream, len(BAD_FRAMES)) == list(range(len(BAD_FRAMES)))
        assert len(server.peers) == 1  # the same connection throughout
        assert client.stats == ClientStats(frames_dropped=len(BAD_FRAMES))
    text = caplog.text
    assert SECRET not in text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    drops = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
    assert len(drops) == FIRST_WARNINGS + 1  # the first ones, then one summary (when the connection ended)
    assert "nested too deeply" in drops[0]
    assert "UTF-8" in drops[1]
    assert f"dropped {len(BAD_FRAMES) - FIRST_WARNINGS} more frames" in drops[-1]


async def test_thousands_of_bad_frames_cost_neither_the_connection_nor_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    count = 2_000
    frames = list(BAD_FRAMES.values())

    async def handle(peer: MemoryPeer) -> None:
        await open_peer(peer, "c1")
        for n in range(count):
            await peer.send(frames[n % len(frames)])
            if n % 100 == 99:
                await peer.send(marker(n // 100))
        await peer.closed_by_client.wait()

    caplog.set_level(logging.WARNING, logger="streamchat")
    async with serving(handle) as server, client_for(server) as client:
        stream = client.events("custom.marker")
        await client.connect_user(JOHN, dev_token("john"))
        assert await markers(stream, count // 100) == list(range(count // 100))
        assert client.stats.frames_dropped == count
        assert len(server.peers) == 1
    lines = [r for r in caplog.records if r.name == "streamchat.connection"]
    assert len(lines) <= FIRST_WARNINGS + 2
    assert f"{count} in all" in lines[-1].getMessage()
    assert SECRET not in caplog.text


async def test_a_first_frame_that_cannot_be_decoded_fails_the_attempt_not_the_client(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def handle(peer: MemoryPeer) -> None:
        if len(server.peers) == 1:
            peer.accept()
            await peer.send(deep(5000))
            await peer.closed_by_client.wait()
            return
        await open_peer(peer, "c2")
        await peer.closed_by_client.wait()

    caplog.set_level(logging.INFO, logger="streamchat")
    async with serving(handle) as server, client_for(server) as client:
        await client.connect_user(JOHN, dev_token("john"))
        assert client.connection_id == "c2"
    assert "nested too deeply" in caplog.text
    assert SECRET not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_reason_never_quotes_the_frame() -> None:
    from streamchat_core.errors import DecodeError

    reason = describe_decode_failure(
        DecodeError(f"invalid 'message.new' event: Invalid enum value '{SECRET}' - at `$.x`")
    )
    assert reason == "invalid 'message.new' event: Invalid enum value '…' - at `$.x`"
    assert describe_decode_failure(RecursionError("maximum recursion depth")).startswith(
        "it is nested too deeply"
    )
    assert describe_decode_failure(KeyError(SECRET)) == "decoding it raised KeyError"
