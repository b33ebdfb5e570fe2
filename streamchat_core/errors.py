"""The exceptions the library raises.

Two families, kept apart on purpose. :class:`StreamChatError` and its subclasses are failures
of the world: Stream (or the emulator) said no, the network failed, a frame made no sense, a
token provider failed. Retrying, or reporting the failure, can make sense. :class:`UsageError`
is a mistake in the calling program (the client used outside ``async with client:``, two
users at once, ``get_instance`` with another key): it is a ``RuntimeError`` and *not* a
``StreamChatError``, so an ``except StreamChatError`` retry loop never swallows a bug.

The tree (indented under its base; every class here is in it)::

    StreamChatError
        DecodeError                  also a ValueError: a frame or body that cannot be decoded
        InvalidUserError             also a ValueError: a user object breaking Stream's rules
        InvalidTokenError            also a ValueError: not a JWT, or another user's
        NotConnectedError            the call needs a connected user
        TokenProviderError           the token provider raised or returned a non-token
        TransportLoadError           a transport plugin could not be loaded
        TransportError               the network failed (``retryable``, ``status_code``)
            ConnectTimeoutError      opening took longer than ``connect_timeout``
            ConnectionClosedError    the connection ended (``close_code``, ``close_reason``)
            UpgradeRejectedError     the opening request got an HTTP error (``body``)
        StreamAPIError               Stream rejected a request (``code``, ``status_code``, ...)
            AccessKeyError           code 2
            InputError               code 4
            TokenExpiredError        code 40
            TokenNotValidYetError    code 41
            TokenUsedBeforeIssuedError  code 42
            TokenSignatureError      code 43
            ConnectionIDNotFoundError   code 46
    UsageError                       a RuntimeError: the program used the library wrongly
    RedactedCause                    never raised: stands in for a cause that held a secret

Errors that Stream reports carry Stream's own ``code`` (see :mod:`streamchat_core.error_codes`,
the table of codes), the HTTP ``status_code`` and the server's ``message``. No message here
ever contains a token or a secret.

Foreign exceptions (httpx's, a WebSocket library's) are translated where they enter the
library, by :func:`map_exceptions`, with the original chained as ``__cause__``, so a traceback
shows what really happened; when the original's text would print a token, a
:class:`RedactedCause` with the text redacted is chained in its place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar

from streamchat_core.error_codes import ErrorCode

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
    "RedactedCause",
    "StreamAPIError",
    "StreamChatError",
    "TokenExpiredError",
    "TokenNotValidYetError",
    "TokenProviderError",
    "TokenSignatureError",
    "TokenUsedBeforeIssuedError",
    "TransportError",
    "TransportLoadError",
    "UpgradeRejectedError",
    "UsageError",
    "api_error",
    "map_exceptions",
]


class StreamChatError(Exception):
    """Base of every failure streamchat-core reports (its misuse is a :class:`UsageError`)."""


class UsageError(RuntimeError):
    """The calling program used the library wrongly: a bug to fix, not a failure to retry.

    Raised, for example, when the client is used outside ``async with client:``, when
    ``async with client:`` is nested, when another user connects before ``disconnect_user()``,
    or when ``get_instance`` is asked for another API key. Deliberately not a
    :class:`StreamChatError`.
    """


class RedactedCause(Exception):
    """Chained as the ``__cause__`` of an error in place of a foreign exception whose text held a secret.

    Its message is the original's class and message, with the secret redacted. It is never
    raised on its own: see :func:`map_exceptions`.
    """


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


class UpgradeRejectedError(TransportError):
    """The server answered the request that opens a connection with an HTTP error status.

    A WebSocket upgrade answered with anything but 101, or a long-poll connect request answered
    with a non-2xx status. ``status_code`` is that status and ``body`` the raw body of the
    answer, never in the message. The transport does not read the body, the core does: a Stream
    error body (``{"error": …}``) becomes its :class:`StreamAPIError` (never retried, no
    fallback); anything else (a firewall's or a proxy's page) leaves this retryable error, which
    may fall back to another transport.
    """

    def __init__(self, message: str, *, status_code: int, body: bytes = b"", retryable: bool = True) -> None:
        super().__init__(message, retryable=retryable, status_code=status_code)
        self.body = body


class TokenProviderError(StreamChatError):
    """The token provider given to ``connect_user`` raised, or returned something that is not a token."""


class TransportLoadError(StreamChatError):
    """A transport plugin was asked for by name and could not be loaded; the cause is chained."""


class StreamAPIError(StreamChatError):
    """Stream (or the emulator) rejected a request or a connection.

    Attributes mirror Stream's error body: ``code`` (Stream's error code), ``status_code`` (the
    HTTP status, ``StatusCode`` on the wire), ``message``, ``more_info``, ``details``,
    ``duration``, ``exception_fields`` and ``unrecoverable``. A subclass stands for one code of
    :class:`~streamchat_core.error_codes.ErrorCode`, its class attribute ``error_code``; a code
    without a subclass (``error_code`` ``None``) raises this class itself.
    """

    #: The code this class stands for; ``None`` here, on the class for every other code.
    error_code: ClassVar[ErrorCode | None] = None
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
        # A plain int, also when given an ErrorCode: "code 4", never "ErrorCode.INPUT".
        self.code = int(code)
        self.message = message
        self.status_code = status_code
        self.more_info = more_info
        self.details = details or []
        self.duration = duration
        self.exception_fields = exception_fields or {}
        self.unrecoverable = unrecoverable
        status = f", HTTP {status_code}" if status_code is not None else ""
        super().__init__(f"Stream error code {self.code}{status}: {message}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (api_error, (self.code, self.message, self.status_code))


class AccessKeyError(StreamAPIError):
    """Code 2: the API key is unknown."""

    error_code = ErrorCode.ACCESS_KEY


class InputError(StreamAPIError):
    """Code 4: the server found the input invalid."""

    error_code = ErrorCode.INPUT


class TokenExpiredError(StreamAPIError):
    """Code 40: the token's ``exp`` has passed."""

    error_code = ErrorCode.TOKEN_EXPIRED


class TokenNotValidYetError(StreamAPIError):
    """Code 41: the token's ``nbf`` is in the future."""

    error_code = ErrorCode.TOKEN_NOT_VALID_YET


class TokenUsedBeforeIssuedError(StreamAPIError):
    """Code 42: the token's ``iat`` is in the future."""

    error_code = ErrorCode.TOKEN_USED_BEFORE_ISSUED


class TokenSignatureError(StreamAPIError):
    """Code 43: the token's signature does not verify."""

    error_code = ErrorCode.TOKEN_SIGNATURE


class ConnectionIDNotFoundError(StreamAPIError):
    """Code 46: the server does not know the connection id (a long-poll connection expired)."""

    error_code = ErrorCode.CONNECTION_ID_NOT_FOUND


_BY_CODE: dict[int, type[StreamAPIError]] = {
    cls.error_code: cls
    for cls in (
        AccessKeyError,
        InputError,
        TokenExpiredError,
        TokenNotValidYetError,
        TokenUsedBeforeIssuedError,
        TokenSignatureError,
        ConnectionIDNotFoundError,
    )
    if cls.error_code is not None
}


def api_error(code: int, message: str, status_code: int | None = None, **fields: Any) -> StreamAPIError:
    """Build the most specific :class:`StreamAPIError` subclass for a Stream error code."""
    cls = _BY_CODE.get(code, StreamAPIError)
    return cls(code, message, status_code=status_code, **fields)


@contextmanager
def map_exceptions(
    mapping: Mapping[type[Exception], Callable[[str], StreamChatError]]
    | Callable[[Exception, str], StreamChatError | None],
    *,
    redact: Callable[[str], str],
) -> Iterator[None]:
    """Translate a foreign exception raised in the block into ours, keeping it as the cause.

    The way every boundary with another library translates its errors (as httpcore's
    ``map_exceptions``). The first class of ``mapping`` (in order: put subclasses before their
    bases) that the exception is an instance of gives the factory of the error to raise; the
    factory gets the exception described as ``"ClassName: message"``, passed through
    ``redact``, so the new message never holds a secret. Exceptions ``mapping`` does not name
    pass through untouched.

    ``mapping`` may instead be a function of the exception and that description, for the
    translations a table cannot express: one that reads the exception's fields (an HTTP
    status and body, a close code) or depends on where the block is (a transport's errors
    once the connection is open are not the opening's). It returns the error to raise, or
    ``None`` to let the exception through; it must take any text it puts in a message from
    the description, or pass it through ``redact``.

    The original is chained as ``__cause__`` (``raise ours from exc``), so a traceback shows
    it, unless ``redact`` would change its text or the text of one of the exceptions it chains
    (a library that prints a URL or a header with the token in it): a traceback would print the
    secret, so a :class:`RedactedCause` carrying the redacted text is chained instead.
    """
    try:
        yield
    except Exception as exc:
        error = _translated(mapping, exc, redact)
        if error is None:
            raise
        raise error from _safe_cause(exc, redact)


def _translated(
    mapping: Mapping[type[Exception], Callable[[str], StreamChatError]]
    | Callable[[Exception, str], StreamChatError | None],
    exc: Exception,
    redact: Callable[[str], str],
) -> StreamChatError | None:
    """The error :func:`map_exceptions` raises for ``exc``; ``None`` to let it through."""
    if not isinstance(mapping, Mapping):
        return mapping(exc, redact(f"{type(exc).__name__}: {exc}"))
    for source, make in mapping.items():
        if isinstance(exc, source):
            return make(redact(f"{type(exc).__name__}: {exc}"))
    return None


def _safe_cause(exc: BaseException, redact: Callable[[str], str]) -> BaseException:
    """``exc``, or a :class:`RedactedCause` for it when a traceback of ``exc`` would show a secret."""
    seen: set[int] = set()
    link: BaseException | None = exc
    # The links a traceback prints, the way traceback.TracebackException follows them.
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        texts = [str(link), *(str(note) for note in getattr(link, "__notes__", ()))]
        if any(redact(text) != text for text in texts):
            name = f"{type(exc).__module__}.{type(exc).__qualname__}"
            return RedactedCause(
                f"{name}: {redact(str(exc))} (the original is not chained: it held a secret)"
            )
        link = link.__cause__ if link.__cause__ is not None or link.__suppress_context__ else link.__context__
    return exc
