"""``streamchat emulator`` as a process: the URL line, no secret printed, clean exit on signals."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from emulator_peer import connect_blocking
from websockets.exceptions import InvalidStatus

from streamchat_core.emulator.auth import create_token

SECRET = "cli-secret-that-must-never-be-printed-0123456789"
URL = re.compile(r"http://127\.0\.0\.1:(\d+)")


@contextmanager
def running(*flags: str, command: list[str] | None = None) -> Iterator[tuple[subprocess.Popen[str], str]]:
    argv = command or [sys.executable, "-m", "streamchat_core"]
    process = subprocess.Popen(
        [
            *argv,
            "emulator",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--api-key",
            "cli-key",
            "--api-secret",
            SECRET,
            *flags,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # blocks until the emulator accepts connections
        match = URL.search(line)
        assert match, (
            f"no URL in {line!r}; stderr: {process.stderr.read() if process.stderr and process.poll() is not None else ''}"
        )
        assert "cli-key" in line
        assert SECRET not in line
        yield process, match.group(0)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(30)
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()


def _run_to_the_end(*flags: str) -> subprocess.CompletedProcess[str]:
    """``streamchat emulator`` with ``flags``, for a run that ends on its own (refused flags)."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "streamchat_core",
            "emulator",
            "--api-key",
            "k",
            "--api-secret",
            SECRET,
            *flags,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _finish(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=30)
    return out + err


def _connect(url: str, user_id: str) -> dict[str, object]:
    """Connect ``user_id`` to the emulator the process serves at ``url``; the first frame."""
    return connect_blocking(
        url.replace("http://", "ws://"), "cli-key", user_id, create_token(SECRET, user_id)
    )


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_prints_its_url_serves_and_exits_cleanly(sig: signal.Signals) -> None:
    with running("--health-interval", "5", "--log-level", "DEBUG") as (process, url):
        frame = _connect(url, "cli-user")
        assert frame["type"] == "health.check"
        process.send_signal(sig)
        output = _finish(process)
        assert process.returncode == 0, output
    assert SECRET not in output
    assert create_token(SECRET, "cli-user") not in output
    assert "eyJ" not in output


def test_no_websocket_refuses_upgrades() -> None:
    with running("--no-websocket") as (process, url):
        with pytest.raises(InvalidStatus) as refused:
            _connect(url, "blocked")
        assert refused.value.response.status_code == 403
        process.terminate()
        assert process.wait(30) == 0


def test_the_console_script() -> None:
    script = shutil.which("streamchat", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the streamchat console script is not installed next to this interpreter")
    with running(command=[script]) as (process, url):
        assert _connect(url, "script-user")["type"] == "health.check"
        process.terminate()
        assert process.wait(30) == 0


@pytest.mark.parametrize(
    "flags",
    [["--health-interval", "0"], ["--port", "70000"], ["--longpoll-timeout", "soon"]],
)
def test_bad_flags_exit_with_2(flags: list[str]) -> None:
    result = _run_to_the_end(*flags)
    assert result.returncode == 2
    assert SECRET not in result.stdout + result.stderr


def test_a_busy_port_is_reported() -> None:
    with running() as (process, url):
        port = url.rsplit(":", 1)[1]
        result = _run_to_the_end("--port", port)
        assert result.returncode == 1
        assert "cannot listen" in result.stderr
        process.terminate()
        process.wait(30)
