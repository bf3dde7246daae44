"""Confirmation of destructive, irreversible and redirecting calls.

Two ways to say yes, one rule: nothing the catalog marks for confirmation runs until this
exact call was put to a person. A client that can elicit asks its user through MCP
elicitation: the user's own answer. Otherwise the first call changes nothing and returns
a preview with a signed, single-use token bound to the tool, the project, the canonical
arguments and the state the preview showed; the agent is told to show the preview to its
user and to call again with the token only if they agree. A token proves that this
server issued a preview of exactly this call on exactly this state, not that a person
read it: clients that must prove human consent should use `SINCH_MCP_CONFIRM=elicitation`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from mcp_types import ClientCapabilities
from pydantic import BaseModel, Field, StrictBool
from pydantic_core import to_jsonable_python

# ct1.<nonce>.<expiry, canonical decimal>.<call signature>.<state signature>: two signatures,
# so a refusal can say whether the token is for another call or the resource changed.
_TOKEN = re.compile(r"ct1\.([0-9a-f]{24})\.([1-9][0-9]{0,11})\.([0-9a-f]{32})\.([0-9a-f]{32})")


class ConfirmDecision(BaseModel):
    """What the elicitation form asks the user. Strict: only a JSON true is consent, not "yes"."""

    confirm: StrictBool = Field(title="Go ahead", description="Tick to carry out the change described above.")


class ConfirmationRefused(Exception):
    """A confirmation token that cannot authorise this call; nothing was changed."""


def can_elicit(capabilities: ClientCapabilities | None) -> bool:
    """Form elicitation declared (a bare `elicitation: {}` predates modes and means form)."""
    elicitation = capabilities.elicitation if capabilities is not None else None
    return elicitation is not None and (elicitation.form is not None or elicitation.url is None)


def canonical(arguments: Mapping[str, Any]) -> str:
    return json.dumps(to_jsonable_python(arguments), sort_keys=True, separators=(",", ":"), ensure_ascii=True)


class ConfirmationTokens:
    """HMAC-signed, expiring, single-use tokens."""

    def __init__(self, key: bytes | None, ttl_seconds: int, *, clock: Callable[[], float] | None = None) -> None:
        # Without a configured key, a random one: tokens then die with the process.
        self._key = key or secrets.token_bytes(32)
        self._ttl = ttl_seconds
        self._clock = clock or time.time
        self._used: dict[str, int] = {}
        self._lock = threading.Lock()

    def issue(self, tool: str, project_id: str, arguments: Mapping[str, Any], state: str) -> tuple[str, str]:
        """A token for exactly this call on the state digest `state`, and its expiry as ISO-8601 UTC."""
        nonce = secrets.token_hex(12)
        expiry = int(self._clock()) + self._ttl
        call = self._call_signature(nonce, expiry, tool, project_id, arguments)
        expires_at = datetime.fromtimestamp(expiry, timezone.utc).isoformat().replace("+00:00", "Z")
        return f"ct1.{nonce}.{expiry}.{call}.{self._mac(call, state)}", expires_at

    def redeem(self, token: str, tool: str, project_id: str, arguments: Mapping[str, Any], state: str) -> None:
        """Consume `token` for this call on this state, or raise `ConfirmationRefused` saying why."""
        match = _TOKEN.fullmatch(token)
        if match is None:
            raise ConfirmationRefused("confirmation_token is malformed; call again without it to get a new preview")
        nonce, expiry_text, call, on_state = match.groups()
        expiry = int(expiry_text)
        if not hmac.compare_digest(call, self._call_signature(nonce, expiry, tool, project_id, arguments)):
            raise ConfirmationRefused(
                "confirmation_token was not issued for this tool, project and arguments (or was altered); "
                "call again without it to get a preview of this exact call"
            )
        if not hmac.compare_digest(on_state, self._mac(call, state)):
            raise ConfirmationRefused(
                "the resource changed since the preview the user saw; nothing was changed. "
                "Call again without the token for a preview of its current state"
            )
        now = self._clock()
        if now > expiry:
            raise ConfirmationRefused("confirmation_token has expired; call again without it for a fresh preview")
        with self._lock:
            self._used = {n: e for n, e in self._used.items() if e >= now}
            if nonce in self._used:
                raise ConfirmationRefused("confirmation_token was already used; each token authorises one call")
            self._used[nonce] = expiry

    def _call_signature(self, nonce: str, expiry: int, tool: str, project_id: str, arguments: Mapping[str, Any]) -> str:
        return self._mac(nonce, str(expiry), tool, project_id, canonical(arguments))

    def _mac(self, *parts: str) -> str:
        return hmac.new(self._key, "\n".join(parts).encode(), hashlib.sha256).hexdigest()[:32]
