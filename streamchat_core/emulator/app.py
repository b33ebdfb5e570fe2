"""The emulator's ASGI application: routes, error answers, and the background tasks' lifetime."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from streamchat_core.emulator.auth import check_api_key
from streamchat_core.emulator.channels_api import channel_routes
from streamchat_core.emulator.control import control_routes
from streamchat_core.emulator.errors import DOES_NOT_EXIST, INPUT, INTERNAL, RequestError
from streamchat_core.emulator.httpio import error_response
from streamchat_core.emulator.longpoll import longpoll_endpoint, reap_expired
from streamchat_core.emulator.nesting import MAX_DEPTH
from streamchat_core.emulator.state import EmulatorState
from streamchat_core.emulator.users_api import query_users, update_users_partial, upsert_users
from streamchat_core.emulator.websocket import connect_endpoint

__all__ = ["create_app"]

log = logging.getLogger("streamchat.emulator")


async def _on_request_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestError)
    if exc.status >= 500:
        log.error("%s %s failed: %s", request.method, request.url.path, exc.message)
    return error_response(exc)


async def _on_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    path = request.url.path
    if exc.status_code == 404:
        return error_response(RequestError(DOES_NOT_EXIST, 404, f"there is no endpoint at {path}"))
    if exc.status_code == 405:
        return error_response(RequestError(INPUT, 405, f"{request.method} is not allowed on {path}"))
    return error_response(RequestError(INPUT, exc.status_code, f"{request.method} {path}: {exc.detail}"))


async def _on_too_deep(request: Request, exc: Exception) -> Response:
    # A safety net: input is checked against the nesting limit before it is decoded, so a
    # RecursionError means some input escaped the check. It is still bad input, not a bug.
    method = getattr(request, "method", "WebSocket")
    log.warning("%s %s: input nested too deeply to decode (RecursionError)", method, request.url.path)
    return error_response(
        RequestError(
            INPUT, 400, f"the input nests arrays and objects more than {MAX_DEPTH} levels deep, the limit"
        )
    )


async def _on_client_disconnect(request: Request, exc: Exception) -> Response:
    # The client left before its request was complete: there is nobody to answer.
    log.info(
        "%s %s: the client disconnected before its request was complete", request.method, request.url.path
    )
    return error_response(RequestError(INPUT, 400, "the request ended before it was complete"))


async def _on_unexpected(request: Request, exc: Exception) -> Response:
    # A bug in the emulator: answer in Stream's shape and keep serving everyone else.
    log.exception("%s %s failed with an unexpected error", request.method, request.url.path)
    return error_response(RequestError(INTERNAL, 500, f"internal emulator error: {type(exc).__name__}"))


async def _no_endpoint(scope: Scope, receive: Receive, send: Send) -> None:
    # What no route matches. Over HTTP, a 404 through _on_http_exception; a WebSocket upgrade
    # gets the same 404 body (rather than Starlette's bare 403) as a denial response.
    if scope["type"] == "websocket":
        websocket = WebSocket(scope, receive, send)
        error = RequestError(DOES_NOT_EXIST, 404, f"there is no WebSocket endpoint at {websocket.url.path}")
        if "websocket.http.response" in scope.get("extensions", {}):
            await websocket.send_denial_response(error_response(error))
        else:
            await websocket.close(code=1008)
        return
    # Stream checks the API key before routing: an unknown key gets the auth error, whatever
    # the path. (With no key at all, the path is what is wrong.)
    api_key = Request(scope).query_params.get("api_key")
    if api_key:
        check_api_key(scope["app"].state.emulator.config, api_key)
    raise HTTPException(status_code=404)


def routes() -> list[BaseRoute]:
    return [
        WebSocketRoute("/connect", connect_endpoint),
        Route("/longpoll", longpoll_endpoint, methods=["GET"]),
        Route("/users", query_users, methods=["GET"]),
        Route("/users", upsert_users, methods=["POST"]),
        Route("/users", update_users_partial, methods=["PATCH"]),
        *channel_routes(),
        *control_routes(),
    ]


def create_app(state: EmulatorState) -> Starlette:
    """The Starlette app serving ``state``; its lifespan runs the state's background tasks."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state.start_soon(lambda: reap_expired(state), name="longpoll-reaper")
        try:
            yield
        finally:
            state.shut_down()
            await state.wait_background_done()

    app = Starlette(
        routes=routes(),
        lifespan=lifespan,
        exception_handlers={
            RequestError: _on_request_error,
            HTTPException: _on_http_exception,
            RecursionError: _on_too_deep,
            ClientDisconnect: _on_client_disconnect,
            Exception: _on_unexpected,
        },
    )
    app.router.default = _no_endpoint
    app.state.emulator = state
    return app
