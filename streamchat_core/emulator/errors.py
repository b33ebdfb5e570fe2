"""The errors the emulator answers with, in Stream's shape.

One exception, :class:`RequestError`, carries a Stream error code, an HTTP status and a
message. Handlers raise it; the WebSocket endpoint turns it into an error frame followed by a
close with code 1000, every HTTP endpoint into an error body with the matching status.

An error body carries the fields at the top level, where Stream puts them and where its
official clients (JavaScript and Python) read ``code``, and the same object again under
``error``, the envelope the WebSocket uses, so that a client reading either finds it.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

__all__ = [
    "ACCESS_KEY",
    "AUTHENTICATION",
    "CONNECTION_ID_NOT_FOUND",
    "DOES_NOT_EXIST",
    "INPUT",
    "INTERNAL",
    "NOT_ALLOWED",
    "PAYLOAD_TOO_BIG",
    "TOKEN_EXPIRED",
    "TOKEN_NOT_VALID_YET",
    "TOKEN_SIGNATURE",
    "TOKEN_USED_BEFORE_ISSUED",
    "RequestError",
]

MORE_INFO: Final = "https://getstream.io/chat/docs/api_errors_response"

INTERNAL: Final = -1
ACCESS_KEY: Final = 2
INPUT: Final = 4
AUTHENTICATION: Final = 5
DOES_NOT_EXIST: Final = 16
NOT_ALLOWED: Final = 17
PAYLOAD_TOO_BIG: Final = 22
TOKEN_EXPIRED: Final = 40
TOKEN_NOT_VALID_YET: Final = 41
TOKEN_USED_BEFORE_ISSUED: Final = 42
TOKEN_SIGNATURE: Final = 43
CONNECTION_ID_NOT_FOUND: Final = 46

_ENCODER: Final = msgspec.json.Encoder()


class RequestError(Exception):
    """A request or connection the emulator rejects: Stream ``code``, HTTP ``status``, ``message``.

    The message goes to the client as it is, so it must never contain a token or the secret.
    """

    def __init__(self, code: int, status: int, message: str) -> None:
        super().__init__(f"error code {code} (HTTP {status}): {message}")
        self.code = code
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
        """The HTTP error body: the fields at the top level, and again under ``error``."""
        payload = self.payload()
        return _ENCODER.encode({**payload, "error": payload})
