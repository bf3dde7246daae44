"""Access tokens shaped like auth.sinch.com's: signed JWTs that expire.

Sinch documents its access token as a JWT (OAS `bearerFormat: JWT`, the docs' `eyJhbGciOi...`
example), and the official Node SDK reads its `exp` claim to renew 60 s early. So the
sandbox issues `header.payload.signature` (base64url, HS256 with a key only this state
knows) carrying `sub` (the access key id), `iat`, `exp` and `jti`, and checks the
signature and `exp` on every API request. Times are whole seconds (RFC 7519 NumericDate,
as issuers write them): a token issued at `t` is refused from `floor(t) + lifetime` on.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import hmac
import json
import math
import secrets

from .clock import Clock

# Sinch's auth server answers `expires_in: 3599` for a token valid for one hour.
DEFAULT_LIFETIME_SECONDS = 3599
_HEADER = {"alg": "HS256", "typ": "JWT"}


class Verdict(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"
    INVALID = "invalid"


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenAuthority:
    def __init__(self, clock: Clock, lifetime_seconds: int) -> None:
        if lifetime_seconds < 1:
            raise ValueError("token lifetime must be at least one second")
        self.lifetime_seconds = lifetime_seconds
        self._clock = clock
        self._key = secrets.token_bytes(32)
        # jti of tokens a fault expired ahead of their `exp`.
        self._expired_early: set[str] = set()
        self.issued = 0

    def _sign(self, signing_input: str) -> str:
        return _b64encode(hmac.new(self._key, signing_input.encode(), hashlib.sha256).digest())

    def issue(self, client_id: str) -> str:
        self.issued += 1
        issued_at = math.floor(self._clock.now())
        claims = {
            "sub": client_id,
            "iat": issued_at,
            "exp": issued_at + self.lifetime_seconds,
            "jti": secrets.token_hex(16),
        }
        signing_input = ".".join(_b64encode(json.dumps(part).encode()) for part in (_HEADER, claims))
        return f"{signing_input}.{self._sign(signing_input)}"

    def _claims(self, token: str) -> dict[str, object] | None:
        """The claims of a token this authority signed, or None for anything else."""
        signing_input, _, signature = token.rpartition(".")
        expected = self._sign(signing_input)
        if signing_input.count(".") != 1 or not hmac.compare_digest(signature.encode(), expected.encode()):
            return None
        try:
            claims = json.loads(_b64decode(signing_input.partition(".")[2]))
        except (binascii.Error, ValueError):
            return None
        return claims if isinstance(claims, dict) else None

    def check(self, token: str) -> Verdict:
        claims = self._claims(token)
        if claims is None or not isinstance(claims.get("exp"), int):
            return Verdict.INVALID
        if self._clock.now() >= claims["exp"] or claims.get("jti") in self._expired_early:
            return Verdict.EXPIRED
        return Verdict.VALID

    def expire(self, token: str) -> None:
        """End a valid token now (the `expire_token` fault); anything else is left alone."""
        claims = self._claims(token)
        if claims is not None:
            self._expired_early.add(str(claims.get("jti")))
