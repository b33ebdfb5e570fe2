"""Fixtures for the client's tests (emulators with development tokens allowed, the default)."""

from __future__ import annotations

import pytest

from streamchat_core.emulator import Emulator


@pytest.fixture
def emu(streamchat_emulator: Emulator) -> Emulator:
    """A fresh emulator with default settings, under the short name these tests use."""
    return streamchat_emulator
