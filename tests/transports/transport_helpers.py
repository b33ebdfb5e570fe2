"""Helpers for the transports' tests: every registered transport, and what each one speaks."""

from __future__ import annotations

import importlib
import pathlib
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal
from urllib.parse import quote

import anyio

from streamchat_core.plugins import available_transports, refresh_transports
from streamchat_core.transport import ConnectRequest
from streamchat_transports.longpoll import LongPollTransport
from streamchat_transports.websocket import WebSocketTransport

#: Where the test plugin's distribution is "installed" (see ``plugin/streamchat_test_relay.py``).
PLUGIN_PATH = pathlib.Path(__file__).parent / "plugin"
PLUGIN_MODULE = "streamchat_test_relay"
PLUGIN_NAME = "relay"

#: JWT-shaped, with characters that URL-encoding changes: a redactor must catch every form.
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoiam9obiJ9.s1g+n/at=ure"

Protocol = Literal["websocket", "longpoll"]


@contextmanager
def plugin_installed() -> Iterator[None]:
    """The test plugin on ``sys.path``, as pip would install it, and the registry read again."""
    path = str(PLUGIN_PATH)
    sys.path.insert(0, path)
    importlib.invalidate_caches()
    refresh_transports()
    try:
        yield
    finally:
        sys.path.remove(path)
        sys.modules.pop(PLUGIN_MODULE, None)
        importlib.invalidate_caches()
        refresh_transports()


def registered_transports() -> list[str]:
    """The names of every registered transport, the built-ins first, the test plugin included."""
    with plugin_installed():
        return available_transports()


def wire_protocol(transport: object) -> Protocol | None:
    """What a transport speaks on the wire, so that a test can serve it; ``None`` if unknown."""
    while transport is not None:
        if isinstance(transport, WebSocketTransport):
            return "websocket"
        if isinstance(transport, LongPollTransport):
            return "longpoll"
        # The test plugin relays to another transport and says which.
        transport = getattr(transport, "inner", None)
    return None


def connect_request(
    base_url: str, *, api_key: str = "key", token: str = TOKEN, timeout: float = 6.0
) -> ConnectRequest:
    """A connect request for john, as the session makes it."""
    return ConnectRequest(
        base_url=base_url,
        api_key=api_key,
        user_id="john",
        payload=b'{"user_id":"john","user_details":{"id":"john","name":"J D"}}',
        token=token,
        user_agent="stream-chat-python-core-v0|x=y",
        timeout=timeout,
    )


async def refusing_port() -> int:
    """A loopback port nobody listens on."""
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    port: int = listener.extra(anyio.abc.SocketAttribute.local_port)
    await listener.aclose()
    return port


def token_forms(token: str) -> list[str]:
    """``token`` as a message could hold it: as it is, and URL-encoded."""
    return [token, quote(token, safe=""), quote(token)]


def displayed(error: BaseException) -> str:
    """The exception as a traceback shows it: the message and every cause it shows."""
    return "".join(traceback.format_exception(type(error), error, error.__traceback__)) + repr(error)
