"""Credentials, as Sinch checks them.

`POST /oauth2/token` plays auth.sinch.com: client-credentials grant, form-encoded, the
client authenticated with HTTP Basic (access key id : key secret); failures use the
OAuth2 error shape (RFC 6749 section 5.2), not the PAPI one, because a different server
answers them in production. It issues the JWTs of `tokens.py`.

Every other route (the API under `/v1/projects/...` and the `/_sandbox` controls) then
accepts either Basic with the sandbox key or an issued Bearer token still valid; anything
else is 401 `unauthorized_error` in the PAPI shape with a `WWW-Authenticate` challenge
(RFC 6750 section 3). A refused Bearer token gets `error="invalid_token"` and a
description: `Jwt is expired` for an expired one, which is what the official Node SDK
looks for (it fetches a new token only when the challenge contains "expired"), and
`Invalid token` for one this sandbox did not sign. A request without credentials gets a
bare `Bearer realm="sinch"` (RFC 6750 3.1: no error code when none were sent), and a
wrong Basic key a `Basic` challenge, as Sinch's "Invalid credentials" error does.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from .context import state_of
from .errors import unauthorized
from .tokens import TokenAuthority, Verdict

SANDBOX_KEY_ID = "sandbox-key-id"
SANDBOX_KEY_SECRET = "sandbox-key-secret"

# RFC 6749 section 5.1: token responses must not be cached.
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_REALM = 'realm="sinch"'
_TOKEN_REFUSED = {
    Verdict.EXPIRED: f'Bearer {_REALM}, error="invalid_token", error_description="Jwt is expired"',
    Verdict.INVALID: f'Bearer {_REALM}, error="invalid_token", error_description="Invalid token"',
}


def _split_scheme(authorization: str, scheme: str) -> str | None:
    given, _, value = authorization.partition(" ")
    return value.strip() if given.lower() == scheme else None


def bearer_token(request: Request) -> str | None:
    return _split_scheme(request.headers.get("authorization", ""), "bearer")


def _is_sandbox_key(encoded: str) -> bool:
    try:
        decoded = base64.b64decode(encoded, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return False
    key_id, separator, key_secret = decoded.partition(":")
    # Both compared, always, in constant time: the answer's timing says nothing of the key.
    id_ok = hmac.compare_digest(key_id.encode(), SANDBOX_KEY_ID.encode())
    secret_ok = hmac.compare_digest(key_secret.encode(), SANDBOX_KEY_SECRET.encode())
    return bool(separator) and id_ok and secret_ok


def _oauth_error(status: int, error: str, description: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code=status,
        headers={**_NO_STORE, **(headers or {})},
    )


async def token_endpoint(request: Request) -> Response:
    basic = _split_scheme(request.headers.get("authorization", ""), "basic")
    if basic is None or not _is_sandbox_key(basic):
        return _oauth_error(
            401,
            "invalid_client",
            "Client authentication failed: use HTTP Basic with your access key id and secret.",
            {"WWW-Authenticate": f"Basic {_REALM}"},
        )
    form = parse_qs((await request.body()).decode("utf-8", errors="replace"))
    grant_types = form.get("grant_type")
    if not grant_types:
        return _oauth_error(400, "invalid_request", "The grant_type form parameter is required.")
    if grant_types != ["client_credentials"]:
        return _oauth_error(400, "unsupported_grant_type", "Only grant_type=client_credentials is supported.")
    tokens = state_of(request).tokens
    return JSONResponse(
        {
            "access_token": tokens.issue(SANDBOX_KEY_ID),
            "expires_in": tokens.lifetime_seconds,
            "scope": "",
            "token_type": "bearer",
        },
        headers=_NO_STORE,
    )


def _refusal(authorization: str, tokens: TokenAuthority) -> str | None:
    """The challenge refusing these credentials, or None when they are good."""
    basic = _split_scheme(authorization, "basic")
    if basic is not None:
        return None if _is_sandbox_key(basic) else f"Basic {_REALM}"
    bearer = _split_scheme(authorization, "bearer")
    if bearer is None:
        return f"Bearer {_REALM}"
    return _TOKEN_REFUSED.get(tokens.check(bearer))


class RequireApiAuth:
    """ASGI middleware for the API and control mounts: nothing below it runs unauthenticated."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        challenge = _refusal(request.headers.get("authorization", ""), state_of(request).tokens)
        if challenge is not None:
            raise unauthorized(challenge)
        await self.app(scope, receive, send)
