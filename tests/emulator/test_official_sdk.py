"""Stream's official Python server SDK (``stream-chat`` on PyPI) against the emulator."""

from __future__ import annotations

import time

import pytest
from emulator_peer import API_KEY, API_SECRET, connect_blocking, unique
from stream_chat import StreamChat
from stream_chat.base.exceptions import StreamAPIException

from streamchat_core.emulator import Emulator


@pytest.fixture
def sdk(emu: Emulator) -> StreamChat:
    return StreamChat(API_KEY, API_SECRET, base_url=emu.base_url)


def test_tokens_made_by_the_sdk_are_accepted(sdk: StreamChat, emu: Emulator) -> None:
    user_id = unique("sdk")
    now = int(time.time())
    for token in (sdk.create_token(user_id), sdk.create_token(user_id, exp=now + 3600, iat=now - 5)):
        frame = connect_blocking(emu.ws_url, API_KEY, user_id, token)
        assert frame["type"] == "health.check", frame
    expired = connect_blocking(emu.ws_url, API_KEY, user_id, sdk.create_token(user_id, exp=now - 60))
    assert expired["error"]["code"] == 40  # type: ignore[index]


def test_upsert_query_and_partially_update_users(sdk: StreamChat) -> None:
    ids = [unique("sdk") for _ in range(3)]
    upserted = sdk.upsert_users([{"id": i, "name": f"User {n}", "rank": n} for n, i in enumerate(ids)])
    assert set(upserted["users"]) == set(ids)
    found = sdk.query_users({"id": {"$in": ids}}, [{"rank": -1}])
    assert [u["id"] for u in found["users"]] == ids[::-1]
    assert found["users"][0]["name"] == "User 2"
    one = sdk.query_users({"id": {"$eq": ids[0]}}, limit=1)
    assert [u["id"] for u in one["users"]] == [ids[0]]
    updated = sdk.update_user_partial({"id": ids[0], "set": {"city": "Oslo"}, "unset": ["rank"]})
    assert updated["users"][ids[0]]["city"] == "Oslo"
    assert "rank" not in updated["users"][ids[0]]


def test_errors_reach_the_sdk_with_their_code(sdk: StreamChat) -> None:
    with pytest.raises(StreamAPIException) as bad_filter:
        sdk.query_users({"id": {"$regex": "x"}})
    assert bad_filter.value.error_code == 4
    assert bad_filter.value.status_code == 400
    wrong = StreamChat(API_KEY, "not-the-secret-not-the-secret-not-the-secret", base_url=sdk.base_url)
    with pytest.raises(StreamAPIException) as bad_secret:
        wrong.query_users({"id": "x"})
    assert bad_secret.value.error_code == 43


def test_server_side_channel_calls(sdk: StreamChat) -> None:
    owner, guest = unique("owner"), unique("guest")
    sdk.upsert_users([{"id": owner}, {"id": guest}])
    channel = sdk.channel("messaging", unique("sdk-room"), {"members": [owner, guest]})
    created = channel.create(owner)
    assert created["channel"]["created_by"]["id"] == owner
    sent = channel.send_message({"text": "from the backend"}, owner)
    assert sent["message"]["user"]["id"] == owner
    channel.mark_read(guest)
    listed = sdk.query_channels({"members": {"$in": [guest]}})
    assert [c["channel"]["cid"] for c in listed["channels"]] == [channel.cid]
    reads = {r["user"]["id"]: r for r in listed["channels"][0]["read"]}
    assert reads[guest]["last_read_message_id"] == sent["message"]["id"]
