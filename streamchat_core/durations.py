"""Durations as the public API takes them: seconds (an ``int`` or a ``float``) or a ``timedelta``."""

from __future__ import annotations

import math
from datetime import timedelta

__all__ = ["positive_seconds", "seconds"]


def seconds(value: float | timedelta | None, what: str) -> float | None:
    """A duration given in seconds or as a ``timedelta``, as seconds; ``None`` stays ``None``.

    Raises ``TypeError`` for anything else and ``ValueError`` for a negative duration or NaN,
    naming ``what`` (the argument) and the value.
    """
    if value is None:
        return None
    if isinstance(value, timedelta):
        result = value.total_seconds()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        result = float(value)
    else:
        raise TypeError(f"{what} must be a number of seconds or a timedelta, not {type(value).__name__}")
    if math.isnan(result) or result < 0:
        raise ValueError(f"{what} must not be negative, got {value!r}")
    return result


def positive_seconds(value: float | timedelta, what: str, *, finite: bool = False) -> float:
    """:func:`seconds` for a duration that must be more than zero (and, if ``finite``, not infinite)."""
    result = seconds(value, what)
    if result is None or result <= 0 or (finite and math.isinf(result)):
        kind = "a positive, finite" if finite else "a positive"
        raise ValueError(f"{what} must be {kind} number of seconds, got {value!r}")
    return result
