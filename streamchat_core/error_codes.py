"""Stream's error codes: the one table both the client and the emulator read.

An error answer from Stream carries a numeric ``code`` next to the HTTP status. Each member of
:class:`ErrorCode` is one code: its value is the number, its name says what it is, ``status``
is the HTTP status Stream answers it with and ``meaning`` is Stream's description. The client
picks the :class:`~streamchat_core.errors.StreamAPIError` subclass for a code from here (see
:func:`streamchat_core.errors.api_error`); the emulator answers with codes from here only.

Sources: the table "API Error Codes" of Stream's chat documentation
(https://getstream.io/chat/docs/api_errors_response), which gives name, HTTP status, code and
description, and the code list of Stream's JavaScript client (``errors.ts``), which adds codes
the documentation leaves out (3, 46, 69, 70, 71) without an HTTP status: their ``status`` is
``None``. A code missing here is still a valid answer: it becomes a plain ``StreamAPIError``.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["ErrorCode"]


class ErrorCode(IntEnum):
    """One of Stream's error codes; an ``int``, with ``status`` and ``meaning`` attached.

    ``ErrorCode(40)`` looks a code up (``ValueError`` when it is not in the table), and
    ``ErrorCode.TOKEN_EXPIRED == 40``.
    """

    _value_: int
    #: The HTTP status Stream answers this code with; ``None`` when its documentation does not say.
    status: int | None
    #: What the code means, after Stream's documentation.
    meaning: str

    def __new__(cls, code: int, status: int | None, meaning: str) -> ErrorCode:
        member = int.__new__(cls, code)
        member._value_ = code
        member.status = status
        member.meaning = meaning
        return member

    INTERNAL = (-1, 500, "something went wrong in Stream's system")
    ACCESS_KEY = (2, 401, "the API key is not valid")
    AUTHENTICATION_FAILED = (3, None, "authentication failed")
    INPUT = (4, 400, "the request carries wrong data or a wrong parameter")
    AUTHENTICATION = (5, 401, "unauthenticated: a problem with the authentication")
    DUPLICATE_USERNAME = (6, 400, "the username is taken, and the app enforces unique usernames")
    RATE_LIMIT = (9, 429, "too many requests in a certain time frame")
    DOES_NOT_EXIST = (16, 404, "the resource does not exist")
    NOT_ALLOWED = (17, 403, "unauthorised: the user may not make this request")
    EVENT_NOT_SUPPORTED = (18, 400, "the event is not supported")
    CHANNEL_FEATURE_NOT_SUPPORTED = (19, 400, "the feature (reactions, replies, …) is turned off")
    MESSAGE_TOO_LONG = (20, 400, "the message is too long")
    MULTIPLE_NESTING_LEVEL = (21, 400, "a reply to a reply: threads are one level deep")
    PAYLOAD_TOO_BIG = (22, 413, "the request body is too big")
    REQUEST_TIMEOUT = (23, 408, "the request timed out")
    MAX_HEADER_SIZE_EXCEEDED = (24, 431, "the request headers are too large")
    TOKEN_EXPIRED = (40, 401, "unauthenticated: the token has expired")
    TOKEN_NOT_VALID_YET = (41, 401, "unauthenticated: the token is not valid yet")
    TOKEN_USED_BEFORE_ISSUED = (42, 401, "unauthenticated: the token's issued-at date is in the future")
    TOKEN_SIGNATURE = (43, 401, "unauthenticated: the token's signature is not valid")
    CUSTOM_COMMAND_ENDPOINT_MISSING = (44, 400, "the app has no custom_action_handler_url")
    CUSTOM_COMMAND_ENDPOINT_CALL = (45, 400, "the custom command handler returned an error")
    CONNECTION_ID_NOT_FOUND = (46, None, "the connection id is unknown (a long-poll connection expired)")
    COOLDOWN = (60, 403, "the user posted during the channel's cooldown (slow mode)")
    WRONG_REGION = (69, None, "the app lives in another region")
    QUERY_CHANNEL_PERMISSIONS = (70, None, "no access to the requested channels")
    TOO_MANY_CONNECTIONS = (71, None, "too many connections")
    APP_SUSPENDED = (99, 403, "the app is suspended")
