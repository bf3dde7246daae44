"""Hosted mode: what replicas share, in Redis (or Valkey), through the `redis` client's asyncio API.

- The confirmation ledger: a used token's nonce is a key set with `SET NX EX` (atomic: one
  replica wins), expiring with the token. The ledger's id is a key too, created once: if
  Redis loses its data, a new id is made and every token issued before is refused, so a
  token is never accepted twice even then.
- Received provisioning events: a stream per project, capped with `MAXLEN`, whose entry ids
  are the event sequence numbers (`0-<n>`, numbered in the same script that appends, so
  replicas never race); a wait is a blocking `XREAD` on it, so it wakes on an event any
  replica received. Webhook nonces are `SET NX EX` keys, so a replayed delivery is refused
  by every replica.
- The OAuth token: one per credential (keyed by a hash of the token URL and key id),
  encrypted under a key derived from the key secret (whoever reads Redis without the
  credential learns nothing usable), expiring with the token; a replica without one takes
  a lock (`SET NX PX`) and fetches, the others wait for the token it stores.

Failure: every command has short timeouts and one immediate retry (a connection that died
with a Redis restart is replaced); past that, `StateUnavailable`. Confirmations are then
refused, deliveries answered 503, waits fall back to reading the API, the OAuth token is
fetched by this replica alone, and /readyz reports the fault; connections are remade on
the next command, so recovery needs no restart.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import anyio
import redis.asyncio as redis
from mcp.server.request_state import AESGCMRequestStateCodec, InvalidRequestState
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from sinch_provisioning_mcp.api.auth import Fetched
from sinch_provisioning_mcp.api.events import MAX_SKEW_SECONDS, ReceivedEvent, matching, recorded
from sinch_provisioning_mcp.guardrails.confirm import OTHER_LEDGER, ConfirmationRefused
from sinch_provisioning_mcp.guardrails.redact import REDACTOR
from sinch_provisioning_mcp.state import StateUnavailable
from sinch_provisioning_mcp.state.backend import StateBackend

log = logging.getLogger("sinch_provisioning_mcp.state")

PREFIX = "sinch-provisioning-mcp:"
CONNECT_SECONDS = 2.0
COMMAND_SECONDS = 5.0
EVENTS_KEPT = 1000
# Longer than a token request may take (the API client's read timeout is 30 s): a replica that dies
# while fetching holds the others back this long at most.
TOKEN_LOCK_SECONDS = 40.0
TOKEN_POLL_SECONDS = 0.05

_LEDGER_UNREACHABLE = (
    "the shared confirmation ledger (Redis) is unreachable, so this server can neither issue nor accept "
    "confirmation tokens; nothing was changed. Try again shortly: reads keep working"
)

# The ledger's id: the one stored, or this one stored now.
_LEDGER_ID = """
local id = redis.call('GET', KEYS[1])
if not id then
  id = ARGV[1]
  redis.call('SET', KEYS[1], id)
end
return id
"""
# A claim counts only under the ledger that issued the token (-1: the record was lost since).
_CLAIM = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[2]) then return 1 end
return 0
"""
# The next sequence number, past the stream's last entry even if the counter was lost (evicted) alone.
_APPEND = """
local sequence = redis.call('INCR', KEYS[2])
local top = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
if top then
  local last = tonumber(string.match(top[1], '-(%d+)$'))
  if sequence <= last then
    sequence = last + 1
    redis.call('SET', KEYS[2], sequence)
  end
end
redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[2], '0-' .. sequence, 'event', ARGV[1])
return sequence
"""
# Deletes a key only while it still holds the value this process saw (a lock it owns, a token it saw refused).
_DELETE_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@contextmanager
def reachable(message: str) -> Iterator[None]:
    """Redis failures as `StateUnavailable(message)`; the cause is logged by kind only (never the URL)."""
    try:
        yield
    except (RedisError, OSError) as exc:
        log.warning("shared state unreachable (%s): %s", type(exc).__name__, message)
        raise StateUnavailable(message) from None


def _client(url: str, *, timeout: float | None) -> redis.Redis:
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=CONNECT_SECONDS,
        socket_timeout=timeout,
        retry=Retry(NoBackoff(), 1),
        decode_responses=False,
    )


class RedisState(StateBackend):
    """The shared state of replicas. Connects lazily: a replica starts, and reports unready, without Redis."""

    def __init__(self, url: str, clock: Callable[[], float] | None = None) -> None:
        REDACTOR.register_credential(url)
        REDACTOR.register_credential(urlsplit(url).password)
        self._redis = _client(url, timeout=COMMAND_SECONDS)
        # Blocking reads wait longer than any command may: their own connections, bounded by their own timeout.
        self._blocking = _client(url, timeout=None)
        super().__init__(RedisLedger(self._redis, clock))

    def event_log(self, project: str) -> RedisEventLog:
        return RedisEventLog(self._redis, self._blocking, f"{PREFIX}events:{project}")

    def nonces(self) -> RedisNonces:
        return RedisNonces(self._redis)

    def shared_tokens(self, token_url: str, key_id: str, key_secret: str) -> RedisTokens:
        name = hashlib.sha256(f"{token_url}\n{key_id}".encode()).hexdigest()[:32]
        key = hmac.new(key_secret.encode(), f"sinch-provisioning-mcp oauth cache {key_id}".encode(), hashlib.sha256)
        return RedisTokens(self._redis, f"{PREFIX}oauth:{name}", key.digest())

    async def problems(self) -> list[str]:
        # Not logged: a probe asks every few seconds, and what fails for callers is logged where it fails.
        try:
            with anyio.fail_after(CONNECT_SECONDS + 1):
                await self._redis.ping()
        except (RedisError, OSError, TimeoutError):
            return ["shared state (Redis) unreachable"]
        return []

    async def aclose(self) -> None:
        for client in (self._redis, self._blocking):
            await client.connection_pool.disconnect()


class RedisLedger:
    def __init__(self, client: redis.Redis, clock: Callable[[], float] | None = None) -> None:
        self._clock = clock or time.time
        self._id = client.register_script(_LEDGER_ID)
        self._claim = client.register_script(_CLAIM)

    async def current_id(self) -> str:
        with reachable(_LEDGER_UNREACHABLE):
            found = await self._id(keys=[f"{PREFIX}ledger:id"], args=[secrets.token_hex(4)])
        return found.decode()

    async def claim(self, nonce: str, expiry: int) -> bool:
        seconds = max(1, int(expiry - self._clock()) + 1)
        with reachable(_LEDGER_UNREACHABLE):
            claimed = await self._claim(keys=[f"{PREFIX}ledger:id", f"{PREFIX}ledger:used:{nonce}"], args=[nonce[:8], seconds])
        if claimed == -1:
            raise ConfirmationRefused(OTHER_LEDGER)
        return claimed == 1


class RedisNonces:
    """Webhook nonces seen by any replica, each kept as long as a delivery carrying it could be fresh."""

    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    async def first_time(self, nonce: str, now: float) -> bool:
        key = f"{PREFIX}nonce:{hashlib.sha256(nonce.encode()).hexdigest()}"
        with reachable("the shared nonce record (Redis) is unreachable, so a replay cannot be ruled out"):
            return bool(await self._redis.set(key, b"1", nx=True, ex=2 * MAX_SKEW_SECONDS))


class RedisEventLog:
    """One project's received events: a stream every replica appends to and waits on."""

    def __init__(self, client: redis.Redis, blocking: redis.Redis, stream: str, limit: int = EVENTS_KEPT) -> None:
        self._redis = client
        self._blocking = blocking
        self._stream = stream
        self._sequence = f"{stream}:sequence"
        self._limit = limit
        self._append = client.register_script(_APPEND)

    async def last_sequence(self) -> int:
        with reachable("the shared event log (Redis) is unreachable"):
            return int(await self._redis.get(self._sequence) or 0)

    async def add(self, document: dict[str, Any], received: float) -> ReceivedEvent:
        entry = json.dumps({"received": received, "document": document}, separators=(",", ":"))
        with reachable("the shared event log (Redis) is unreachable"):
            sequence = await self._append(keys=[self._stream, self._sequence], args=[entry, self._limit])
        return recorded(int(sequence), received, document)

    async def query(self, *, after: int = 0, trigger: str | None = None, resource_id: str | None = None) -> list[ReceivedEvent]:
        with reachable("the shared event log (Redis) is unreachable"):
            entries = await self._redis.xrange(self._stream, min=f"(0-{after}", max="+")
        return matching((self._event(*entry) for entry in entries), after, trigger, resource_id)

    async def wait(self, after: int, seconds: float) -> None:
        if seconds <= 0:
            return
        # XREAD's own BLOCK bounds the wait; the deadline guards against a connection that stops answering.
        with anyio.move_on_after(seconds + CONNECT_SECONDS), reachable("the shared event log (Redis) is unreachable"):
            await self._blocking.xread({self._stream: f"0-{after}"}, count=1, block=max(1, int(seconds * 1000)))

    @staticmethod
    def _event(entry_id: bytes, fields: dict[bytes, bytes]) -> ReceivedEvent:
        stored = json.loads(fields[b"event"])
        return recorded(int(entry_id.split(b"-")[1]), stored["received"], stored["document"])


class RedisTokens:
    """One credential's OAuth token for every replica, fetched by one of them at a time."""

    def __init__(self, client: redis.Redis, key: str, encryption_key: bytes) -> None:
        self._redis = client
        self._key = key
        self._lock = f"{key}:lock"
        self._codec = AESGCMRequestStateCodec([encryption_key])
        self._delete_if = client.register_script(_DELETE_IF)

    async def obtain(self, fetch: Callable[[], Awaitable[Fetched]]) -> Fetched:
        try:
            deadline = time.monotonic() + TOKEN_LOCK_SECONDS
            while time.monotonic() < deadline:
                found = await self._read()
                if found is not None:
                    return found
                owner = secrets.token_hex(8).encode()
                if await self._redis.set(self._lock, owner, nx=True, px=int(TOKEN_LOCK_SECONDS * 1000)):
                    try:
                        return await self._fetch_and_share(fetch)
                    finally:
                        await self._release(owner)
                await anyio.sleep(TOKEN_POLL_SECONDS)  # another replica is fetching
        except (RedisError, OSError) as exc:
            log.warning("shared state: OAuth token cache unreachable (%s); this replica fetches its own", type(exc).__name__)
        return await fetch()

    async def discard(self, token: str) -> None:
        try:
            stored = await self._redis.get(self._key)
            if stored is not None and self._open(stored) == token:
                await self._delete_if(keys=[self._key], args=[stored])
        except (RedisError, OSError) as exc:
            log.warning("shared state: could not discard a refused OAuth token (%s)", type(exc).__name__)

    async def _read(self) -> Fetched | None:
        async with self._redis.pipeline(transaction=True) as pipe:
            stored, left_ms = await pipe.get(self._key).pttl(self._key).execute()
        token = self._open(stored) if stored is not None else None
        return (token, left_ms / 1000) if token is not None and left_ms > 0 else None

    async def _fetch_and_share(self, fetch: Callable[[], Awaitable[Fetched]]) -> Fetched:
        token, usable = await fetch()
        try:
            await self._redis.set(self._key, self._codec.seal(token.encode()), px=max(1, int(usable * 1000)))
        except (RedisError, OSError) as exc:
            log.warning("shared state: could not share the OAuth token (%s)", type(exc).__name__)
        return token, usable

    async def _release(self, owner: bytes) -> None:
        try:
            await self._delete_if(keys=[self._lock], args=[owner])
        except (RedisError, OSError):
            pass  # the lock expires on its own

    def _open(self, stored: bytes) -> str | None:
        try:
            return self._codec.unseal(stored.decode()).decode()
        except (InvalidRequestState, UnicodeDecodeError):
            return None  # sealed under another key secret (a rotated key): fetched anew
