"""Stream's rules for user objects, checked before anything touches the network.

- A user id is 1 to 255 characters, each one of ``a-z``, ``0-9``, ``@``, ``_`` and ``-``.
- The compact JSON encoding of the whole user object, custom fields included, is smaller
  than 5 KiB: fewer than 5,120 bytes.
- A custom field may not shadow a declared field (``id``, ``role``, ...), and every custom
  value must be representable in JSON.

The emulator applies the same rules on its side, so the two never disagree.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Final

import streamchat_wire as wire
from streamchat_core import codec
from streamchat_core.custom_fields import wire_names
from streamchat_core.errors import InvalidUserError

__all__ = ["MAX_USER_BYTES", "MAX_USER_ID_LENGTH", "USER_ID_ALPHABET", "validate_user", "validate_user_id"]

USER_ID_ALPHABET: Final = frozenset(string.ascii_lowercase + string.digits + "@_-")
MAX_USER_ID_LENGTH: Final = 255
#: A user object must encode to fewer than this many bytes.
MAX_USER_BYTES: Final = 5120


def _describe(ch: str) -> str:
    if ch.isprintable() and not ch.isspace():
        return f"{ch!r} (U+{ord(ch):04X})"
    return f"U+{ord(ch):04X} {ch!r}"


def validate_user_id(user_id: object) -> str:
    """Return ``user_id`` if it follows Stream's rule, else raise :class:`InvalidUserError`."""
    if not isinstance(user_id, str):
        raise InvalidUserError(f"user id must be a string, not {type(user_id).__name__}")
    if not user_id:
        raise InvalidUserError("user id is empty; it must have 1 to 255 characters")
    if len(user_id) > MAX_USER_ID_LENGTH:
        raise InvalidUserError(
            f"user id has {len(user_id)} characters; at most {MAX_USER_ID_LENGTH} are allowed"
        )
    for position, ch in enumerate(user_id):
        if ch not in USER_ID_ALPHABET:
            raise InvalidUserError(
                f"user id {user_id[:64]!r} has the character {_describe(ch)} at position {position}; "
                "only a-z, 0-9, '@', '_' and '-' are allowed"
            )
    return user_id


def validate_user(user: wire.User) -> bytes:
    """Check a user object and return its compact JSON encoding.

    Raises :class:`InvalidUserError` naming the offending character and its position, the
    shadowed field, the value that cannot be encoded, or the size against the limit.
    """
    if not isinstance(user, wire.User):
        raise InvalidUserError(f"expected a User, not {type(user).__name__}")
    validate_user_id(user.id)
    extra = user.extra_data
    if not isinstance(extra, Mapping):
        raise InvalidUserError(f"extra_data must be a mapping, not {type(extra).__name__}")
    declared = wire_names(type(user))  # cached per class
    for key in extra:
        if not isinstance(key, str):
            raise InvalidUserError(f"custom field names must be strings, not {type(key).__name__} ({key!r})")
        if key in declared:
            raise InvalidUserError(
                f"custom field {key!r} shadows the declared field of the same name; set it directly"
            )
    try:
        encoded = codec.encode(user)
    except TypeError as exc:
        # A user object holds no secret: the encoder's error is worth keeping as the cause.
        raise InvalidUserError(f"user {user.id!r} cannot be encoded as JSON: {exc}") from exc
    if len(encoded) >= MAX_USER_BYTES:
        raise InvalidUserError(
            f"user {user.id!r} is {len(encoded):,} bytes as compact JSON; it must be under {MAX_USER_BYTES:,} bytes (5 KiB)"
        )
    return encoded
