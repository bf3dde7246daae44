"""Builds the one `ProvisioningClient` a server lifetime uses."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Literal

import anyio
import httpx2

from sinch_provisioning_mcp.api.auth import Authenticator, BasicAuth, OAuthClientCredentials, SharedTokens, basic_header
from sinch_provisioning_mcp.api.client import LIMITS, TIMEOUT, ProvisioningClient
from sinch_provisioning_mcp.guardrails.redact import REDACTOR
from sinch_provisioning_mcp.guardrails.urls import GuardedTransport


@asynccontextmanager
async def open_client(
    *,
    base_url: str,
    auth_url: str,
    key_id: str | None,
    key_secret: str | None,
    access_token: str | None = None,
    auth_mode: Literal["oauth", "basic"] = "oauth",
    allow_loopback: bool = False,
    transport: httpx2.AsyncBaseTransport | None = None,
    extra_origins: frozenset[str] = frozenset(),
    sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    shared_tokens: SharedTokens | None = None,
) -> AsyncIterator[ProvisioningClient]:
    """The client; `sleep` waits between retries (tests pass a recorder, so no retry waits real time);
    `shared_tokens` shares the OAuth token with other processes (hosted mode)."""
    for secret in (key_id, key_secret, access_token):
        REDACTOR.register_credential(secret)
    if key_id and key_secret:
        # The pair as it travels in a Basic header, for when it shows up without the "Basic " prefix.
        REDACTOR.register_credential(basic_header(key_id, key_secret).removeprefix("Basic "))
    guarded = GuardedTransport(
        transport or httpx2.AsyncHTTPTransport(limits=LIMITS, retries=0),
        allow_loopback=allow_loopback,
        extra_origins=extra_origins,
    )
    async with httpx2.AsyncClient(
        base_url=base_url,
        transport=guarded,
        timeout=TIMEOUT,
        follow_redirects=False,
        headers={"Accept": "application/json", "User-Agent": "sinch-provisioning-mcp"},
    ) as http:
        auth: Authenticator
        if auth_mode == "basic":
            auth = BasicAuth(key_id or "", key_secret or "")
        else:
            auth = OAuthClientCredentials(
                http, auth_url, key_id, key_secret, preissued_token=access_token, shared=shared_tokens
            )
        yield ProvisioningClient(http, auth, sleep=sleep)
