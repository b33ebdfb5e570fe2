"""``/_emulator/…``: fault injection and inspection for tests and benchmarks.

Every control endpoint needs a server token (``{"server": true}`` signed with the secret) in
the ``Authorization`` header: 401 without a valid token, 403 with a user token.

- ``POST /_emulator/drop`` (no body, or ``{}``): end every connection (WebSocket close 1012;
  long-polls get 46).
- ``POST /_emulator/websocket`` ``{"enabled": false}``: refuse upgrades (HTTP 403) from now on;
  ``true`` accepts them again.
- ``POST /_emulator/pings`` ``{"answer": false}``: stop answering pings and sending health checks
  (sockets stay open); ``true`` resumes.
- ``POST /_emulator/burst`` ``{"connection_id", "count"}``: send ``count`` events back to back.
- ``POST /_emulator/fail-queries`` ``{"count", "mode": "reset" | "error"}``: the next ``count``
  channel queries (``POST /channels/{type}[/{id}]/query``, a re-watch included) fail: the HTTP
  connection is dropped without an answer (``reset``, the default) or answered with HTTP 500.
- ``POST /_emulator/push`` ``{"target", "event"}``: queue any event for a connection or user id.
- ``GET /_emulator/connections[?user_id=]``: ``{"connections": [{"connection_id", "user_id",
  "kind", "poll_held", "queued_events"}]}``.
"""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from streamchat_core.emulator.auth import authenticate
from streamchat_core.emulator.errors import DOES_NOT_EXIST, INPUT, NOT_ALLOWED, RequestError
from streamchat_core.emulator.httpio import decode_body, json_response, request_token, state_of

__all__ = ["control_routes"]


class _Nothing(msgspec.Struct, forbid_unknown_fields=True):
    pass


class _Switch(msgspec.Struct, forbid_unknown_fields=True):
    enabled: bool


class _Pings(msgspec.Struct, forbid_unknown_fields=True):
    answer: bool


class _Burst(msgspec.Struct, forbid_unknown_fields=True):
    connection_id: str
    count: int


class _FailQueries(msgspec.Struct, forbid_unknown_fields=True):
    count: int
    mode: str = "reset"


class _Push(msgspec.Struct, forbid_unknown_fields=True):
    target: str
    event: dict[str, Any]


def _require_server(request: Request) -> None:
    state = state_of(request)
    caller = authenticate(state.config, request_token(request), request.headers.get("stream-auth-type"))
    if not caller.is_server:
        raise RequestError(NOT_ALLOWED, 403, "the control endpoints need a server token")


async def drop(request: Request) -> Response:
    _require_server(request)
    await decode_body(request, _Nothing, empty=b"{}")  # a body it cannot read is refused, not ignored
    return json_response({"dropped": state_of(request).drop_connections()})


async def websocket_switch(request: Request) -> Response:
    _require_server(request)
    body = await decode_body(request, _Switch)
    state_of(request).websocket_enabled = body.enabled
    return json_response({"enabled": body.enabled})


async def pings_switch(request: Request) -> Response:
    _require_server(request)
    body = await decode_body(request, _Pings)
    state_of(request).answer_pings = body.answer
    return json_response({"answer": body.answer})


async def burst(request: Request) -> Response:
    _require_server(request)
    body = await decode_body(request, _Burst)
    try:
        state_of(request).burst(body.connection_id, body.count)
    except KeyError:
        raise RequestError(DOES_NOT_EXIST, 404, f"no open connection {body.connection_id!r}") from None
    except ValueError as exc:
        raise RequestError(INPUT, 400, str(exc)) from None
    return json_response({"connection_id": body.connection_id, "count": body.count})


async def fail_queries(request: Request) -> Response:
    _require_server(request)
    body = await decode_body(request, _FailQueries)
    try:
        state_of(request).fail_channel_queries(body.count, body.mode)
    except ValueError as exc:
        raise RequestError(INPUT, 400, str(exc)) from None
    return json_response({"count": body.count, "mode": body.mode})


async def push(request: Request) -> Response:
    _require_server(request)
    body = await decode_body(request, _Push)
    try:
        delivered = state_of(request).push_event(body.target, body.event)
    except ValueError as exc:
        raise RequestError(INPUT, 400, str(exc)) from None
    return json_response({"delivered": delivered})


async def connections(request: Request) -> Response:
    _require_server(request)
    user_id = request.query_params.get("user_id")
    return json_response({"connections": state_of(request).describe_connections(user_id)})


def control_routes() -> list[Route]:
    return [
        Route("/_emulator/drop", drop, methods=["POST"]),
        Route("/_emulator/websocket", websocket_switch, methods=["POST"]),
        Route("/_emulator/pings", pings_switch, methods=["POST"]),
        Route("/_emulator/burst", burst, methods=["POST"]),
        Route("/_emulator/push", push, methods=["POST"]),
        Route("/_emulator/fail-queries", fail_queries, methods=["POST"]),
        Route("/_emulator/connections", connections, methods=["GET"]),
    ]
