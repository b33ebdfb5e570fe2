"""A user's privacy settings: reading them, and the body that changes some of them.

Each setting (``typing_indicators``, ``read_receipts``, ``delivery_receipts``) is an object
with ``enabled``; a missing setting, a missing ``enabled`` or no ``privacy_settings`` at all
means *enabled*, as in Stream's clients.
"""

from __future__ import annotations

from typing import Any, Final, Literal

import streamchat_wire as wire
from streamchat_core import codec

__all__ = ["PRIVACY_SETTINGS", "PrivacySetting", "privacy_enabled", "privacy_settings_with"]

PrivacySetting = Literal["typing_indicators", "read_receipts", "delivery_receipts"]
PRIVACY_SETTINGS: Final[tuple[PrivacySetting, ...]] = (
    "typing_indicators",
    "read_receipts",
    "delivery_receipts",
)


def privacy_enabled(user: wire.User | None, setting: PrivacySetting) -> bool:
    """Whether ``setting`` is on for ``user`` (missing: on; no user: on)."""
    if user is None:
        return True
    settings = user.privacy_settings
    if not isinstance(settings, wire.PrivacySettings):
        return True
    entry = getattr(settings, setting)
    if entry is None:
        return True
    return entry.enabled is not False


def privacy_settings_with(user: wire.User | None, changes: dict[PrivacySetting, bool]) -> dict[str, Any]:
    """The user's ``privacy_settings`` with ``changes`` applied, for a partial update's ``set``.

    A partial update replaces ``privacy_settings`` as a whole, so the settings not changed
    are carried over as they are.
    """
    current: dict[str, Any] = {}
    if user is not None and isinstance(user.privacy_settings, wire.PrivacySettings):
        value = codec.to_builtins(user.privacy_settings)
        if isinstance(value, dict):
            current = value
    for setting, enabled in changes.items():
        if setting not in PRIVACY_SETTINGS:
            raise ValueError(f"unknown privacy setting {setting!r}; expected one of {PRIVACY_SETTINGS}")
        if not isinstance(enabled, bool):
            raise TypeError(f"{setting} must be True or False, not {enabled!r}")
        entry = current.get(setting)
        current[setting] = {**(entry if isinstance(entry, dict) else {}), "enabled": enabled}
    return current
