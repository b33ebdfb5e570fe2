"""``GET /longpoll``: the fallback transport for clients that cannot open a WebSocket.

- Without ``connection_id``: a connect, checked exactly like ``/connect`` (the ``json``
  payload, the token in the ``Authorization`` header); answers ``{"event": <health.check>}``.
- With ``connection_id``: a poll. It is held until an event is queued for the connection or
  ``longpoll_timeout`` passes, then answers ``{"events": […]}`` with everything queued since the
  last poll, in order. Events wait in the connection's outbox between polls, and are taken out
  only when the answer is about to be sent to a client still there: none is lost or sent twice.
  A newer poll on the same connection ends an older one held (with no events).
- ``close=true``: ends the connection at once.
- An unknown, expired or dropped ``connection_id``: error 46 (HTTP 400); the client reconnects.

A connection nobody polls for ``longpoll_expiry`` is forgotten by :func:`reap_expired`.
"""

from __future__ import annotations

import logging
import time

import anyio
from starlette.requests import Request
from starlette.responses import Response

from streamchat_core.emulator.auth import authenticate, check_api_key
from streamchat_core.emulator.connections import Connection
from streamchat_core.emulator.errors import AUTHENTICATION, CONNECTION_ID_NOT_FOUND, RequestError
from streamchat_core.emulator.handshake import check_connect
from streamchat_core.emulator.httpio import json_response, request_token, state_of
from streamchat_core.emulator.state import EmulatorState

__all__ = ["longpoll_endpoint", "reap_expired"]

log = logging.getLogger("streamchat.emulator")


async def longpoll_endpoint(request: Request) -> Response:
    state = state_of(request)
    params = request.query_params
    token = request_token(request)
    auth_type = request.headers.get("stream-auth-type") or params.get("stream-auth-type")
    connection_id = params.get("connection_id")
    if not connection_id:
        user = check_connect(
            state.config,
            api_key=params.get("api_key"),
            payload=params.get("json"),
            token=token,
            auth_type=auth_type,
        )
        _, first = state.open_connection(user, "longpoll")
        return json_response(b'{"event":' + state.encode(first) + b"}")
    check_api_key(state.config, params.get("api_key"))
    caller = authenticate(state.config, token, auth_type)
    connection = state.connections.get(connection_id)
    if connection is None or connection.kind != "longpoll" or connection.closing:
        raise RequestError(CONNECTION_ID_NOT_FOUND, 400, f"connection_id {connection_id!r} was not found")
    if caller.user_id is not None and caller.user_id != connection.user_id:
        raise RequestError(AUTHENTICATION, 401, f"connection_id {connection_id!r} belongs to another user")
    if params.get("close", "").lower() in ("true", "1"):
        state.end_connection(connection, 1000, "closed by the client")
        return json_response({})
    return await _poll(request, state, connection)


async def _poll(request: Request, state: EmulatorState, connection: Connection) -> Response:
    connection.poll_generation += 1
    generation = connection.poll_generation
    connection.last_poll_end = None
    connection.outbox.wake()  # an older poll still held sees it was superseded and ends
    client_gone = False

    def done() -> bool:
        return connection.closing or connection.poll_generation != generation

    async def watch_client() -> None:
        nonlocal client_gone
        while True:
            message = await request.receive()
            if message["type"] == "http.disconnect":
                client_gone = True
                tasks.cancel_scope.cancel()
                return

    try:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(watch_client)
            with anyio.move_on_after(state.config.longpoll_timeout):
                await connection.outbox.wait(done)
            tasks.cancel_scope.cancel()
    finally:
        if connection.poll_generation == generation:
            connection.last_poll_end = time.monotonic()
    if client_gone or await request.is_disconnected():
        # Leave the events queued for the next poll; this answer would reach no one.
        return Response(status_code=499)
    if connection.poll_generation != generation:
        return json_response(b'{"events":[]}')  # superseded: the newer poll gets the events
    if len(connection.outbox) == 0:
        if connection.closing:
            raise RequestError(CONNECTION_ID_NOT_FOUND, 400, f"connection_id {connection.id!r} was closed")
        return json_response(b'{"events":[]}')
    return json_response(b'{"events":[' + b",".join(connection.outbox.take_all()) + b"]}")


async def reap_expired(state: EmulatorState) -> None:
    """Forget long-poll connections nobody has polled for ``longpoll_expiry`` seconds."""
    expiry = state.config.effective_longpoll_expiry
    while True:
        await anyio.sleep(min(1.0, expiry / 4))
        now = time.monotonic()
        for connection in state.connections:
            idle_since = connection.last_poll_end
            if connection.kind == "longpoll" and idle_since is not None and now - idle_since > expiry:
                log.info(
                    "long-poll connection %s expired: no poll for %.1f s", connection.id, now - idle_since
                )
                state.end_connection(connection, 1000, "long-poll connection expired")
