"""The connection states a client goes through."""

from __future__ import annotations

import enum

__all__ = ["ConnectionState"]


class ConnectionState(str, enum.Enum):
    """Where the client's connection stands.

    ``INITIALIZING`` until the first ``connect_user``; ``CONNECTING`` while opening a connection,
    first or again after losing one; ``CONNECTED`` while a connection is up; ``DISCONNECTED``
    after ``disconnect_user``, or once connecting has failed for good (an API rejection, or no
    connection within ``connect_timeout`` the first time).
    """

    INITIALIZING = "initializing"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"

    def __str__(self) -> str:
        return self.value
