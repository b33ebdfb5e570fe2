"""Helpers shared by the tests: waits, and clients against the emulator or the memory transport.

The client's tests use all of it; the channel, transport and emulator tests the parts they need.
"""

from __future__ import annotations

import os
import random
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import anyio
import sniffio

from streamchat_core.backoff import ExponentialBackoff
from streamchat_core.client import StreamChatClient
from streamchat_core.events import EventHub
from streamchat_transports.memory import MemoryPeer, MemoryServer, error_frame, hello_frame

#: A safety net for waits that should end almost at once; never what a test measures.
WAIT = 10.0


def fast_backoff(stable_after: float = 30.0) -> ExponentialBackoff:
    """Reconnect delays of 10 to 50 ms (0 to 10 ms after losing a connection that worked), deterministic."""
    return ExponentialBackoff(
        floor=0.01, cap=0.05, stable_after=stable_after, reconnect_jitter=0.01, rng=random.Random(7)
    )


def emulator_client(emu: Any, **options: Any) -> StreamChatClient:
    """A client of ``emu`` with ``options``; it reconnects fast unless they give a ``backoff``."""
    options.setdefault("backoff", fast_backoff())
    return StreamChatClient(emu.api_key, base_url=emu.base_url, **options)


async def eventually(condition: Callable[[], object], what: str, timeout: float = WAIT) -> None:
    """Wait until ``condition()`` is true, checking it every few milliseconds.

    Only for state that no event of the test's loop can signal: the emulator's, which lives on
    its own thread and loop, or what the client does on its own timers. ``timeout`` is only a
    safety net.
    """
    with anyio.move_on_after(timeout):
        while True:
            if condition():
                return
            await anyio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


def running_tasks() -> int:
    """How many tasks the current event loop runs (this test's own included)."""
    if sniffio.current_async_library() == "trio":
        import trio

        def count(task: Any) -> int:
            return 1 + sum(count(child) for nursery in task.child_nurseries for child in nursery.child_tasks)

        return count(trio.lowlevel.current_root_task())
    import asyncio

    return len(asyncio.all_tasks())


def sockets_to_port(port: int) -> int:
    """How many TCP sockets this process holds to ``127.0.0.1:port`` (Linux; -1 elsewhere)."""
    try:
        inodes = set()
        for fd in os.listdir("/proc/self/fd"):
            try:
                target = os.readlink(f"/proc/self/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
        count = 0
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            if not os.path.exists(table):
                continue
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    remote_port = int(fields[2].rsplit(":", 1)[1], 16)
                    if remote_port == port and fields[9] in inodes:
                        count += 1
        return count
    except OSError:
        return -1


Handler = Callable[[MemoryPeer], Coroutine[Any, Any, None]]


@asynccontextmanager
async def serving(handler: Handler) -> AsyncIterator[MemoryServer]:
    """A memory server running ``handler`` for each connection attempt, until the block ends."""
    server = MemoryServer()
    async with anyio.create_task_group() as tg:
        await tg.start(server.serve, handler)
        yield server
        tg.cancel_scope.cancel()


@asynccontextmanager
async def running(hub: EventHub) -> AsyncIterator[None]:
    """An event hub delivering to its handlers, until the block ends."""
    async with anyio.create_task_group() as tg:
        hub.open()
        tg.start_soon(hub.run)
        yield
        tg.cancel_scope.cancel()


async def open_peer(peer: MemoryPeer, connection_id: str, **me: Any) -> None:
    """Accept a memory connection and send the first frame."""
    peer.accept()
    await peer.send(hello_frame(connection_id, {"id": peer.user_id, "role": "user", **me}))


async def stay_open(peer: MemoryPeer, connection_id: str = "c1", **me: Any) -> None:
    """Accept a memory connection, send the first frame, and hold it until the client closes it."""
    await open_peer(peer, connection_id, **me)
    await peer.closed_by_client.wait()


async def reject_peer(peer: MemoryPeer, code: int, message: str, status: int) -> None:
    """Accept, send an error frame and close with 1000, as Stream does."""
    peer.accept()
    await peer.send(error_frame(code, message, status))
    await peer.close(1000)
