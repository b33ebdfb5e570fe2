"""User validation: Stream's id alphabet and length, and the 5 KiB size limit."""

from __future__ import annotations

import string

import msgspec
import pytest
from hypothesis import example, given, strategies as st

import streamchat_wire as wire
from streamchat_core import codec
from streamchat_core.errors import InvalidUserError
from streamchat_core.validation import MAX_USER_BYTES, validate_user, validate_user_id

ALLOWED = string.ascii_lowercase + string.digits + "@_-"
valid_ids = st.text(alphabet=ALLOWED, min_size=1, max_size=255)
bad_chars = st.characters(exclude_characters=ALLOWED, exclude_categories=("Cs",))


@given(valid_ids)
def test_every_id_from_the_allowed_alphabet_is_accepted(user_id: str) -> None:
    assert validate_user_id(user_id) == user_id
    validate_user(wire.User(id=user_id))


@given(st.text(alphabet=ALLOWED, max_size=100), bad_chars, st.text(alphabet=ALLOWED, max_size=100))
@example("john", "J", "")
@example("john", " ", "doe")
@example("", "\x00", "")
@example("a", "é", "")
@example("a", "😀", "b")
def test_any_other_character_is_rejected_and_named(before: str, bad: str, after: str) -> None:
    user_id = before + bad + after
    with pytest.raises(InvalidUserError) as info:
        validate_user_id(user_id)
    message = str(info.value)
    assert f"U+{ord(bad):04X}" in message
    assert f"position {len(before)}" in message


def test_length_limits() -> None:
    validate_user_id("a" * 255)
    with pytest.raises(InvalidUserError, match="256 characters"):
        validate_user_id("a" * 256)
    with pytest.raises(InvalidUserError, match="empty"):
        validate_user_id("")


def _user_of_size(size: int) -> wire.User:
    """A user whose compact JSON encoding is exactly ``size`` bytes."""
    base = len(codec.encode(wire.User(id="sizer", extra_data={"bio": ""})))
    return wire.User(id="sizer", extra_data={"bio": "x" * (size - base)})


@given(st.integers(MAX_USER_BYTES - 200, MAX_USER_BYTES + 200))
@example(MAX_USER_BYTES - 1)
@example(MAX_USER_BYTES)
def test_size_limit_falls_exactly_at_5_kib(size: int) -> None:
    user = _user_of_size(size)
    assert len(codec.encode(user)) == size
    if size < MAX_USER_BYTES:
        assert len(validate_user(user)) == size
    else:
        with pytest.raises(InvalidUserError) as info:
            validate_user(user)
        assert f"{size:,} bytes" in str(info.value)
        assert "5,120" in str(info.value)


def test_size_counts_utf8_bytes_not_characters() -> None:
    user = wire.User(id="emoji", extra_data={"bio": "😀" * 1300})  # 1,300 characters, 5,200 bytes
    with pytest.raises(InvalidUserError, match="bytes"):
        validate_user(user)


def test_custom_field_may_not_shadow_a_declared_field() -> None:
    with pytest.raises(InvalidUserError, match="'role'"):
        validate_user(wire.User(id="x", extra_data={"role": "admin"}))


def test_values_that_are_not_json_are_named() -> None:
    with pytest.raises(InvalidUserError, match="cannot be encoded"):
        validate_user(wire.User(id="x", extra_data={"when": object()}))


def test_a_custom_key_named_type_is_fine() -> None:
    encoded = validate_user(wire.User(id="x", extra_data={"type": "team"}))
    assert msgspec.json.decode(encoded) == {"id": "x", "type": "team"}
