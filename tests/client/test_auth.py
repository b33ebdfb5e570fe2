"""Tokens: static tokens are checked up front; providers are called, checked, and shared."""

from __future__ import annotations

import time

import anyio
import anyio.lowlevel
import jwt
import pytest

from streamchat_core.auth import TokenManager
from streamchat_core.errors import InvalidTokenError, TokenProviderError, UsageError
from streamchat_core.tokens import dev_token

pytestmark = pytest.mark.anyio

SECRET = "a-test-secret-that-is-long-enough-for-hs256"


def token(user_id: str, **claims: object) -> str:
    return jwt.encode({"user_id": user_id, **claims}, SECRET, algorithm="HS256")


async def test_a_static_token_must_belong_to_the_user() -> None:
    with pytest.raises(InvalidTokenError, match="belongs to user 'jane', not to 'john'") as info:
        TokenManager("john", token("jane"))
    assert token("jane") not in str(info.value)


@pytest.mark.parametrize("bad", ["", "not-a-jwt", "a.b", "a.%%%.c"])
async def test_a_static_token_must_be_a_jwt(bad: str) -> None:
    with pytest.raises(InvalidTokenError):
        TokenManager("john", bad)


async def test_a_static_token_cannot_be_refreshed() -> None:
    tokens = TokenManager("john", dev_token("john"))
    assert await tokens.get() == dev_token("john")
    assert not tokens.has_provider
    with pytest.raises(UsageError, match="static token"):
        await tokens.refresh()


async def test_something_else_than_a_token_is_refused() -> None:
    with pytest.raises(InvalidTokenError, match="int"):
        TokenManager("john", 42)  # type: ignore[arg-type]


async def test_sync_and_async_providers() -> None:
    calls: list[str] = []

    def sync_provider() -> str:
        calls.append("sync")
        return token("john", n=len(calls))

    async def async_provider() -> str:
        await anyio.lowlevel.checkpoint()
        calls.append("async")
        return token("john", n=len(calls))

    for provider in (sync_provider, async_provider):
        tokens = TokenManager("john", provider)
        first = await tokens.get()
        assert await tokens.get() == first  # cached
        second = await tokens.refresh()
        assert second != first
    assert calls == ["sync", "sync", "async", "async"]


async def test_provider_failures_are_named() -> None:
    def broken() -> str:
        raise RuntimeError("backend down")

    with pytest.raises(TokenProviderError, match="RuntimeError: backend down") as info:
        await TokenManager("john", broken).get()
    assert isinstance(info.value.__cause__, RuntimeError)

    with pytest.raises(TokenProviderError, match="belongs to user 'jane'"):
        await TokenManager("john", lambda: token("jane")).get()
    with pytest.raises(TokenProviderError, match="must be a string"):
        await TokenManager("john", lambda: None).get()  # type: ignore[arg-type, return-value]


async def test_concurrent_refreshes_share_one_provider_call() -> None:
    calls = 0
    release = anyio.Event()

    async def provider() -> str:
        nonlocal calls
        calls += 1
        await release.wait()
        return token("john", n=calls)

    tokens = TokenManager("john", provider)
    results: list[str] = []

    async def refresh() -> None:
        results.append(await tokens.refresh(tokens.generation))

    async with anyio.create_task_group() as tg:
        for _ in range(5):
            tg.start_soon(refresh)
        await anyio.wait_all_tasks_blocked()
        release.set()
    assert calls == 1
    assert len(set(results)) == 1


async def test_refresh_ahead_of_exp() -> None:
    now = time.time()
    hour = TokenManager("john", lambda: token("john", iat=int(now), exp=int(now) + 3600), refresh_margin=60)
    await hour.get()
    assert hour.refresh_delay() == pytest.approx(3600 - 60 - (time.time() - int(now)), abs=2)

    # A short-lived token is refreshed a quarter of its life before it ends.
    short = TokenManager("john", lambda: token("john", iat=int(now), exp=int(now) + 8), refresh_margin=60)
    await short.get()
    assert short.refresh_delay() == pytest.approx(6 - (time.time() - int(now)), abs=1)

    no_exp = TokenManager("john", lambda: token("john"))
    await no_exp.get()
    assert no_exp.refresh_delay() is None
    static = TokenManager("john", token("john", exp=int(now) + 60))
    assert static.refresh_delay() is None
    assert static.expires_at() == int(now) + 60


async def test_repr_never_shows_the_token() -> None:
    secret = token("john")
    assert secret not in repr(TokenManager("john", secret))
