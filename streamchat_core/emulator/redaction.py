"""Keep tokens and secrets out of log records.

URLs carry the user token in ``authorization=``, and uvicorn and websockets log request lines
and (at trace level) headers. :class:`RedactingFilter`, installed on the loggers the server
writes to, rewrites each record's message before any handler sees it. What counts as a token
is :func:`streamchat_core.transport.redact`'s business, so that client and emulator logs hide
the same things the same way (``<redacted>``); this module adds the secrets of the emulators
running in this process.
"""

from __future__ import annotations

import logging
import threading
from typing import Final

from streamchat_core import transport

__all__ = ["RedactingFilter", "install", "redact", "register_secret", "unregister_secret"]

_LOGGERS: Final = (
    "uvicorn",
    "uvicorn.error",
    "uvicorn.access",
    "uvicorn.asgi",
    "websockets",
    "streamchat.emulator",
)

_secrets: dict[str, int] = {}
_lock = threading.Lock()


def register_secret(secret: str) -> None:
    with _lock:
        _secrets[secret] = _secrets.get(secret, 0) + 1


def unregister_secret(secret: str) -> None:
    with _lock:
        left = _secrets.get(secret, 0) - 1
        if left > 0:
            _secrets[secret] = left
        else:
            _secrets.pop(secret, None)


def redact(text: str) -> str:
    """``text`` without tokens (see :func:`streamchat_core.transport.redact`) or registered secrets."""
    with _lock:
        secrets = list(_secrets)
    return transport.redact(text, secrets)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (and drops its arguments) when it holds a token or secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logger's problem, not ours
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        if record.exc_info and record.exc_text is None:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(formatted)
        return True


_FILTER: Final = RedactingFilter()


def install() -> None:
    """Put the filter on every logger the emulator's server writes to (once)."""
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
