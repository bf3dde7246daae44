"""Authentication for the Provisioning API: OAuth2 client credentials or HTTP Basic.

The OAuth token is fetched once, cached until shortly before `expires_in`, shared by
concurrent calls (one fetch however many calls start together) and refreshed when the API
answers 401 with a challenge saying the token itself was refused (`token_refused`). Every
token issued is registered with the redactor before anyone sees it.

Replicas of a hosted server share one token per credential (`SharedTokens`, in Redis): a
replica without a valid token takes the fleet's, and only one of them fetches a new one.
Each keeps its own copy until shortly before expiry, so a call costs no round trip to Redis.
"""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

import anyio
import httpx2

from sinch_provisioning_mcp.api.errors import AuthError, TransportError
from sinch_provisioning_mcp.guardrails.redact import REDACTOR

# Renew this long before the token's own expiry, so a call never starts with a token
# that dies in flight.
_EXPIRY_MARGIN_SECONDS = 60
_INVALID_TOKEN = re.compile(r'\berror\s*=\s*"?invalid_token\b', re.IGNORECASE)


def token_refused(challenge: str | None) -> bool:
    """Whether a 401's `WWW-Authenticate` says the bearer token was refused, so that a new
    token can succeed: RFC 6750's `error="invalid_token"` (expired, revoked, malformed),
    or any challenge mentioning "expired", the one rule the official Node SDK refreshes
    on. Any other 401 (a wrong project, a refused key) would fail again with a new token.
    """
    if not challenge:
        return False
    return _INVALID_TOKEN.search(challenge) is not None or "expired" in challenge.lower()


def basic_header(key_id: str, key_secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key_id}:{key_secret}".encode()).decode()


class Authenticator:
    """Produces the Authorization header for each API request."""

    async def header(self) -> str:
        raise NotImplementedError

    async def refresh(self, rejected: str) -> bool:
        """The API refused `rejected`; return True when a new header is worth one more try."""
        return False


class BasicAuth(Authenticator):
    def __init__(self, key_id: str, key_secret: str) -> None:
        self._header = basic_header(key_id, key_secret)

    async def header(self) -> str:
        return self._header


# A token and the seconds it may still be used for.
Fetched = tuple[str, float]


class SharedTokens(Protocol):
    """One credential's OAuth token, shared by every process using it."""

    async def obtain(self, fetch: Callable[[], Awaitable[Fetched]]) -> Fetched:
        """The shared token, or one fetched now with `fetch` by exactly one of the processes while the others wait."""
        ...

    async def discard(self, token: str) -> None:
        """The API refused `token`: no process takes it from here again."""
        ...


class OAuthClientCredentials(Authenticator):
    def __init__(
        self,
        http: httpx2.AsyncClient,
        token_url: str,
        key_id: str | None,
        key_secret: str | None,
        *,
        preissued_token: str | None = None,
        shared: SharedTokens | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._token_url = token_url
        self._key_id = key_id
        self._key_secret = key_secret
        self._shared = shared
        self._clock = clock
        self._lock = anyio.Lock()
        self._token = preissued_token
        # A pre-issued token's lifetime is unknown: use it until the API refuses it.
        self._expires_at = float("inf") if preissued_token else 0.0
        self.fetch_count = 0

    async def header(self) -> str:
        return f"Bearer {await self._current()}"

    async def refresh(self, rejected: str) -> bool:
        if not (self._key_id and self._key_secret):
            return False
        async with self._lock:
            if self._token and f"Bearer {self._token}" == rejected:
                refused, self._token, self._expires_at = self._token, None, 0.0
                if self._shared is not None:
                    await self._shared.discard(refused)
        return True

    async def _current(self) -> str:
        # A valid token needs no lock: nothing can change it between this check and the
        # return (no await in between), and taking the lock costs every call a turn of the loop.
        if self._token is not None and self._clock() < self._expires_at:
            return self._token
        async with self._lock:
            if self._token is None or self._clock() >= self._expires_at:
                token, usable = await (self._shared.obtain(self._fetch) if self._shared else self._fetch())
                # Whichever process fetched it, this one masks it too.
                REDACTOR.register_secret(token)
                self._token, self._expires_at = token, self._clock() + usable
            return self._token

    async def _fetch(self) -> Fetched:
        if not (self._key_id and self._key_secret):
            raise AuthError("no OAuth token: set SINCH_KEY_ID and SINCH_KEY_SECRET (or SINCH_ACCESS_TOKEN)")
        try:
            response = await self._http.post(
                self._token_url,
                data={"grant_type": "client_credentials"},
                headers={"Authorization": basic_header(self._key_id, self._key_secret)},
            )
        except httpx2.TransportError as exc:
            raise TransportError(f"token endpoint unreachable: {type(exc).__name__}") from None
        if response.status_code != 200:
            raise AuthError(
                f"token endpoint refused the credentials (HTTP {response.status_code}); "
                "check SINCH_KEY_ID and SINCH_KEY_SECRET"
            )
        try:
            body = response.json()
            token = str(body["access_token"])
            lifetime = float(body.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError):
            raise AuthError("token endpoint answered without an access_token") from None
        REDACTOR.register_secret(token)
        self.fetch_count += 1
        return token, max(lifetime - _EXPIRY_MARGIN_SECONDS, lifetime / 2)
