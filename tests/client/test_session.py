"""The connection state machine, driven through the memory transport (no sockets, no clock luck).

Each test scripts the server's side of every connection attempt (a ``MemoryPeer``): accept or
refuse it, send frames, close it. Timers are set to tens of milliseconds.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import msgspec
import pytest
from client_helpers import (
    WAIT,
    eventually,
    fast_backoff,
    open_peer,
    reject_peer,
    running_tasks,
    serving,
    stay_open,
)

from streamchat_core import (
    AccessKeyError,
    ConnectionClosedError,
    ConnectionState,
    ConnectTimeoutError,
    InputError,
    InvalidTokenError,
    InvalidUserError,
    NotConnectedError,
    OwnUser,
    StreamAPIError,
    StreamChatClient,
    StreamChatError,
    TokenExpiredError,
    TokenNotValidYetError,
    TokenSignatureError,
    TokenUsedBeforeIssuedError,
    TransportError,
    UnknownEvent,
    UsageError,
    User,
    dev_token,
)
from streamchat_core.codec import EVENT_TYPES, to_builtins
from streamchat_transports.memory import MemoryPeer, MemoryServer, MemoryTransport, error_frame

pytestmark = pytest.mark.anyio

JOHN = User(id="john", extra_data={"name": "John"})


def client_with(*transports: MemoryTransport, **options: Any) -> StreamChatClient:
    options.setdefault("backoff", fast_backoff())
    options.setdefault("connect_timeout", 2.0)
    return StreamChatClient("key", base_url="http://memory.invalid", transports=list(transports), **options)


def frame(type_: str, **fields: Any) -> bytes:
    """A server frame; one of a known type gets what its model requires (``created_at``, ``message``)."""
    if type_ in EVENT_TYPES:
        fields.setdefault("created_at", "2026-01-01T00:00:00Z")
    if type_ == "message.new":
        fields.setdefault("message", {"id": "m1"})
    return msgspec.json.encode({"type": type_, **fields})


# ---------------------------------------------------------------------------- handshake


async def test_connect_user_resolves_with_me_from_the_first_frame() -> None:
    async def handle(peer: MemoryPeer) -> None:
        await stay_open(peer, "c1", name="John", total_unread_count=3)

    async with serving(handle) as server:
        client = client_with(MemoryTransport(server))
        async with client:
            events = client.events()
            assert client.connection_state is ConnectionState.INITIALIZING
            me = await client.connect_user(JOHN, dev_token("john"))
            assert isinstance(me, OwnUser)
            assert (me.id, me.extra_data["name"], me.total_unread_count) == ("john", "John", 3)
            assert client.user == me
            assert client.connection_id == "c1"
            assert client.transport == "memory"
            assert client.connection_state is ConnectionState.CONNECTED
            first = [await events.receive(), await events.receive()]
            assert [e.type for e in first] == ["connection.changed", "health.check"]
            assert first[0].online is True

            request = server.peers[0].request
            payload = json.loads(request.payload)
            assert payload["user_id"] == "john"
            assert payload["user_details"] == {"id": "john", "name": "John"}
            assert len(payload["client_request_id"]) == 36
            assert request.token == dev_token("john")
            assert request.token not in repr(request)

            await client.disconnect_user()
            assert server.peers[0].closed_by_client.is_set()
            assert client.connection_state is ConnectionState.DISCONNECTED
            assert client.user is None
            assert client.connection_id is None
            last = await events.receive()
            assert last.type == "connection.changed"
            assert last.online is False


@pytest.mark.parametrize(
    ("code", "status", "error_type"),
    [
        (2, 401, AccessKeyError),
        (4, 400, InputError),
        (5, 401, StreamAPIError),
        (40, 401, TokenExpiredError),
        (41, 401, TokenNotValidYetError),
        (42, 401, TokenUsedBeforeIssuedError),
        (43, 401, TokenSignatureError),
    ],
)
async def test_a_rejection_raises_the_typed_error_and_is_never_retried(
    code: int, status: int, error_type: type[StreamAPIError]
) -> None:
    async def handle(peer: MemoryPeer) -> None:
        await reject_peer(peer, code, f"rejected with {code}", status)

    async with serving(handle) as server:
        client = client_with(MemoryTransport(server))
        async with client:
            with pytest.raises(error_type) as info:
                await client.connect_user(JOHN, dev_token("john"))
            assert type(info.value) is error_type
            assert (info.value.code, info.value.status_code) == (code, status)
            assert info.value.message == f"rejected with {code}"
            assert client.connection_state is ConnectionState.DISCONNECTED
            with pytest.raises(NotConnectedError):
                await client.request("GET", "/users")
        assert len(server.peers) == 1


async def test_a_normal_close_before_the_first_frame_is_a_refusal() -> None:
    async def handle(peer: MemoryPeer) -> None:
        peer.accept()
        await peer.close(1000, "go away")

    async with serving(handle) as server:
        async with client_with(MemoryTransport(server)) as client:
            with pytest.raises(ConnectionClosedError, match="go away") as info:
                await client.connect_user(JOHN, dev_token("john"))
            assert info.value.retryable is False
        assert len(server.peers) == 1


async def test_network_failures_are_retried_until_connect_timeout() -> None:
    async def handle(peer: MemoryPeer) -> None:
        peer.refuse(TransportError("connection refused"))

    async with serving(handle) as server:
        async with client_with(MemoryTransport(server), connect_timeout=0.3) as client:
            with (
                anyio.fail_after(WAIT),
                pytest.raises(TransportError, match=r"within 0\.3 s: connection refused"),
            ):
                await client.connect_user(JOHN, dev_token("john"))
        assert len(server.peers) > 1


async def test_no_first_frame_within_connect_timeout() -> None:
    async def handle(peer: MemoryPeer) -> None:
        peer.accept()
        await peer.closed_by_client.wait()

    async with serving(handle) as server:
        async with client_with(MemoryTransport(server), connect_timeout=0.2) as client:
            with anyio.fail_after(WAIT), pytest.raises(ConnectTimeoutError, match=r"within 0\.2 s"):
                await client.connect_user(JOHN, dev_token("john"))
        assert all(peer.closed_by_client.is_set() for peer in server.peers)


async def test_the_user_and_token_are_checked_before_any_connection() -> None:
    async with serving(stay_open) as server:
        async with client_with(MemoryTransport(server)) as client:
            with pytest.raises(InvalidUserError, match="'J'"):
                await client.connect_user(User(id="John"), dev_token("John"))
            with pytest.raises(InvalidTokenError, match="belongs to user 'jane'"):
                await client.connect_user(JOHN, dev_token("jane"))
        assert server.peers == []


# ---------------------------------------------------------------------------- keep-alive


async def test_a_ping_follows_each_server_health_check() -> None:
    pings: list[Any] = []
    three = anyio.Event()

    async def handle(peer: MemoryPeer) -> None:
        await open_peer(peer, "c1")
        async for ping in peer:
            pings.append(json.loads(ping))
            if len(pings) == 3:
                three.set()
                return
            await peer.send(frame("health.check", connection_id="c1"))

    async with (
        serving(handle) as server,
        client_with(MemoryTransport(server), ping_interval=0.02, dead_connection_timeout=5) as client,
    ):
        await client.connect_user(JOHN, dev_token("john"))
        with anyio.fail_after(WAIT):
            await three.wait()
    for ping in pings:
        assert isinstance(ping, list)
        assert len(ping) == 1
        assert ping[0]["type"] == "health.check"
        assert ping[0]["client_id"].startswith("john--")
    assert len({p[0]["client_id"] for p in pings}) == 1


async def test_a_silent_connection_is_dead_and_replaced() -> None:
    async def handle(peer: MemoryPeer) -> None:
        await stay_open(peer, f"c{len(server.peers)}")

    async with serving(handle) as server:
        client = client_with(MemoryTransport(server), ping_interval=0.02, dead_connection_timeout=0.2)
        async with client:
            events = client.events("connection.changed", "connection.recovered")
            await client.connect_user(JOHN, dev_token("john"))
            assert client.connection_id == "c1"
            with anyio.fail_after(WAIT):
                kinds = [to_builtins(await events.receive()) for _ in range(3)]
            assert kinds == [
                {"type": "connection.changed", "online": True},
                {"type": "connection.changed", "online": False},
                {"type": "connection.changed", "online": True},
            ]
            assert (await events.receive()).type == "connection.recovered"
            assert client.connection_id == "c2"
            assert server.peers[0].closed_by_client.is_set()


@pytest.mark.parametrize("behaviour", ["slow", "raising"])
async def test_a_slow_or_raising_handler_does_not_delay_pings(behaviour: str) -> None:
    pings = 0
    enough = anyio.Event()
    release = anyio.Event()
    handled: list[int] = []

    async def handle(peer: MemoryPeer) -> None:
        nonlocal pings
        await open_peer(peer, "c1")
        for n in range(3):
            await peer.send(frame("message.new", cid="messaging:x", n=n))
        async for _ in peer:
            pings += 1
            if pings == 5:
                enough.set()
            await peer.send(frame("health.check", connection_id="c1"))

    async def slow(event: Any) -> None:
        handled.append(event.extra_data["n"])
        await release.wait()

    def raising(event: Any) -> None:
        handled.append(event.extra_data["n"])
        raise RuntimeError("handler bug")

    async with serving(handle) as server:
        client = client_with(MemoryTransport(server), ping_interval=0.02, dead_connection_timeout=0.3)
        client.on("message.new", slow if behaviour == "slow" else raising)
        async with client:
            await client.connect_user(JOHN, dev_token("john"))
            with anyio.fail_after(WAIT):
                await enough.wait()
            # Five pings went out, each answered, while the handler was stuck (or raising):
            # the connection never went quiet long enough to be declared dead.
            assert len(server.peers) == 1
            assert handled == ([0] if behaviour == "slow" else [0, 1, 2])
            release.set()


# ---------------------------------------------------------------------------- reconnecting


class RecordingBackoff:
    """Records every decision asked of it; never waits."""

    def __init__(self, stable_after: float) -> None:
        self.stable_after = stable_after
        self.calls: list[int] = []
        self.first_delays = 0

    def delay(self, failures: int) -> float:
        self.calls.append(failures)
        return 0.0

    def first_delay(self) -> float:
        self.first_delays += 1
        return 0.0


@pytest.mark.parametrize("stable_after", [0.0, 1000.0])
async def test_reconnects_back_off_on_failures_and_reset_after_a_stable_period(stable_after: float) -> None:
    drop = anyio.Event()

    async def handle(peer: MemoryPeer) -> None:
        n = len(server.peers)
        if n in (2, 3, 4, 6):  # refused attempts
            peer.refuse(TransportError("refused"))
            return
        await open_peer(peer, f"c{n}")
        if n in (1, 5):
            await drop.wait()
            await peer.close(1011)
        await peer.closed_by_client.wait()

    async with serving(handle) as server:
        backoff = RecordingBackoff(stable_after)
        async with client_with(MemoryTransport(server), backoff=backoff) as client:
            recovered = client.events("connection.recovered")
            await client.connect_user(JOHN, dev_token("john"))
            drop.set()
            with anyio.fail_after(WAIT):
                await recovered.receive()  # c5, after three refusals
                await recovered.receive()  # c7, after one more refusal
            assert client.connection_id == "c7"
    if stable_after == 0.0:
        # Every connection that opened "worked" (stayed up stable_after): losing c1 and c5 is
        # no failure, the first attempt after each goes out at once; only refusals back off,
        # and c5 staying up reset the count.
        assert (backoff.first_delays, backoff.calls) == (2, [1, 2, 3, 1])
    else:
        # c1 and c5 dropped at once (well within HELD_AFTER): a server that accepts and closes
        # is not hammered; those drops count as failures, and the count never resets.
        assert (backoff.first_delays, backoff.calls) == (0, [1, 2, 3, 4, 5, 6])


async def test_the_first_attempt_after_losing_a_working_connection_does_not_back_off() -> None:
    drops = 0

    async def handle(peer: MemoryPeer) -> None:
        nonlocal drops
        await open_peer(peer, f"c{len(server.peers)}")
        await server_drops.receive()
        drops += 1
        await peer.close(1012)

    send, server_drops = anyio.create_memory_object_stream[None](10)
    async with serving(handle) as server:
        backoff = RecordingBackoff(stable_after=0.0)
        async with client_with(MemoryTransport(server), backoff=backoff) as client:
            recovered = client.events("connection.recovered")
            await client.connect_user(JOHN, dev_token("john"))
            for n in range(3):
                await send.send(None)
                with anyio.fail_after(WAIT):
                    await recovered.receive()
                assert client.connection_id == f"c{n + 2}"
            assert client.stats.reconnects == 3
        # Three drops, three reconnects, each attempted at once: the policy only gave its jitter.
        assert (drops, backoff.first_delays, backoff.calls) == (3, 3, [])


async def test_reconnects_stop_at_an_api_rejection() -> None:
    async def handle(peer: MemoryPeer) -> None:
        if len(server.peers) == 1:
            await open_peer(peer, "c1")
            await peer.close(1011)
        else:
            await reject_peer(peer, 43, "signature is invalid", 401)

    async with serving(handle) as server:
        async with client_with(MemoryTransport(server)) as client:
            changes = client.events("connection.changed")
            await client.connect_user(JOHN, dev_token("john"))
            with anyio.fail_after(WAIT):
                assert (await changes.receive()).online is True
                assert (await changes.receive()).online is False
            await eventually(lambda: client.connection_state is ConnectionState.DISCONNECTED, "the rejection")
            with pytest.raises(NotConnectedError, match="signature is invalid") as info:
                await client.request("GET", "/users")
            assert isinstance(info.value.__cause__, TokenSignatureError)
        assert len(server.peers) == 2


async def test_an_error_frame_on_an_open_connection_ends_it_for_good() -> None:
    async def handle(peer: MemoryPeer) -> None:
        await open_peer(peer, "c1")
        await peer.send(error_frame(17, "not allowed", 403))
        await peer.closed_by_client.wait()

    async with serving(handle) as server:
        async with client_with(MemoryTransport(server)) as client:
            await client.connect_user(JOHN, dev_token("john"))
            await eventually(
                lambda: client.connection_state is ConnectionState.DISCONNECTED, "the error frame"
            )
        assert len(server.peers) == 1


# ---------------------------------------------------------------------------- tokens


def provider_of(tokens: list[str]) -> Callable[[], str]:
    calls = iter(tokens)
    return lambda: next(calls)


def signed(user_id: str, n: int) -> str:
    """Distinct tokens for one user (unsigned, as the memory server does not check)."""
    return dev_token(user_id).replace("devtoken", f"sig{n}")


async def test_error_40_with_a_provider_fetches_a_fresh_token_and_reconnects() -> None:
    async def handle(peer: MemoryPeer) -> None:
        if peer.request.token == signed("john", 1):
            await reject_peer(peer, 40, "token is expired", 401)
        else:
            await stay_open(peer, "c2")

    async with serving(handle) as server:
        async with client_with(MemoryTransport(server)) as client:
            me = await client.connect_user(JOHN, provider_of([signed("john", 1), signed("john", 2)]))
            assert me.id == "john"
        assert [p.request.token for p in server.peers] == [signed("john", 1), signed("john", 2)]


async def test_error_40_with_a_static_token_is_final() -> None:
    async def handle(peer: MemoryPeer) -> None:
        await reject_peer(peer, 40, "token is expired", 401)

    async with serving(handle) as server:
        async with client_with(MemoryTransport(server)) as client:
            with pytest.raises(TokenExpiredError):
                await client.connect_user(JOHN, dev_token("john"))
        assert len(server.peers) == 1


async def test_error_40_on_a_polling_connection_refreshes_the_token_in_place() -> None:
    async def handle(peer: MemoryPeer) -> None:
        await open_peer(peer, "c1")
        await peer.send(error_frame(40, "token is expired", 401))
        await peer.send(frame("message.new", cid="messaging:x", text="after"))
        await peer.closed_by_client.wait()

    async with serving(handle) as server, client_with(MemoryTransport(server, polling=True)) as client:
        messages = client.events("message.new")
        await client.connect_user(JOHN, provider_of([signed("john", 1), signed("john", 2)]))
        with anyio.fail_after(WAIT):
            message = await messages.receive()
        assert message.extra_data["text"] == "after"
        assert server.peers[0].tokens == [signed("john", 1), signed("john", 2)]
        assert len(server.peers) == 1


async def test_error_46_opens_a_fresh_connection() -> None:
    async def handle(peer: MemoryPeer) -> None:
        n = len(server.peers)
        await open_peer(peer, f"c{n}")
        if n == 1:
            await peer.send(error_frame(46, "connection_id 'c1' was not found", 400))
        await peer.closed_by_client.wait()

    async with serving(handle) as server, client_with(MemoryTransport(server, polling=True)) as client:
        recovered = client.events("connection.recovered")
        await client.connect_user(JOHN, dev_token("john"))
        with anyio.fail_after(WAIT):
            await recovered.receive()
        assert client.connection_id == "c2"


async def test_a_provider_that_fails_fails_connect_user() -> None:
    def broken() -> str:
        raise OSError("vault unreachable")

    async with serving(stay_open) as server:
        async with client_with(MemoryTransport(server)) as client:
            with pytest.raises(StreamChatError, match="vault unreachable"):
                await client.connect_user(JOHN, broken)
        assert server.peers == []


# ---------------------------------------------------------------------------- fallback


async def test_a_network_failure_falls_back_to_the_next_transport() -> None:
    async def refuse(peer: MemoryPeer) -> None:
        peer.refuse(TransportError("HTTP 403 on the upgrade", status_code=403))

    async with serving(refuse) as primary, serving(stay_open) as secondary:
        client = client_with(
            MemoryTransport(primary, name="primary"), MemoryTransport(secondary, name="secondary")
        )
        async with client:
            events = client.events()
            await client.connect_user(JOHN, dev_token("john"))
            assert client.transport == "secondary"
            first = [to_builtins(await events.receive()) for _ in range(2)]
            assert first == [
                {"type": "transport.changed", "mode": "secondary"},
                {"type": "connection.changed", "online": True},
            ]
        assert len(primary.peers) == 1
        assert len(secondary.peers) == 1


async def test_an_api_rejection_never_falls_back() -> None:
    async def reject(peer: MemoryPeer) -> None:
        await reject_peer(peer, 43, "bad signature", 401)

    async with serving(reject) as primary, serving(stay_open) as secondary:
        client = client_with(
            MemoryTransport(primary, name="primary"), MemoryTransport(secondary, name="secondary")
        )
        async with client:
            with pytest.raises(TokenSignatureError):
                await client.connect_user(JOHN, dev_token("john"))
        assert secondary.peers == []


@pytest.mark.parametrize("old_delivers_during_drain", [True, False])
async def test_switching_back_loses_and_repeats_nothing(old_delivers_during_drain: bool) -> None:
    """The old (polling) connection and the new one overlap; every event arrives once, in order."""
    publish_overlap = anyio.Event()

    async def preferred(peer: MemoryPeer) -> None:
        if len(primary.peers) == 1:
            peer.refuse(TransportError("HTTP 403 on the upgrade", status_code=403))
            return
        await open_peer(peer, "ws-1")
        publish_overlap.set()
        for n in range(3, 7):  # published while both connections exist: on both
            await peer.send(frame("custom.seq", n=n))
        await polling.peers[0].closed_by_client.wait()
        await peer.send(frame("custom.seq", n=7))  # after the switch: only here
        await peer.closed_by_client.wait()

    async def fallback(peer: MemoryPeer) -> None:
        await open_peer(peer, "lp-1")
        for n in range(3):
            await peer.send(frame("custom.seq", n=n))
        await publish_overlap.wait()
        for n in (3, 4):
            await peer.send(frame("custom.seq", n=n))
        await peer.drain_requested.wait()
        if old_delivers_during_drain:
            for n in (5, 6):
                await peer.send(frame("custom.seq", n=n))
        await peer.close(1000)

    async with serving(preferred) as primary, serving(fallback) as polling:
        client = client_with(
            MemoryTransport(primary, name="primary"),
            MemoryTransport(polling, name="polling", polling=True),
            ws_probe_interval=0.02,
        )
        async with client:
            seq = client.events("custom.seq", "transport.changed")
            await client.connect_user(JOHN, dev_token("john"))
            got: list[Any] = []
            with anyio.fail_after(WAIT):
                while len(got) < 10:
                    event = await seq.receive()
                    got.append(event.mode if event.type == "transport.changed" else event.payload["n"])
            assert got == ["polling", 0, 1, 2, 3, 4, 5, 6, "primary", 7]
            assert client.transport == "primary"
            assert client.connection_id == "ws-1"


# ---------------------------------------------------------------------------- the client's surface


async def test_connecting_the_same_user_twice_gives_the_same_result() -> None:
    async with serving(stay_open) as server:
        async with client_with(MemoryTransport(server)) as client:
            results: list[OwnUser] = []

            async def connect() -> None:
                results.append(await client.connect_user(JOHN, dev_token("john")))

            async with anyio.create_task_group() as tg:
                tg.start_soon(connect)
                tg.start_soon(connect)
            assert results[0] == results[1]
            assert await client.connect_user(JOHN, dev_token("john")) == results[0]
            with pytest.raises(UsageError, match="disconnect_user"):
                await client.connect_user(User(id="jane"), dev_token("jane"))
            await client.disconnect_user()
            await client.connect_user(User(id="jane"), dev_token("jane"))
            assert client.user_id == "jane"
        assert [p.user_id for p in server.peers] == ["john", "jane"]


async def test_the_client_must_be_open() -> None:
    client = StreamChatClient("key")
    with pytest.raises(UsageError, match="async with"):
        await client.connect_user(JOHN, dev_token("john"))
    async with client:
        with pytest.raises(NotConnectedError, match="connect_user"):
            await client.request("GET", "/users")
        with pytest.raises(UsageError, match="already open"):
            await client.__aenter__()
    assert client.base_url == "https://chat.stream-io-api.com"


async def test_unknown_events_and_own_user_updates() -> None:
    async def handle(peer: MemoryPeer) -> None:
        await open_peer(peer, "c1", name="John", total_unread_count=4, language="en")
        await peer.send(frame("brand.new.thing", answer=42))
        await peer.send(
            frame("user.updated", user={"id": "john", "role": "admin", "name": "Johnny", "mood": "ok"})
        )
        await peer.send(frame("user.updated", user={"id": "jane", "name": "Jane"}))
        await peer.closed_by_client.wait()

    async with serving(handle) as server:
        async with client_with(MemoryTransport(server)) as client:
            events = client.events("brand.new.thing", "user.updated")
            await client.connect_user(JOHN, dev_token("john"))
            unknown = await events.receive()
            assert isinstance(unknown, UnknownEvent)
            assert unknown.payload == {"type": "brand.new.thing", "answer": 42}
            await events.receive()
            await events.receive()
            user = client.user
            assert user is not None
            assert (user.role, user.total_unread_count, user.language) == ("admin", 4, "en")
            assert dict(user.extra_data) == {"name": "Johnny", "mood": "ok"}
        assert len(server.peers) == 1


async def test_nothing_outlives_the_client() -> None:
    async with serving(stay_open) as server:
        before = running_tasks()
        client = client_with(MemoryTransport(server), ping_interval=0.01)
        async with client:
            await client.connect_user(JOHN, dev_token("john"))
            assert running_tasks() > before
        assert running_tasks() == before
        assert server.peers[0].closed_by_client.is_set()
        assert not client.is_open


async def test_exiting_while_connecting_stops_everything() -> None:
    async def handle(peer: MemoryPeer) -> None:
        peer.accept()
        await peer.closed_by_client.wait()

    async with serving(handle) as server:
        before = running_tasks()
        async with client_with(MemoryTransport(server), connect_timeout=30) as client:
            with anyio.move_on_after(0.05):
                await client.connect_user(JOHN, dev_token("john"))
            assert client.connection_state is ConnectionState.CONNECTING
        assert running_tasks() == before
        assert server.peers[0].closed_by_client.is_set()


async def test_a_user_exception_inside_async_with_is_raised_as_is() -> None:
    async def fail_inside(server: MemoryServer) -> None:
        async with client_with(MemoryTransport(server)) as client:
            await client.connect_user(JOHN, dev_token("john"))
            raise KeyError("mine")

    async with serving(stay_open) as server:
        with pytest.raises(KeyError, match="mine"):
            await fail_inside(server)
        assert server.peers[0].closed_by_client.is_set()


def test_get_instance_gives_one_client_per_process() -> None:
    first = StreamChatClient.get_instance("key-1", connect_timeout=3)
    assert StreamChatClient.get_instance("key-1") is first
    assert StreamChatClient.get_instance("key-1", connect_timeout=3) is first
    with pytest.raises(UsageError, match="key-1"):
        StreamChatClient.get_instance("key-2")
    with pytest.raises(ValueError, match="different options"):
        StreamChatClient.get_instance("key-1", connect_timeout=4)
    StreamChatClient.reset_instance()
    assert StreamChatClient.get_instance("key-2") is not first


def test_options_are_checked() -> None:
    from datetime import timedelta

    client = StreamChatClient(
        "key", connect_timeout=timedelta(seconds=2), receive_timeout=timedelta(minutes=1)
    )
    assert (client.connect_timeout, client.receive_timeout) == (2.0, 60.0)
    assert StreamChatClient("key", enable_ws_fallback=True).connect_timeout == 6.0
    assert StreamChatClient("key").connect_timeout == 15.0
    assert [t.name for t in StreamChatClient("key", enable_ws_fallback=True).transports] == [
        "websocket",
        "longpoll",
    ]
    with pytest.raises(ValueError, match="api_key"):
        StreamChatClient("")
    with pytest.raises(ValueError, match="base_url"):
        StreamChatClient("key", base_url="ftp://x")
    with pytest.raises(ValueError, match="ping_interval"):
        StreamChatClient("key", ping_interval=0)
    with pytest.raises(TypeError, match="receive_timeout"):
        StreamChatClient("key", receive_timeout="6")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="twice"):
        StreamChatClient("key", transports=["websocket", "websocket"])


def test_log_level_sets_the_streamchat_logger() -> None:
    import logging

    logger = logging.getLogger("streamchat")
    previous = logger.level
    try:
        StreamChatClient("key", log_level=logging.DEBUG)
        assert logger.level == logging.DEBUG
        StreamChatClient("key", log_level="WARNING")
        assert logger.level == logging.WARNING
    finally:
        logger.setLevel(previous)


async def test_a_lost_connection_is_replaced_while_its_transport_is_still_closing() -> None:
    """The core learns at once that a connection is unusable, however long its transport takes to close."""
    release = anyio.Event()
    stuck_closing = anyio.Event()

    class SlowToClose(MemoryTransport):
        @asynccontextmanager
        async def connect(self, request: Any) -> AsyncIterator[Any]:
            async with super().connect(request) as conn:
                try:
                    yield conn
                finally:
                    if not release.is_set():
                        stuck_closing.set()
                        with anyio.CancelScope(shield=True):
                            await release.wait()

    states: list[ConnectionState] = []

    async def handle(peer: MemoryPeer) -> None:
        n = len(server.peers)
        if n == 2:
            with anyio.fail_after(WAIT):
                await stuck_closing.wait()
            states.append(client.connection_state)
        await open_peer(peer, f"c{n}")
        if n == 1:
            await peer.close(1011)
        await peer.closed_by_client.wait()

    async with serving(handle) as server:
        client = client_with(SlowToClose(server), backoff=fast_backoff(stable_after=0.0))
        async with client:
            recovered = client.events("connection.recovered")
            await client.connect_user(JOHN, dev_token("john"))
            with anyio.fail_after(WAIT):
                await recovered.receive()
            assert client.connection_id == "c2"
            assert states == [ConnectionState.CONNECTING]  # not "connected" on the dead one
            assert not server.peers[0].closed_by_client.is_set()  # c1's transport is still closing
            release.set()
