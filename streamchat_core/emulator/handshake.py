"""The checks a connect request passes, WebSocket or long-poll alike.

In order: the API key (code 2), the ``json`` connect payload (code 4), the token (40 to 43, or
5 when missing), the token's user against the connecting one (5), then the user object by the
client's own rules (code 4: id alphabet and length, under 5,120 bytes).
"""

from __future__ import annotations

import streamchat_wire as wire
from streamchat_core import codec
from streamchat_core.emulator.auth import authenticate, check_api_key
from streamchat_core.emulator.config import EmulatorConfig
from streamchat_core.emulator.errors import AUTHENTICATION, INPUT, RequestError
from streamchat_core.emulator.nesting import check_nesting
from streamchat_core.errors import DecodeError, InvalidUserError
from streamchat_core.validation import validate_user, validate_user_id

__all__ = ["check_connect"]


def parse_connect_payload(raw: str | None) -> wire.ConnectPayload:
    if raw is None or raw == "":
        raise RequestError(INPUT, 400, "the json query parameter (the connect payload) is missing")
    check_nesting(raw, "the json query parameter (the connect payload)")
    try:
        return codec.decode(raw, wire.ConnectPayload)
    except DecodeError as exc:
        raise RequestError(
            INPUT, 400, f"the json query parameter is not a valid connect payload: {exc}"
        ) from None


def check_connect(
    config: EmulatorConfig,
    *,
    api_key: str | None,
    payload: str | None,
    token: str | None,
    auth_type: str | None,
) -> wire.User:
    """Check a connect request; the connecting user, or :class:`RequestError`."""
    check_api_key(config, api_key)
    connect = parse_connect_payload(payload)
    caller = authenticate(config, token, auth_type)
    user = connect.user_details
    try:
        validate_user_id(connect.user_id)
    except InvalidUserError as exc:
        raise RequestError(INPUT, 400, invalid_user_id_message(connect.user_id, exc)) from None
    if user.id != connect.user_id:
        raise RequestError(
            INPUT, 400, f"user_id {connect.user_id!r} differs from user_details.id {user.id!r}"
        )
    if caller.user_id is None:
        raise RequestError(
            AUTHENTICATION, 401, "a server token cannot connect a user; sign a token with its user_id"
        )
    if caller.user_id != connect.user_id:
        raise RequestError(
            AUTHENTICATION,
            401,
            f"the token is for user {caller.user_id!r}, but the connecting user is {connect.user_id!r}",
        )
    try:
        validate_user(user)
    except InvalidUserError as exc:
        raise RequestError(INPUT, 400, str(exc)) from None
    return user


def invalid_user_id_message(user_id: str, why: InvalidUserError) -> str:
    """Stream's wording for a bad user id, then what exactly is wrong (the character, the length)."""
    shown = user_id if len(user_id) <= 64 else user_id[:64] + "…"
    return f'"{shown}" is not a valid user id. a-z, 0-9, @, _ and - are allowed. ({why})'
