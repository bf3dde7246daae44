"""Confirmation of destructive, irreversible and redirecting calls.

Two ways to say yes, one rule: nothing the catalog marks for confirmation runs until this
exact call was put to a person. A client that can elicit asks its user through MCP
elicitation: the user's own answer. Otherwise the first call changes nothing and returns
a preview with a signed, single-use token bound to the tool, the project, the canonical
arguments and the state the preview showed; the agent is told to show the preview to its
user and to call again with the token only if they agree. A token proves that this
server issued a preview of exactly this call on exactly this state, not that a person
read it: clients that must prove human consent should use `SINCH_MCP_CONFIRM=elicitation`.

Single use is recorded in a `Ledger`. A token names the ledger that will record its use
and is refused by any other: with the default in-memory ledger (a new one each time the
server starts) a token therefore cannot outlive a restart, even under a fixed
`SINCH_MCP_CONFIRM_SECRET`; a durable ledger (`FileLedger`) keeps its name and its record
across restarts, so a token survives a restart and still works once; the Redis ledger of
hosted mode (`state/redis.py`) is one record for every replica. A ledger that cannot be reached
raises `StateUnavailable`: no token is issued or accepted without it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

from mcp_types import ClientCapabilities
from pydantic import BaseModel, Field, StrictBool
from pydantic_core import to_jsonable_python

from sinch_provisioning_mcp.state import StateUnavailable

# ct1.<ledger id><nonce>.<expiry, canonical decimal>.<call signature>.<state signature>: two
# signatures, so a refusal can say whether the token is for another call or the resource changed.
_TOKEN = re.compile(r"ct1\.([0-9a-f]{8})([0-9a-f]{16})\.([1-9][0-9]{0,11})\.([0-9a-f]{32})\.([0-9a-f]{32})")


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


OTHER_LEDGER = (
    "confirmation_token was issued before this server restarted (or by another server), which cannot "
    "tell whether it was used; nothing was changed. Call again without it for a fresh preview"
)


class Ledger(Protocol):
    """Where the use of each token is recorded, so a token works once."""

    async def current_id(self) -> str:
        """Names this record; a token carries it and is refused where the record is another."""
        ...

    async def claim(self, nonce: str, expiry: int) -> bool:
        """Record `nonce` as used until `expiry` (epoch seconds); False when it already was."""
        ...


class MemoryLedger:
    """The record lives in this process: a new ledger, with a new id, each time the server starts."""

    def __init__(self, clock: Callable[[], float] | None = None) -> None:
        self.id = secrets.token_hex(4)
        self._clock = clock or time.time
        self._used: dict[str, int] = {}
        self._lock = threading.Lock()

    async def claim(self, nonce: str, expiry: int) -> bool:
        now = self._clock()
        with self._lock:
            self._used = {n: e for n, e in self._used.items() if e >= now}
            if nonce in self._used:
                return False
            self._used[nonce] = expiry
            return True

    async def current_id(self) -> str:
        return self.id


class FileLedger:
    """The record lives in a directory and outlives the process (one host; POSIX file locks).

    `ledger-id` holds the id, created once: deleting the directory forgets every use and,
    with it, invalidates every token issued against it. `used-tokens` lists unexpired
    used nonces, one `<nonce> <expiry>` per line, rewritten under an exclusive lock so
    processes sharing the directory honour each other's claims.
    """

    def __init__(self, directory: Path, clock: Callable[[], float] | None = None) -> None:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._path = directory / "used-tokens"
        self._clock = clock or time.time
        self.id = self._read_or_create_id(directory / "ledger-id")

    @staticmethod
    def _read_or_create_id(path: Path) -> str:
        try:
            with open(path, "x", encoding="ascii") as created:
                created.write(secrets.token_hex(4))
        except FileExistsError:
            pass
        found = path.read_text(encoding="ascii").strip()
        if not re.fullmatch(r"[0-9a-f]{8}", found):
            raise ValueError(f"{path} does not hold a ledger id; remove the directory to start a new ledger")
        return found

    async def current_id(self) -> str:
        return self.id

    async def claim(self, nonce: str, expiry: int) -> bool:
        import fcntl  # POSIX only, and only needed by a server configured with a state directory

        now = self._clock()
        with open(self._path, "a+", encoding="ascii") as record:
            fcntl.flock(record, fcntl.LOCK_EX)
            record.seek(0)
            used = {}
            for line in record:
                name, _, until = line.strip().partition(" ")
                if until.isdecimal() and int(until) >= now:
                    used[name] = int(until)
            if nonce in used:
                return False
            used[nonce] = expiry
            record.seek(0)
            record.truncate()
            record.writelines(f"{name} {until}\n" for name, until in used.items())
            record.flush()
            os.fsync(record.fileno())
            return True


class ConfirmationTokens:
    """HMAC-signed, expiring, single-use tokens."""

    def __init__(
        self, key: bytes | None, ttl_seconds: int, ledger: Ledger, *, clock: Callable[[], float] | None = None
    ) -> None:
        # Without a configured key, a random one: tokens then die with the process.
        self._key = key or secrets.token_bytes(32)
        self._ttl = ttl_seconds
        self._ledger = ledger
        self._clock = clock or time.time

    async def issue(self, tool: str, project_id: str, arguments: Mapping[str, Any], state: str) -> tuple[str, str]:
        """A token for exactly this call on the state digest `state`, and its expiry as ISO-8601 UTC."""
        nonce = await self._ledger_id() + secrets.token_hex(8)
        expiry = int(self._clock()) + self._ttl
        call = self._call_signature(nonce, expiry, tool, project_id, arguments)
        expires_at = datetime.fromtimestamp(expiry, timezone.utc).isoformat().replace("+00:00", "Z")
        return f"ct1.{nonce}.{expiry}.{call}.{self._mac(call, state)}", expires_at

    async def redeem(self, token: str, tool: str, project_id: str, arguments: Mapping[str, Any], state: str) -> None:
        """Consume `token` for this call on this state, or raise `ConfirmationRefused` saying why."""
        match = _TOKEN.fullmatch(token)
        if match is None:
            raise ConfirmationRefused("confirmation_token is malformed; call again without it to get a new preview")
        ledger, serial, expiry_text, call, on_state = match.groups()
        nonce = ledger + serial
        expiry = int(expiry_text)
        if ledger != await self._ledger_id():
            raise ConfirmationRefused(OTHER_LEDGER)
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
        if self._clock() > expiry:
            raise ConfirmationRefused("confirmation_token has expired; call again without it for a fresh preview")
        try:
            claimed = await self._ledger.claim(nonce, expiry)
        except StateUnavailable as exc:
            raise ConfirmationRefused(str(exc)) from None
        if not claimed:
            raise ConfirmationRefused("confirmation_token was already used; each token authorises one call")

    async def _ledger_id(self) -> str:
        try:
            return await self._ledger.current_id()
        except StateUnavailable as exc:
            raise ConfirmationRefused(str(exc)) from None

    def _call_signature(self, nonce: str, expiry: int, tool: str, project_id: str, arguments: Mapping[str, Any]) -> str:
        return self._mac(nonce, str(expiry), tool, project_id, canonical(arguments))

    def _mac(self, *parts: str) -> str:
        return hmac.new(self._key, "\n".join(parts).encode(), hashlib.sha256).hexdigest()[:32]
