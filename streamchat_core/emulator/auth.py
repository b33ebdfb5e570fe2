"""Token checks, mapped to Stream's error codes.

A user token is an HS256 JWT signed with the app secret and carrying ``user_id``; a server token
carries ``server: true`` instead. ``exp``, ``iat`` and ``nbf`` are honoured: expired is code 40,
not valid yet (``nbf``) 41, used before issued (``iat``) 42, a bad signature or a token that is
not a JWT 43. Development tokens (signature ``devtoken``) pass only when the emulator allows
them. No message here ever contains the token or the secret.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt

from streamchat_core.emulator.config import EmulatorConfig
from streamchat_core.emulator.errors import (
    ACCESS_KEY,
    AUTHENTICATION,
    INPUT,
    NOT_ALLOWED,
    TOKEN_EXPIRED,
    TOKEN_NOT_VALID_YET,
    TOKEN_SIGNATURE,
    TOKEN_USED_BEFORE_ISSUED,
    RequestError,
)
from streamchat_core.errors import InvalidTokenError
from streamchat_core.tokens import token_claims

__all__ = ["Caller", "authenticate", "check_api_key", "create_token", "verify_token"]

_DEV_SIGNATURE = "devtoken"


@dataclass(frozen=True)
class Caller:
    """Who made a request: a user (``user_id``) or the app's backend (``user_id is None``)."""

    user_id: str | None

    @property
    def is_server(self) -> bool:
        return self.user_id is None


def check_api_key(config: EmulatorConfig, api_key: str | None) -> None:
    if not api_key:
        raise RequestError(INPUT, 400, "the api_key query parameter is missing")
    if api_key != config.api_key:
        raise RequestError(ACCESS_KEY, 401, "api_key not found: this emulator serves another API key")


def _number_claim(claims: Mapping[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RequestError(TOKEN_SIGNATURE, 401, f"JWTAuth error: the token's {name} claim is not a number")
    return float(value)


def verify_token(config: EmulatorConfig, token: str, now: float | None = None) -> dict[str, Any]:
    """The verified claims of ``token``; raises :class:`RequestError` with code 40 to 43."""
    parts = token.split(".")
    if len(parts) != 3:
        raise RequestError(
            TOKEN_SIGNATURE, 401, "JWTAuth error: the token is not a JWT (it needs three parts)"
        )
    if parts[2] == _DEV_SIGNATURE:
        if not config.allow_dev_tokens:
            raise RequestError(
                TOKEN_SIGNATURE,
                401,
                "JWTAuth error: development tokens are not accepted; "
                "start the emulator with --allow-dev-tokens to use them",
            )
        try:
            claims = token_claims(token)
        except InvalidTokenError as exc:
            raise RequestError(TOKEN_SIGNATURE, 401, f"JWTAuth error: {exc}") from None
    else:
        try:
            claims = jwt.decode(
                token,
                config.api_secret,
                algorithms=["HS256"],
                options={
                    "verify_signature": True,
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "verify_aud": False,
                    "verify_iss": False,
                    "verify_sub": False,
                    "verify_jti": False,
                },
            )
        except jwt.InvalidSignatureError:
            raise RequestError(TOKEN_SIGNATURE, 401, "JWTAuth error: signature is not valid") from None
        except jwt.InvalidAlgorithmError:
            raise RequestError(
                TOKEN_SIGNATURE, 401, "JWTAuth error: the token must be signed with HS256"
            ) from None
        except jwt.InvalidTokenError:
            raise RequestError(TOKEN_SIGNATURE, 401, "JWTAuth error: the token is not a valid JWT") from None
    if not isinstance(claims, dict):
        raise RequestError(TOKEN_SIGNATURE, 401, "JWTAuth error: the token's payload is not a JSON object")
    now = time.time() if now is None else now
    exp = _number_claim(claims, "exp")
    if exp is not None and now >= exp:
        raise RequestError(TOKEN_EXPIRED, 401, "JWTAuth error: token is expired (exp)")
    iat = _number_claim(claims, "iat")
    if iat is not None and iat > now:
        raise RequestError(TOKEN_USED_BEFORE_ISSUED, 401, "JWTAuth error: token used before issue at (iat)")
    nbf = _number_claim(claims, "nbf")
    if nbf is not None and nbf > now:
        raise RequestError(TOKEN_NOT_VALID_YET, 401, "JWTAuth error: token is not valid yet (nbf)")
    return claims


def authenticate(config: EmulatorConfig, token: str | None, auth_type: str | None) -> Caller:
    """Check a request's token (``Authorization`` and ``stream-auth-type``) and say who sent it."""
    auth_type = (auth_type or "jwt").lower()
    if auth_type == "anonymous":
        raise RequestError(NOT_ALLOWED, 403, "anonymous users are not enabled on this emulator")
    if auth_type != "jwt":
        raise RequestError(
            INPUT, 400, f"stream-auth-type must be 'jwt' or 'anonymous', not {auth_type[:40]!r}"
        )
    if not token:
        raise RequestError(
            AUTHENTICATION, 401, "the token is missing (Authorization header or authorization parameter)"
        )
    claims = verify_token(config, token)
    if claims.get("server") is True:
        return Caller(None)
    user_id = claims.get("user_id")
    if not isinstance(user_id, str) or not user_id:
        raise RequestError(AUTHENTICATION, 401, "the token has neither a user_id claim nor server: true")
    return Caller(user_id)


def create_token(
    secret: str,
    user_id: str | None,
    *,
    exp: float | None = None,
    iat: float | None = None,
    nbf: float | None = None,
) -> str:
    """An HS256 token: a user token for ``user_id``, or a server token when it is ``None``."""
    claims: dict[str, Any] = {"server": True} if user_id is None else {"user_id": user_id}
    for name, value in (("exp", exp), ("iat", iat), ("nbf", nbf)):
        if value is not None:
            claims[name] = int(value)
    return jwt.encode(claims, secret, algorithm="HS256")
