"""Credentials, as Sinch checks them.

`POST /oauth2/token` plays auth.sinch.com: client-credentials grant, form-encoded, the
client authenticated with HTTP Basic (access key id : key secret); failures use the
OAuth2 error shape (RFC 6749 section 5.2), not the PAPI one, because a different server
answers them in production. Every `/v1/projects/...` route then accepts either Basic with
the sandbox key or a Bearer token from that endpoint that has not expired; anything else
is 401 `unauthorized_error` in the PAPI shape.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import unauthorized
from .state import SANDBOX_KEY_ID, SANDBOX_KEY_SECRET, TOKEN_LIFETIME_SECONDS, SandboxState, state_of

# RFC 6749 section 5.1: token responses must not be cached.
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _split_scheme(authorization: str, scheme: str) -> str | None:
    given, _, value = authorization.partition(" ")
    return value.strip() if given.lower() == scheme else None


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
            {"WWW-Authenticate": 'Basic realm="sinch"'},
        )
    form = parse_qs((await request.body()).decode("utf-8", errors="replace"))
    grant_types = form.get("grant_type")
    if not grant_types:
        return _oauth_error(400, "invalid_request", "The grant_type form parameter is required.")
    if grant_types != ["client_credentials"]:
        return _oauth_error(400, "unsupported_grant_type", "Only grant_type=client_credentials is supported.")
    token = state_of(request).issue_token()
    return JSONResponse(
        {"access_token": token, "expires_in": TOKEN_LIFETIME_SECONDS, "scope": "", "token_type": "bearer"},
        headers=_NO_STORE,
    )


def _is_authorised(authorization: str, state: SandboxState) -> bool:
    basic = _split_scheme(authorization, "basic")
    if basic is not None:
        return _is_sandbox_key(basic)
    bearer = _split_scheme(authorization, "bearer")
    return bearer is not None and state.token_is_valid(bearer)


class RequireApiAuth:
    """ASGI middleware for the `/v1/projects/{projectId}` mount: nothing below it runs unauthenticated."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        if not _is_authorised(request.headers.get("authorization", ""), state_of(request)):
            raise unauthorized()
        await self.app(scope, receive, send)
