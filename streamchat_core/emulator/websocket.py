"""``GET /connect``: the WebSocket endpoint.

A refused upgrade (``--no-websocket``, or the control that turns WebSockets off) is answered
before the handshake, so the client sees an HTTP error (403) as it would behind a proxy that
blocks WebSockets. A rejected connect is accepted, sent one error frame and closed with 1000,
which the client reads as a final API error rather than a network failure.

An accepted connection runs three tasks: the reader (pings in, the dead-connection window),
the writer (the connection's outbox out, in order) and the heartbeat (a ``health.check`` every
``health_interval``).

A frame that is not a ping is ignored, except one nesting arrays and objects deeper than
:data:`~streamchat_core.emulator.nesting.MAX_DEPTH` levels: that is refused as bad input, and
the socket closed with 1007 ("invalid frame payload data") and a reason naming the limit, with no
error frame before it (the close code is the answer, as for 1009).
"""

from __future__ import annotations

import logging

import anyio
import anyio.abc
from starlette.websockets import WebSocket, WebSocketDisconnect

import streamchat_wire as wire
from streamchat_core import codec
from streamchat_core.emulator import events
from streamchat_core.emulator.connections import Connection
from streamchat_core.emulator.errors import RequestError
from streamchat_core.emulator.handshake import check_connect
from streamchat_core.emulator.nesting import MAX_DEPTH, nested_too_deep
from streamchat_core.emulator.state import CLOSE_DEAD, EmulatorState
from streamchat_core.errors import DecodeError

__all__ = ["connect_endpoint"]

log = logging.getLogger("streamchat.emulator")

_PING = list[wire.HealthCheckPing]
CLOSE_INVALID_DATA = 1007


async def connect_endpoint(websocket: WebSocket) -> None:
    state: EmulatorState = websocket.app.state.emulator
    if not state.websocket_enabled or state.stopping:
        await websocket.close(code=1008)  # before accept: the server answers the upgrade with HTTP 403
        return
    params = websocket.query_params
    await websocket.accept()
    try:
        user = check_connect(
            state.config,
            api_key=params.get("api_key"),
            payload=params.get("json"),
            token=params.get("authorization") or websocket.headers.get("authorization"),
            auth_type=params.get("stream-auth-type") or websocket.headers.get("stream-auth-type"),
        )
        connection, first = state.open_connection(user, "websocket")
    except RequestError as exc:
        log.info("WebSocket connect rejected: code %d: %s", exc.code, exc.message)
        try:
            await websocket.send_text(exc.frame().decode())
            await websocket.close(code=1000)
        except (WebSocketDisconnect, OSError):
            pass
        return
    try:
        await websocket.send_text(state.encode(first).decode())
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(_write, websocket, connection, tasks, name=f"ws-writer-{connection.id}")
            tasks.start_soon(_heartbeat, state, connection, name=f"ws-heartbeat-{connection.id}")
            if await _read(websocket, state, connection):
                tasks.cancel_scope.cancel()  # the client left: nothing more to write
    except (WebSocketDisconnect, OSError):
        pass
    finally:
        state.end_connection(connection)


async def _read(websocket: WebSocket, state: EmulatorState, connection: Connection) -> bool:
    """Read until the client leaves (``True``) or stays silent past the window (``False``)."""
    window = state.config.dead_connection_timeout
    while True:
        with anyio.move_on_after(window) as silence:
            message = await websocket.receive()
        if silence.cancelled_caught:
            log.info("connection %s: nothing received for %.1f s; closing it", connection.id, window)
            state.end_connection(
                connection, CLOSE_DEAD, "no frame received within the dead-connection window"
            )
            return False
        if message["type"] == "websocket.disconnect":
            return True
        text = message.get("text")
        if text is None:
            raw = message.get("bytes")
            text = raw.decode("utf-8", "replace") if raw is not None else ""
        if not _handle_frame(state, connection, text):
            return False  # the writer closes the socket


def _handle_frame(state: EmulatorState, connection: Connection, text: str) -> bool:
    """A client sends only pings: ``[{"type": "health.check", "client_id": …}]``.

    ``False`` when the frame ended the connection (nested too deeply).
    """
    too_deep = nested_too_deep(text)
    try:
        if not too_deep:
            codec.decode(text, _PING)
    except RecursionError:  # a safety net: the check above keeps such frames from the decoder
        too_deep = True
    except DecodeError:
        # Anything else is ignored: a client cannot break its connection by sending junk.
        log.debug(
            "connection %s: ignored a frame that is not a ping (%d characters)", connection.id, len(text)
        )
        return True
    if too_deep:
        log.warning(
            "connection %s: a frame nests more than %d levels deep; closing with %d",
            connection.id,
            MAX_DEPTH,
            CLOSE_INVALID_DATA,
        )
        state.end_connection(
            connection, CLOSE_INVALID_DATA, f"frame nested more than {MAX_DEPTH} levels deep, the limit"
        )
        return False
    if state.answer_pings:
        state.deliver([connection], events.health_check(connection.id))
    return True


async def _write(websocket: WebSocket, connection: Connection, tasks: anyio.abc.TaskGroup) -> None:
    """Move the outbox to the socket, in order; close the socket when the emulator ends it."""
    outbox = connection.outbox
    try:
        while True:
            await outbox.wait(lambda: connection.closing)
            for frame in outbox.take_all():
                await websocket.send_text(frame.decode())
            if connection.close_reason is not None:
                code, reason = connection.close_reason
                await websocket.close(code=code, reason=reason)
                break
    except (WebSocketDisconnect, OSError):
        pass
    tasks.cancel_scope.cancel()


async def _heartbeat(state: EmulatorState, connection: Connection) -> None:
    while True:
        await anyio.sleep(state.config.health_interval)
        if state.answer_pings:
            state.deliver([connection], events.health_check(connection.id))
