"""``streamchat demo``: it runs, and shows what each user sees of the other's typing and reads."""

from __future__ import annotations

import subprocess
import sys

import pytest

from streamchat_core.demo import main

# The table rows, as john and jane see them: john nothing of jane's, jane all of john's.
JOHN_SEES = ["message.read by john", "notification.mark_read (john)"]
JANE_SEES = [
    "typing.start from john",
    "typing.stop from john",
    "message.read by jane",
    "notification.mark_read (jane)",
    "message.read by john",
]


def table(output: str) -> tuple[list[str], list[str]]:
    lines = output.splitlines()
    start = lines.index("Typing and read events each of them received, in order:") + 3
    left, right = [], []
    for line in lines[start:]:
        if "|" not in line:
            break
        a, b = (part.strip() for part in line.split("|", 1))
        if a and a != "(nothing more)":
            left.append(a)
        if b:
            right.append(b)
    return left, right


def test_the_demo_shows_what_each_user_sees(anyio_backend: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--backend", anyio_backend]) == 0
    out = capsys.readouterr().out
    # Chapter 1 (issue 4) first: john connected with his name and image.
    assert out.index("Connecting john") < out.index("Connecting jane")
    assert "  name:       John Doe" in out
    assert "  image:      https://getstream.io/random_png/?name=John+Doe" in out
    assert "  transport:     websocket" in out
    # Chapter 2: what went out, what came in.
    assert "  john's client posted: typing.start, typing.stop" in out
    assert "  jane's client posted: nothing" in out
    assert table(out) == (JOHN_SEES, JANE_SEES)
    assert "  john: john\n  jane: jane, john\n" in out
    assert out.rstrip().endswith("Final state: john disconnected, jane disconnected")


def test_the_demo_command_runs_in_a_fresh_process() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "streamchat_core", "demo"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert table(done.stdout) == (JOHN_SEES, JANE_SEES)
    assert done.stderr == ""
