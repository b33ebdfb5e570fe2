"""The ``streamchat_emulator`` pytest fixture, registered through the ``pytest11`` entry point.

Any test suite with streamchat-core installed can ask for a running emulator::

    def test_connect(streamchat_emulator):
        url = streamchat_emulator.base_url
        token = streamchat_emulator.create_token("alice")   # or Emulator.dev_token("alice")
        ...

Each test gets a fresh emulator (no state shared between tests), with development tokens
allowed. Change its settings for one test with the marker, or for a whole module or
directory by overriding ``streamchat_emulator_options``::

    @pytest.mark.streamchat_emulator(health_interval=0.5, websocket=False)
    def test_fallback(streamchat_emulator): ...

    @pytest.fixture
    def streamchat_emulator_options():
        return {"longpoll_timeout": 1.0}

The options are :class:`~streamchat_core.emulator.Emulator`'s keyword arguments. The fixture
works in sync and async tests alike (the emulator runs on its own thread).

Every pytest run of anyone who installed streamchat-core loads this module, so it lives outside
:mod:`streamchat_core.emulator` and imports nothing of it: without the ``[emulator]`` extra
pytest still starts, and only a test asking for the fixture fails, with one line naming the
extra.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from streamchat_core.extras import MissingExtraError, require_extra

if TYPE_CHECKING:
    from streamchat_core.emulator import Emulator

__all__ = ["streamchat_emulator", "streamchat_emulator_options"]

_MARKER = "streamchat_emulator"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{_MARKER}(**options): keyword arguments for the streamchat_emulator fixture's Emulator"
    )


def _missing_extra() -> str | None:
    try:
        require_extra("emulator", f"the {_MARKER} fixture")
    except MissingExtraError as exc:
        return str(exc)
    return None


@pytest.fixture
def streamchat_emulator_options() -> dict[str, Any]:
    """Keyword arguments for the fixture's ``Emulator``; override to change them."""
    return {"allow_dev_tokens": True}


@pytest.fixture
def streamchat_emulator(
    request: pytest.FixtureRequest, streamchat_emulator_options: dict[str, Any]
) -> Iterator[Emulator]:
    """A running emulator, stopped after the test."""
    missing = _missing_extra()
    if missing is not None:
        # Outside the except clause: pytest would otherwise print the line twice, once as the
        # context of the other.
        pytest.fail(missing, pytrace=False)
    from streamchat_core.emulator import Emulator

    options = {"allow_dev_tokens": True, **streamchat_emulator_options}
    for marker in reversed(list(request.node.iter_markers(_MARKER))):
        if marker.args:
            raise pytest.UsageError(f"@pytest.mark.{_MARKER} takes keyword arguments only")
        options.update(marker.kwargs)
    with Emulator(**options) as emulator:
        yield emulator
