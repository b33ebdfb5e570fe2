"""How long to wait before trying to connect again.

Exponential backoff with full jitter and a floor: after ``n`` consecutive failures the delay is
drawn uniformly from ``[floor, min(cap, floor * factor**n)]``. Full jitter spreads the
reconnects of many clients that lost the same server at the same moment; the floor keeps a
client from hammering a server that refuses it at once. The failure count is reset only once a
connection has stayed up for ``stable_after`` seconds, so a connection that opens and drops
at once keeps backing off instead of retrying at the floor forever.

Not every reconnect waits for the policy: after a connection that worked is lost (a server
restart, a load balancer dropping its sockets), the first attempt goes out at once, after only
a small random jitter (:func:`reconnect_jitter`, 0 to 250 ms by default) so that thousands of
clients that lost the same server do not arrive in the same millisecond. Only when attempts
fail does :meth:`BackoffPolicy.delay` decide. See :mod:`streamchat_core.session`.

The policy is an object so that tests (and users) can pass their own: anything with
``delay(failures) -> float`` and ``stable_after``; optionally ``first_delay() -> float``, the
jitter before that first attempt.
"""

from __future__ import annotations

import random
from typing import Protocol, runtime_checkable

__all__ = ["DEFAULT_RECONNECT_JITTER", "BackoffPolicy", "ExponentialBackoff", "reconnect_jitter"]

# Seeding a Random costs more than the rest of a client's setup: share one (jitter needs no secrecy).
_SHARED_RNG = random.Random()

#: The largest jitter before the first attempt after a lost connection, in seconds.
DEFAULT_RECONNECT_JITTER = 0.25


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

    The defaults follow Stream's JavaScript client: a retry after 0.25-0.5 s, growing to at
    most 25 s. ``reconnect_jitter`` bounds the random wait before the first attempt after a
    lost connection (:meth:`first_delay`). Pass ``rng=random.Random(seed)`` for a deterministic
    sequence.
    """

    def __init__(
        self,
        *,
        floor: float = 0.25,
        cap: float = 25.0,
        factor: float = 2.0,
        stable_after: float = 30.0,
        reconnect_jitter: float = DEFAULT_RECONNECT_JITTER,
        rng: random.Random | None = None,
    ) -> None:
        if floor < 0 or cap < floor:
            raise ValueError(f"need 0 <= floor <= cap, got floor={floor} and cap={cap}")
        if reconnect_jitter < 0:
            raise ValueError(f"reconnect_jitter must not be negative, got {reconnect_jitter}")
        if factor < 1:
            raise ValueError(f"factor must be at least 1, got {factor}")
        if stable_after < 0:
            raise ValueError(f"stable_after must not be negative, got {stable_after}")
        self.floor = floor
        self.cap = cap
        self.factor = factor
        self.stable_after = stable_after
        self.reconnect_jitter = reconnect_jitter
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

    def first_delay(self) -> float:
        """The jitter before the first attempt after a lost connection: 0 to ``reconnect_jitter``."""
        return self._rng.uniform(0.0, self.reconnect_jitter) if self.reconnect_jitter > 0 else 0.0

    def __repr__(self) -> str:
        return (
            f"ExponentialBackoff(floor={self.floor}, cap={self.cap}, factor={self.factor}, "
            f"stable_after={self.stable_after}, reconnect_jitter={self.reconnect_jitter})"
        )


def reconnect_jitter(policy: BackoffPolicy) -> float:
    """The wait before the first attempt after a lost connection, under ``policy``.

    The policy's own ``first_delay()`` when it has one; otherwise 0 to
    :data:`DEFAULT_RECONNECT_JITTER` seconds. Never :meth:`BackoffPolicy.delay`: this attempt
    does not back off.
    """
    first_delay = getattr(policy, "first_delay", None)
    if callable(first_delay):
        return max(float(first_delay()), 0.0)
    return _SHARED_RNG.uniform(0.0, DEFAULT_RECONNECT_JITTER)
