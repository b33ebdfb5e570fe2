"""The errors the emulator answers with, in Stream's shape.

One exception, :class:`RequestError`, carries a Stream error code, an HTTP status and a
message. The codes are :class:`streamchat_core.error_codes.ErrorCode`'s, the table the client
reads too (the constants here are its members, under the names the handlers use), so the
emulator can only answer with a code the client knows. Handlers raise it; the WebSocket
endpoint turns it into an error frame followed by a close with code 1000, every HTTP endpoint
into an error body with the matching status.

An error body carries the fields at the top level, where Stream puts them and where its
official clients (JavaScript and Python) read ``code``, and the same object again under
``error``, the envelope the WebSocket uses, so that a client reading either finds it.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

from streamchat_core.error_codes import ErrorCode

__all__ = [
    "ACCESS_KEY",
    "AUTHENTICATION",
    "CONNECTION_ID_NOT_FOUND",
    "DOES_NOT_EXIST",
    "INPUT",
    "INTERNAL",
    "MESSAGE_TOO_LONG",
    "NOT_ALLOWED",
    "PAYLOAD_TOO_BIG",
    "TOKEN_EXPIRED",
    "TOKEN_NOT_VALID_YET",
    "TOKEN_SIGNATURE",
    "TOKEN_USED_BEFORE_ISSUED",
    "RequestError",
]

MORE_INFO: Final = "https://getstream.io/chat/docs/api_errors_response"

INTERNAL: Final = ErrorCode.INTERNAL
ACCESS_KEY: Final = ErrorCode.ACCESS_KEY
INPUT: Final = ErrorCode.INPUT
AUTHENTICATION: Final = ErrorCode.AUTHENTICATION
DOES_NOT_EXIST: Final = ErrorCode.DOES_NOT_EXIST
NOT_ALLOWED: Final = ErrorCode.NOT_ALLOWED
MESSAGE_TOO_LONG: Final = ErrorCode.MESSAGE_TOO_LONG
PAYLOAD_TOO_BIG: Final = ErrorCode.PAYLOAD_TOO_BIG
TOKEN_EXPIRED: Final = ErrorCode.TOKEN_EXPIRED
TOKEN_NOT_VALID_YET: Final = ErrorCode.TOKEN_NOT_VALID_YET
TOKEN_USED_BEFORE_ISSUED: Final = ErrorCode.TOKEN_USED_BEFORE_ISSUED
TOKEN_SIGNATURE: Final = ErrorCode.TOKEN_SIGNATURE
CONNECTION_ID_NOT_FOUND: Final = ErrorCode.CONNECTION_ID_NOT_FOUND

_ENCODER: Final = msgspec.json.Encoder()


class RequestError(Exception):
    """A request or connection the emulator rejects: Stream ``code``, HTTP ``status``, ``message``.

    The message goes to the client as it is, so it must never contain a token or the secret.
    """

    def __init__(self, code: ErrorCode, status: int, message: str) -> None:
        # Typed ErrorCode so that a code outside the shared table does not type-check; kept as
        # a plain int, so that it prints and encodes as Stream's number on every Python.
        super().__init__(f"error code {int(code)} (HTTP {status}): {message}")
        self.code = int(code)
        self.status = status
        self.message = message

    def payload(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "StatusCode": self.status,
            "duration": "0.00ms",
            "more_info": MORE_INFO,
            "details": [],
        }

    def frame(self) -> bytes:
        """The WebSocket error frame: ``{"error": {…}}``."""
        return _ENCODER.encode({"error": self.payload()})

    def body(self) -> bytes:
        """The HTTP error body: Stream's, flat (``code``, ``message``, ``StatusCode``, …)."""
        return _ENCODER.encode(self.payload())
