"""Channels on the server side: query and watch, messages, typing, reads, presence, privacy.

Absence is checked without waiting on the clock: after the action, an event is pushed to the
same connection (a marker), and everything that arrived before it is what the action caused.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from emulator_peer import WS, Peer, unique

pytestmark = pytest.mark.anyio

OFF = {"typing_indicators": {"enabled": False}, "read_receipts": {"enabled": False}}


@dataclass
class Member:
    user_id: str
    ws: WS
    connection_id: str


@dataclass
class Room:
    peer: Peer
    channel_id: str
    john: Member
    jane: Member

    @property
    def path(self) -> str:
        return f"/channels/messaging/{self.channel_id}"

    async def call(self, who: Member, what: str, body: Any = None) -> dict[str, Any]:
        response = await post_as(self.peer, who, f"{self.path}/{what}", body if body is not None else {})
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]


async def post_as(peer: Peer, who: Member, path: str, body: Any) -> httpx.Response:
    """``who`` POSTs ``body`` to ``path`` on its own connection (so that a watch is that connection's)."""
    return await peer.request(
        "POST", path, user_id=who.user_id, params={"connection_id": who.connection_id}, json_body=body
    )


async def after_marker(peer: Peer, who: Member) -> list[dict[str, Any]]:
    """Every event ``who`` received before a marker pushed now: all that earlier actions caused."""
    marker = await peer.push_marker(who.connection_id)
    return await who.ws.events_until_marker(marker)


@asynccontextmanager
async def member(peer: Peer, prefix: str, **user: Any) -> AsyncIterator[Member]:
    user_id = unique(prefix)
    async with peer.connected(user_id, user=user) as (ws, first):
        yield Member(user_id, ws, first["connection_id"])


@asynccontextmanager
async def room(peer: Peer, jane_settings: dict[str, Any] | None = None) -> AsyncIterator[Room]:
    """john (default privacy) and jane (settings given), both members, both watching."""
    jane_user = {"name": "Jane"} | ({"privacy_settings": jane_settings} if jane_settings else {})
    async with member(peer, "john", name="John") as john, member(peer, "jane", **jane_user) as jane:
        r = Room(peer, unique("room"), john, jane)
        await r.call(
            john, "query", {"data": {"members": [john.user_id, jane.user_id]}, "watch": True, "state": True}
        )
        await r.call(jane, "query", {"watch": True, "state": True})
        await john.ws.recv_until("user.watching.start")  # jane joined john
        yield r


async def test_query_creates_the_channel_with_members_and_config(peer: Peer) -> None:
    async with member(peer, "john") as john, member(peer, "jane") as jane:
        channel_id = unique("new")
        response = await post_as(
            peer,
            john,
            f"/channels/messaging/{channel_id}/query",
            {
                "data": {"members": [john.user_id, jane.user_id], "color": "blue"},
                "watch": True,
                "state": True,
            },
        )
        state = response.json()
        channel = state["channel"]
        assert channel["cid"] == f"messaging:{channel_id}"
        assert channel["id"] == channel_id
        assert channel["type"] == "messaging"
        assert channel["color"] == "blue"
        assert channel["config"]["typing_events"] is True
        assert channel["config"]["read_events"] is True
        assert "read-events" in channel["own_capabilities"]
        assert channel["created_by"]["id"] == john.user_id
        assert channel["member_count"] == 2
        assert state["messages"] == []
        assert sorted(m["user"]["id"] for m in state["members"]) == sorted([john.user_id, jane.user_id])
        assert all(m["user_id"] == m["user"]["id"] for m in state["members"])
        assert sorted(r["user"]["id"] for r in state["read"]) == sorted([john.user_id, jane.user_id])
        assert all("last_read" in r for r in state["read"])
        assert state["watcher_count"] == 1
        assert state["membership"]["user_id"] == john.user_id
        # Queried again without watching: the same channel, still one watcher.
        again = await peer.request(
            "POST", f"/channels/messaging/{channel_id}/query", user_id=jane.user_id, json_body={"state": True}
        )
        assert again.json()["channel"]["created_at"] == channel["created_at"]
        assert again.json()["watcher_count"] == 1


async def test_message_new_reaches_every_watcher_the_sender_included(peer: Peer) -> None:
    async with room(peer) as r:
        sent = await r.call(r.john, "message", {"message": {"text": "hello jane", "mood": "sunny"}})
        message = sent["message"]
        assert message["text"] == "hello jane"
        assert message["user"]["id"] == r.john.user_id
        assert message["mood"] == "sunny"
        assert message["cid"] == f"messaging:{r.channel_id}"
        for who in (r.jane, r.john):
            event = await who.ws.recv_until("message.new")
            assert event["message"]["id"] == message["id"]
            assert event["user"]["id"] == r.john.user_id
            assert event["cid"] == f"messaging:{r.channel_id}"
            assert event["watcher_count"] == 2
        state = await r.call(r.jane, "query", {"state": True})
        assert [m["id"] for m in state["messages"]] == [message["id"]]
        jane_read = next(x for x in state["read"] if x["user"]["id"] == r.jane.user_id)
        assert jane_read["unread_messages"] == 1
        # Posting counts as reading, but the last read message moves only with a read.
        john_read = next(x for x in state["read"] if x["user"]["id"] == r.john.user_id)
        assert john_read["unread_messages"] == 0
        assert john_read["last_read"] == message["created_at"]
        assert "last_read_message_id" not in john_read


async def test_members_not_watching_get_notification_message_new(peer: Peer) -> None:
    async with member(peer, "john") as john, member(peer, "jane") as jane:
        channel_id = unique("quiet")
        await post_as(
            peer,
            john,
            f"/channels/messaging/{channel_id}/query",
            {"data": {"members": [john.user_id, jane.user_id]}, "watch": True},
        )
        await peer.request(
            "POST",
            f"/channels/messaging/{channel_id}/message",
            user_id=john.user_id,
            json_body={"message": {"text": "are you there"}},
        )
        event = await jane.ws.recv_until("notification.message_new")
        assert event["message"]["text"] == "are you there"
        assert event["channel"]["cid"] == f"messaging:{channel_id}"
        assert event["unread_count"] == 1
        assert event["unread_channels"] == 1
    async with peer.connected(jane.user_id) as (_, first):
        assert first["me"]["unread_count"] == 1
        assert first["me"]["unread_channels"] == 1


async def test_typing_events_reach_the_other_watchers_only(peer: Peer) -> None:
    async with room(peer) as r:
        await r.call(r.john, "event", {"event": {"type": "typing.start", "parent_id": "thread-1"}})
        start = await r.jane.ws.recv_until("typing.start")
        assert start["user"]["id"] == r.john.user_id
        assert start["parent_id"] == "thread-1"
        assert start["cid"] == f"messaging:{r.channel_id}"
        assert "created_at" in start
        await r.call(r.john, "event", {"event": {"type": "typing.stop"}})
        stop = await r.jane.ws.recv_until("typing.stop")
        assert stop["user"]["id"] == r.john.user_id
        assert "parent_id" not in stop
        assert not [e for e in await after_marker(r.peer, r.john) if e["type"].startswith("typing.")]


async def test_typing_from_a_user_with_typing_indicators_off_is_dropped(peer: Peer) -> None:
    async with room(peer, jane_settings=OFF) as r:
        response = await r.call(r.jane, "event", {"event": {"type": "typing.start"}})
        assert response["event"]["type"] == "typing.start"  # the sender cannot tell
        await r.call(r.jane, "event", {"event": {"type": "typing.stop"}})
        assert not [e for e in await after_marker(r.peer, r.john) if e["type"].startswith("typing.")]


async def test_turning_typing_indicators_off_later_takes_effect_at_once(peer: Peer) -> None:
    async with room(peer) as r:
        await peer.request(
            "PATCH",
            "/users",
            user_id=r.john.user_id,
            json_body={"users": [{"id": r.john.user_id, "set": {"privacy_settings": OFF}}]},
        )
        await r.call(r.john, "event", {"event": {"type": "typing.start"}})
        assert not [e for e in await after_marker(r.peer, r.jane) if e["type"] == "typing.start"]


async def test_custom_events_reach_every_watcher_and_server_events_are_refused(peer: Peer) -> None:
    async with room(peer) as r:
        await r.call(r.john, "event", {"event": {"type": "game.move", "square": "e4"}})
        for who in (r.jane, r.john):
            event = await who.ws.recv_until("game.move")
            assert event["square"] == "e4"
            assert event["user"]["id"] == r.john.user_id
        forged = await peer.request(
            "POST",
            f"{r.path}/event",
            user_id=r.john.user_id,
            json_body={"event": {"type": "message.read"}},
        )
        assert (forged.status_code, forged.json()["code"]) == (403, 17)


async def test_mark_read_sends_message_read_and_notification_mark_read(peer: Peer) -> None:
    async with room(peer) as r:
        sent = await r.call(r.jane, "message", {"message": {"text": "read me"}})
        response = await r.call(r.john, "read", {})
        assert response["event"]["type"] == "message.read"
        for who in (r.jane, r.john):
            event = await who.ws.recv_until("message.read")
            assert event["user"]["id"] == r.john.user_id
            assert event["last_read_message_id"] == sent["message"]["id"]
            assert "created_at" in event
        note = await r.john.ws.recv_until("notification.mark_read")
        assert note["cid"] == f"messaging:{r.channel_id}"
        assert note["unread_channels"] == 0
        assert note["unread_count"] == 0
        state = await r.call(r.jane, "query", {"state": True})
        johns = next(x for x in state["read"] if x["user"]["id"] == r.john.user_id)
        assert johns["last_read_message_id"] == sent["message"]["id"]
        assert johns["unread_messages"] == 0


async def test_reads_of_a_user_with_read_receipts_off_stay_private(peer: Peer) -> None:
    async with room(peer, jane_settings=OFF) as r:
        await r.call(r.john, "message", {"message": {"text": "will jane read it"}})
        await r.call(r.jane, "read", {})
        assert not [e for e in await after_marker(r.peer, r.john) if e["type"] == "message.read"]
        own = await r.jane.ws.recv_until("message.read")  # her own connections still see it
        assert own["user"]["id"] == r.jane.user_id
        await r.jane.ws.recv_until("notification.mark_read")
        johns_view = await r.call(r.john, "query", {"state": True})
        assert r.jane.user_id not in [x["user"]["id"] for x in johns_view["read"]]
        janes_view = await r.call(r.jane, "query", {"state": True})
        assert r.jane.user_id in [x["user"]["id"] for x in janes_view["read"]]
        listed = await peer.request(
            "POST",
            "/channels",
            user_id=r.john.user_id,
            json_body={"filter_conditions": {"cid": f"messaging:{r.channel_id}"}, "state": True},
        )
        assert r.jane.user_id not in [x["user"]["id"] for x in listed.json()["channels"][0]["read"]]


async def test_presence_changes_reach_users_watching_a_shared_channel(peer: Peer) -> None:
    async with member(peer, "watcher") as watcher:
        other = unique("other")
        await peer.request("POST", "/users", json_body={"users": {other: {"id": other}}})
        await post_as(
            peer,
            watcher,
            f"/channels/messaging/{unique('shared')}/query",
            {"data": {"members": [watcher.user_id, other]}, "watch": True},
        )
        async with peer.connected(other) as (first_ws, _):
            online = await watcher.ws.recv_until("user.presence.changed")
            assert online["user"]["id"] == other
            assert online["user"]["online"] is True
            async with peer.connected(other):  # a second connection: no news
                pass
            assert not [e for e in await after_marker(peer, watcher) if e["type"] == "user.presence.changed"]
            await first_ws.close()
            offline = await watcher.ws.recv_until("user.presence.changed")
            assert offline["user"]["id"] == other
            assert offline["user"]["online"] is False


async def test_watching_start_and_stop(peer: Peer) -> None:
    async with member(peer, "john") as john, member(peer, "jane") as jane:
        channel_id = unique("watch")
        path = f"/channels/messaging/{channel_id}"
        await post_as(
            peer, john, f"{path}/query", {"data": {"members": [john.user_id, jane.user_id]}, "watch": True}
        )
        await post_as(peer, jane, f"{path}/query", {"watch": True})
        start = await john.ws.recv_until("user.watching.start")
        assert start["user"]["id"] == jane.user_id
        assert start["watcher_count"] == 2
        await post_as(peer, jane, f"{path}/stop-watching", {})
        stop = await john.ws.recv_until("user.watching.stop")
        assert stop["user"]["id"] == jane.user_id
        assert stop["watcher_count"] == 1
        await post_as(peer, jane, f"{path}/query", {"watch": True})
        await john.ws.recv_until("user.watching.start")
        await jane.ws.close()  # disconnecting stops every watch
        assert (await john.ws.recv_until("user.watching.stop"))["user"]["id"] == jane.user_id


async def test_query_channels_by_cid_and_by_members(peer: Peer) -> None:
    async with member(peer, "john") as john:
        friend = unique("friend")
        await peer.request("POST", "/users", json_body={"users": {friend: {"id": friend}}})
        cids = []
        for n in range(3):
            channel_id = unique(f"list{n}")
            members = [john.user_id, friend] if n < 2 else [john.user_id]
            await peer.request(
                "POST",
                f"/channels/messaging/{channel_id}/query",
                user_id=john.user_id,
                json_body={"data": {"members": members}},
            )
            cids.append(f"messaging:{channel_id}")
        by_cid = await post_as(
            peer,
            john,
            "/channels",
            {"filter_conditions": {"cid": {"$in": cids}}, "watch": True, "state": True},
        )
        assert sorted(c["channel"]["cid"] for c in by_cid.json()["channels"]) == sorted(cids)
        assert all(c["watcher_count"] == 1 for c in by_cid.json()["channels"])
        by_members = await peer.request(
            "POST",
            "/channels",
            user_id=john.user_id,
            json_body={
                "filter_conditions": {"members": {"$in": [friend]}},
                "sort": [{"field": "created_at"}],
            },
        )
        assert [c["channel"]["cid"] for c in by_members.json()["channels"]] == cids[:2]
        stranger = await peer.request(
            "POST",
            "/channels",
            user_id=unique("stranger"),
            json_body={"filter_conditions": {"cid": {"$in": cids}}},
        )
        assert stranger.json()["channels"] == []


async def test_a_long_poll_watcher_gets_channel_events(peer: Peer) -> None:
    async with member(peer, "john") as john:
        jane = unique("jane")
        async with peer.http() as client:
            payload = json.dumps({"user_id": jane, "user_details": {"id": jane}})
            headers = {"Authorization": peer.token(jane)}
            connect = await client.get(
                "/longpoll", params={"json": payload, "api_key": peer.emu.api_key}, headers=headers
            )
            lp_id = connect.json()["event"]["connection_id"]
            channel_id = unique("lp")
            await peer.request(
                "POST",
                f"/channels/messaging/{channel_id}/query",
                user_id=jane,
                params={"connection_id": lp_id},
                json_body={"data": {"members": [john.user_id, jane]}, "watch": True},
            )
            await peer.request(
                "POST",
                f"/channels/messaging/{channel_id}/message",
                user_id=john.user_id,
                json_body={"message": {"text": "over long-poll"}},
            )
            poll = await client.get(
                "/longpoll", params={"connection_id": lp_id, "api_key": peer.emu.api_key}, headers=headers
            )
            texts = [e["message"]["text"] for e in poll.json()["events"] if e["type"] == "message.new"]
            assert texts == ["over long-poll"]


async def test_server_side_calls_name_the_user(peer: Peer) -> None:
    async with member(peer, "john") as john:
        channel_id = unique("srv")
        created = await peer.request(
            "POST",
            f"/channels/messaging/{channel_id}/query",
            json_body={"data": {"members": [john.user_id], "created_by_id": john.user_id}},
        )
        assert created.json()["channel"]["created_by"]["id"] == john.user_id
        sent = await peer.request(
            "POST",
            f"/channels/messaging/{channel_id}/message",
            json_body={"message": {"text": "from the backend", "user_id": john.user_id}},
        )
        assert sent.json()["message"]["user"]["id"] == john.user_id
        anonymous = await peer.request(
            "POST", f"/channels/messaging/{channel_id}/message", json_body={"message": {"text": "who?"}}
        )
        assert (anonymous.status_code, anonymous.json()["code"]) == (400, 4)


async def test_a_server_token_acts_in_a_channel_its_user_is_not_a_member_of(peer: Peer) -> None:
    # Stream checks permissions only for client-side calls.
    async with member(peer, "john") as john:
        channel_id = unique("srv")
        await peer.request(
            "POST",
            f"/channels/messaging/{channel_id}/query",
            json_body={"data": {"members": [john.user_id], "created_by_id": john.user_id}},
        )
        outsider = unique("outsider")
        upserted = await peer.request("POST", "/users", json_body={"users": {outsider: {"id": outsider}}})
        assert upserted.status_code == 200, upserted.text
        as_server = await peer.request(
            "POST",
            f"/channels/messaging/{channel_id}/message",
            json_body={"message": {"text": "from the backend", "user_id": outsider}},
        )
        assert as_server.status_code == 200, as_server.text
        assert as_server.json()["message"]["user"]["id"] == outsider
        event = await peer.request(
            "POST",
            f"/channels/messaging/{channel_id}/event",
            json_body={"event": {"type": "backend.note", "user_id": outsider}},
        )
        assert event.status_code == 200, event.text
        assert event.json()["event"]["user"]["id"] == outsider
        as_client = await peer.request(
            "POST",
            f"/channels/messaging/{channel_id}/message",
            json_body={"message": {"text": "let me in"}},
            user_id=outsider,
        )
        assert (as_client.status_code, as_client.json()["code"]) == (403, 17)


@pytest.mark.parametrize(
    ("path", "body", "code", "status"),
    [
        ("/channels/nosuchtype/x/query", {}, 16, 404),
        ("/channels/messaging/bad*id/query", {}, 4, 400),
        ("/channels/messaging/{missing}/message", {"message": {"text": "x"}}, 16, 404),
        ("/channels/messaging/{room}/message", {"message": {"text": ""}}, 4, 400),
        ("/channels/messaging/{room}/message", {"message": {"text": "x" * 5001}}, 20, 400),
        ("/channels/messaging/{room}/message", {"message": {"text": "x", "parent_id": "nope"}}, 4, 400),
        ("/channels/messaging/{room}/message", {"message": "text"}, 4, 400),
        ("/channels/messaging/{room}/message", {}, 4, 400),
        ("/channels/messaging/{room}/event", {"event": {}}, 4, 400),
        ("/channels/messaging/{room}/read", {"message_id": "nope"}, 4, 400),
        ("/channels/messaging/{new}/query", {"data": {"members": ["{ghost}"]}}, 4, 400),
        ("/channels/messaging/query", {"data": {}}, 4, 400),
    ],
)
async def test_bad_channel_requests(
    peer: Peer, path: str, body: dict[str, Any], code: int, status: int
) -> None:
    async with member(peer, "john") as john:
        room_id = unique("room")
        await peer.request(
            "POST",
            f"/channels/messaging/{room_id}/query",
            user_id=john.user_id,
            json_body={"data": {"members": [john.user_id]}},
        )
        filled = path.format(missing=unique("missing"), room=room_id, new=unique("new"))
        text = json.dumps(body).replace("{ghost}", unique("ghost"))
        response = await peer.request("POST", filled, user_id=john.user_id, json_body=json.loads(text))
        assert (response.status_code, response.json()["code"]) == (status, code), response.text


async def test_a_non_member_cannot_read_or_write_a_messaging_channel(peer: Peer) -> None:
    async with member(peer, "john") as john:
        room_id = unique("private")
        await peer.request(
            "POST",
            f"/channels/messaging/{room_id}/query",
            user_id=john.user_id,
            json_body={"data": {"members": [john.user_id]}},
        )
        outsider = unique("outsider")
        for what, body in (("query", {}), ("message", {"message": {"text": "hi"}}), ("read", {})):
            response = await peer.request(
                "POST", f"/channels/messaging/{room_id}/{what}", user_id=outsider, json_body=body
            )
            assert (response.status_code, response.json()["code"]) == (403, 17), what


async def test_a_channel_named_by_its_members(peer: Peer) -> None:
    async with member(peer, "john") as john:
        friend = unique("friend")
        await peer.request("POST", "/users", json_body={"users": {friend: {"id": friend}}})
        first = await peer.request(
            "POST",
            "/channels/messaging/query",
            user_id=john.user_id,
            json_body={"data": {"members": [john.user_id, friend]}},
        )
        again = await peer.request(
            "POST",
            "/channels/messaging/query",
            user_id=john.user_id,
            json_body={"data": {"members": [friend, john.user_id]}},
        )
        assert first.json()["channel"]["cid"] == again.json()["channel"]["cid"]
        assert first.json()["channel"]["id"].startswith("!members-")
