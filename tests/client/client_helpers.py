"""Helpers shared by the client's tests."""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from typing import Any

import anyio
import sniffio

from streamchat_core.backoff import ExponentialBackoff
from streamchat_core.client import StreamChatClient
from streamchat_transports.memory import MemoryPeer, error_frame, hello_frame

#: A safety net for waits that should end almost at once; never what a test measures.
WAIT = 10.0


def fast_backoff(stable_after: float = 30.0) -> ExponentialBackoff:
    """Reconnect delays of 10 to 50 ms (0 to 10 ms after losing a connection that worked), deterministic."""
    return ExponentialBackoff(
        floor=0.01, cap=0.05, stable_after=stable_after, reconnect_jitter=0.01, rng=random.Random(7)
    )


def emulator_client(emu: Any, **options: Any) -> StreamChatClient:
    return StreamChatClient(emu.api_key, base_url=emu.base_url, backoff=fast_backoff(), **options)


async def eventually(condition: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    """Wait until ``condition()`` holds (polling state owned by another thread, the emulator)."""
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


def me_of(peer: MemoryPeer, **fields: Any) -> dict[str, Any]:
    return {"id": peer.user_id, "role": "user", **fields}


async def open_peer(peer: MemoryPeer, connection_id: str, **me: Any) -> None:
    """Accept a memory connection and send the first frame."""
    peer.accept()
    await peer.send(hello_frame(connection_id, me_of(peer, **me)))


async def reject_peer(peer: MemoryPeer, code: int, message: str, status: int) -> None:
    """Accept, send an error frame and close with 1000, as Stream does."""
    peer.accept()
    await peer.send(error_frame(code, message, status))
    await peer.close(1000)
