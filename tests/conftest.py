"""Fixtures every test directory shares.

Every async test runs under asyncio and under trio (``anyio_backend``). Emulators come from the
``streamchat_emulator`` fixture (one, default settings) or from ``make_emulator`` (several, or
with other settings); both start from the directory's ``streamchat_emulator_options``, which
a directory's conftest overrides. The test helper modules (``client_helpers``,
``emulator_peer``, ...) are importable by name through the ``pythonpath`` option in
``pyproject.toml``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from streamchat_core.client import StreamChatClient
from streamchat_core.plugins import refresh_transports

if TYPE_CHECKING:
    from streamchat_core.emulator import Emulator


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


@pytest.fixture
def make_emulator(streamchat_emulator_options: dict[str, Any]) -> Iterator[Callable[..., Emulator]]:
    """Start emulators with the directory's settings changed by the given ones; stopped after the test.

    The settings are merged as the ``streamchat_emulator`` fixture merges them: development
    tokens allowed unless the options say otherwise.
    """
    from streamchat_core.emulator import Emulator

    started: list[Emulator] = []

    def make(**options: Any) -> Emulator:
        emulator = Emulator(**{"allow_dev_tokens": True, **streamchat_emulator_options, **options})
        emulator.start()
        started.append(emulator)
        return emulator

    yield make
    for emulator in started:
        emulator.stop()
