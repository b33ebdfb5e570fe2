"""The bot in README.md runs as written, and answers.

The code block under "## An echo bot" is written to a file and run in a fresh interpreter. It
starts its own emulator and prints where it listens; this test connects a second user there,
says hello, waits for the bot's answer, says "bye" and waits for the bot to exit.
"""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

import anyio
import anyio.abc
import pytest
from anyio.streams.text import TextReceiveStream
from client_helpers import WAIT

from streamchat_core import EventStream, StreamChatClient, User, models

pytestmark = pytest.mark.anyio

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"
HEADING = "## An echo bot"
#: A safety net: a fresh interpreter importing the emulator takes a second or two.
START_TIMEOUT = 60.0


def bot_code() -> str:
    text = README.read_text()
    assert HEADING in text, f"README.md has no {HEADING!r} section"
    section = text.split(HEADING, 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, f"no python code block under {HEADING!r}"
    return match.group(1)


def test_the_bot_is_short_and_uses_the_typed_api() -> None:
    code = bot_code()
    assert len([line for line in code.splitlines() if line.strip()]) <= 20
    assert "models.MessageNewEvent" in code
    assert "send_message" in code


async def read_until(stream: TextReceiveStream, pattern: str, seen: list[str]) -> re.Match[str]:
    buffer = ""
    async for chunk in stream:
        seen.append(chunk)
        buffer += chunk
        match = re.search(pattern, buffer)
        if match:
            return match
    raise AssertionError(f"the bot ended before printing {pattern!r}")


async def next_from(replies: EventStream[models.MessageNewEvent], sender: str) -> models.MessageNewEvent:
    async for event in replies:
        if event.user is not None and event.user.id == sender:
            return event
    raise AssertionError("the client closed")


async def test_the_readme_bot_answers_and_stops_on_bye(tmp_path: pathlib.Path) -> None:
    script = tmp_path / "echo_bot.py"
    script.write_text(bot_code())
    out: list[str] = []
    errors: list[str] = []
    process = await anyio.open_process(
        [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None
    assert process.stderr is not None
    try:
        async with anyio.create_task_group() as tg:

            async def drain_stderr(stream: anyio.abc.ByteReceiveStream) -> None:
                async for chunk in TextReceiveStream(stream):
                    errors.append(chunk)

            tg.start_soon(drain_stderr, process.stderr)
            with anyio.fail_after(START_TIMEOUT):
                found = await read_until(TextReceiveStream(process.stdout), r"at (http://\S+?);", out)
            base_url = found.group(1)

            async with StreamChatClient("emulator-key", base_url=base_url) as jane:
                await jane.connect_user(User(id="jane"), jane.dev_token("jane"))
                lobby = jane.channel("livestream", "lobby")
                replies = jane.events(models.MessageNewEvent)
                await lobby.watch()
                with anyio.fail_after(WAIT):
                    await lobby.send_message("hello bot")
                    answer = await next_from(replies, "echo-bot")
                    assert answer.message.text == "jane said: hello bot"
                    await lobby.send_message("bye")
                    answer = await next_from(replies, "echo-bot")
                    assert answer.message.text == "jane said: bye"
            with anyio.fail_after(WAIT):
                code = await process.wait()
        assert code == 0, "".join(errors)
    finally:
        if process.returncode is None:
            process.kill()
        with anyio.CancelScope(shield=True):
            await process.aclose()
    assert "".join(errors).strip() == "", "".join(errors)
