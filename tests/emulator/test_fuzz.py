"""Malformed requests, on every endpoint, get a 4xx in Stream's shape; the emulator goes on serving.

The HTTP side speaks to the emulator over raw sockets, so that nothing between the test and the
server tidies the bytes up: malformed, deeply nested, NUL, truncated, wrong-type and oversized
bodies on every route that takes a body (taken from the app's route table, so a new endpoint is
fuzzed without touching this file), oversized query strings and headers, and request lines that
are not HTTP/1.1. Every answer must be a 4xx with Stream's error body, no connection may end
without one, and nothing may be logged at ERROR or with a traceback.
"""

from __future__ import annotations

import json
import logging
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import msgspec
import pytest
import websockets.exceptions
import websockets.sync.client
from emulator_peer import API_KEY, API_SECRET, Peer, unique
from hypothesis import HealthCheck, given, settings, strategies as st
from starlette.routing import Route, WebSocketRoute

from streamchat_core.emulator import Emulator
from streamchat_core.emulator.app import routes
from streamchat_core.emulator.nesting import MAX_DEPTH

MAX_BODY = 32 * 1024
HEAD_LIMIT = 64 * 1024  # EmulatorConfig.max_request_head_bytes
ERROR_FIELDS = {"code", "message", "StatusCode", "duration", "more_info", "details"}
CHANNEL = "fuzz-room"
DEEP = 5000

#: GET routes: the JSON query parameter each reads, or None when it reads no JSON input.
GET_INPUTS: dict[str, str | None] = {"/users": "payload", "/longpoll": "json", "/_emulator/connections": None}


# ----------------------------------------------------------------------------- raw HTTP


class NoAnswer(AssertionError):
    """The connection ended without a complete HTTP answer."""


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Tally:
    """How many requests each kind of case sent; all got a 4xx."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1


def _read_answer(sock: socket.socket) -> Answer:
    buf = b""
    try:
        while b"\r\n\r\n" not in buf:
            chunk = sock.recv(65536)
            if not chunk:
                raise NoAnswer(f"the connection ended without an answer; got {buf[:200]!r}")
            buf += chunk
        head, _, rest = buf.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        match = re.fullmatch(r"HTTP/1\.1 (\d{3}) .*", status_line)
        assert match, status_line
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                raise NoAnswer(f"the answer was cut short: {buf[:200]!r}")
            rest += chunk
    except ConnectionResetError as exc:
        raise NoAnswer(f"the connection was reset; got {buf[:200]!r}") from exc
    return Answer(int(match.group(1)), headers, rest[:length])


def exchange(port: int, data: bytes, *, half_close: bool = False) -> Answer:
    """Send ``data`` on a new connection and read one answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            sock.sendall(data)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        except OSError as exc:
            raise NoAnswer(f"sending failed: {exc!r}") from exc
        return _read_answer(sock)


def request_bytes(
    method: str,
    target: str,
    body: bytes = b"",
    *,
    headers: dict[str, str] | None = None,
    content_length: int | None = None,
    close: bool = True,
) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if content_length is None:
        content_length = len(body)
    if content_length >= 0:
        lines.append(f"Content-Length: {content_length}")
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def check_error(answer: Answer, status: int | None = None, code: int | None = 4) -> None:
    """A 4xx with Stream's error body: flat fields, ``StatusCode`` matching the status."""
    assert 400 <= answer.status < 500, (answer.status, answer.body[:300])
    if status is not None:
        assert answer.status == status, (answer.status, answer.body[:300])
    assert answer.headers.get("content-type", "").startswith("application/json"), answer.headers
    body = answer.json()
    assert isinstance(body, dict), body
    assert set(body) >= ERROR_FIELDS, body
    assert body["StatusCode"] == answer.status, body
    assert isinstance(body["message"], str), body
    assert body["message"], body
    if code is not None:
        assert body["code"] == code, body


# ----------------------------------------------------------------------------- the emulator


@dataclass
class Target:
    emu: Emulator
    auth: dict[str, str]
    body_routes: list[tuple[str, str]]  # (method, path with parameters filled in)
    tally: Tally

    @property
    def port(self) -> int:
        return self.emu.port

    def query(self, **extra: str) -> str:
        return urlencode({"api_key": self.emu.api_key, **extra})

    def send_body(
        self,
        method: str,
        path: str,
        body: bytes,
        *,
        headers: dict[str, str] | None = None,
        half_close: bool = False,
        **kw: Any,
    ) -> Answer:
        all_headers = {**self.auth, "Content-Type": "application/json", **(headers or {})}
        data = request_bytes(method, f"{path}?{self.query()}", body, headers=all_headers, **kw)
        return exchange(self.port, data, half_close=half_close)

    def still_serving(self) -> None:
        payload = json.dumps({"filter_conditions": {"id": "fuzzer"}})
        answer = exchange(
            self.port, request_bytes("GET", f"/users?{self.query(payload=payload)}", headers=self.auth)
        )
        assert answer.status == 200, answer.body[:300]
        assert answer.json()["users"][0]["id"] == "fuzzer"


def _fill(path: str) -> str:
    return path.replace("{type}", "messaging").replace("{id}", CHANNEL)


def _http_routes() -> list[Route]:
    return [r for r in routes() if isinstance(r, Route)]


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    with Emulator(api_key=API_KEY, api_secret=API_SECRET, max_body_bytes=MAX_BODY) as emu:
        auth = {"Authorization": emu.server_token(), "stream-auth-type": "jwt"}
        body_routes = sorted(
            {
                (method, _fill(route.path))
                for route in _http_routes()
                for method in route.methods or ()
                if method in ("POST", "PATCH", "PUT", "DELETE")
            }
        )
        t = Target(emu, auth, body_routes, Tally())
        # A user and a channel, so that every route reaches the point where it reads its body.
        ok = t.send_body("POST", "/users", json.dumps({"users": {"fuzzer": {"id": "fuzzer"}}}).encode())
        assert ok.status in (200, 201), ok.body
        made = t.send_body(
            "POST",
            f"/channels/messaging/{CHANNEL}/query",
            json.dumps({"data": {"members": ["fuzzer"], "created_by_id": "fuzzer"}}).encode(),
        )
        assert made.status in (200, 201), made.body
        yield t


@pytest.fixture
def no_errors_logged(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Nothing logged at ERROR, and no traceback, while the test runs.

    INFO and up: at DEBUG, websockets' own debug mode logs each refused handshake with its
    traceback, by design.
    """
    caplog.set_level(logging.INFO)
    for name in ("uvicorn", "uvicorn.error", "asyncio", "streamchat.emulator", "websockets"):
        caplog.set_level(logging.INFO, logger=name)
    yield
    records = caplog.get_records("setup") + caplog.get_records("call")
    assert records, "no log record was captured: the check would prove nothing"
    bad = [r for r in records if r.levelno >= logging.ERROR or r.exc_info or r.exc_text]
    assert not bad, [f"{r.levelname} {r.name}: {r.getMessage()}" for r in bad]
    assert not [r for r in records if "Traceback" in r.getMessage()]


def test_every_body_route_is_fuzzed(target: Target) -> None:
    # Routes come from the app's table: a new endpoint is covered, or this test says why not.
    methods = {m for r in _http_routes() for m in (r.methods or ())} - {"HEAD"}
    assert methods <= {"GET", "POST", "PATCH", "PUT", "DELETE"}, methods
    gets = {r.path for r in _http_routes() if r.methods and "GET" in r.methods}
    assert gets == set(GET_INPUTS), f"classify the GET routes in GET_INPUTS: {gets ^ set(GET_INPUTS)}"
    assert len(target.body_routes) >= 10, target.body_routes


# ----------------------------------------------------------------------------- bodies

VALID_SAMPLE = b'{"users": {"fuzzer": {"id": "fuzzer", "name": "Fuzz", "tags": ["a", {"b": 1}]}}}'

FIXED_BODIES: dict[str, list[bytes]] = {
    "malformed": [
        b"{",
        b'{"users": {',
        b'{"a": 1,}',
        b"[1, 2",
        b"}{",
        b"{'single': 'quotes'}",
        b'{"a": tru}',
        b'{"a": 01}',
        b'{"a": "\\x"}',
        b"\xff\xfe\xfd",
        b'{"a": "\xc3\x28"}',
        b"{}{}",
        b"{} trailing",
    ],
    "deep": [
        b"[" * DEEP + b"]" * DEEP,
        b'{"a":' * DEEP + b"1" + b"}" * DEEP,
        b'{"x": ' + b"[" * DEEP + b"]" * DEEP + b"}",
        b'{"message": {"text": "hi", "x": ' + b'{"y":' * DEEP + b"null" + b"}" * DEEP + b"}}",
        b'{"users": {"u": {"id": "u", "x": ' + b"[" * DEEP + b"]" * DEEP + b"}}}",
        b"[" * DEEP,  # unclosed as well
        b'{"x": ' + b"[{" * (MAX_DEPTH // 2 + 1) + b"}]" * (MAX_DEPTH // 2 + 1) + b"}",  # just past the limit
    ],
    "nul": [b"\0", b"\0" * 1000, b"\0" * (MAX_BODY - 1), b'{"a": "\0"}', b"{}\0", b'{"a":\0 1}'],
    "truncated": [VALID_SAMPLE[:n] for n in (1, 10, 20, 40, len(VALID_SAMPLE) - 1)],
    "wrong-type": [b"[]", b"null", b"42", b'"text"', b"true", b"[{}]", b"-1.5e3"],
}


def _is_object(body: bytes) -> bool:
    try:
        return isinstance(msgspec.json.decode(body), dict)
    except (msgspec.DecodeError, RecursionError):
        return False


def _mutate(data: bytes, at: int, insert: bytes, delete: int) -> bytes:
    at %= len(data) + 1
    return data[:at] + insert + data[at + delete :]


json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
not_objects = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4), max_leaves=10).map(
    lambda v: json.dumps(v).encode()
)
mutated = st.builds(
    _mutate, st.just(VALID_SAMPLE), st.integers(0, 200), st.binary(max_size=4), st.integers(0, 6)
)
fuzzed_bodies = (st.binary(min_size=1, max_size=300) | not_objects | mutated).filter(
    lambda b: bool(b.strip()) and not _is_object(b)
)


def test_malformed_bodies_on_every_route(target: Target, no_errors_logged: None) -> None:
    for kind, bodies in FIXED_BODIES.items():
        for method, path in target.body_routes:
            for body in bodies:
                assert not _is_object(body) or kind == "deep"
                answer = target.send_body(method, path, body)
                check_error(answer, 400)
                if kind == "deep":
                    assert f"{MAX_DEPTH} levels" in answer.json()["message"]
                target.tally.add(kind)
    target.still_serving()


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
@given(body=fuzzed_bodies)
def test_fuzzed_bodies_on_every_route(target: Target, no_errors_logged: None, body: bytes) -> None:
    for method, path in target.body_routes:
        check_error(target.send_body(method, path, body), 400)
        target.tally.add("hypothesis")


def test_bodies_that_lie_about_their_length(target: Target, no_errors_logged: None) -> None:
    for method, path in target.body_routes:
        # Shorter than declared, then the client stops sending: 400, not a silent close.
        short = target.send_body(method, path, b'{"users": {', content_length=100, half_close=True)
        check_error(short, 400)
        assert "body" in short.json()["message"]
        target.tally.add("lying-length")
        # A Content-Length that is not a number, or negative, or given twice differently.
        for value in ("abc", "-1", "1e3", "10, 20"):
            bad = target.send_body(method, path, b"{}", content_length=-1, headers={"Content-Length": value})
            check_error(bad, 400)
            target.tally.add("lying-length")
        # Chunked, with a broken chunk.
        broken = target.send_body(
            method,
            path,
            b"zz\r\n{}\r\n0\r\n\r\n",
            content_length=-1,
            headers={"Transfer-Encoding": "chunked"},
        )
        check_error(broken, 400)
        target.tally.add("lying-length")
    target.still_serving()


def test_oversized_bodies(target: Target, no_errors_logged: None) -> None:
    big = b'{"x": "' + b"y" * (4 * MAX_BODY) + b'"}'
    for method, path in target.body_routes:
        for close in (True, False):  # the server answers early either way; no reset
            answer = target.send_body(method, path, big, close=close)
            check_error(answer, 413, code=22)
            target.tally.add("oversized")
        chunked = b"".join(b"%x\r\n%s\r\n" % (4096, b"y" * 4096) for _ in range(2 * MAX_BODY // 4096))
        streamed = target.send_body(
            method, path, chunked + b"0\r\n\r\n", content_length=-1, headers={"Transfer-Encoding": "chunked"}
        )
        check_error(streamed, 413, code=22)
        target.tally.add("oversized")
    target.still_serving()


def test_an_answer_before_the_body_is_read_reaches_the_client(target: Target, no_errors_logged: None) -> None:
    # Refused before its body is read (no token), on a connection that must close: the server
    # reads and throws away the rest, so the client reads the answer instead of a reset.
    body = b"\0" * (MAX_BODY // 2)
    for method, path in target.body_routes:
        answer = exchange(target.port, request_bytes(method, f"{path}?{target.query()}", body))
        check_error(answer, code=None)
        assert answer.status in (401, 403), answer.body[:200]
        target.tally.add("refused-before-body")
    target.still_serving()


# ----------------------------------------------------------------------------- request heads


def test_oversized_query_strings_and_headers_on_every_route(target: Target, no_errors_logged: None) -> None:
    paths = sorted({_fill(r.path) for r in routes() if isinstance(r, (Route, WebSocketRoute))})
    for path in paths:
        long_query = exchange(target.port, request_bytes("GET", f"{path}?x={'a' * (1 << 20)}"))
        check_error(long_query, 414)
        long_header = exchange(target.port, request_bytes("GET", path, headers={"X-Filler": "a" * (1 << 20)}))
        check_error(long_header, 431)
        target.tally.add("oversized-head")
        target.tally.add("oversized-head")
        many_headers = exchange(
            target.port,
            request_bytes("GET", path, headers={f"X-H{i}": "v" * 100 for i in range(1000)}),
        )
        check_error(many_headers, 431)
        target.tally.add("oversized-head")
    # Just under the limit is still served.
    payload = json.dumps({"filter_conditions": {"id": "fuzzer"}})
    fine = exchange(
        target.port,
        request_bytes(
            "GET",
            f"/users?{target.query(payload=payload)}",
            headers={**target.auth, "X-F": "a" * (HEAD_LIMIT // 2)},
        ),
    )
    assert fine.status == 200
    target.still_serving()


BAD_HEADS = [
    b"GET /users\r\n",  # HTTP/0.9: answered at once, without waiting for headers
    b"GET /users\n",
    b"GET\r\n\r\n",
    b"\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 40 + b"\r\n",  # TLS ClientHello
    b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",  # HTTP/2 with prior knowledge
    b"GET /users HTTP/9.9\r\n\r\n",
    b"GET /users HTTP/1.1 extra\r\n\r\n",
    b"G\x00T /users HTTP/1.1\r\n\r\n",
    b"\x00" * 1000 + b"\r\n\r\n",
    b"GET /us ers HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /users HTTP/1.1\r\nBad Header Line\r\n\r\n",
    b"GET /users HTTP/1.1\r\nX-Nul: a\x00b\r\n\r\n",
    b"GET /users HTTP/1.1\r\n: no-name\r\n\r\n",
    b"GET /users HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
    b"POST /users HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
    b"POST /users HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
]

TRUNCATED_HEADS = [b"GET /users HTTP/1.1\r\nHost: x\r\n", b"POST /users HTTP/1.1\r\nContent-Le", b"GET /us"]


def test_bad_request_lines_and_headers(target: Target, no_errors_logged: None) -> None:
    for head in BAD_HEADS:
        check_error(exchange(target.port, head), 400)
        target.tally.add("bad-head")
    for head in TRUNCATED_HEADS:  # the client stops sending mid-head
        check_error(exchange(target.port, head, half_close=True), 400)
        target.tally.add("bad-head")
    # A good request, then a bad one on the same (kept-alive) connection.
    payload = json.dumps({"filter_conditions": {"id": "fuzzer"}})
    good = request_bytes("GET", f"/users?{target.query(payload=payload)}", headers=target.auth, close=False)
    with socket.create_connection(("127.0.0.1", target.port), timeout=10) as sock:
        sock.sendall(good)
        assert _read_answer(sock).status == 200
        sock.sendall(b"GET /users\r\n")
        check_error(_read_answer(sock), 400)
        target.tally.add("bad-head")
    target.still_serving()


request_lines = st.binary(min_size=1, max_size=200).filter(
    lambda line: b"\n" not in line and not re.fullmatch(rb"[A-Za-z]+ \S+ HTTP/1\.[01]\r?", line)
)


@settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(line=request_lines)
def test_fuzzed_request_lines(target: Target, no_errors_logged: None, line: bytes) -> None:
    # Most are refused as request lines (400); a few parse (a method "1", say) and get the 404
    # or 400 of a request to no endpoint.
    check_error(exchange(target.port, line + b"\r\nHost: x\r\n\r\n"), code=None)
    target.tally.add("hypothesis-line")


# ----------------------------------------------------------------------------- WebSocket


@pytest.mark.anyio
async def test_a_deeply_nested_websocket_frame_closes_with_1007(
    target: Target, no_errors_logged: None
) -> None:
    peer = Peer(target.emu)
    async with peer.connected(unique("bystander")) as (bystander, _):
        for frame in (
            "[" * DEEP + "]" * DEEP,
            '[{"type": "health.check", "client_id": "x", "x": ' + "[" * DEEP + "]" * DEEP + "}]",
        ):
            async with peer.connected(unique("deep")) as (ws, _):
                await ws.ping()
                assert (await ws.recv_json())["type"] == "health.check"
                await ws.send_text(frame)
                closed = await ws.wait_closed()
                assert closed.code == 1007, closed
                assert f"{MAX_DEPTH} levels" in closed.reason
        # A frame just inside the limit is only ignored (it is not a ping).
        await bystander.send_text("[" * MAX_DEPTH + "]" * MAX_DEPTH)
        await bystander.ping()
        assert (await bystander.recv_json())["type"] == "health.check"
    # A deep connect payload is refused like any bad payload: an error frame with code 4.
    user_id = unique("deep-connect")
    deep = "[" * 3000 + "]" * 3000
    deep_payload = f'{{"user_id": "{user_id}", "user_details": {{"id": "{user_id}", "x": {deep}}}}}'
    async with peer.ws(user_id, payload=deep_payload) as ws:
        refusal = await ws.recv_json()
        assert refusal["error"]["code"] == 4
        assert f"{MAX_DEPTH} levels" in refusal["error"]["message"]
    target.still_serving()


UPGRADE = "Connection: Upgrade\r\nUpgrade: websocket\r\n"
KEY = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
BAD_UPGRADES: list[tuple[str, int, int]] = [  # (request head, status, code)
    (f"GET /connect HTTP/1.1\r\nHost: x\r\n{UPGRADE}\r\n", 400, 4),  # no key, no version
    (f"GET /connect HTTP/1.1\r\nHost: x\r\n{UPGRADE}{KEY}Sec-WebSocket-Version: 99\r\n\r\n", 400, 4),
    (
        f"GET /connect HTTP/1.1\r\nHost: x\r\n{UPGRADE}Sec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n",
        400,
        4,
    ),
    (
        f"POST /connect HTTP/1.1\r\nHost: x\r\n{UPGRADE}{KEY}Sec-WebSocket-Version: 13\r\nContent-Length: 3\r\n\r\nabc",
        400,
        4,
    ),
    (
        f"GET /connect HTTP/1.1\r\nHost: x\r\n{UPGRADE}{KEY}Sec-WebSocket-Version: 13\r\n"
        + "".join(f"X-H{i}: v\r\n" for i in range(200))
        + "\r\n",
        431,
        4,
    ),
    (f"GET /users HTTP/1.1\r\nHost: x\r\n{UPGRADE}{KEY}Sec-WebSocket-Version: 13\r\n\r\n", 404, 16),
]


def test_bad_websocket_handshakes(target: Target, no_errors_logged: None) -> None:
    for head, status, code in BAD_UPGRADES:
        check_error(exchange(target.port, head.encode()), status, code=code)
        target.tally.add("bad-upgrade")
    target.still_serving()


def test_a_text_frame_that_is_not_utf8_closes_with_1007(target: Target, no_errors_logged: None) -> None:
    peer = Peer(target.emu)
    user_id = unique("utf8")
    with websockets.sync.client.connect(peer.connect_url(user_id), proxy=None) as ws:
        assert json.loads(ws.recv(timeout=10))["type"] == "health.check"
        ws.send(b"[\xff\xfe]", text=True)
        with pytest.raises(websockets.exceptions.ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1007
    target.still_serving()


def test_deep_json_in_query_parameters(target: Target, no_errors_logged: None) -> None:
    deep = quote("[" * 3000 + "]" * 3000)
    for path, name in GET_INPUTS.items():
        if name is None:
            continue
        answer = exchange(
            target.port, request_bytes("GET", f"{path}?{target.query()}&{name}={deep}", headers=target.auth)
        )
        check_error(answer, 400)
        assert f"{MAX_DEPTH} levels" in answer.json()["message"]
        target.tally.add("deep-query")


def test_summary(target: Target) -> None:
    # Defined last, so run last: how many malformed requests were sent (each answered 4xx).
    total = sum(target.tally.counts.values())
    print(f"\nfuzzed HTTP requests, every one answered 4xx in Stream's shape: {total} {target.tally.counts}")
    target.still_serving()
