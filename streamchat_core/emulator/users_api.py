"""``/users``: query, upsert and partially update users.

- ``GET /users?payload=…``: a filter (``$eq``, ``$in`` and friends), a sort, a limit.
- ``POST /users``: full upserts, ``{"users": {id: user}}``.
- ``PATCH /users``: ``{"users": [{"id", "set", "unset"}]}``.

A server token may change anyone; a user token only its own user, and never its role. Every
user in a request is checked before any is stored, so a bad one changes nothing. Each change
sends ``user.updated`` to the user's connections and to those watching a channel with it.
Users are answered in the shape of :func:`~streamchat_core.emulator.user_views.user_view`, with
their privacy settings.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

import streamchat_wire as wire
from streamchat_core.emulator.auth import Caller
from streamchat_core.emulator.clock import now_ns
from streamchat_core.emulator.errors import INPUT, NOT_ALLOWED, RequestError
from streamchat_core.emulator.httpio import caller_of, decode_body, decode_query_json, json_response, state_of
from streamchat_core.emulator.user_views import user_view
from streamchat_core.errors import InvalidUserError
from streamchat_core.validation import validate_user

__all__ = ["query_users", "update_users_partial", "upsert_users"]

_MAX_USERS_PER_REQUEST = 100


def _may_change(caller: Caller, user_id: str) -> None:
    if caller.user_id is not None and caller.user_id != user_id:
        raise RequestError(NOT_ALLOWED, 403, f"user {caller.user_id!r} may not change user {user_id!r}")


def _count(n: int) -> None:
    if n == 0:
        raise RequestError(INPUT, 400, "users is empty; give at least one user")
    if n > _MAX_USERS_PER_REQUEST:
        raise RequestError(
            INPUT, 400, f"{n} users in one request; at most {_MAX_USERS_PER_REQUEST} are allowed"
        )


async def query_users(request: Request) -> Response:
    caller_of(request)
    state = state_of(request)
    payload = decode_query_json(request, "payload", wire.QueryUsersPayload)
    found = state.users.query(
        {} if payload.filter_conditions is None else payload.filter_conditions,
        [] if payload.sort is None else payload.sort,
        payload.limit,
        payload.offset,
    )
    return json_response({"users": [user_view(r, private=True) for r in found]})


async def upsert_users(request: Request) -> Response:
    caller = caller_of(request)
    state = state_of(request)
    body = await decode_body(request, wire.UpsertUsersRequest)
    _count(len(body.users))
    now = now_ns()
    records: list[dict[str, Any]] = []
    for key, user in body.users.items():
        if key != user.id:
            raise RequestError(
                INPUT, 400, f"users[{key!r}] holds a user with id {user.id!r}; the key must be the id"
            )
        _may_change(caller, user.id)
        try:
            validate_user(user)
        except InvalidUserError as exc:
            raise RequestError(INPUT, 400, str(exc)) from None
        records.append(state.users.prepare_replace(user, now, by_server=caller.is_server))
    for record in records:
        state.users.commit(record)
        state.user_changed(record)
    return json_response({"users": {r["id"]: user_view(r, private=True) for r in records}})


async def update_users_partial(request: Request) -> Response:
    caller = caller_of(request)
    state = state_of(request)
    body = await decode_body(request, wire.PartialUpdateUsersRequest)
    _count(len(body.users))
    now = now_ns()
    seen: set[str] = set()
    records: list[dict[str, Any]] = []
    for update in body.users:
        if update.id in seen:
            raise RequestError(INPUT, 400, f"user {update.id!r} appears twice in one request")
        seen.add(update.id)
        _may_change(caller, update.id)
        records.append(
            state.users.prepare_partial(
                update.id,
                {} if update.set is None else update.set,
                [] if update.unset is None else update.unset,
                now,
                by_server=caller.is_server,
            )
        )
    for record in records:
        state.users.commit(record)
        state.user_changed(record)
    return json_response({"users": {r["id"]: user_view(r, private=True) for r in records}})
