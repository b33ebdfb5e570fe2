"""Every reconnect rule in one table: what the session does when a connection ends or fails to open.

:func:`decide` is a pure function of what happened; the session (``streamchat_core.session``)
only carries the decision out. Read from the top; the first row that matches wins:

=====================================================  ===============  =================
what happened                                          action           backs off?
=====================================================  ===============  =================
error 40 (token expired), with a token provider        REFRESH_TOKEN    unless ``held``
error 46 (connection id unknown, long-poll)            RETRY            unless ``held``
any other Stream API error                             FAIL             -
a transport error that says retrying cannot help       FAIL             -
the token provider failed, never connected yet         FAIL             -
the token provider failed, connected before            RETRY            yes
could not open, another transport is next in line      FALL_BACK        no (at once)
a connection that worked (``held``) was lost           RETRY            no (jitter only)
anything else (could not open, dropped too soon)       RETRY            yes
=====================================================  ===============  =================

``held`` means the connection stayed up long enough to count as working (see
:data:`HELD_AFTER`): losing it is not a failure, so the next attempt goes out at once
after a small jitter. "Backs off" means the attempt counts as a failure and waits the backoff
policy's delay for the number of failures in a row. A REFRESH_TOKEN whose refresh fails is
decided again as "the token provider failed".

The rules that depend on time, not on the error, are kept by :class:`Attempts` (times are
given to it, so it is as testable as :func:`decide`):

- the first connection is tried until ``connect_timeout`` has passed, then the session fails
  with the most telling error seen (not a timeout caused by that deadline cutting the last
  attempt short); a fall-back restarts the deadline for the next transport;
- a connection that stayed up :data:`HELD_AFTER` seconds (or ``stable_after``, if shorter)
  worked: losing it is not a failure; one that stayed up ``stable_after`` resets the count;
- an attempt that backs off waits ``backoff.delay(failures)``; one that does not, only
  :func:`~streamchat_core.backoff.reconnect_jitter`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from streamchat_core.backoff import BackoffPolicy, reconnect_jitter
from streamchat_core.errors import (
    ConnectionIDNotFoundError,
    ConnectTimeoutError,
    StreamAPIError,
    StreamChatError,
    TokenExpiredError,
    TokenProviderError,
    TransportError,
)

__all__ = ["HELD_AFTER", "Action", "Attempts", "Decision", "decide"]

#: A connection that stayed up this long (or ``stable_after``, if shorter) worked: losing it
#: is not a failure, and the next attempt goes out at once (after a jitter).
HELD_AFTER = 1.0

# No new first-connection attempt this close to the connect_timeout deadline.
_DEADLINE_SLACK = 0.02


class Action(enum.Enum):
    """What the session does next."""

    #: Open a new connection over the same transport.
    RETRY = "retry"
    #: Fetch a fresh token from the provider, then open a new connection.
    REFRESH_TOKEN = "refresh_token"
    #: Try the next transport of the chain at once.
    FALL_BACK = "fall_back"
    #: End the session with the error.
    FAIL = "fail"


@dataclass(frozen=True)
class Decision:
    action: Action
    #: Whether the attempt counts as a failure: the next one waits the backoff delay.
    backs_off: bool
    #: Why, in a few words (for the log).
    reason: str


def decide(
    error: BaseException,
    *,
    opened: bool,
    held: bool,
    was_up: bool,
    has_provider: bool,
    can_fall_back: bool,
) -> Decision:
    """The session's next step after ``error`` ended (or prevented) a connection.

    ``opened``: the connection was up before it ended; ``held``: it stayed up long enough to
    count as working; ``was_up``: some connection of this session has been up;
    ``has_provider``: tokens come from a provider that can give a fresh one;
    ``can_fall_back``: a transport follows the current one in the chain.
    """
    if isinstance(error, TokenExpiredError) and has_provider:
        return Decision(Action.REFRESH_TOKEN, not held, "the token expired")
    if isinstance(error, ConnectionIDNotFoundError):
        return Decision(Action.RETRY, not held, "the server no longer knows the connection")
    if isinstance(error, StreamAPIError):
        return Decision(Action.FAIL, False, "the server rejected the connection")
    if isinstance(error, TransportError) and not error.retryable:
        return Decision(Action.FAIL, False, "retrying cannot help")
    if isinstance(error, TokenProviderError):
        if not was_up:
            return Decision(Action.FAIL, False, "the token provider failed")
        return Decision(Action.RETRY, True, "the token provider failed")
    if not opened and can_fall_back:
        return Decision(Action.FALL_BACK, False, "the connection could not be opened")
    if held:
        return Decision(Action.RETRY, False, "a connection that worked was lost")
    return Decision(Action.RETRY, True, "the connection failed")


class Attempts:
    """The bookkeeping between connection attempts: failures in a row, the first-connect deadline.

    Every method takes the current time (``now``, the event loop's clock) rather than
    reading a clock, so the rules can be checked without running anything.
    """

    def __init__(self, *, connect_timeout: float, backoff: BackoffPolicy, now: float) -> None:
        self.connect_timeout = connect_timeout
        self.backoff = backoff
        #: Attempts in a row that failed (reset by a connection that stayed up ``stable_after``).
        self.failures = 0
        #: Whether a connection of this session has been up: the first-connect deadline is over.
        self.was_up = False
        self._deadline = now + connect_timeout
        self._telling: BaseException | None = None

    def timeout(self, now: float) -> float:
        """How long the next attempt may take to open: never past the first-connect deadline."""
        if self.was_up:
            return self.connect_timeout
        return min(self._deadline - now, self.connect_timeout)

    def connection_ended(self, lived: float) -> bool:
        """A connection that was up for ``lived`` seconds ended; returns whether it ``held``."""
        self.was_up = True
        stable_after = self.backoff.stable_after
        if lived >= stable_after:
            self.failures = 0
        return lived >= min(stable_after, HELD_AFTER)

    def attempt_failed(self, error: BaseException, timeout: float) -> None:
        """Remember ``error`` (from an attempt given ``timeout``) to report if the deadline passes."""
        cut_short = timeout < self.connect_timeout and isinstance(error, ConnectTimeoutError)
        if self._telling is None or not cut_short:
            self._telling = error

    def fall_back(self, now: float) -> None:
        """The next transport gets the whole ``connect_timeout``."""
        self._deadline = now + self.connect_timeout

    def next_delay(self, decision: Decision, now: float) -> float | None:
        """How long to wait before the next attempt; ``None``: the first-connect deadline has passed."""
        if decision.backs_off:
            self.failures += 1
        if self.expired(now):
            return None
        if decision.backs_off:
            delay = self.backoff.delay(max(self.failures, 1))
        else:  # the first attempt after losing a connection that worked does not back off
            delay = reconnect_jitter(self.backoff)
        return delay if self.was_up else min(delay, self._deadline - now)

    def expired(self, now: float) -> bool:
        """Whether the first connection has run out of time."""
        return not self.was_up and now >= self._deadline - _DEADLINE_SLACK

    def give_up_error(self, transport_name: str) -> BaseException:
        """What the first ``connect_user`` raises once :meth:`expired`: the most telling failure."""
        last = self._telling
        if last is None:  # pragma: no cover - a deadline only passes after an attempt
            return ConnectTimeoutError(f"could not connect within {self.connect_timeout:g} s")
        if isinstance(last, StreamChatError) and not isinstance(last, TransportError):
            return last
        message = f"could not connect over {transport_name} within {self.connect_timeout:g} s: {last}"
        error: TransportError
        if isinstance(last, ConnectTimeoutError) or not isinstance(last, TransportError):
            error = ConnectTimeoutError(message)
        else:
            error = TransportError(message, retryable=last.retryable, status_code=last.status_code)
        error.__cause__ = last
        return error
