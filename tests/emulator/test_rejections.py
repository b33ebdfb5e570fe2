"""Every way a connect is rejected: an error frame in Stream's shape, then a close with 1000.

The same checks run on the long-poll connect, where the error is the HTTP body and status.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from emulator_peer import API_SECRET, Peer, error_of, error_of_body, unique

from streamchat_core.emulator import Emulator
from streamchat_core.tokens import dev_token

pytestmark = pytest.mark.anyio


def _other_secret_token(user_id: str) -> str:
    return jwt.encode({"user_id": user_id}, "another-secret-another-secret-another", algorithm="HS256")


def _unsigned_token(user_id: str) -> str:
    head = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(json.dumps({"user_id": user_id}).encode()).rstrip(b"=").decode()
    return f"{head}.{body}."


def _cases(peer: Peer, user_id: str) -> dict[str, tuple[dict[str, Any], int, int]]:
    """name -> (connect_query options, Stream code, HTTP status)."""
    now = int(time.time())
    return {
        "unknown api key": ({"api_key": "not-the-key"}, 2, 401),
        "invalid user id": (
            {
                "payload": json.dumps({"user_id": "John Doe!", "user_details": {"id": "John Doe!"}}),
                "token": peer.token("John Doe!"),
            },
            4,
            400,
        ),
        "user of 5120 bytes or more": ({"user": {"bio": "x" * 6000}}, 4, 400),
        "malformed json": ({"payload": '{"user_id": '}, 4, 400),
        "json of the wrong shape": (
            {"payload": json.dumps({"user_id": user_id, "user_details": {"id": 5}})},
            4,
            400,
        ),
        "json missing user_details": ({"payload": json.dumps({"user_id": user_id})}, 4, 400),
        "user_id differs from user_details.id": (
            {"payload": json.dumps({"user_id": user_id, "user_details": {"id": user_id + "x"}})},
            4,
            400,
        ),
        "expired token": ({"token": peer.token(user_id, exp=now - 60)}, 40, 401),
        "token not valid yet": ({"token": peer.token(user_id, nbf=now + 3600)}, 41, 401),
        "token used before issued": ({"token": peer.token(user_id, iat=now + 3600)}, 42, 401),
        "signed with another secret": ({"token": _other_secret_token(user_id)}, 43, 401),
        "not a jwt": ({"token": "definitely-not-a-jwt"}, 43, 401),
        "unsigned token": ({"token": _unsigned_token(user_id)}, 43, 401),
        "dev token without allow_dev_tokens": ({"token": dev_token(user_id)}, 43, 401),
        "token of another user": ({"token": peer.token(unique("other"))}, 5, 401),
        "server token": ({"token": peer.emu.server_token()}, 5, 401),
        "empty token": ({"token": ""}, 5, 401),
    }


CASES = [
    "unknown api key",
    "invalid user id",
    "user of 5120 bytes or more",
    "malformed json",
    "json of the wrong shape",
    "json missing user_details",
    "user_id differs from user_details.id",
    "expired token",
    "token not valid yet",
    "token used before issued",
    "signed with another secret",
    "not a jwt",
    "unsigned token",
    "dev token without allow_dev_tokens",
    "token of another user",
    "server token",
    "empty token",
]


@pytest.mark.parametrize("case", CASES)
async def test_websocket_rejection(peer: Peer, case: str) -> None:
    user_id = unique("rejected")
    options, code, status = _cases(peer, user_id)[case]
    async with peer.ws(user_id, **options) as ws:
        frame = await ws.recv_json()
        error = error_of(frame)
        assert error["code"] == code, error
        assert error["StatusCode"] == status
        assert error["message"]
        closed = await ws.wait_closed()
        assert closed.code == 1000
    assert peer.emu.connection_ids(user_id) == []
    assert peer.emu.user(user_id) is None  # a rejected connect stores nothing


@pytest.mark.parametrize("case", CASES)
async def test_longpoll_rejection(peer: Peer, case: str) -> None:
    user_id = unique("rejected")
    options, code, status = _cases(peer, user_id)[case]
    query = peer.connect_query(user_id, **options)
    token = query.pop("authorization")
    async with peer.http() as client:
        response = await client.get("/longpoll", params=query, headers={"Authorization": token})
    assert response.status_code == status
    body = response.json()
    assert error_of_body(body)["code"] == code  # Stream's REST shape, flat
    assert body["StatusCode"] == status


async def test_an_invalid_user_id_is_named_in_streams_words_with_the_character(peer: Peer) -> None:
    async with peer.ws(
        "John Doe!",
        payload=json.dumps({"user_id": "John Doe!", "user_details": {"id": "John Doe!"}}),
        token=peer.token("John Doe!"),
    ) as ws:
        message = error_of(await ws.recv_json())["message"]
    assert message.startswith('"John Doe!" is not a valid user id. a-z, 0-9, @, _ and - are allowed.')
    assert "'J' (U+004A) at position 0" in message


async def test_the_mismatch_message_names_both_users(peer: Peer) -> None:
    user_id, other = unique("me"), unique("them")
    async with peer.ws(user_id, token=peer.token(other)) as ws:
        message = error_of(await ws.recv_json())["message"]
    assert user_id in message
    assert other in message


async def test_a_user_just_under_the_size_limit_is_accepted(peer: Peer) -> None:
    user_id = unique("fits")
    base = len(json.dumps({"id": user_id, "bio": ""}, separators=(",", ":")).encode())
    async with peer.connected(user_id, user={"bio": "x" * (5119 - base)}) as (_, first):
        assert len(first["me"]["bio"]) == 5119 - base


async def test_a_large_user_with_non_ascii_text_gets_code_4_not_an_http_error(peer: Peer) -> None:
    # Percent-encoded in the URL this is over 15 KB: the request line must still get through.
    user_id = unique("wide")
    async with peer.ws(user_id, user={"bio": "é" * 2600}) as ws:
        assert error_of(await ws.recv_json())["code"] == 4


async def test_dev_tokens_are_accepted_when_allowed(make_emulator: Callable[..., Emulator]) -> None:
    peer = Peer(make_emulator(allow_dev_tokens=True))
    user_id = unique("dev")
    async with peer.connected(user_id, token=dev_token(user_id)) as (_, first):
        assert first["me"]["id"] == user_id
    async with peer.ws(user_id, token=dev_token(unique("else"))) as ws:
        assert error_of(await ws.recv_json())["code"] == 5


async def test_a_token_with_exp_in_the_future_and_iat_in_the_past_is_accepted(peer: Peer) -> None:
    user_id = unique("timed")
    now = int(time.time())
    async with peer.connected(user_id, token=peer.token(user_id, exp=now + 3600, iat=now - 10, nbf=now - 10)):
        pass


async def test_create_token_makes_plain_hs256_tokens(peer: Peer) -> None:
    claims = jwt.decode(peer.emu.create_token("x", exp=2_000_000_000), API_SECRET, algorithms=["HS256"])
    assert claims == {"user_id": "x", "exp": 2_000_000_000}
    assert jwt.decode(peer.emu.server_token(), API_SECRET, algorithms=["HS256"]) == {"server": True}


def test_every_case_is_listed() -> None:
    from types import SimpleNamespace

    fake = SimpleNamespace(token=lambda *a, **k: "t", emu=SimpleNamespace(server_token=lambda: "s"))
    assert list(_cases(fake, "u")) == CASES  # type: ignore[arg-type]
