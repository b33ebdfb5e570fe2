"""Tokens as the client sees them: development tokens, and reading (not verifying) claims.

The client never holds the API secret, so it cannot verify a token; it only reads the claims
it needs: ``user_id`` to check a static token belongs to the user connecting, and ``exp`` to
refresh ahead of expiry. Nothing here ever logs or prints a token.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import msgspec

from streamchat_core.errors import InvalidTokenError

__all__ = ["dev_token", "token_claims"]

# {"alg":"HS256","typ":"JWT"}, as Stream's clients write it.
_DEV_HEADER = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"


def dev_token(user_id: str) -> str:
    """A development token for ``user_id``, accepted only by apps (or emulators) with auth checks off.

    Byte-for-byte what Stream's JavaScript client builds: a fixed header, the padded standard
    base64 of ``{"user_id": …}`` and the literal signature ``devtoken``.
    """
    payload = base64.b64encode(msgspec.json.encode({"user_id": user_id})).decode()
    return f"{_DEV_HEADER}.{payload}.devtoken"


def token_claims(token: str) -> dict[str, Any]:
    """The claims of a JWT, read without verifying the signature.

    Raises :class:`InvalidTokenError` (which never contains the token) when it is not a JWT.
    """
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        raise InvalidTokenError("the token is not a JWT: it must have three dot-separated parts")
    body = parts[1]
    try:
        # Accept URL-safe and standard alphabets, with or without padding.
        raw = base64.urlsafe_b64decode(body.replace("+", "-").replace("/", "_") + "=" * (-len(body) % 4))
        claims = msgspec.json.decode(raw)
    except (binascii.Error, ValueError, msgspec.DecodeError) as exc:
        # binascii's and msgspec's messages say what is wrong and where, never quote the input,
        # so the cause is safe to chain (and says which of the two failed).
        raise InvalidTokenError("the token's payload is not base64-encoded JSON") from exc
    if not isinstance(claims, dict):
        raise InvalidTokenError("the token's payload is not a JSON object")
    return claims
