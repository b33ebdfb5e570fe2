"""``/users``: queryUsers, upsert and partial update, with the events they send."""

from __future__ import annotations

import json
from typing import Any

import pytest
from emulator_peer import Peer, unique

pytestmark = pytest.mark.anyio


async def _query(peer: Peer, payload: dict[str, Any], **kw: Any) -> list[dict[str, Any]]:
    response = await peer.request("GET", "/users", params={"payload": json.dumps(payload)}, **kw)
    assert response.status_code == 200, response.text
    return response.json()["users"]  # type: ignore[no-any-return]


async def _upsert(peer: Peer, *users: dict[str, Any], **kw: Any) -> dict[str, Any]:
    response = await peer.request("POST", "/users", json_body={"users": {u["id"]: u for u in users}}, **kw)
    assert response.status_code == 200, response.text
    return response.json()["users"]  # type: ignore[no-any-return]


async def test_upsert_with_a_server_token_then_query_by_id(peer: Peer) -> None:
    ids = [unique("u") for _ in range(3)]
    stored = await _upsert(peer, *({"id": i, "name": f"N{n}", "rank": n} for n, i in enumerate(ids)))
    assert set(stored) == set(ids)
    assert stored[ids[0]]["role"] == "user"
    assert stored[ids[0]]["online"] is False
    one = await _query(peer, {"filter_conditions": {"id": {"$eq": ids[1]}}})
    assert [u["id"] for u in one] == [ids[1]]
    assert one[0]["name"] == "N1"
    assert one[0]["rank"] == 1
    bare = await _query(peer, {"filter_conditions": {"id": ids[2]}})
    assert [u["id"] for u in bare] == [ids[2]]
    several = await _query(
        peer, {"filter_conditions": {"id": {"$in": ids}}, "sort": [{"field": "rank", "direction": -1}]}
    )
    assert [u["id"] for u in several] == ids[::-1]
    limited = await _query(
        peer,
        {"filter_conditions": {"id": {"$in": ids}}, "sort": [{"field": "rank", "direction": 1}], "limit": 2},
    )
    assert [u["id"] for u in limited] == ids[:2]
    paged = await _query(
        peer,
        {"filter_conditions": {"id": {"$in": ids}}, "sort": [{"field": "rank"}], "limit": 2, "offset": 2},
    )
    assert [u["id"] for u in paged] == ids[2:]


async def test_without_a_sort_the_newest_users_come_first(peer: Peer) -> None:
    # Created in this order, with ids that sort neither that way nor the reverse.
    tag = unique("t")
    ids = [unique("m"), unique("a"), unique("z")]
    for user_id in ids:
        await _upsert(peer, {"id": user_id, "tag": tag})
    found = await _query(peer, {"filter_conditions": {"tag": tag}})
    assert [u["id"] for u in found] == ids[::-1]


async def test_a_user_token_may_query(peer: Peer) -> None:
    me = unique("me")
    async with peer.connected(me):
        found = await _query(peer, {"filter_conditions": {"id": {"$in": [me]}}}, user_id=me)
    assert [u["id"] for u in found] == [me]
    assert found[0]["online"] is True


async def test_upsert_replaces_fields_and_keeps_created_at(peer: Peer) -> None:
    user_id = unique("rep")
    first = (await _upsert(peer, {"id": user_id, "name": "A", "color": "red"}))[user_id]
    second = (await _upsert(peer, {"id": user_id, "name": "B", "role": "admin"}))[user_id]
    assert second["name"] == "B"
    assert "color" not in second
    assert second["role"] == "admin"
    assert second["created_at"] == first["created_at"]


async def test_upsert_sends_user_updated_to_the_users_connections(peer: Peer) -> None:
    user_id = unique("live")
    async with peer.connected(user_id, user={"name": "Old"}) as (ws, _):
        await _upsert(peer, {"id": user_id, "name": "New"})
        event = await ws.recv_until("user.updated")
        assert event["user"]["id"] == user_id
        assert event["user"]["name"] == "New"


async def test_partial_update_sets_and_unsets_and_sends_user_updated(peer: Peer) -> None:
    user_id = unique("part")
    async with peer.connected(user_id, user={"name": "P", "mood": "ok"}) as (ws, _):
        body = {
            "users": [
                {
                    "id": user_id,
                    "set": {"privacy_settings": {"typing_indicators": {"enabled": False}}, "city": "Oslo"},
                    "unset": ["mood"],
                }
            ]
        }
        response = await peer.request("PATCH", "/users", json_body=body, user_id=user_id)
        assert response.status_code == 200, response.text
        stored = response.json()["users"][user_id]
        assert stored["city"] == "Oslo"
        assert "mood" not in stored
        assert stored["name"] == "P"
        assert stored["privacy_settings"] == {"typing_indicators": {"enabled": False}}
        event = await ws.recv_until("user.updated")
        assert event["user"]["privacy_settings"] == {"typing_indicators": {"enabled": False}}
        assert "mood" not in event["user"]
    # The next connect keeps what the update set.
    async with peer.connected(user_id) as (_, first):
        assert first["me"]["privacy_settings"]["typing_indicators"] == {"enabled": False}
        assert first["me"]["city"] == "Oslo"


@pytest.mark.parametrize(
    ("body", "code", "status"),
    [
        ({"users": [{"id": "{other}", "set": {"name": "x"}}]}, 17, 403),
        ({"users": [{"id": "{me}", "set": {"role": "admin"}}]}, 17, 403),
        ({"users": [{"id": "{me}", "set": {"created_at": "2001-01-01T00:00:00Z"}}]}, 4, 400),
        ({"users": [{"id": "{me}", "set": {"privacy_settings": "off"}}]}, 4, 400),
        ({"users": [{"id": "{me}", "set": {"x": 1}, "unset": ["x"]}]}, 4, 400),
        ({"users": [{"id": "{me}", "set": {"bio": "x" * 6000}}]}, 4, 400),
        ({"users": [{"id": "{missing}", "set": {"x": 1}}]}, 17, 403),
        ({"users": []}, 4, 400),
    ],
)
async def test_bad_partial_updates_change_nothing(
    peer: Peer, body: dict[str, Any], code: int, status: int
) -> None:
    me, other = unique("me"), unique("other")
    await _upsert(peer, {"id": me, "name": "Me"}, {"id": other, "name": "Other"})
    text = json.dumps(body).replace("{me}", me).replace("{other}", other).replace("{missing}", unique("gone"))
    response = await peer.request("PATCH", "/users", json_body=json.loads(text), user_id=me)
    assert (response.status_code, response.json()["code"]) == (status, code), response.text
    mine, theirs = peer.emu.user(me), peer.emu.user(other)
    assert mine is not None
    assert theirs is not None
    assert mine["name"] == "Me"
    assert "x" not in mine
    assert theirs["name"] == "Other"


async def test_partial_update_of_an_unknown_user_with_a_server_token_is_404(peer: Peer) -> None:
    response = await peer.request(
        "PATCH", "/users", json_body={"users": [{"id": unique("gone"), "set": {"a": 1}}]}
    )
    assert (response.status_code, response.json()["code"]) == (404, 16)


async def test_a_user_token_may_upsert_itself_but_not_others_nor_its_role(peer: Peer) -> None:
    me, other = unique("me"), unique("other")
    await _upsert(peer, {"id": me}, {"id": other})
    ok = await peer.request(
        "POST", "/users", json_body={"users": {me: {"id": me, "name": "Self"}}}, user_id=me
    )
    assert ok.status_code == 200
    for users in ({other: {"id": other, "name": "Hacked"}}, {me: {"id": me, "role": "admin"}}):
        response = await peer.request("POST", "/users", json_body={"users": users}, user_id=me)
        assert (response.status_code, response.json()["code"]) == (403, 17)
    assert "name" not in peer.emu.user(other)  # type: ignore[operator]


async def test_one_bad_user_in_an_upsert_stores_none_of_them(peer: Peer) -> None:
    good, bad = unique("good"), "Bad User!"
    response = await peer.request(
        "POST", "/users", json_body={"users": {good: {"id": good}, bad: {"id": bad}}}
    )
    assert (response.status_code, response.json()["code"]) == (400, 4)
    assert "Bad User!" in response.json()["message"]
    assert peer.emu.user(good) is None


async def test_the_key_of_an_upserted_user_must_be_its_id(peer: Peer) -> None:
    response = await peer.request("POST", "/users", json_body={"users": {"a": {"id": "b"}}})
    assert (response.status_code, response.json()["code"]) == (400, 4)


@pytest.mark.parametrize(
    "payload",
    [
        {"filter_conditions": {"id": {"$regex": "x"}}},
        {"filter_conditions": {"id": {"$in": "not-a-list"}}},
        {"filter_conditions": {"$nor": []}},
        {"filter_conditions": {"id": {}}},
        {"filter_conditions": {}, "limit": 1000},
        {"filter_conditions": {}, "limit": -1},
        {"filter_conditions": {}, "sort": [{"field": "id", "direction": 2}]},
        {"filter_conditions": {}, "limit": "ten"},
        {"filter_conditions": []},
    ],
)
async def test_bad_queries_are_code_4(peer: Peer, payload: dict[str, Any]) -> None:
    response = await peer.request("GET", "/users", params={"payload": json.dumps(payload)})
    assert (response.status_code, response.json()["code"]) == (400, 4), response.text


async def test_query_operators_and_combinations(peer: Peer) -> None:
    tag = unique("tag")
    ids = [unique("op") for _ in range(4)]
    await _upsert(
        peer,
        *({"id": i, "tag": tag, "score": n, "teams": ["red"] if n % 2 else []} for n, i in enumerate(ids)),
    )

    async def ids_for(conditions: dict[str, Any]) -> list[str]:
        found = await _query(
            peer, {"filter_conditions": {"tag": tag, **conditions}, "sort": [{"field": "score"}]}
        )
        return [u["id"] for u in found]

    assert await ids_for({"score": {"$gte": 2}}) == ids[2:]
    assert await ids_for({"score": {"$lt": 1}}) == ids[:1]
    assert await ids_for({"score": {"$ne": 0, "$nin": [3]}}) == ids[1:3]
    assert await ids_for({"teams": "red"}) == [ids[1], ids[3]]
    assert await ids_for({"$or": [{"score": 0}, {"score": 3}]}) == [ids[0], ids[3]]
    assert await ids_for({"$and": [{"score": {"$gt": 0}}, {"score": {"$lt": 3}}]}) == ids[1:3]
    assert await ids_for({"nickname": {"$exists": False}}) == ids


async def test_a_user_token_for_another_user_id_parameter_is_refused(peer: Peer) -> None:
    response = await peer.request(
        "GET", "/users", params={"payload": "{}"}, user_id=unique("a"), token=peer.token(unique("b"))
    )
    assert (response.status_code, response.json()["code"]) == (401, 5)
