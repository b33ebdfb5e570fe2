"""``log_level=``: visible on stderr in a program that configured no logging, and only there.

Each case runs in a fresh interpreter, since logging is process-wide: the client adds one
stderr handler to the ``streamchat`` logger when neither the root logger nor ``streamchat``
has a handler, once per process; a program that configured logging gets nothing added, and
one that configures it later is not written to twice.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

#: A fresh interpreter importing the emulator takes a second or two; this is only a safety net.
TIMEOUT = 60


def run(script: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_unconfigured_program_sees_the_records_on_stderr_through_one_handler() -> None:
    result = run(
        """
        import logging
        from streamchat_core import StreamChatClient
        from streamchat_core.logs import LOG_HANDLER_NAME

        StreamChatClient("key", log_level=logging.INFO)
        StreamChatClient("key", log_level="INFO")  # a second client adds no second handler
        handlers = logging.getLogger("streamchat").handlers
        print(len(handlers), [h.get_name() == LOG_HANDLER_NAME for h in handlers])
        logging.getLogger("streamchat.test").info("marker-info")
        logging.getLogger("streamchat.test").debug("marker-debug")
        logging.getLogger("elsewhere").warning("not ours")
        """
    )
    assert result.stdout.split("\n")[0] == "1 [True]"
    assert result.stderr.count("marker-info") == 1
    assert "INFO streamchat.test: marker-info" in result.stderr
    assert "marker-debug" not in result.stderr


def test_the_clients_own_records_show_when_it_connects() -> None:
    result = run(
        """
        import logging
        import anyio
        from streamchat_core import StreamChatClient, User
        from streamchat_core.emulator import Emulator

        async def main() -> None:
            async with Emulator(allow_dev_tokens=True) as emu:
                client = StreamChatClient(emu.api_key, base_url=emu.base_url, log_level=logging.INFO)
                async with client:
                    await client.connect_user(User(id="john"), client.dev_token("john"))
                    print("connected", flush=True)

        anyio.run(main)
        """
    )
    assert "connected" in result.stdout
    client_records = re.findall(r"^INFO streamchat\.(?!emulator)[\w.]+: .+$", result.stderr, re.M)
    assert client_records, result.stderr


def test_a_program_that_configured_logging_keeps_control() -> None:
    result = run(
        """
        import logging
        from streamchat_core import StreamChatClient

        logging.basicConfig(level=logging.WARNING, format="configured %(levelname)s %(name)s %(message)s")
        StreamChatClient("key", log_level=logging.INFO)
        print(len(logging.getLogger("streamchat").handlers))
        logging.getLogger("streamchat.test").info("marker-info")
        """
    )
    assert result.stdout.strip() == "0"
    assert result.stderr.strip().splitlines() == ["configured INFO streamchat.test marker-info"]


def test_a_handler_of_its_own_on_the_streamchat_logger_is_respected() -> None:
    result = run(
        """
        import logging, sys
        from streamchat_core import StreamChatClient

        own = logging.StreamHandler(sys.stdout)
        own.setFormatter(logging.Formatter("mine %(message)s"))
        logging.getLogger("streamchat").addHandler(own)
        StreamChatClient("key", log_level=logging.INFO)
        print(logging.getLogger("streamchat").handlers == [own])
        logging.getLogger("streamchat.test").info("marker-info")
        """
    )
    assert result.stdout.split() == ["True", "mine", "marker-info"]
    assert "marker-info" not in result.stderr


def test_configuring_logging_later_never_writes_a_record_twice() -> None:
    result = run(
        """
        import logging
        from streamchat_core import StreamChatClient

        StreamChatClient("key", log_level=logging.INFO)
        logging.getLogger("streamchat.test").info("before")
        logging.basicConfig(format="configured %(message)s")
        logging.getLogger("streamchat.test").info("after")
        """
    )
    assert result.stderr.strip().splitlines() == ["INFO streamchat.test: before", "configured after"]


def test_without_log_level_nothing_is_added() -> None:
    result = run(
        """
        import logging
        from streamchat_core import StreamChatClient

        StreamChatClient("key")
        print(len(logging.getLogger("streamchat").handlers), logging.getLogger("streamchat").level)
        """
    )
    assert result.stdout.strip() == "0 0"


def test_a_connect_failure_raised_to_the_caller_is_not_also_logged_as_an_error() -> None:
    result = run(
        """
        import logging
        import anyio
        from streamchat_core import StreamAPIError, StreamChatClient, User
        from streamchat_core.emulator import Emulator

        async def main() -> None:
            async with Emulator(allow_dev_tokens=True) as emu:
                client = StreamChatClient("not-the-key", base_url=emu.base_url, log_level=logging.INFO)
                async with client:
                    try:
                        await client.connect_user(User(id="john"), client.dev_token("john"))
                    except StreamAPIError as exc:
                        print("raised", exc.code, flush=True)

        anyio.run(main)
        """
    )
    assert result.stdout.startswith("raised")
    assert not re.search(r"^ERROR streamchat\.", result.stderr, re.M), result.stderr
