"""Confirmation of destructive operations.

Two ways to say yes, one rule: nothing destructive runs until a person agreed to this exact
call. A client that can elicit asks its user through MCP elicitation. Otherwise the first
call changes nothing and returns a preview with a signed, single-use token bound to the
tool, the project and the canonical arguments; the agent shows the preview to the user
and calls again with the token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from mcp_types import ClientCapabilities
from pydantic import BaseModel, Field
from pydantic_core import to_jsonable_python


class ConfirmDecision(BaseModel):
    """What the elicitation form asks the user."""

    confirm: bool = Field(title="Go ahead", description="Tick to carry out the change described above.")


class ConfirmationRefused(Exception):
    """A confirmation token that cannot authorise this call."""


def can_elicit(capabilities: ClientCapabilities | None) -> bool:
    """Form elicitation declared (a bare `elicitation: {}` predates modes and means form)."""
    elicitation = capabilities.elicitation if capabilities is not None else None
    return elicitation is not None and (elicitation.form is not None or elicitation.url is None)


def canonical(arguments: Mapping[str, Any]) -> str:
    return json.dumps(to_jsonable_python(arguments), sort_keys=True, separators=(",", ":"), ensure_ascii=True)


class ConfirmationTokens:
    """HMAC-signed, expiring, single-use tokens. Format: `ct1.<nonce>.<expiry>.<signature>`."""

    def __init__(self, key: bytes | None, ttl_seconds: int, *, clock: Callable[[], float] | None = None) -> None:
        # Without a configured key, a random one: tokens then die with the process.
        self._key = key or secrets.token_bytes(32)
        self._ttl = ttl_seconds
        self._clock = clock or time.time
        self._used: dict[str, float] = {}
        self._lock = threading.Lock()

    def issue(self, tool: str, project_id: str, arguments: Mapping[str, Any]) -> tuple[str, str]:
        """A token for exactly this call, and its expiry as ISO-8601 UTC."""
        nonce = secrets.token_hex(12)
        expiry = int(self._clock()) + self._ttl
        signature = self._sign(nonce, expiry, tool, project_id, arguments)
        expires_at = datetime.fromtimestamp(expiry, timezone.utc).isoformat().replace("+00:00", "Z")
        return f"ct1.{nonce}.{expiry}.{signature}", expires_at

    def redeem(self, token: str, tool: str, project_id: str, arguments: Mapping[str, Any]) -> None:
        """Consume `token` for this call, or raise `ConfirmationRefused` saying why."""
        parts = token.split(".")
        if len(parts) != 4 or parts[0] != "ct1" or not parts[2].isdigit():
            raise ConfirmationRefused("confirmation_token is malformed; call again without it to get a new preview")
        _, nonce, expiry_text, signature = parts
        expected = self._sign(nonce, int(expiry_text), tool, project_id, arguments)
        if not hmac.compare_digest(signature, expected):
            raise ConfirmationRefused(
                "confirmation_token was not issued for this tool, project and arguments (or was altered); "
                "call again without it to get a preview of this exact call"
            )
        now = self._clock()
        if now > int(expiry_text):
            raise ConfirmationRefused("confirmation_token has expired; call again without it for a fresh preview")
        with self._lock:
            self._used = {n: e for n, e in self._used.items() if e >= now}
            if nonce in self._used:
                raise ConfirmationRefused("confirmation_token was already used; each token authorises one call")
            self._used[nonce] = int(expiry_text)

    def _sign(self, nonce: str, expiry: int, tool: str, project_id: str, arguments: Mapping[str, Any]) -> str:
        message = "\n".join((nonce, str(expiry), tool, project_id, canonical(arguments)))
        return hmac.new(self._key, message.encode(), hashlib.sha256).hexdigest()
