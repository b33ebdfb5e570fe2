"""The own user (``me``), kept current from what the server says about it.

The first frame of a connection carries ``me``; after that, ``user.updated`` and
``user.presence.changed`` events about the own user, and the responses of the calls that
change it (``partial_update_user``), update it. Functions only: the session holds the value.
"""

from __future__ import annotations

import msgspec

import streamchat_wire as wire
from streamchat_core import codec
from streamchat_core.codec import Event

__all__ = ["OWN_USER_EVENTS", "merge_user", "own_user_after", "own_user_from"]

_USER_FIELDS = tuple(f.name for f in msgspec.structs.fields(wire.User) if f.name != "extra_data")
_PRESENCE_FIELDS = ("online", "last_active")

#: The event classes that can change the own user: callers on the path of every event check
#: ``event.__class__ in OWN_USER_EVENTS`` before calling :func:`own_user_after`.
OWN_USER_EVENTS: frozenset[type] = frozenset({wire.UserUpdatedEvent, wire.UserPresenceChangedEvent})


def merge_user(own: wire.OwnUser, user: wire.User) -> wire.OwnUser:
    """``own`` updated from a ``user.updated`` event's user: the fields it carries replace ours.

    Custom fields are replaced as a whole (a user object always carries all of them); the
    own-user fields the event cannot carry (devices, mutes, unread counts) are kept.
    """
    changes = {name: getattr(user, name) for name in _USER_FIELDS if getattr(user, name) is not None}
    return msgspec.structs.replace(own, **changes, extra_data=dict(user.extra_data.items()))


def own_user_after(own: wire.OwnUser, event: Event) -> wire.OwnUser:
    """``own`` after ``event``: itself unless the event is an update of the own user."""
    if isinstance(event, (wire.UserUpdatedEvent, wire.UserPresenceChangedEvent)) and event.user.id == own.id:
        user = event.user
        if isinstance(event, wire.UserUpdatedEvent):
            return merge_user(own, user)
        # Presence: only what presence is about.
        changes = {name: getattr(user, name) for name in _PRESENCE_FIELDS if getattr(user, name) is not None}
        return msgspec.structs.replace(own, **changes)
    return own


def own_user_from(user: wire.User) -> wire.OwnUser:
    """The own user as given to ``connect_user``, for a server whose first frame has no ``me``."""
    return codec.decode(codec.encode(user), wire.OwnUser)
