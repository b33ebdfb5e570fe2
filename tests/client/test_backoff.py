"""The reconnect backoff: full jitter between a floor and a cap, deterministic with a seeded RNG."""

from __future__ import annotations

import random

import pytest

from streamchat_core.backoff import (
    DEFAULT_RECONNECT_JITTER,
    BackoffPolicy,
    ExponentialBackoff,
    reconnect_jitter,
)


def test_delays_stay_between_the_floor_and_a_growing_ceiling() -> None:
    backoff = ExponentialBackoff(floor=0.25, cap=25.0, rng=random.Random(1))
    for failures in range(1, 40):
        ceiling = min(25.0, 0.25 * 2**failures)
        delays = [backoff.delay(failures) for _ in range(200)]
        assert all(0.25 <= d <= ceiling for d in delays)
        assert backoff.ceiling(failures) == pytest.approx(ceiling)
    # Far past the cap the exponent must not overflow.
    assert backoff.ceiling(10_000) == 25.0


def test_jitter_spreads_the_delays() -> None:
    backoff = ExponentialBackoff(floor=0.25, cap=25.0, rng=random.Random(2))
    delays = {round(backoff.delay(5), 6) for _ in range(50)}
    assert len(delays) > 40


def test_a_seeded_rng_gives_the_same_sequence() -> None:
    a = ExponentialBackoff(rng=random.Random(42))
    b = ExponentialBackoff(rng=random.Random(42))
    assert [a.delay(n) for n in range(1, 20)] == [b.delay(n) for n in range(1, 20)]


def test_a_zero_floor_gives_no_delay_at_first() -> None:
    backoff = ExponentialBackoff(floor=0.0, cap=1.0)
    assert backoff.delay(3) == 0.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"floor": -1.0}, "floor"),
        ({"floor": 2.0, "cap": 1.0}, "floor"),
        ({"factor": 0.5}, "factor"),
        ({"stable_after": -1.0}, "stable_after"),
        ({"reconnect_jitter": -0.1}, "reconnect_jitter"),
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ExponentialBackoff(**kwargs)


def test_it_is_a_backoff_policy() -> None:
    assert isinstance(ExponentialBackoff(), BackoffPolicy)


def test_the_first_attempt_after_a_lost_connection_waits_only_a_jitter() -> None:
    backoff = ExponentialBackoff(floor=5.0, cap=25.0, rng=random.Random(3))
    jitters = [reconnect_jitter(backoff) for _ in range(200)]
    assert all(0.0 <= j <= DEFAULT_RECONNECT_JITTER for j in jitters)
    assert len(set(jitters)) > 150  # spread: thousands of clients do not arrive together
    assert reconnect_jitter(ExponentialBackoff(reconnect_jitter=0.0)) == 0.0

    class Bare:  # a policy of its own, without first_delay: the default jitter
        stable_after = 30.0

        def delay(self, failures: int) -> float:
            raise AssertionError("the first attempt must not back off")

    assert 0.0 <= reconnect_jitter(Bare()) <= DEFAULT_RECONNECT_JITTER
