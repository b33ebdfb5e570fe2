"""Fixtures for the transports' own contract tests, run against every registered transport.

A test that takes ``transport_name`` runs once for each transport the registry lists (the
built-in ones and the test plugin, ``plugin/streamchat_test_relay.py``, installed for the test),
unless it parametrizes ``transport_name`` itself. The emulator is the project's own
``streamchat_emulator`` fixture, with no periodic health checks and long-held polls, so that
every frame a test sees is one it asked for.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from transport_helpers import plugin_installed, registered_transports


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "transport_name" not in metafunc.fixturenames:
        return
    for marker in metafunc.definition.iter_markers("parametrize"):
        names = marker.args[0]
        if "transport_name" in ([n.strip() for n in names.split(",")] if isinstance(names, str) else names):
            return
    metafunc.parametrize("transport_name", registered_transports(), indirect=True)


@pytest.fixture
def transport_name(request: pytest.FixtureRequest) -> Iterator[str]:
    """A registered transport's name, with the test plugin installed so that every name resolves."""
    with plugin_installed():
        yield str(request.param)


@pytest.fixture
def streamchat_emulator_options() -> dict[str, Any]:
    return {"allow_dev_tokens": True, "health_interval": 600.0, "longpoll_timeout": 600.0}
