"""Fixtures for the channel tests; lets them import their helpers (tests/ is not a package)."""

from __future__ import annotations

import pathlib
import sys
from collections.abc import Iterator

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from streamchat_core.client import StreamChatClient
from streamchat_core.plugins import refresh_transports


@pytest.fixture(autouse=True)
def _fresh_state() -> Iterator[None]:
    # The singleton and the plugin cache are process-wide: no test may see another's.
    StreamChatClient.reset_instance()
    refresh_transports()
    yield
    StreamChatClient.reset_instance()
    refresh_transports()
