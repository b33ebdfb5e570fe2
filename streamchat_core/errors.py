"""The exceptions the library raises.

Everything derives from :class:`StreamChatError`. Errors that Stream (or the emulator) reports
carry Stream's own ``code``, the HTTP ``status_code`` and the server's ``message``; errors that
come from the network are :class:`TransportError` subclasses. No message here ever contains a
token or a secret.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AccessKeyError",
    "ConnectTimeoutError",
    "ConnectionClosedError",
    "ConnectionIDNotFoundError",
    "DecodeError",
    "InputError",
    "InvalidTokenError",
    "InvalidUserError",
    "NotConnectedError",
    "StreamAPIError",
    "StreamChatError",
    "TokenExpiredError",
    "TokenNotValidYetError",
    "TokenProviderError",
    "TokenSignatureError",
    "TokenUsedBeforeIssuedError",
    "TransportError",
    "TransportLoadError",
    "api_error",
]


class StreamChatError(Exception):
    """Base of every exception raised by streamchat-core."""


class DecodeError(StreamChatError, ValueError):
    """A frame or body could not be decoded: not JSON, or not the shape the protocol says."""


class InvalidUserError(StreamChatError, ValueError):
    """A user object breaks Stream's rules (id alphabet and length, 5 KiB size limit).

    Raised before anything touches the network.
    """


class InvalidTokenError(StreamChatError, ValueError):
    """A token is not a JWT, or belongs to another user than the one connecting."""


class NotConnectedError(StreamChatError):
    """A call needs a connected user, and ``connect_user`` was never called (or was undone)."""


class TransportError(StreamChatError):
    """The network failed: a refused or reset connection, an HTTP error on the upgrade, a timeout.

    ``retryable`` tells the core whether trying again (or falling back) can help.
    ``status_code`` is the HTTP status when the failure was an HTTP answer.
    """

    def __init__(self, message: str, *, retryable: bool = True, status_code: int | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status_code = status_code


class ConnectTimeoutError(TransportError):
    """Opening a connection (handshake and first frame) took longer than ``connect_timeout``."""


class ConnectionClosedError(TransportError):
    """The connection was closed (by the peer, or under us) while it was being used.

    ``close_code`` and ``close_reason`` are the WebSocket close code and reason when there was
    one. A close with code 1000 before the first frame means the server turned the connection
    down on purpose, so it is not ``retryable``.
    """

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = True,
        close_code: int | None = None,
        close_reason: str = "",
    ) -> None:
        super().__init__(message, retryable=retryable)
        self.close_code = close_code
        self.close_reason = close_reason


class TokenProviderError(StreamChatError):
    """The token provider given to ``connect_user`` raised, or returned something that is not a token."""


class TransportLoadError(StreamChatError):
    """A transport plugin was asked for by name and could not be loaded; the cause is chained."""


class StreamAPIError(StreamChatError):
    """Stream (or the emulator) rejected a request or a connection.

    Attributes mirror Stream's error body: ``code`` (Stream's error code), ``status_code`` (the
    HTTP status, ``StatusCode`` on the wire), ``message``, ``more_info``, ``details``,
    ``duration``, ``exception_fields`` and ``unrecoverable``.
    """

    code: int

    def __init__(
        self,
        code: int,
        message: str,
        *,
        status_code: int | None = None,
        more_info: str = "",
        details: list[int] | None = None,
        duration: str = "",
        exception_fields: dict[str, Any] | None = None,
        unrecoverable: bool = False,
    ) -> None:
        self.code = code
        self.message = message
        self.status_code = status_code
        self.more_info = more_info
        self.details = details or []
        self.duration = duration
        self.exception_fields = exception_fields or {}
        self.unrecoverable = unrecoverable
        status = f", HTTP {status_code}" if status_code is not None else ""
        super().__init__(f"Stream error code {code}{status}: {message}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (api_error, (self.code, self.message, self.status_code))


class AccessKeyError(StreamAPIError):
    """Code 2: the API key is unknown."""


class InputError(StreamAPIError):
    """Code 4: the server found the input invalid."""


class TokenExpiredError(StreamAPIError):
    """Code 40: the token's ``exp`` has passed."""


class TokenNotValidYetError(StreamAPIError):
    """Code 41: the token's ``nbf`` is in the future."""


class TokenUsedBeforeIssuedError(StreamAPIError):
    """Code 42: the token's ``iat`` is in the future."""


class TokenSignatureError(StreamAPIError):
    """Code 43: the token's signature does not verify."""


class ConnectionIDNotFoundError(StreamAPIError):
    """Code 46: the server does not know the connection id (a long-poll connection expired)."""


_BY_CODE: dict[int, type[StreamAPIError]] = {
    2: AccessKeyError,
    4: InputError,
    40: TokenExpiredError,
    41: TokenNotValidYetError,
    42: TokenUsedBeforeIssuedError,
    43: TokenSignatureError,
    46: ConnectionIDNotFoundError,
}


def api_error(code: int, message: str, status_code: int | None = None, **fields: Any) -> StreamAPIError:
    """Build the most specific :class:`StreamAPIError` subclass for a Stream error code."""
    cls = _BY_CODE.get(code, StreamAPIError)
    return cls(code, message, status_code=status_code, **fields)
