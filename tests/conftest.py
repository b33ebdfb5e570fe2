"""Shared fixtures: every async test runs under asyncio and under trio."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from streamchat_core.client import StreamChatClient
from streamchat_core.plugins import refresh_transports


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(autouse=True)
def _fresh_client_state() -> Iterator[None]:
    # The client singleton and the transport-plugin cache are process-wide: no test may see
    # another's.
    StreamChatClient.reset_instance()
    refresh_transports()
    yield
    StreamChatClient.reset_instance()
    refresh_transports()
