"""The emulator as a Python object: a server on its own thread and event loop.

The thread runs uvicorn with the Starlette app on a socket bound before the thread starts, so
the real port is known at once. Everything that touches the emulator's state runs on that
loop; the control methods hand their work over with ``call_soon_threadsafe`` and wait for the
result, or run it directly when called from the emulator's own thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import secrets
import socket
import threading
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, TypeVar

import anyio.to_thread
import uvicorn
import websockets.http11

from streamchat_core.emulator import redaction
from streamchat_core.emulator.app import create_app
from streamchat_core.emulator.auth import create_token
from streamchat_core.emulator.config import EmulatorConfig
from streamchat_core.emulator.protocol import EmulatorHTTPProtocol, EmulatorWebSocketProtocol
from streamchat_core.emulator.state import EmulatorState
from streamchat_core.tokens import dev_token

__all__ = ["Emulator", "EmulatorError"]

T = TypeVar("T")
log = logging.getLogger("streamchat.emulator")

_START_TIMEOUT = 15.0
_CALL_TIMEOUT = 15.0
_STOP_TIMEOUT = 15.0


class EmulatorError(RuntimeError):
    """The emulator could not start, or a control call was made while it is not running."""


class _Server(uvicorn.Server):
    """uvicorn's server, telling the emulator once it accepts connections."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._on_started()


def _allow_long_request_lines(limit: int) -> None:
    # A /connect URL carries the whole user object (up to 5 KiB of JSON, more once
    # percent-encoded). websockets parses the upgrade request itself with an 8 KiB line limit
    # read from this module constant at parse time; raise it (never lower it) so that an
    # oversized user is refused with error code 4 on the socket, not with an HTTP error.
    if limit > websockets.http11.MAX_LINE_LENGTH:
        websockets.http11.MAX_LINE_LENGTH = limit


class Emulator:
    """A local Stream Chat server speaking the v1 protocol, on ``127.0.0.1`` and a free port.

    Use it as ``with Emulator() as emu:`` from plain code or ``async with Emulator() as emu:``
    under asyncio or trio; or call :meth:`start` and :meth:`stop`. ``api_secret`` defaults to a
    random secret; read it from :attr:`api_secret` to sign tokens elsewhere.
    """

    def __init__(
        self,
        api_key: str = "emulator-key",
        api_secret: str | None = None,
        *,
        websocket: bool = True,
        health_interval: float = 30.0,
        longpoll_timeout: float = 20.0,
        dead_connection_timeout: float = 60.0,
        longpoll_expiry: float | None = None,
        allow_dev_tokens: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
        max_body_bytes: int = 1024 * 1024,
        max_frame_bytes: int = 64 * 1024,
        max_queued_events: int = 50_000,
    ) -> None:
        self.config = EmulatorConfig(
            api_key=api_key,
            api_secret=api_secret if api_secret is not None else secrets.token_urlsafe(32),
            websocket=websocket,
            health_interval=health_interval,
            longpoll_timeout=longpoll_timeout,
            dead_connection_timeout=dead_connection_timeout,
            longpoll_expiry=longpoll_expiry,
            allow_dev_tokens=allow_dev_tokens,
            max_body_bytes=max_body_bytes,
            max_frame_bytes=max_frame_bytes,
            max_queued_events=max_queued_events,
        )
        self._host = host
        self._port = port
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: _Server | None = None
        self._state: EmulatorState | None = None
        self._started = threading.Event()
        self._failure: BaseException | None = None
        self._bound_port: int | None = None

    def __repr__(self) -> str:
        where = self.base_url if self.running else "stopped"
        return f"<Emulator {where} api_key={self.config.api_key!r}>"

    # ------------------------------------------------------------------ properties

    @property
    def api_key(self) -> str:
        return self.config.api_key

    @property
    def api_secret(self) -> str:
        return self.config.api_secret

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and self._started.is_set()

    @property
    def port(self) -> int:
        if self._bound_port is None:
            raise EmulatorError("the emulator is not running")
        return self._bound_port

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``: the REST base; WebSocket clients use ``ws://…/connect``."""
        return f"http://{self._netloc()}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self._netloc()}"

    def _netloc(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"{host}:{self.port}"

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Start serving; returns once the emulator accepts connections."""
        with self._lock:
            if self._thread is not None:
                raise EmulatorError("the emulator is already started")
            redaction.install()
            redaction.register_secret(self.config.api_secret)
            _allow_long_request_lines(2 * self.config.max_request_head_bytes)
            # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets whose proto says TCP,
            # and accepted sockets inherit it. Without it, a response written in two parts
            # (headers, then body: every long-poll answer) waits ~40 ms for a delayed ACK.
            sock = socket.socket(
                socket.AF_INET6 if ":" in self._host else socket.AF_INET,
                socket.SOCK_STREAM,
                socket.IPPROTO_TCP,
            )
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind((self._host, self._port))
                sock.listen(1024)
            except OSError as exc:
                sock.close()
                redaction.unregister_secret(self.config.api_secret)
                raise EmulatorError(f"cannot listen on {self._host}:{self._port}: {exc}") from None
            self._bound_port = sock.getsockname()[1]
            self._started.clear()
            self._failure = None
            self._thread = threading.Thread(
                target=self._run, args=(sock,), name=f"streamchat-emulator-{self._bound_port}", daemon=True
            )
            self._thread.start()
        if not self._started.wait(_START_TIMEOUT) or self._failure is not None:
            failure = self._failure
            self.stop()
            raise EmulatorError(f"the emulator did not start: {failure!r}")

    def _run(self, sock: socket.socket) -> None:
        try:
            asyncio.run(self._serve(sock))
        except BaseException as exc:  # SystemExit from uvicorn on a failed startup included
            self._failure = exc
            log.error("the emulator stopped with an error: %r", exc)
        finally:
            sock.close()
            self._started.set()  # never leave start() waiting

    async def _serve(self, sock: socket.socket) -> None:
        self._loop = asyncio.get_running_loop()
        self._state = EmulatorState(self.config)
        config = uvicorn.Config(
            create_app(self._state),
            http=EmulatorHTTPProtocol,  # h11, answering malformed requests in Stream's shape
            ws=EmulatorWebSocketProtocol,  # websockets-sansio, refusing bad handshakes in Stream's shape
            lifespan="on",
            log_config=None,
            access_log=False,
            server_header=False,
            ws_max_size=self.config.max_frame_bytes,
            ws_ping_interval=None,
            ws_ping_timeout=None,
            ws_per_message_deflate=False,
            h11_max_incomplete_event_size=self.config.max_request_head_bytes,
            timeout_graceful_shutdown=2,
            timeout_keep_alive=5,
            backlog=1024,
        )
        self._server = _Server(config, on_started=self._started.set)
        await self._server.serve(sockets=[sock])

    def stop(self) -> None:
        """Close every connection and stop serving; returns once the thread has ended."""
        with self._lock:
            thread, loop, server = self._thread, self._loop, self._server
            if thread is None:
                return
            if threading.current_thread() is thread:
                raise EmulatorError("stop() cannot be called from the emulator's own thread")
            if loop is not None and server is not None and thread.is_alive():
                state = self._state

                def begin_shutdown() -> None:
                    if state is not None:
                        state.shut_down()
                    server.should_exit = True

                with contextlib.suppress(RuntimeError):  # the loop already closed
                    loop.call_soon_threadsafe(begin_shutdown)
            thread.join(_STOP_TIMEOUT)
            if thread.is_alive():
                log.error("the emulator thread did not stop within %.0f s", _STOP_TIMEOUT)
            self._thread = self._loop = self._server = None
            self._state = None
            self._bound_port = None
            redaction.unregister_secret(self.config.api_secret)

    def __enter__(self) -> Emulator:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Emulator:
        await anyio.to_thread.run_sync(self.start)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(self.stop)

    # ------------------------------------------------------------------ tokens

    def create_token(
        self, user_id: str, exp: float | None = None, iat: float | None = None, nbf: float | None = None
    ) -> str:
        """A user token signed with the secret; ``exp``/``iat``/``nbf`` are Unix times."""
        return create_token(self.config.api_secret, user_id, exp=exp, iat=iat, nbf=nbf)

    def server_token(self) -> str:
        """A server token (``{"server": true}``), accepted on every REST call and the controls."""
        return create_token(self.config.api_secret, None)

    @staticmethod
    def dev_token(user_id: str) -> str:
        """A development token; accepted only when ``allow_dev_tokens`` is on."""
        return dev_token(user_id)

    # ------------------------------------------------------------------ controls

    def _call(self, fn: Callable[[EmulatorState], T]) -> T:
        thread, loop, state = self._thread, self._loop, self._state
        if thread is None or loop is None or state is None or not thread.is_alive():
            raise EmulatorError("the emulator is not running")
        if threading.current_thread() is thread:
            return fn(state)

        async def run() -> T:  # in a task, so that the work may start tasks of its own
            return fn(state)

        try:
            future = asyncio.run_coroutine_threadsafe(run(), loop)
            return future.result(_CALL_TIMEOUT)
        except (RuntimeError, concurrent.futures.CancelledError):  # the loop closed meanwhile
            raise EmulatorError("the emulator is not running") from None

    def drop_connections(self) -> int:
        """End every connection as a failing network would; returns how many there were.

        WebSockets are closed with code 1012 (a client reconnects); long-poll connections are
        forgotten (their next poll gets error 46).
        """
        return self._call(lambda s: s.drop_connections())

    def set_websocket_enabled(self, enabled: bool) -> None:
        """Refuse (``False``) or accept (``True``) WebSocket upgrades from now on.

        A refused upgrade is an HTTP 403, as behind a proxy that blocks WebSockets; open
        connections stay open (use :meth:`drop_connections` too to force a fallback).
        """
        self._call(lambda s: setattr(s, "websocket_enabled", bool(enabled)))

    def set_answer_pings(self, answer: bool) -> None:
        """Stop (``False``) or resume answering pings and sending periodic health checks.

        Sockets stay open, so a client's dead-connection detection can be tested.
        """
        self._call(lambda s: setattr(s, "answer_pings", bool(answer)))

    def burst(self, connection_id: str, count: int) -> None:
        """Start sending ``count`` ``message.new`` events to one connection, back to back.

        Returns at once. Each event has ``cid`` ``messaging:emulator-burst``, ``burst_seq``
        (0 to count-1), ``burst_total`` and message text ``burst <seq>``. Raises ``KeyError``
        for an unknown connection.
        """
        self._call(lambda s: s.burst(connection_id, count))

    def fail_channel_queries(self, count: int = 1, mode: str = "reset") -> None:
        """Make the next ``count`` channel queries fail (a client's re-watch after a reconnect included).

        ``mode="reset"`` drops the HTTP connection without an answer, as a failing network
        would (the client reads no response); ``mode="error"`` answers HTTP 500 with Stream's
        error body (code -1). ``count=0`` stops failing them.
        """
        self._call(lambda s: s.fail_channel_queries(count, mode))

    def push_event(self, target: str, event: Mapping[str, Any]) -> int:
        """Queue ``event`` (any mapping with a ``type``) for a connection id or a user id.

        Returns how many connections it went to. ``created_at`` is not added.
        """
        payload = dict(event)
        return self._call(lambda s: s.push_event(target, payload))

    def connection_ids(self, user_id: str | None = None) -> list[str]:
        """Open connection ids, of one user or of everyone, oldest first."""
        return self._call(
            lambda s: [c.id for c in (s.connections.of_user(user_id) if user_id else s.connections)]
        )

    def connections(self, user_id: str | None = None) -> list[dict[str, Any]]:
        """Open connections, oldest first, each ``{"connection_id", "user_id", "kind",
        "poll_held", "queued_events"}``; ``poll_held`` tells a long-poll connection has a poll
        waiting for events right now."""
        return self._call(lambda s: s.describe_connections(user_id))

    def connection_count(self) -> int:
        return self._call(lambda s: len(s.connections))

    def wait_for_connections(self, user_id: str, count: int = 1, timeout: float = 10.0) -> list[str]:
        """Block until ``user_id`` has at least ``count`` open connections; their ids.

        Raises ``TimeoutError`` after ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while True:
            ids = self.connection_ids(user_id)
            if len(ids) >= count:
                return ids
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"user {user_id!r} has {len(ids)} connections, not {count}, after {timeout} s"
                )
            time.sleep(0.01)

    def user(self, user_id: str) -> dict[str, Any] | None:
        """A copy of the stored user record, or ``None``."""

        def read(s: EmulatorState) -> dict[str, Any] | None:
            record = s.users.get(user_id)
            return dict(record) if record is not None else None

        return self._call(read)
