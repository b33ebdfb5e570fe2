"""The ``streamchat_emulator`` fixture, as a user's own test suite gets it (a separate pytest run)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

USER_TESTS = """
import json
import urllib.parse

import pytest
import websockets.sync.client


def _connect(emu, user_id, token):
    query = urllib.parse.urlencode({
        "json": json.dumps({"user_id": user_id, "user_details": {"id": user_id}}),
        "api_key": emu.api_key,
        "authorization": token,
    })
    with websockets.sync.client.connect(f"{emu.ws_url}/connect?{query}", proxy=None) as ws:
        return json.loads(ws.recv(timeout=10))


def test_a_running_emulator_with_dev_tokens(streamchat_emulator):
    assert streamchat_emulator.running
    assert _connect(streamchat_emulator, "u1", streamchat_emulator.dev_token("u1"))["me"]["id"] == "u1"
    assert _connect(streamchat_emulator, "u2", streamchat_emulator.create_token("u2"))["type"] == "health.check"


def test_each_test_gets_a_fresh_one(streamchat_emulator):
    assert streamchat_emulator.user("u1") is None


@pytest.mark.streamchat_emulator(health_interval=0.5, websocket=False)
def test_the_marker_sets_options(streamchat_emulator):
    assert streamchat_emulator.config.health_interval == 0.5
    assert streamchat_emulator.config.websocket is False
"""

OVERRIDE = """
import pytest


@pytest.fixture
def streamchat_emulator_options():
    return {"longpoll_timeout": 1.5, "allow_dev_tokens": False}


def test_the_options_fixture_can_be_overridden(streamchat_emulator):
    assert streamchat_emulator.config.longpoll_timeout == 1.5
    assert streamchat_emulator.config.allow_dev_tokens is False  # an explicit choice wins
"""


def test_the_fixture_in_a_users_suite(tmp_path: Path) -> None:
    (tmp_path / "test_user_suite.py").write_text(textwrap.dedent(USER_TESTS))
    (tmp_path / "test_override.py").write_text(textwrap.dedent(OVERRIDE))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout


def test_the_marker_is_registered(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--markers", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "streamchat_emulator(**options)" in result.stdout
