"""Request and response plumbing shared by the HTTP endpoints: auth, bodies, JSON answers."""

from __future__ import annotations

from typing import Any, TypeVar

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from streamchat_core import codec
from streamchat_core.emulator.auth import Caller, authenticate, check_api_key
from streamchat_core.emulator.errors import AUTHENTICATION, INPUT, PAYLOAD_TOO_BIG, RequestError
from streamchat_core.emulator.nesting import check_nesting
from streamchat_core.emulator.state import EmulatorState
from streamchat_core.errors import DecodeError

__all__ = ["caller_of", "decode_body", "decode_query_json", "error_response", "json_response", "state_of"]

T = TypeVar("T")


def state_of(request: Request) -> EmulatorState:
    state: EmulatorState = request.app.state.emulator
    return state


def request_token(request: Request) -> str | None:
    return request.headers.get("authorization") or request.query_params.get("authorization")


def caller_of(request: Request) -> Caller:
    """Check the API key and token of a REST request (a server token is accepted everywhere).

    A user token must belong to the ``user_id`` parameter when one is sent.
    """
    state = state_of(request)
    params = request.query_params
    check_api_key(state.config, params.get("api_key"))
    caller = authenticate(
        state.config,
        request_token(request),
        request.headers.get("stream-auth-type") or params.get("stream-auth-type"),
    )
    user_id = params.get("user_id")
    if user_id and caller.user_id is not None and user_id != caller.user_id:
        raise RequestError(
            AUTHENTICATION, 401, f"the token is for user {caller.user_id!r}, not for user_id {user_id!r}"
        )
    return caller


async def read_body(request: Request) -> bytes:
    """The request body, refused with code 22 (HTTP 413) past the configured limit, and with
    code 4 when it nests deeper than :data:`~streamchat_core.emulator.nesting.MAX_DEPTH`."""
    limit = state_of(request).config.max_body_bytes
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise RequestError(INPUT, 400, "the Content-Length header is not a number") from None
        if size > limit:
            raise RequestError(
                PAYLOAD_TOO_BIG, 413, f"the request body is {size:,} bytes; the limit is {limit:,} bytes"
            )
    chunks: list[bytes] = []
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise RequestError(
                    PAYLOAD_TOO_BIG, 413, f"the request body is over the limit of {limit:,} bytes"
                )
            chunks.append(chunk)
    except ClientDisconnect:
        # The client went away, or sent a body h11 refused (the protocol has answered that).
        raise RequestError(INPUT, 400, "the request body ended before it was complete") from None
    body = b"".join(chunks)
    check_nesting(body, "the request body")
    return body


async def decode_body(request: Request, type: type[T], *, empty: bytes | None = None) -> T:
    """Decode the JSON body into a wire model; code 4 for anything that does not fit.

    ``empty`` stands in for a missing body when the endpoint allows one (``b"{}"``).
    """
    body = await read_body(request)
    if not body.strip():
        if empty is None:
            raise RequestError(INPUT, 400, "the request body is empty; a JSON object is expected")
        body = empty
    try:
        return codec.decode(body, type)
    except DecodeError as exc:
        raise RequestError(INPUT, 400, f"the request body is not valid: {exc}") from None


def decode_query_json(request: Request, name: str, type: type[T]) -> T:
    """Decode a JSON-encoded query parameter (``GET /users?payload=…``); code 4 when it is bad."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        raise RequestError(INPUT, 400, f"the {name} query parameter is missing")
    check_nesting(raw, f"the {name} query parameter")
    try:
        return codec.decode(raw, type)
    except DecodeError as exc:
        raise RequestError(INPUT, 400, f"the {name} query parameter is not valid: {exc}") from None


def json_response(body: Any, status: int = 200) -> Response:
    """A JSON answer; ``body`` is a dict (given a ``duration`` as Stream does) or encoded bytes."""
    if isinstance(body, dict):
        body.setdefault("duration", "0.00ms")
        content = codec.encode(body)
    else:
        content = body
    return Response(content=content, status_code=status, media_type="application/json")


def error_response(exc: RequestError) -> Response:
    # After a body over the limit the connection closes (the server reads and throws away what
    # the client still sends for a while, so that it reads this answer), rather than reading a
    # body of any declared size to keep the connection.
    headers = {"connection": "close"} if exc.status == 413 else None
    return Response(
        content=exc.body(), status_code=exc.status, headers=headers, media_type="application/json"
    )
