"""Fixtures for the emulator's tests; lets them import their helpers (tests/ is not a package)."""

from __future__ import annotations

import pathlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from emulator_peer import API_KEY, API_SECRET, Peer

from streamchat_core.emulator import Emulator


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    """One emulator for a test module; tests keep apart by using unique user ids."""
    with Emulator(api_key=API_KEY, api_secret=API_SECRET) as emulator:
        yield emulator


@pytest.fixture
def peer(emu: Emulator) -> Peer:
    return Peer(emu)


@pytest.fixture
def make_emulator() -> Iterator[Callable[..., Emulator]]:
    """Start emulators with particular settings; all are stopped after the test."""
    started: list[Emulator] = []

    def make(**options: Any) -> Emulator:
        emulator = Emulator(**{"api_key": API_KEY, "api_secret": API_SECRET, **options})
        emulator.start()
        started.append(emulator)
        return emulator

    yield make
    for emulator in started:
        emulator.stop()
