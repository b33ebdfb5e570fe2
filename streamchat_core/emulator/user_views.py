"""What clients receive about a user: the three shapes of Stream's schema, from a stored record.

A record (:mod:`streamchat_core.emulator.users`) keeps what was given and what the server set,
custom fields flat. The views spell out every field Stream's schema requires of the shape, with
values that are true of the emulator (``language`` is the user's or ``""``; nobody is blocked,
muted or on a team unless a record says so), and leave out what the shape does not have:

- :func:`user_view`: a user as others see it (Stream's ``UserResponse``): in messages,
  members, read states, watchers and every event about another user. No privacy settings.
- :func:`user_view` with ``private=True``: with ``privacy_settings`` and ``invisible``
  (``UserResponsePrivacyFields``): ``user.updated`` and the users of ``/users`` answers.
- :func:`own_user_view`: the connected user (``OwnUserResponse``), ``me``: with devices,
  mutes, unread counters and every privacy setting spelled out.

Pure functions of the record: no state is read here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import streamchat_wire as wire

__all__ = ["own_user_view", "user_view"]

#: Declared fields that only the user itself (and the app's backend) sees.
_PRIVATE: Final = frozenset({"privacy_settings", "invisible"})
#: Declared fields that no user shape of Stream's carries to clients.
_NEVER_SENT: Final = frozenset({"last_engaged_at", "ban_expires"})
#: Fields the own user carries that a stored record never holds: they are computed.
_OWN_COMPUTED: Final = frozenset(
    set(wire.OwnUser.__struct_encode_fields__) - set(wire.User.__struct_encode_fields__)
)


def user_view(record: Mapping[str, Any], *, private: bool = False) -> dict[str, Any]:
    """A stored user record in Stream's ``UserResponse`` shape, custom fields flat.

    ``private`` adds ``privacy_settings`` (as stored) and ``invisible``.
    """
    view: dict[str, Any] = {
        "id": record["id"],
        "role": record.get("role", "user"),
        "language": record.get("language") or "",
        "teams": list(record.get("teams") or ()),
        "blocked_user_ids": list(record.get("blocked_user_ids") or ()),
        "banned": bool(record.get("banned", False)),
        "online": bool(record.get("online", False)),
        "created_at": record["created_at"],
        "updated_at": record["updated_at"],
    }
    for key, value in record.items():
        if key in view or value is None or key in _NEVER_SENT or key in _OWN_COMPUTED:
            continue
        if key in _PRIVATE and not private:
            continue
        view[key] = value
    if private:
        view["invisible"] = bool(record.get("invisible", False))
    return view


def own_user_view(
    record: Mapping[str, Any],
    *,
    privacy_settings: Mapping[str, Any],
    unread_messages: int,
    unread_channels: int,
    unread_threads: int = 0,
) -> dict[str, Any]:
    """The connected user, ``me`` (Stream's ``OwnUserResponse``).

    The emulator registers no devices and has no mutes, so those lists are empty;
    ``privacy_settings`` is every setting spelled out (see ``users.effective_privacy``).
    """
    me = user_view(record, private=True)
    me.update(
        privacy_settings=dict(privacy_settings),
        devices=[],
        mutes=[],
        channel_mutes=[],
        total_unread_count=unread_messages,
        unread_count=unread_messages,
        unread_channels=unread_channels,
        unread_threads=unread_threads,
    )
    return me
