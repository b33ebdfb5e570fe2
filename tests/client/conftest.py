"""Fixtures for the client's tests; lets them import their helpers (tests/ is not a package)."""

from __future__ import annotations

import pathlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from streamchat_core.emulator import Emulator


@pytest.fixture
def make_emulator() -> Iterator[Callable[..., Emulator]]:
    """Start emulators (development tokens allowed) with particular settings; stopped after the test."""
    started: list[Emulator] = []

    def make(**options: Any) -> Emulator:
        emulator = Emulator(**{"allow_dev_tokens": True, **options})
        emulator.start()
        started.append(emulator)
        return emulator

    yield make
    for emulator in started:
        emulator.stop()


@pytest.fixture
def emu(make_emulator: Callable[..., Emulator]) -> Emulator:
    """A fresh emulator with default settings."""
    return make_emulator()
