"""Timestamps as Stream writes them.

Events carry ``created_at`` in RFC 3339 with nanoseconds (``…T12:00:00.123456789Z``); user
records carry microseconds, which is what a ``datetime`` holds, so a user read back through the
wire models re-encodes to the very same string.
"""

from __future__ import annotations

import time

__all__ = ["now_ns", "rfc3339_micro", "rfc3339_nano"]


def now_ns() -> int:
    """Wall-clock time in nanoseconds since the epoch."""
    return time.time_ns()


def _seconds(ns: int) -> tuple[str, int]:
    secs, frac = divmod(ns, 1_000_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)), frac


def rfc3339_nano(ns: int) -> str:
    """``ns`` as RFC 3339 in UTC with nine fractional digits."""
    head, frac = _seconds(ns)
    return f"{head}.{frac:09d}Z"


def rfc3339_micro(ns: int) -> str:
    """``ns`` as RFC 3339 in UTC with six fractional digits."""
    head, frac = _seconds(ns)
    return f"{head}.{frac // 1000:06d}Z"
