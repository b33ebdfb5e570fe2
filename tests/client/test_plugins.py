"""Transport plugins: the ``streamchat.transports`` entry points, real distributions on sys.path."""

from __future__ import annotations

import pathlib
import sys
import textwrap
import uuid
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from client_helpers import emulator_client

from streamchat_core import StreamChatClient, TransportLoadError, User
from streamchat_core.emulator import Emulator
from streamchat_core.plugins import (
    available_transports,
    load_transport,
    refresh_transports,
    resolve_transport,
)
from streamchat_core.transport import ConnectRequest

# A third party's transport, the one the transports' contract tests run against too: it relays
# to the built-in WebSocket transport and records its use.
RELAY_MODULE = (
    pathlib.Path(__file__).parents[1] / "transports" / "plugin" / "streamchat_test_relay.py"
).read_text()

BROKEN_MODULE = """
raise ImportError("this plugin needs the frobnicate package")
"""


@pytest.fixture
def third_party(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """A distribution, installed the way pip would (a module and a .dist-info), on sys.path."""
    suffix = uuid.uuid4().hex[:8]
    relay, broken = f"relay_transport_{suffix}", f"broken_transport_{suffix}"
    (tmp_path / f"{relay}.py").write_text(RELAY_MODULE)
    (tmp_path / f"{broken}.py").write_text(BROKEN_MODULE)
    dist_info = tmp_path / "thirdparty_transports-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: thirdparty-transports\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text(
        textwrap.dedent(
            f"""
            [streamchat.transports]
            relay = {relay}:RelayTransport
            broken = {broken}:BrokenTransport
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    refresh_transports()
    yield {"relay": relay, "broken": broken}
    for name in (relay, broken):
        sys.modules.pop(name, None)


def test_the_built_in_transports_are_entry_points() -> None:
    import importlib.metadata

    names = {ep.name for ep in importlib.metadata.entry_points(group="streamchat.transports")}
    assert {"websocket", "longpoll"} <= names
    assert available_transports()[:2] == ["websocket", "longpoll"]


def test_a_broken_plugin_is_skipped_when_listing_and_raises_by_name(third_party: dict[str, Any]) -> None:
    with pytest.warns(
        RuntimeWarning, match=r"skipping the transport plugin broken = .*thirdparty-transports.*frobnicate"
    ):
        names = available_transports()
    assert "relay" in names
    assert "broken" not in names
    with pytest.raises(TransportLoadError, match="frobnicate") as info:
        load_transport("broken")
    assert isinstance(info.value.__cause__, ImportError)
    with pytest.raises(TransportLoadError, match="frobnicate"):
        StreamChatClient("key", transports=["broken"])


def test_unknown_names_and_wrong_objects() -> None:
    with pytest.raises(
        TransportLoadError, match=r"no transport is named 'pigeon'; installed transports: .*websocket"
    ):
        load_transport("pigeon")
    with pytest.raises(TypeError, match="not a transport: it needs a `name` and a `connect"):
        resolve_transport(object())
    from streamchat_transports.longpoll import LongPollTransport

    instance = LongPollTransport(poll_timeout=5)
    assert resolve_transport(instance) is instance
    assert isinstance(resolve_transport(LongPollTransport), LongPollTransport)
    assert resolve_transport("websocket").name == "websocket"


@pytest.mark.anyio
async def test_a_third_party_transport_connects_through_its_entry_point(
    third_party: dict[str, Any], make_emulator: Callable[..., Emulator]
) -> None:
    emu = make_emulator()
    client = emulator_client(emu, transports=["relay"])
    assert [t.name for t in client.transports] == ["relay"]
    async with client:
        me = await client.connect_user(User(id="john"), emu.create_token("john"))
        assert me.id == "john"
        assert client.transport == "relay"
        assert emu.connection_ids("john") == [client.connection_id]
    module = sys.modules[third_party["relay"]]
    assert module.CONNECTS == ["john"]


class _Minimal:
    """The least a transport needs: a name and ``connect``."""

    name = "minimal"

    def connect(self, request: ConnectRequest) -> Any:
        raise NotImplementedError


def test_a_name_and_connect_make_a_transport_and_old_capabilities_are_warned_about() -> None:
    minimal = _Minimal()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert resolve_transport(minimal) is minimal
        declared_ping = _Minimal()
        declared_ping.capabilities = frozenset({"ping"})  # type: ignore[attr-defined]
        assert resolve_transport(declared_ping) is declared_ping  # nothing changes for it
    # A transport written when keep-alive was declared: its connections' `send` is used now.
    legacy = _Minimal()
    legacy.capabilities = frozenset()  # type: ignore[attr-defined]
    with pytest.warns(RuntimeWarning, match=r"`capabilities`, which is no longer read.*KeepAlive"):
        assert resolve_transport(legacy) is legacy
