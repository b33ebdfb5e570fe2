"""The user records the emulator keeps, and the queries over them.

A record is a plain ``dict`` the way the wire carries a user: declared fields and custom fields
side by side, flat. Every change is checked by decoding the result through the wire model
``User`` and ``validate_user`` (the client's own rules), and committed only when it passes, so
a bad update never leaves a half-changed record behind.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import msgspec

import streamchat_wire as wire
from streamchat_core import codec
from streamchat_core.emulator.clock import rfc3339_micro
from streamchat_core.emulator.errors import DOES_NOT_EXIST, INPUT, NOT_ALLOWED, RequestError
from streamchat_core.emulator.filters import compile_filter, sort_records
from streamchat_core.errors import DecodeError, InvalidUserError
from streamchat_core.validation import validate_user

__all__ = ["UserStore", "effective_privacy", "privacy_enabled"]

#: Fields a client never sets on its own user when connecting: the server owns them.
_SERVER_OWNED: Final = frozenset(
    {
        "role",
        "created_at",
        "updated_at",
        "last_active",
        "deactivated_at",
        "deleted_at",
        "online",
        "banned",
        "teams",
        "teams_role",
        "blocked_user_ids",
        "avg_response_time",
        "ban_expires",
        "last_engaged_at",
        "revoke_tokens_issued_before",
    }
)
#: Fields no update may set or unset, server-side ones included.
_IMMUTABLE: Final = frozenset(
    {"id", "created_at", "updated_at", "last_active", "online", "deactivated_at", "deleted_at"}
)
_PRIVACY_KEYS: Final = ("typing_indicators", "read_receipts", "delivery_receipts")
_MAX_LIMIT: Final = 100
#: Stream's order of queryUsers without a sort: the newest users first.
_DEFAULT_ORDER: Final = [("created_at", -1), ("id", -1)]
_DEFAULT_LIMIT: Final = 30
_MAX_OFFSET: Final = 1000


def privacy_enabled(record: Mapping[str, Any], setting: str) -> bool:
    """Whether a user's privacy ``setting`` is on; a missing value means on."""
    settings = record.get("privacy_settings")
    if not isinstance(settings, Mapping):
        return True
    entry = settings.get(setting)
    if not isinstance(entry, Mapping):
        return True
    return entry.get("enabled") is not False


def effective_privacy(record: Mapping[str, Any]) -> dict[str, Any]:
    """Every privacy setting spelled out, for the user's own view (``me``)."""
    stored = record.get("privacy_settings")
    result: dict[str, Any] = dict(stored) if isinstance(stored, Mapping) else {}
    for key in _PRIVACY_KEYS:
        result[key] = {"enabled": privacy_enabled(record, key)}
    return result


def _as_wire_user(record: Mapping[str, Any]) -> wire.User:
    """Check a candidate record against the wire model and the client's rules.

    The size limit applies to what a client or backend gives, so the fields the server keeps
    itself (timestamps, presence, role) are left out of the measure.
    """
    given = {k: v for k, v in record.items() if k == "id" or k not in _SERVER_OWNED or k == "teams"}
    try:
        user = codec.decode(msgspec.json.encode(record), wire.User)
        validate_user(codec.decode(msgspec.json.encode(given), wire.User))
    except (DecodeError, InvalidUserError) as exc:
        raise RequestError(INPUT, 400, str(exc)) from None
    return user


def _builtins(user: wire.User) -> dict[str, Any]:
    value = codec.to_builtins(user)
    assert isinstance(value, dict)
    return value


class UserStore:
    """Every user the emulator has seen, by id."""

    def __init__(self) -> None:
        self._users: dict[str, dict[str, Any]] = {}

    def __len__(self) -> int:
        return len(self._users)

    def get(self, user_id: str) -> dict[str, Any] | None:
        return self._users.get(user_id)

    def require(self, user_id: str) -> dict[str, Any]:
        record = self._users.get(user_id)
        if record is None:
            raise RequestError(DOES_NOT_EXIST, 404, f"user {user_id!r} does not exist")
        return record

    def _fresh(self, user_id: str, now_ns: int) -> dict[str, Any]:
        # No last_active: a user has one from its first connection on.
        ts = rfc3339_micro(now_ns)
        return {
            "id": user_id,
            "role": "user",
            "created_at": ts,
            "updated_at": ts,
            "banned": False,
            "online": False,
        }

    def upsert_on_connect(self, user: wire.User, now_ns: int) -> dict[str, Any]:
        """Create or update a connecting user: the fields it sends win, the others stay.

        Fields the server owns (``role``, ``created_at``, ``banned``, …) are ignored, so a
        client cannot promote itself; ``created_at`` stays the first connect's.
        """
        fields = {k: v for k, v in _builtins(user).items() if k not in _SERVER_OWNED}
        current = self._users.get(user.id)
        record = dict(current) if current is not None else self._fresh(user.id, now_ns)
        record.update(fields)
        ts = rfc3339_micro(now_ns)
        record["updated_at"] = ts
        record["last_active"] = ts
        _as_wire_user(record)
        self._users[user.id] = record
        return record

    def prepare_replace(self, user: wire.User, now_ns: int, *, by_server: bool) -> dict[str, Any]:
        """``POST /users``: the record the user becomes, its fields exactly the given ones.

        Checked but not stored: :meth:`commit` stores it. Only a server token may change
        ``role``, ``banned`` or ``teams``; a user may replace only itself (the caller checks that).
        """
        given = _builtins(user)
        current = self._users.get(user.id)
        base = current if current is not None else self._fresh(user.id, now_ns)
        record: dict[str, Any] = {
            k: base[k] for k in ("id", "role", "created_at", "updated_at", "banned", "online")
        }
        for key in ("last_active", "teams", "deactivated_at", "deleted_at"):
            if key in base:
                record[key] = base[key]
        for key, value in given.items():
            if key in _IMMUTABLE:
                continue
            if key in ("role", "banned", "teams") and not by_server:
                if value != base.get(key):
                    raise RequestError(NOT_ALLOWED, 403, f"only a server-side request may change {key!r}")
                continue
            record[key] = value
        record["updated_at"] = rfc3339_micro(now_ns)
        _as_wire_user(record)
        return record

    def prepare_partial(
        self,
        user_id: str,
        set_fields: Mapping[str, Any],
        unset: Sequence[str],
        now_ns: int,
        *,
        by_server: bool,
    ) -> dict[str, Any]:
        """``PATCH /users``: the record with top-level fields set and unset; checked, not stored."""
        current = self.require(user_id)
        record = copy.deepcopy(current)
        for key in list(set_fields) + list(unset):
            if key in _IMMUTABLE:
                raise RequestError(INPUT, 400, f"field {key!r} cannot be changed by a partial update")
            if key in ("role", "banned", "teams") and not by_server:
                raise RequestError(NOT_ALLOWED, 403, f"only a server-side request may change {key!r}")
        overlap = set(set_fields) & set(unset)
        if overlap:
            raise RequestError(INPUT, 400, f"fields {sorted(overlap)} are both set and unset")
        for key in unset:
            if key == "role":
                record["role"] = "user"
            elif key == "banned":
                record["banned"] = False
            else:
                record.pop(key, None)
        record.update(set_fields)
        record["updated_at"] = rfc3339_micro(now_ns)
        _as_wire_user(record)
        return record

    def commit(self, record: dict[str, Any]) -> None:
        """Store a record made by :meth:`prepare_replace` or :meth:`prepare_partial`."""
        current = self._users.get(record["id"])
        if current is not None:
            # Presence may have changed while the request was being checked; it is not the
            # update's to decide.
            record["online"] = current.get("online", False)
            if "last_active" in current:
                record["last_active"] = current["last_active"]
        self._users[record["id"]] = record

    def set_presence(self, user_id: str, online: bool, now_ns: int) -> dict[str, Any] | None:
        record = self._users.get(user_id)
        if record is None:
            return None
        record["online"] = online
        record["last_active"] = rfc3339_micro(now_ns)
        return record

    def query(
        self,
        filter_conditions: Mapping[str, Any],
        sort: Iterable[wire.SortParam] = (),
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[dict[str, Any]]:
        """Users matching a Stream filter (``$eq``, ``$ne``, ``$in``, ``$nin``, ``$gt``…,
        ``$exists``, ``$and``, ``$or``), sorted (with no sort, as Stream: newest first, by
        ``created_at`` then ``id``, both descending), then paged."""
        if limit is None or limit == 0:
            limit = _DEFAULT_LIMIT
        if not 0 < limit <= _MAX_LIMIT:
            raise RequestError(INPUT, 400, f"limit must be between 1 and {_MAX_LIMIT}, not {limit}")
        offset = offset or 0
        if not 0 <= offset <= _MAX_OFFSET:
            raise RequestError(INPUT, 400, f"offset must be between 0 and {_MAX_OFFSET}, not {offset}")
        match = compile_filter(filter_conditions)
        found = [r for r in self._users.values() if match(r)]
        order = [(s.field_, 1 if s.direction is None else s.direction) for s in sort]
        found = sort_records(found, order or _DEFAULT_ORDER, tie_break="id")
        return found[offset : offset + limit]
