"""The emulator's settings, fixed for the life of one server."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

__all__ = ["EmulatorConfig"]


@dataclass(frozen=True)
class EmulatorConfig:
    """What one emulator serves, and its timers and limits.

    Times are in seconds. ``longpoll_expiry`` is how long a long-poll connection may go without
    a poll before it is forgotten (later polls get error 46); ``None`` means twice
    ``longpoll_timeout`` plus ten seconds.
    """

    api_key: str
    api_secret: str = field(repr=False)
    websocket: bool = True
    health_interval: float = 30.0
    longpoll_timeout: float = 20.0
    dead_connection_timeout: float = 60.0
    longpoll_expiry: float | None = None
    allow_dev_tokens: bool = False
    #: REST bodies larger than this get error 22 (HTTP 413).
    max_body_bytes: int = 1024 * 1024
    #: WebSocket messages from a client larger than this close the socket with 1009.
    max_frame_bytes: int = 64 * 1024
    #: Request line and header block: a user object travels in the /connect query string.
    max_request_head_bytes: int = 64 * 1024
    #: Events waiting for a slow connection; past this the connection is closed.
    max_queued_events: int = 50_000

    def __post_init__(self) -> None:
        if not isinstance(self.api_key, str) or not self.api_key:
            raise ValueError("api_key must be a non-empty string")
        if not isinstance(self.api_secret, str) or not self.api_secret:
            raise ValueError("api_secret must be a non-empty string")
        for name in ("health_interval", "longpoll_timeout", "dead_connection_timeout"):
            _check_positive(name, getattr(self, name))
        if self.longpoll_expiry is not None:
            _check_positive("longpoll_expiry", self.longpoll_expiry)
        for name in ("max_body_bytes", "max_frame_bytes", "max_request_head_bytes", "max_queued_events"):
            value = getattr(self, name)
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"{name} must be a positive integer, not {value!r}")

    @property
    def effective_longpoll_expiry(self) -> float:
        if self.longpoll_expiry is not None:
            return self.longpoll_expiry
        return 2 * self.longpoll_timeout + 10.0


def _check_positive(name: str, value: object) -> None:
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")
