"""``pip install -e .`` in a fresh virtual environment is a client, and nothing of the emulator or trio.

Slow (a real install, about 20 s: marked ``slow``; ``-m 'not slow'`` leaves it out). The venv
is made without pip, and this environment's pip installs into it (``pip --python``): the same
install, without the seconds ensurepip takes. pip's own cache is reused between runs.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest
from install_helpers import NOT_THE_CLIENT, client_script, line

from streamchat_core.emulator import Emulator

ROOT = pathlib.Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _run(*argv: str | pathlib.Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=timeout)


def test_a_client_only_install(tmp_path: pathlib.Path) -> None:
    venv = tmp_path / "client-only"
    made = _run(sys.executable, "-m", "venv", "--without-pip", venv)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    installed = _run(
        sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "-e", ROOT, timeout=600
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr

    # Not installed at all (not only not imported): the base install does not bring them.
    probe = _run(
        python,
        "-c",
        "import importlib.util, sys; import streamchat_core; print(sys.prefix); "
        f"print([m for m in {NOT_THE_CLIENT!r} if importlib.util.find_spec(m) is not None])",
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.splitlines() == [str(venv), "[]"]

    # The client connects under asyncio to an emulator of this environment.
    with Emulator(allow_dev_tokens=True) as emu:
        client = _run(python, "-c", client_script(), emu.api_key, emu.base_url)
    assert client.returncode == 0, client.stderr
    assert client.stdout.splitlines() == ["client-only connected", "[]"]

    # The command is installed, and says in one line what it needs.
    for command in ("emulator", "demo"):
        options = ["--api-key", "k", "--api-secret", "s"] if command == "emulator" else []
        ran = _run(venv / "bin" / "streamchat", command, *options)
        assert (ran.returncode, ran.stdout) == (1, ""), ran.stderr
        assert ran.stderr == line("emulator", f"streamchat {command}", "starlette") + "\n"
