"""The error tree: documented as it is, misuse apart from failure, causes kept, tokens never shown."""

from __future__ import annotations

import inspect
import re
import socket
import traceback
from collections.abc import Iterator

import httpx
import pytest

import streamchat_core
import streamchat_wire as wire
from streamchat_core import errors
from streamchat_core.error_codes import ErrorCode
from streamchat_core.errors import (
    ConnectTimeoutError,
    DecodeError,
    InvalidTokenError,
    InvalidUserError,
    RedactedCause,
    StreamAPIError,
    StreamChatError,
    TransportError,
    UsageError,
    api_error,
    map_exceptions,
)
from streamchat_core.rest import RestClient, decode_json
from streamchat_core.tokens import dev_token, token_claims
from streamchat_core.transport import redact
from streamchat_core.validation import validate_user

TOKEN = dev_token("john").replace("devtoken", "s3cr3t-signature")


def formatted(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))


def exception_classes() -> dict[str, type[BaseException]]:
    return {
        name: value
        for name in errors.__all__
        if isinstance(value := getattr(errors, name), type) and issubclass(value, BaseException)
    }


# ---------------------------------------------------------------------------- the tree


def documented_tree() -> Iterator[tuple[str, str | None]]:
    """(class, parent) for each line of the tree in errors.py's docstring."""
    doc = errors.__doc__ or ""
    block = doc.split("::\n\n", 1)[1].split("\n\n", 1)[0]
    stack: list[tuple[int, str]] = []
    for line in block.splitlines():
        indent = len(line) - len(line.lstrip())
        name = line.split()[0]
        while stack and stack[-1][0] >= indent:
            stack.pop()
        yield name, stack[-1][1] if stack else None
        stack.append((indent, name))


def test_the_documented_tree_is_the_class_tree() -> None:
    documented = dict(documented_tree())
    classes = exception_classes()
    assert sorted(documented) == sorted(classes)
    for name, cls in classes.items():
        ours = [base.__name__ for base in cls.__mro__[1:] if base.__name__ in classes]
        assert documented[name] == (ours[0] if ours else None), name


def test_misuse_is_not_a_failure() -> None:
    assert issubclass(UsageError, RuntimeError)
    assert not issubclass(UsageError, StreamChatError)
    assert not issubclass(StreamChatError, UsageError)
    assert streamchat_core.UsageError is UsageError
    assert streamchat_core.ErrorCode is ErrorCode


@pytest.mark.anyio
async def test_a_retry_loop_on_stream_chat_error_does_not_swallow_misuse() -> None:
    client = streamchat_core.StreamChatClient("key")
    swallowed: list[StreamChatError] = []

    async def connect_retrying_failures() -> None:
        try:
            await client.connect_user(streamchat_core.User(id="john"), TOKEN)
        except StreamChatError as exc:
            swallowed.append(exc)

    with pytest.raises(UsageError, match="async with"):
        await connect_retrying_failures()
    assert swallowed == []


# ---------------------------------------------------------------------------- the code table


def typed_api_errors() -> list[type[StreamAPIError]]:
    return [
        cls
        for cls in exception_classes().values()
        if issubclass(cls, StreamAPIError) and cls is not StreamAPIError
    ]


def test_the_table_has_one_entry_per_code_and_says_status_and_meaning() -> None:
    assert len(ErrorCode.__members__) == len(list(ErrorCode)), "two names for one code"
    for entry in ErrorCode:
        assert entry.status is None or 400 <= entry.status < 600, entry
        assert entry.meaning, entry
    assert ErrorCode(40) is ErrorCode.TOKEN_EXPIRED
    assert (ErrorCode.INPUT.status, ErrorCode.RATE_LIMIT.status, ErrorCode.INTERNAL.status) == (400, 429, 500)
    with pytest.raises(ValueError, match="1234"):
        ErrorCode(1234)


@pytest.mark.parametrize("cls", typed_api_errors(), ids=lambda cls: cls.__name__)
def test_each_typed_api_error_is_one_entry_of_the_table(cls: type[StreamAPIError]) -> None:
    entry = cls.error_code
    assert isinstance(entry, ErrorCode)
    assert (cls.__doc__ or "").startswith(f"Code {int(entry)}:")
    error = api_error(int(entry), "no", 401)
    assert type(error) is cls
    assert (error.code, error.status_code, error.message) == (int(entry), 401, "no")


def test_a_code_without_a_class_gives_the_base_class_and_codes_stay_plain_ints() -> None:
    error = api_error(ErrorCode.NOT_ALLOWED, "forbidden", 403)
    assert type(error) is StreamAPIError
    assert StreamAPIError.error_code is None
    assert type(error.code) is int
    assert str(error) == "Stream error code 17, HTTP 403: forbidden"
    assert type(api_error(12345, "new").code) is int


# ---------------------------------------------------------------------------- map_exceptions


def secret_redactor(text: str) -> str:
    return redact(text, ["hunter2"])


class Outer(Exception):
    pass


class Inner(Outer):
    pass


def test_the_first_matching_class_wins_and_the_cause_is_chained() -> None:
    mapping = {
        Inner: lambda why: ConnectTimeoutError(f"inner: {why}"),
        Outer: lambda why: TransportError(f"outer: {why}"),
    }
    original = Inner("slow")
    with pytest.raises(ConnectTimeoutError) as info, map_exceptions(mapping, redact=secret_redactor):
        raise original
    assert str(info.value) == "inner: Inner: slow"
    assert info.value.__cause__ is original
    with (
        pytest.raises(TransportError, match="outer: Outer: down") as outer,
        map_exceptions(mapping, redact=secret_redactor),
    ):
        raise Outer("down")
    assert type(outer.value) is TransportError


def test_an_exception_the_mapping_does_not_name_passes_through() -> None:
    original = KeyError("k")
    with pytest.raises(KeyError) as info, map_exceptions({Outer: TransportError}, redact=secret_redactor):
        raise original
    assert info.value is original


@pytest.mark.parametrize("where", ["message", "chained", "note"])
def test_a_cause_that_would_print_a_secret_is_replaced_by_a_redacted_copy(where: str) -> None:
    def fail() -> None:
        if where == "message":
            raise Outer("GET http://x/?authorization=hunter2 refused")
        if where == "chained":
            try:
                raise OSError("header b'hunter2' is illegal")
            except OSError as exc:
                raise Outer("refused") from exc
        error = Outer("refused")
        error.add_note("while sending hunter2")
        raise error

    with (
        pytest.raises(TransportError) as info,
        map_exceptions({Outer: TransportError}, redact=secret_redactor),
    ):
        fail()
    cause = info.value.__cause__
    assert isinstance(cause, RedactedCause)
    assert str(cause).startswith(f"{__name__}.Outer: ")
    assert "hunter2" not in str(info.value)
    assert "hunter2" not in formatted(info.value)
    if where == "message":
        assert "<redacted>" in str(cause)


# ---------------------------------------------------------------------------- the REST boundary


def rest_client(
    transport: httpx.AsyncBaseTransport | None = None, base_url: str = "http://rest.invalid"
) -> RestClient:
    return RestClient(
        base_url, "key", user_agent="test", connect_timeout=2, receive_timeout=2, http_transport=transport
    )


@pytest.fixture
def refusing_port() -> Iterator[int]:
    # Bound but never listening: the kernel refuses connections, and no one else can take the port.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.mark.anyio
async def test_a_refused_connection_keeps_httpx_cause_and_never_shows_the_token(refusing_port: int) -> None:
    rest = rest_client(base_url=f"http://127.0.0.1:{refusing_port}")
    try:
        with pytest.raises(TransportError) as info:
            await rest.request("GET", "/users", token=TOKEN, user_id="john", connection_id="c1")
    finally:
        await rest.aclose()
    error = info.value
    assert isinstance(error.__cause__, httpx.ConnectError)
    assert str(error).startswith("GET /users failed: ConnectError: ")
    for text in (str(error), formatted(error)):
        assert TOKEN not in text
        assert "s3cr3t" not in text
    assert "httpx.ConnectError" in formatted(error)


@pytest.mark.anyio
async def test_an_httpx_error_quoting_the_token_is_chained_redacted() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        token = request.headers["Authorization"]
        raise httpx.RemoteProtocolError(f"illegal header value b'{token}\\n'", request=request)

    rest = rest_client(httpx.MockTransport(handler))
    try:
        with pytest.raises(TransportError) as info:
            await rest.request("GET", "/users", token=TOKEN, user_id="john", connection_id=None)
    finally:
        await rest.aclose()
    assert isinstance(info.value.__cause__, RedactedCause)
    assert "httpx.RemoteProtocolError: illegal header value" in str(info.value.__cause__)
    for text in (str(info.value), formatted(info.value)):
        assert "s3cr3t" not in text


@pytest.mark.anyio
async def test_timeouts_keep_their_cause() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/connect":
            raise httpx.ConnectTimeout("slow", request=request)
        raise httpx.ReadTimeout("slower", request=request)

    rest = rest_client(httpx.MockTransport(handler))
    try:
        with pytest.raises(ConnectTimeoutError, match="could not connect within 2") as connect:
            await rest.request("GET", "/connect", token=TOKEN, user_id="john", connection_id=None)
        with pytest.raises(TransportError, match="no response within 2") as read:
            await rest.request("GET", "/read", token=TOKEN, user_id="john", connection_id=None)
    finally:
        await rest.aclose()
    assert isinstance(connect.value.__cause__, httpx.ConnectTimeout)
    assert isinstance(read.value.__cause__, httpx.ReadTimeout)
    assert type(read.value) is TransportError


# ---------------------------------------------------------------------------- other translations


def test_translations_that_hold_no_secret_chain_their_cause() -> None:
    with pytest.raises(DecodeError) as body:
        decode_json(b"{not json")
    assert body.value.__cause__ is not None
    with pytest.raises(InvalidTokenError) as token:
        token_claims("a.%%%.c")
    assert isinstance(token.value.__cause__, ValueError)  # binascii.Error is one
    with pytest.raises(InvalidUserError) as user:
        validate_user(wire.User(id="john", extra_data={"when": object()}))
    assert isinstance(user.value.__cause__, TypeError)


def test_no_translation_in_the_owned_modules_drops_its_cause() -> None:
    # `from None` hides what happened: every translation in these modules chains its cause
    # (map_exceptions swaps in a redacted copy where the cause would show a token).
    from streamchat_core import auth, rest, tokens, validation

    for module in (errors, rest, auth, tokens, validation):
        source = inspect.getsource(module)
        assert not re.search(r"\bfrom None\b", source), module.__name__
