"""Event frames as the emulator sends them: plain dicts in the wire shapes of ``spec/``.

``type`` is always the first key (the client reads it without parsing the whole frame) and
``created_at`` is RFC 3339 with nanoseconds. User objects inside are the store's records,
custom fields flat.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from streamchat_core.emulator.clock import now_ns, rfc3339_nano

__all__ = ["channel_event", "event", "health_check"]


def event(type: str, /, **fields: Any) -> dict[str, Any]:
    """An event of ``type`` with ``fields`` and a fresh ``created_at`` (unless given)."""
    frame: dict[str, Any] = {"type": type}
    frame.update(fields)
    frame.setdefault("created_at", rfc3339_nano(now_ns()))
    return frame


def health_check(connection_id: str, me: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A ``health.check``; the first one on a connection carries ``me``."""
    frame: dict[str, Any] = {"type": "health.check", "connection_id": connection_id, "cid": "*"}
    if me is not None:
        frame["me"] = me
    frame["created_at"] = rfc3339_nano(now_ns())
    return frame


def channel_event(type: str, channel_type: str, channel_id: str, /, **fields: Any) -> dict[str, Any]:
    """An event about one channel: ``cid``, ``channel_id`` and ``channel_type`` first."""
    frame: dict[str, Any] = {
        "type": type,
        "cid": f"{channel_type}:{channel_id}",
        "channel_id": channel_id,
        "channel_type": channel_type,
    }
    frame.update(fields)
    frame.setdefault("created_at", rfc3339_nano(now_ns()))
    return frame
