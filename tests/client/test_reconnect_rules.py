"""The reconnect rules as a table: every row of ``reconnect_rules``' docstring, and the rules of time."""

from __future__ import annotations

import pytest

from streamchat_core.backoff import ExponentialBackoff
from streamchat_core.errors import (
    AccessKeyError,
    ConnectionClosedError,
    ConnectionIDNotFoundError,
    ConnectTimeoutError,
    StreamAPIError,
    TokenExpiredError,
    TokenProviderError,
    TransportError,
    api_error,
)
from streamchat_core.reconnect_rules import HELD_AFTER, Action, Attempts, Decision, decide

RETRY, REFRESH, FALL_BACK, FAIL = Action.RETRY, Action.REFRESH_TOKEN, Action.FALL_BACK, Action.FAIL

expired = api_error(40, "token expired", 401)
unknown_connection = api_error(46, "connection id not found", 400)
rejected = api_error(2, "api key not valid", 401)
refused = TransportError("connection refused")
upgrade_forbidden = TransportError("HTTP 403 on the upgrade", retryable=False, status_code=403)
timed_out = ConnectTimeoutError("not open within 6 s")
dropped = ConnectionClosedError("closed with 1006")
provider_failed = TokenProviderError("the token provider raised ValueError")

# error, opened, held, was_up, has_provider, can_fall_back -> action, backs off
TABLE = [
    # error 40 with a provider: refresh, backing off unless the connection had held
    (expired, True, False, True, True, False, REFRESH, True),
    (expired, True, True, True, True, True, REFRESH, False),
    (expired, False, False, False, True, True, REFRESH, True),
    # error 40 without one: a rejection like any other
    (expired, True, True, True, False, True, FAIL, False),
    # error 46: a fresh connection over the same transport, never a fall-back
    (unknown_connection, True, True, True, False, True, RETRY, False),
    (unknown_connection, False, False, True, True, True, RETRY, True),
    # other API errors end the session, connected before or not, fall-back or not
    (rejected, False, False, False, True, True, FAIL, False),
    (rejected, True, True, True, True, False, FAIL, False),
    # a transport error that says retrying cannot help
    (upgrade_forbidden, False, False, False, False, True, FAIL, False),
    # the provider failed: fatal before the first connection, retried with backoff after
    (provider_failed, False, False, False, True, True, FAIL, False),
    (provider_failed, False, False, True, True, True, RETRY, True),
    # could not open: the next transport, at once
    (refused, False, False, False, False, True, FALL_BACK, False),
    (timed_out, False, False, True, True, True, FALL_BACK, False),
    # could not open, nothing to fall back to: back off
    (refused, False, False, False, False, False, RETRY, True),
    (timed_out, False, False, True, False, False, RETRY, True),
    # opened and lost: never a fall-back; at once if it had held
    (dropped, True, True, True, False, True, RETRY, False),
    (dropped, True, False, True, False, True, RETRY, True),
    (dropped, True, False, True, False, False, RETRY, True),
]


@pytest.mark.parametrize(
    ("error", "opened", "held", "was_up", "has_provider", "can_fall_back", "action", "backs_off"), TABLE
)
def test_the_decision_table(
    error: BaseException,
    opened: bool,
    held: bool,
    was_up: bool,
    has_provider: bool,
    can_fall_back: bool,
    action: Action,
    backs_off: bool,
) -> None:
    decision = decide(
        error, opened=opened, held=held, was_up=was_up, has_provider=has_provider, can_fall_back=can_fall_back
    )
    assert (decision.action, decision.backs_off) == (action, backs_off)
    assert decision.reason


def test_the_typed_errors_behind_the_table() -> None:
    # The rows rely on api_error building these classes from Stream's codes.
    assert isinstance(expired, TokenExpiredError)
    assert isinstance(unknown_connection, ConnectionIDNotFoundError)
    assert isinstance(rejected, AccessKeyError)
    assert isinstance(rejected, StreamAPIError)


def _attempts(connect_timeout: float = 6.0, stable_after: float = 30.0) -> Attempts:
    backoff = ExponentialBackoff(floor=0.25, cap=25.0, stable_after=stable_after, reconnect_jitter=0.25)
    return Attempts(connect_timeout=connect_timeout, backoff=backoff, now=100.0)


RETRY_BACKING_OFF = Decision(RETRY, True, "failed")
RETRY_AT_ONCE = Decision(RETRY, False, "held")


def test_the_first_attempts_never_run_past_the_deadline() -> None:
    attempts = _attempts(connect_timeout=6.0)
    assert attempts.timeout(100.0) == 6.0
    assert attempts.timeout(104.5) == pytest.approx(1.5)
    delay = attempts.next_delay(RETRY_BACKING_OFF, 105.0)
    assert delay is not None
    assert delay <= 1.0
    assert attempts.failures == 1
    assert not attempts.expired(105.9)
    assert attempts.expired(106.0)
    assert attempts.next_delay(RETRY_BACKING_OFF, 106.0) is None


def test_a_fall_back_restarts_the_deadline() -> None:
    attempts = _attempts(connect_timeout=6.0)
    attempts.fall_back(105.0)
    assert attempts.timeout(105.0) == 6.0
    assert not attempts.expired(110.0)


def test_once_connected_there_is_no_deadline() -> None:
    attempts = _attempts(connect_timeout=6.0)
    attempts.connection_ended(lived=0.1)
    assert attempts.was_up
    assert attempts.timeout(1000.0) == 6.0
    assert not attempts.expired(1000.0)
    delay = attempts.next_delay(RETRY_BACKING_OFF, 1000.0)
    assert delay is not None
    assert 0.25 <= delay <= 0.5


def test_held_and_stable_connections() -> None:
    attempts = _attempts(stable_after=30.0)
    for _ in range(3):
        attempts.next_delay(RETRY_BACKING_OFF, 100.0)
    assert attempts.failures == 3
    # Lost before HELD_AFTER: a failure in a row with the others.
    assert attempts.connection_ended(lived=HELD_AFTER / 2) is False
    assert attempts.failures == 3
    # Held, not yet stable: reconnect at once, the count stays.
    assert attempts.connection_ended(lived=HELD_AFTER) is True
    assert attempts.failures == 3
    delay = attempts.next_delay(RETRY_AT_ONCE, 200.0)
    assert delay is not None
    assert 0.0 <= delay <= 0.25
    assert attempts.failures == 3
    # Stable: the count starts again.
    assert attempts.connection_ended(lived=30.0) is True
    assert attempts.failures == 0


def test_stable_after_shorter_than_held_after_decides_held() -> None:
    attempts = _attempts(stable_after=0.2)
    assert attempts.connection_ended(lived=0.2) is True


def test_the_error_reported_when_the_first_connection_never_opens() -> None:
    attempts = _attempts(connect_timeout=6.0)
    attempts.attempt_failed(refused, timeout=6.0)
    # A timeout caused by the deadline cutting the last attempt short says less than the refusal.
    attempts.attempt_failed(ConnectTimeoutError("cut short"), timeout=0.5)
    error = attempts.give_up_error("websocket")
    assert isinstance(error, TransportError)
    assert not isinstance(error, ConnectTimeoutError)
    assert "could not connect over websocket within 6 s" in str(error)
    assert error.__cause__ is refused

    timing_out = _attempts(connect_timeout=6.0)
    timing_out.attempt_failed(timed_out, timeout=6.0)
    assert isinstance(timing_out.give_up_error("longpoll"), ConnectTimeoutError)

    provider = _attempts()
    provider.attempt_failed(provider_failed, timeout=6.0)
    assert provider.give_up_error("websocket") is provider_failed
