"""The user's token: a static string, or a provider called whenever a fresh one is needed.

A static token is checked once, before anything touches the network: it must be a JWT whose
``user_id`` is the connecting user's id. A provider (a sync or async callable returning the
token) is called on first use, again when the server answers error 40 (token expired), and,
when its token carries ``exp``, ahead of expiry (see :meth:`TokenManager.refresh_delay`), so a
long-lived connection never meets error 40. Concurrent refreshes share one provider call.

Nothing here logs or formats a token.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Awaitable, Callable

import anyio

from streamchat_core.errors import InvalidTokenError, TokenProviderError, UsageError
from streamchat_core.tokens import token_claims

__all__ = ["TokenManager", "TokenProvider", "TokenSource"]

# A token is never refreshed ahead of expiry sooner than this after it was fetched.
_MIN_TOKEN_AGE = 1.0

TokenProvider = Callable[[], str | Awaitable[str]]
TokenSource = str | TokenProvider


def _check(token: object, user_id: str, origin: str) -> str:
    if not isinstance(token, str):
        raise InvalidTokenError(f"{origin} must be a string, not {type(token).__name__}")
    if not token:
        raise InvalidTokenError(f"{origin} is empty")
    claims = token_claims(token)
    claimed = claims.get("user_id")
    if not isinstance(claimed, str) or not claimed:
        raise InvalidTokenError(f"{origin} has no user_id claim")
    if claimed != user_id:
        raise InvalidTokenError(f"{origin} belongs to user {claimed!r}, not to {user_id!r}")
    return token


class TokenManager:
    """Holds the current token for one user and fetches fresh ones from the provider."""

    def __init__(self, user_id: str, source: TokenSource, *, refresh_margin: float = 60.0) -> None:
        self.user_id = user_id
        self.refresh_margin = refresh_margin
        self._provider: TokenProvider | None
        self._token: str | None
        if isinstance(source, str):
            self._provider = None
            self._token = _check(source, user_id, "the token")
        elif callable(source):
            self._provider = source
            self._token = None
        else:
            raise InvalidTokenError(
                f"the token must be a string or a callable returning one, not {type(source).__name__}"
            )
        self._obtained_at = time.time()
        # Made on first use: most sessions never refresh, and each costs a backend lookup.
        self._lock: anyio.Lock | None = None
        self._generation = 0
        self._changed: anyio.Event | None = None

    @property
    def has_provider(self) -> bool:
        return self._provider is not None

    @property
    def generation(self) -> int:
        """Goes up by one with every token fetched from the provider."""
        return self._generation

    async def get(self) -> str:
        """The current token, calling the provider if there is none yet."""
        token = self._token
        if token is None:
            return await self.refresh(self._generation)
        return token

    async def refresh(self, seen_generation: int | None = None) -> str:
        """Fetch a fresh token from the provider and return it.

        ``seen_generation`` is the :attr:`generation` the caller found stale: when another task
        has already refreshed since, its token is returned without another provider call.
        Raises :class:`UsageError` when there is no provider (a static token cannot be
        refreshed: callers check :attr:`has_provider`) and :class:`TokenProviderError` when the
        provider fails.
        """
        if self._provider is None:
            raise UsageError("a static token cannot be refreshed; pass a token provider to connect_user")
        if self._lock is None:
            self._lock = anyio.Lock()
        async with self._lock:
            if (
                seen_generation is not None
                and seen_generation != self._generation
                and self._token is not None
            ):
                return self._token
            token = await self._call_provider(self._provider)
            self._token = token
            self._obtained_at = time.time()
            self._generation += 1
            if self._changed is not None:
                self._changed.set()
                self._changed = None
            return token

    async def wait_changed(self, generation: int) -> None:
        """Return once a token newer than ``generation`` has been fetched."""
        while self._generation == generation:
            if self._changed is None:
                self._changed = anyio.Event()
            await self._changed.wait()

    async def _call_provider(self, provider: TokenProvider) -> str:
        try:
            result = provider()
            if inspect.isawaitable(result):
                result = await result
        except Exception as exc:
            raise TokenProviderError(f"the token provider raised {type(exc).__name__}: {exc}") from exc
        try:
            return _check(result, self.user_id, "the token returned by the provider")
        except InvalidTokenError as exc:
            # InvalidTokenError's messages never quote the token: safe to chain.
            raise TokenProviderError(str(exc)) from exc

    def expires_at(self) -> float | None:
        """The current token's ``exp`` (seconds since the epoch), if it has one."""
        if self._token is None:
            return None
        try:
            exp = token_claims(self._token).get("exp")
        except InvalidTokenError:
            return None
        return float(exp) if isinstance(exp, (int, float)) and not isinstance(exp, bool) else None

    def refresh_delay(self) -> float | None:
        """Seconds from now until the token should be refreshed ahead of its expiry.

        ``None`` when there is no provider or the token has no ``exp``. The refresh happens
        ``refresh_margin`` seconds before ``exp``, or a quarter of the token's lifetime before it
        for tokens that live less than four margins, so short-lived tokens get refreshed too;
        never sooner than a second after the token was fetched, whatever the provider returns.
        """
        exp = self.expires_at()
        if self._provider is None or exp is None or self._token is None:
            return None
        issued = token_claims(self._token).get("iat")
        start = (
            float(issued)
            if isinstance(issued, (int, float)) and not isinstance(issued, bool)
            else self._obtained_at
        )
        lifetime = max(exp - start, 0.0)
        lead = min(self.refresh_margin, lifetime / 4)
        now = time.time()
        return max(exp - lead - now, self._obtained_at + _MIN_TOKEN_AGE - now, 0.0)

    def __repr__(self) -> str:
        kind = "provider" if self._provider is not None else "static"
        return f"TokenManager(user_id={self.user_id!r}, {kind})"
