"""How long to wait before trying to connect again.

Exponential backoff with full jitter and a floor: after ``n`` consecutive failures the delay is
drawn uniformly from ``[floor, min(cap, floor * factor**n)]``. Full jitter spreads the
reconnects of many clients that lost the same server at the same moment; the floor keeps a
client from hammering a server that refuses it at once. The failure count is reset only once a
connection has stayed up for ``stable_after`` seconds, so a connection that opens and drops
at once keeps backing off instead of retrying at the floor forever.

The policy is an object so that tests (and users) can pass their own: anything with
``delay(failures) -> float`` and ``stable_after``.
"""

from __future__ import annotations

import random
from typing import Protocol, runtime_checkable

__all__ = ["BackoffPolicy", "ExponentialBackoff"]

# Seeding a Random costs more than the rest of a client's setup: share one (jitter needs no secrecy).
_SHARED_RNG = random.Random()


@runtime_checkable
class BackoffPolicy(Protocol):
    """Decides the delay before the next attempt."""

    #: Seconds a connection must stay up before the failure count goes back to zero.
    stable_after: float

    def delay(self, failures: int) -> float:
        """Seconds to wait after ``failures`` consecutive failures (``failures >= 1``)."""
        ...


class ExponentialBackoff:
    """Full-jitter exponential backoff between ``floor`` and ``cap`` seconds.

    The defaults follow Stream's JavaScript client: a first retry after 0.25-0.5 s, growing to
    at most 25 s. Pass ``rng=random.Random(seed)`` for a deterministic sequence.
    """

    def __init__(
        self,
        *,
        floor: float = 0.25,
        cap: float = 25.0,
        factor: float = 2.0,
        stable_after: float = 30.0,
        rng: random.Random | None = None,
    ) -> None:
        if floor < 0 or cap < floor:
            raise ValueError(f"need 0 <= floor <= cap, got floor={floor} and cap={cap}")
        if factor < 1:
            raise ValueError(f"factor must be at least 1, got {factor}")
        if stable_after < 0:
            raise ValueError(f"stable_after must not be negative, got {stable_after}")
        self.floor = floor
        self.cap = cap
        self.factor = factor
        self.stable_after = stable_after
        self._rng = rng if rng is not None else _SHARED_RNG

    def ceiling(self, failures: int) -> float:
        """The largest delay :meth:`delay` can return after ``failures`` failures."""
        # Stop growing the exponent once past the cap: factor**n would overflow for large n.
        upper = self.floor
        for _ in range(max(failures, 0)):
            upper *= self.factor
            if upper >= self.cap:
                return self.cap
        return min(upper, self.cap)

    def delay(self, failures: int) -> float:
        upper = self.ceiling(failures)
        return self._rng.uniform(self.floor, upper) if upper > self.floor else self.floor

    def __repr__(self) -> str:
        return (
            f"ExponentialBackoff(floor={self.floor}, cap={self.cap}, factor={self.factor}, "
            f"stable_after={self.stable_after})"
        )
