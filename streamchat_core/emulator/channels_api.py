"""``/channels``: the HTTP side of :mod:`streamchat_core.emulator.messaging`.

======================================================  ==========================================
``POST /channels/{type}/{id}/query``                    get or create, watch with ``connection_id``
``POST /channels/{type}/query``                         the same for a channel named by its members
``POST /channels``                                      query channels by ``cid``, ``members``, …
``POST /channels/{type}/{id}/message``                  send a message
``POST /channels/{type}/{id}/event``                    send ``typing.start``/``typing.stop`` or a custom event
``POST /channels/{type}/{id}/read``                     mark read
``POST /channels/{type}/{id}/stop-watching``            stop watching on ``connection_id``
======================================================  ==========================================
"""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

import streamchat_wire as wire
from streamchat_core import codec
from streamchat_core.emulator import messaging
from streamchat_core.emulator.errors import INPUT, INTERNAL, RequestError
from streamchat_core.emulator.httpio import caller_of, error_response, json_response, read_body, state_of
from streamchat_core.errors import DecodeError

__all__ = ["channel_routes"]


def _decode(body: bytes, type: type[Any]) -> Any:
    try:
        return codec.decode(body, type)
    except DecodeError as exc:
        raise RequestError(INPUT, 400, f"the request body is not valid: {exc}") from None


async def _body(request: Request, *, required: bool) -> bytes:
    body = await read_body(request)
    if not body.strip():
        if required:
            raise RequestError(INPUT, 400, "the request body is empty; a JSON object is expected")
        return b"{}"
    return body


def _path(request: Request, name: str) -> str:
    value = request.path_params[name]
    assert isinstance(value, str)
    return value


async def _reset(request: Request) -> bool:
    """Drop the HTTP connection without an answer, as a failing network would; False if impossible.

    The ASGI interface cannot do this: the transport is reached through uvicorn's
    request-response cycle, which ``receive`` is a method of.
    """
    cycle = getattr(request.receive, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None or not hasattr(transport, "abort"):
        return False
    transport.abort()
    for _ in range(10):  # uvicorn learns of it on the next turns of the loop; it then sends nothing
        if getattr(cycle, "disconnected", True):
            break
        await asyncio.sleep(0)
    return True


async def _injected_failure(request: Request) -> Response | None:
    mode = state_of(request).take_channel_query_failure()
    if mode is None:
        return None
    if mode == "reset" and await _reset(request):
        return Response(status_code=500)  # never sent: the connection is gone
    return error_response(RequestError(INTERNAL, 500, "the emulator was told to fail this channel query"))


async def query_channel(request: Request) -> Response:
    caller = caller_of(request)
    body = await _body(request, required=False)
    failure = await _injected_failure(request)
    if failure is not None:
        return failure
    query = _decode(body, wire.QueryChannelRequest)
    channel_id = request.path_params.get("id")
    result = messaging.query_channel(
        state_of(request),
        caller,
        request.query_params.get("connection_id"),
        _path(request, "type"),
        channel_id if isinstance(channel_id, str) else None,
        query,
        messaging.paging_of(body),
    )
    return json_response(result)


async def query_channels(request: Request) -> Response:
    caller = caller_of(request)
    body = await _body(request, required=False)
    query = _decode(body, wire.QueryChannelsRequest)
    result = messaging.query_channels(
        state_of(request), caller, request.query_params.get("connection_id"), query, messaging.paging_of(body)
    )
    return json_response(result)


async def send_message(request: Request) -> Response:
    caller = caller_of(request)
    body = _decode(await _body(request, required=True), wire.SendMessageRequest)
    result = messaging.send_message(
        state_of(request), caller, _path(request, "type"), _path(request, "id"), body
    )
    return json_response(result)


async def send_event(request: Request) -> Response:
    caller = caller_of(request)
    body = _decode(await _body(request, required=True), wire.SendEventRequest)
    result = messaging.send_event(
        state_of(request), caller, _path(request, "type"), _path(request, "id"), body
    )
    return json_response(result)


async def mark_read(request: Request) -> Response:
    caller = caller_of(request)
    raw = await _body(request, required=False)
    body = _decode(raw, wire.MarkReadRequest)
    try:
        fields = msgspec.json.decode(raw)
    except msgspec.DecodeError:  # pragma: no cover - the typed decode above already failed
        fields = {}
    result = messaging.mark_read(
        state_of(request), caller, _path(request, "type"), _path(request, "id"), body, fields
    )
    return json_response(result)


async def stop_watching(request: Request) -> Response:
    caller = caller_of(request)
    await _body(request, required=False)
    messaging.stop_watching(
        state_of(request),
        caller,
        request.query_params.get("connection_id"),
        _path(request, "type"),
        _path(request, "id"),
    )
    return json_response({})


def channel_routes() -> list[BaseRoute]:
    return [
        Route("/channels", query_channels, methods=["POST"]),
        Route("/channels/{type}/query", query_channel, methods=["POST"]),
        Route("/channels/{type}/{id}/query", query_channel, methods=["POST"]),
        Route("/channels/{type}/{id}/message", send_message, methods=["POST"]),
        Route("/channels/{type}/{id}/event", send_event, methods=["POST"]),
        Route("/channels/{type}/{id}/read", mark_read, methods=["POST"]),
        Route("/channels/{type}/{id}/stop-watching", stop_watching, methods=["POST"]),
    ]
