"""Fixtures for the emulator's tests: emulators with their own key and secret, no development tokens."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from emulator_peer import API_KEY, API_SECRET, Peer

from streamchat_core.emulator import Emulator

#: What these tests' emulators start from; ``make_emulator(**changes)`` changes it per test.
OPTIONS: dict[str, Any] = {"api_key": API_KEY, "api_secret": API_SECRET, "allow_dev_tokens": False}


@pytest.fixture
def streamchat_emulator_options() -> dict[str, Any]:
    return dict(OPTIONS)


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    """One emulator for a test module; tests keep apart by using unique user ids."""
    with Emulator(**OPTIONS) as emulator:
        yield emulator


@pytest.fixture
def peer(emu: Emulator) -> Peer:
    return Peer(emu)
