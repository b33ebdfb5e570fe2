"""A raw peer for the emulator's tests: it speaks to the emulator the way clients do.

It uses plain libraries, not the project's client: ``websockets`` under asyncio,
``trio-websocket`` under trio (or, for a test without an event loop, its blocking client),
``httpx`` for HTTP, all on 127.0.0.1.
"""

from __future__ import annotations

import json
import urllib.parse
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
import sniffio
import trio_websocket
import websockets.asyncio.client
import websockets.exceptions
import websockets.sync.client
from client_helpers import WAIT

from streamchat_core.emulator import Emulator

API_KEY = "emulator-test-key"
API_SECRET = "emulator-test-secret-0123456789-abcdefghijklmnop"


class UpgradeRefused(Exception):
    """The server answered the WebSocket upgrade with an HTTP error."""

    def __init__(self, status: int) -> None:
        super().__init__(f"upgrade refused with HTTP {status}")
        self.status = status


class Closed(Exception):
    """The server closed the WebSocket; ``code`` is its close code."""

    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"closed with {code}: {reason}")
        self.code = code
        self.reason = reason


class WS:
    """A WebSocket to the emulator, the same under both backends."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self._trio = isinstance(conn, trio_websocket.WebSocketConnection)

    async def send_text(self, text: str) -> None:
        await self._conn.send_message(text) if self._trio else await self._conn.send(text)

    async def send_json(self, value: Any) -> None:
        await self.send_text(json.dumps(value))

    async def ping(self, client_id: str = "tester--1") -> None:
        await self.send_json([{"type": "health.check", "client_id": client_id}])

    async def recv_text(self, timeout: float = WAIT) -> str:
        with anyio.fail_after(timeout):
            try:
                if self._trio:
                    message = await self._conn.get_message()
                else:
                    message = await self._conn.recv()
            except trio_websocket.ConnectionClosed as exc:
                reason = exc.reason
                raise Closed(
                    reason.code if reason else None, (reason.reason or "") if reason else ""
                ) from None
            except websockets.exceptions.ConnectionClosed as exc:
                rcvd = exc.rcvd
                raise Closed(rcvd.code if rcvd else None, rcvd.reason if rcvd else "") from None
        assert isinstance(message, str), f"expected a text frame, got {message!r}"
        return message

    async def recv_json(self, timeout: float = WAIT) -> dict[str, Any]:
        value = json.loads(await self.recv_text(timeout))
        assert isinstance(value, dict)
        return value

    async def recv_until(self, type_: str, timeout: float = WAIT) -> dict[str, Any]:
        """The next event of ``type_``, skipping others (health checks, presence…)."""
        with anyio.fail_after(timeout):
            while True:
                frame = await self.recv_json()
                if frame.get("type") == type_:
                    return frame

    async def events_until_marker(self, marker: str, timeout: float = WAIT) -> list[dict[str, Any]]:
        """Every event received before the pushed event whose ``marker`` field is ``marker``.

        Frames to one connection arrive in the order they were queued, so pushing a marker after
        an action and reading up to it shows everything the action caused, and nothing is
        left to chance.
        """
        seen: list[dict[str, Any]] = []
        with anyio.fail_after(timeout):
            while True:
                frame = await self.recv_json()
                if frame.get("marker") == marker:
                    return seen
                seen.append(frame)

    async def wait_closed(self, timeout: float = WAIT) -> Closed:
        with anyio.fail_after(timeout):
            while True:
                try:
                    await self.recv_text(timeout)
                except Closed as closed:
                    return closed

    async def close(self) -> None:
        await self._conn.aclose() if self._trio else await self._conn.close()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def connect_query(
    api_key: str,
    user_id: str,
    token: str,
    *,
    user: dict[str, Any] | None = None,
    payload: str | None = None,
    auth_type: str = "jwt",
) -> dict[str, str]:
    """The query of a ``/connect`` for ``user_id``, as the official clients send it."""
    details = {"id": user_id, **(user or {})}
    raw = payload if payload is not None else json.dumps({"user_id": user_id, "user_details": details})
    return {"json": raw, "api_key": api_key, "authorization": token, "stream-auth-type": auth_type}


def connect_blocking(ws_url: str, api_key: str, user_id: str, token: str) -> dict[str, Any]:
    """Connect ``user_id`` with a blocking WebSocket (a test without an event loop); the first frame."""
    query = urllib.parse.urlencode(connect_query(api_key, user_id, token))
    with websockets.sync.client.connect(f"{ws_url}/connect?{query}", proxy=None, open_timeout=WAIT) as ws:
        frame = json.loads(ws.recv(timeout=WAIT))
    assert isinstance(frame, dict), frame
    return frame


class Peer:
    """Talks to one emulator with plain clients."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu

    def token(self, user_id: str, **claims: Any) -> str:
        return self.emu.create_token(user_id, **claims)

    def connect_query(
        self,
        user_id: str,
        *,
        user: dict[str, Any] | None = None,
        token: str | None = None,
        api_key: str | None = None,
        payload: str | None = None,
        auth_type: str = "jwt",
    ) -> dict[str, str]:
        return connect_query(
            api_key if api_key is not None else self.emu.api_key,
            user_id,
            token if token is not None else self.token(user_id),
            user=user,
            payload=payload,
            auth_type=auth_type,
        )

    def connect_url(self, user_id: str, **kw: Any) -> str:
        return f"{self.emu.ws_url}/connect?{urllib.parse.urlencode(self.connect_query(user_id, **kw))}"

    @asynccontextmanager
    async def ws(self, user_id: str = "", *, url: str | None = None, **kw: Any) -> AsyncIterator[WS]:
        """An open WebSocket to ``/connect`` (nothing read yet)."""
        target = url or self.connect_url(user_id, **kw)
        if sniffio.current_async_library() == "trio":
            try:
                async with trio_websocket.open_websocket_url(
                    target, max_message_size=64 * 1024 * 1024
                ) as conn:
                    yield WS(conn)
            except trio_websocket.ConnectionRejected as exc:
                raise UpgradeRefused(exc.status_code) from None
        else:
            try:
                async with websockets.asyncio.client.connect(
                    target, proxy=None, ping_interval=None, max_size=None, compression=None
                ) as conn:
                    yield WS(conn)
            except websockets.exceptions.InvalidStatus as exc:
                raise UpgradeRefused(exc.response.status_code) from None

    @asynccontextmanager
    async def connected(self, user_id: str, **kw: Any) -> AsyncIterator[tuple[WS, dict[str, Any]]]:
        """A connected user: the socket and its first frame (a health.check with ``me``)."""
        async with self.ws(user_id, **kw) as ws:
            first = await ws.recv_json()
            assert first["type"] == "health.check", first
            yield ws, first

    def http(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.emu.base_url, trust_env=False, timeout=WAIT)

    async def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        user_id: str | None = None,
        params: dict[str, str] | None = None,
        json_body: Any = None,
        content: bytes | None = None,
        api_key: str | None = None,
    ) -> httpx.Response:
        """A REST call, as the official clients make it; a server token unless ``token``/``user_id``."""
        query = {"api_key": api_key if api_key is not None else self.emu.api_key}
        if user_id is not None:
            query["user_id"] = user_id
        query.update(params or {})
        if token is None:
            token = self.token(user_id) if user_id is not None else self.emu.server_token()
        headers = {"Authorization": token, "stream-auth-type": "jwt"}
        async with self.http() as client:
            if json_body is not None:
                content = json.dumps(json_body).encode()
                headers["Content-Type"] = "application/json"
            return await client.request(method, path, params=query, headers=headers, content=content)

    async def push_marker(self, target: str) -> str:
        marker = unique("marker")
        self.emu.push_event(target, {"type": "test.marker", "marker": marker})
        return marker


STREAM_ERROR_FIELDS = {"code", "message", "StatusCode", "duration", "more_info", "details"}


def error_of(frame: dict[str, Any]) -> dict[str, Any]:
    """The error object of a WebSocket error frame (``{"error": {…}}``), with every field of Stream's shape."""
    error = frame["error"]
    assert set(error) >= STREAM_ERROR_FIELDS, error
    return error  # type: ignore[no-any-return]


def error_of_body(body: dict[str, Any]) -> dict[str, Any]:
    """An HTTP error body: Stream's fields at the top level, and nothing nested under ``error``."""
    assert set(body) >= STREAM_ERROR_FIELDS, body
    assert "error" not in body, body
    return body
