"""Transports translate their I/O library's errors with ``map_exceptions``: the cause kept, no token shown.

The tests that take ``transport_name`` run once per registered transport (see ``conftest.py``);
the memory transport, which is not registered, has its own. Each checks the error itself and
what a traceback of it prints (``displayed``), for every form of the token.
"""

from __future__ import annotations

import json
import pathlib
import re
import subprocess
import sys
import textwrap
from typing import Any

import anyio
import httpx
import pytest
import sniffio
from client_helpers import WAIT
from install_helpers import line
from transport_helpers import TOKEN, connect_request, displayed, refusing_port, token_forms, wire_protocol

from streamchat_core.emulator import Emulator
from streamchat_core.errors import RedactedCause, StreamChatError
from streamchat_core.extras import require_extra
from streamchat_core.plugins import resolve_transport
from streamchat_core.transport import (
    ConnectionClosedError,
    KeepAlive,
    TransportError,
    map_exceptions,
    redact,
)
from streamchat_transports.longpoll import LongPollTransport
from streamchat_transports.memory import MemoryConnection, MemoryServer, MemoryTransport

pytestmark = pytest.mark.anyio

PACKAGE = pathlib.Path(__file__).parents[2] / "transports" / "streamchat_transports"


def assert_shows_no_token(error: BaseException, *tokens: str) -> None:
    for token in tokens or (TOKEN,):
        for form in token_forms(token):
            assert form not in str(error)
            assert form not in displayed(error)


async def failed_opening(transport: Any, base_url: str) -> TransportError:
    with anyio.fail_after(WAIT), pytest.raises(TransportError) as info:
        async with transport.connect(connect_request(base_url, timeout=2.0)):
            pytest.fail("a connection opened though it should have failed")
    return info.value


# ---------------------------------------------------------------------------- every transport


async def test_a_refused_connection_keeps_the_librarys_error_as_its_cause(transport_name: str) -> None:
    error = await failed_opening(
        resolve_transport(transport_name), f"http://127.0.0.1:{await refusing_port()}"
    )
    cause = error.__cause__
    assert cause is not None
    assert not isinstance(cause, (StreamChatError, RedactedCause))  # the library's own, as it was
    shown = displayed(error)
    assert "The above exception was the direct cause of the following exception" in shown
    assert type(cause).__name__ in shown
    assert error.retryable
    assert_shows_no_token(error)


@pytest.mark.parametrize("base_url", ["http://user@", "http://[::1", "http://127.0.0.1:abc"])
async def test_a_malformed_base_url_is_final_and_its_cause_shows_no_token(
    transport_name: str, base_url: str
) -> None:
    transport = resolve_transport(transport_name)
    error = await failed_opening(transport, base_url)
    assert error.__cause__ is not None
    assert_shows_no_token(error)
    if base_url == "http://user@":
        if wire_protocol(transport) == "websocket" and sniffio.current_async_library() == "asyncio":
            # websockets puts the whole URL, token included, in InvalidURI's message.
            assert not error.retryable
            cause = error.__cause__
            assert isinstance(cause, RedactedCause)
            assert str(cause).startswith("websockets.exceptions.InvalidURI: ws://user@/connect?")
            assert "authorization=<redacted>" in str(cause)
    else:  # a host or a port no library can use: retrying cannot help
        assert not error.retryable
        assert "is not a valid" in str(error)


async def test_the_end_of_a_kept_alive_connection_keeps_its_cause(
    transport_name: str, streamchat_emulator: Emulator
) -> None:
    emu = streamchat_emulator
    transport = resolve_transport(transport_name)
    request = connect_request(emu.base_url, api_key=emu.api_key, token=emu.create_token("john"))
    with anyio.fail_after(WAIT):
        async with transport.connect(request) as conn:
            await conn.receive()
            if not isinstance(conn, KeepAlive):
                pytest.skip("its connections end by draining, with no library error to translate")
            assert emu.drop_connections() == 1
            with pytest.raises(ConnectionClosedError) as received:
                await conn.receive()
            with pytest.raises(ConnectionClosedError) as sent:
                await conn.send('{"type":"health.check"}')
    for error in (received.value, sent.value):
        assert "ConnectionClosed" in type(error.__cause__).__name__
        assert_shows_no_token(error, request.token)
    assert received.value.close_code == 1012


# ---------------------------------------------------------------------------- long-poll


async def test_an_httpx_error_quoting_the_token_in_use_is_chained_redacted() -> None:
    # After update_token the polls carry another token; a character that repr escapes makes
    # the quoted header differ from the token as it is.
    fresh = TOKEN[:-3] + "\\x"
    hello = json.dumps({"type": "health.check", "connection_id": "c1", "me": {"id": "john"}})

    def handler(request: httpx.Request) -> httpx.Response:
        if "json" in request.url.params:
            return httpx.Response(200, content=b'{"event":' + hello.encode() + b"}")
        value = request.headers["Authorization"].encode()
        raise httpx.LocalProtocolError(f"Illegal header value {value!r}")

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        transport = LongPollTransport(client=http, close_timeout=0.1)
        with anyio.fail_after(WAIT):
            async with transport.connect(connect_request("http://longpoll.invalid")) as conn:
                await conn.receive()
                conn.update_token(fresh)
                with pytest.raises(TransportError) as info:
                    await conn.receive()
    error = info.value
    assert str(error) == "the long-poll poll failed: LocalProtocolError: Illegal header value b'<redacted>'"
    assert isinstance(error.__cause__, RedactedCause)
    assert str(error.__cause__).startswith("httpx.LocalProtocolError: Illegal header value b'<redacted>'")
    assert_shows_no_token(error, TOKEN, fresh, repr(fresh.encode())[2:-1])


# ---------------------------------------------------------------------------- the memory transport


async def test_the_memory_transport_chains_the_end_of_its_streams() -> None:
    server = MemoryServer()
    async with anyio.create_task_group() as tg:

        async def close_at_once() -> None:
            peer = await server.accept()
            peer.accept()
            await peer.close(1011, "bye")

        tg.start_soon(close_at_once)
        with anyio.fail_after(WAIT):
            async with MemoryTransport(server).connect(connect_request("memory://")) as conn:
                assert isinstance(conn, MemoryConnection)
                with pytest.raises(ConnectionClosedError) as received:
                    await conn.receive()
                with pytest.raises(ConnectionClosedError) as sent:
                    await conn.send("ping")
    peer = server.peers[0]
    with pytest.raises(ConnectionClosedError) as peer_received:
        await peer.receive()
    with pytest.raises(ConnectionClosedError) as peer_sent:
        await peer.send("late")
    assert (received.value.close_code, received.value.close_reason) == (1011, "bye")
    assert isinstance(received.value.__cause__, anyio.EndOfStream)
    assert isinstance(sent.value.__cause__, anyio.ClosedResourceError)
    for error in (peer_received.value, peer_sent.value):
        assert isinstance(error.__cause__, (anyio.EndOfStream, anyio.ClosedResourceError))
    assert [frame async for frame in peer] == []  # the end of the iteration, not an error


# ---------------------------------------------------------------------------- the one way


def test_no_transport_drops_a_cause() -> None:
    # `from None` hides what happened; the only one left ends an iteration, which has no cause.
    found = {
        path.name: re.findall(r"raise (\w+).* from None", path.read_text()) for path in PACKAGE.glob("*.py")
    }
    assert {name: raised for name, raised in found.items() if raised} == {"memory.py": ["StopAsyncIteration"]}


def test_a_translating_function_reads_the_exception_and_may_let_it_through() -> None:
    class Rejected(Exception):
        status = 451

    def translate(exc: Exception, why: str) -> TransportError | None:
        if isinstance(exc, Rejected):
            return TransportError(f"rejected: {why}", status_code=exc.status)
        return None

    original = Rejected(f"GET /connect?authorization={TOKEN}")
    with pytest.raises(TransportError) as info, map_exceptions(translate, redact=redact):
        raise original
    assert (str(info.value), info.value.status_code) == (
        "rejected: Rejected: GET /connect?authorization=<redacted>",
        451,
    )
    assert isinstance(info.value.__cause__, RedactedCause)  # the original's text held the token
    assert_shows_no_token(info.value)
    untouched = KeyError("k")
    with pytest.raises(KeyError) as passed, map_exceptions(translate, redact=redact):
        raise untouched
    assert passed.value is untouched


# ---------------------------------------------------------------------------- the [trio] extra


NO_TRIO_EXTRA = """
import sys

sys.modules["trio_websocket"] = None  # as if the [trio] extra were not installed
import json

import trio

from streamchat_core import StreamChatClient, TransportError, User
from streamchat_core.transport import ConnectRequest, MissingExtraError
from streamchat_transports.websocket import WebSocketTransport


async def main() -> None:
    request = ConnectRequest(
        base_url="http://127.0.0.1:9", api_key="key", user_id="john", payload=b"{}",
        token="t", user_agent="ua", timeout=5.0,
    )
    try:
        async with WebSocketTransport().connect(request):
            raise AssertionError("opened")
    except TransportError as error:
        cause = error.__cause__
        print(json.dumps([str(error), error.retryable, isinstance(cause, MissingExtraError)]))
    # Through the client: the session fails at once with the line, without retrying.
    async with StreamChatClient(
        "key", base_url="http://127.0.0.1:9", transports=["websocket"], connect_timeout=30
    ) as client:
        with trio.fail_after(10):
            try:
                await client.connect_user(User(id="john"), client.dev_token("john"))
            except TransportError as error:
                print(json.dumps([str(error)]))
    print(json.dumps(sorted(m for m in ("trio_websocket", "wsproto") if sys.modules.get(m))))


trio.run(main)
"""


def test_the_websocket_transport_under_trio_without_the_extra_says_so_in_one_line() -> None:
    require_extra("trio", "these tests")  # installed here: only the subprocess lacks it
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(NO_TRIO_EXTRA)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    expected = line("trio", "the websocket transport under trio", "trio_websocket")
    assert [json.loads(out) for out in result.stdout.splitlines()] == [
        [expected, False, True],
        [expected],
        [],  # nothing of the extra was imported
    ]
