"""Provisioning events as Sinch delivers them to a webhook: signature check and a bounded log.

A delivery is `POST <target>` with the JSON body `{type: <TRIGGER>, payload: <resource at
event time>, comment?}` and four headers (catalog `common.webhook_delivery`):
`x-sinch-webhook-signature` = base64(HMAC-SHA256(secret, rawBody + "." + nonce + "." +
timestamp)), `x-sinch-webhook-signature-algorithm: HmacSHA256`, `-nonce` and `-timestamp`
(seconds since the epoch). A delivery whose signature does not verify, whose timestamp is
more than five minutes off, or whose nonce was already seen is refused: an attacker who
can reach the receiver can neither forge an event nor replay a captured one.

The log and the nonces seen live in this process by default; in hosted mode they live in
Redis (`state/redis.py`), so a wait on any replica wakes on an event received by any other
and a delivery replayed to another replica is refused. Both are async for that reason.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections import OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import anyio

SIGNATURE = "x-sinch-webhook-signature"
ALGORITHM = "x-sinch-webhook-signature-algorithm"
NONCE = "x-sinch-webhook-signature-nonce"
TIMESTAMP = "x-sinch-webhook-signature-timestamp"
MAX_SKEW_SECONDS = 300
# Keys of an event payload that identify its resource (sender, template, bundle...).
_ID_KEYS = ("id", "senderId", "name", "plusFriendId", "templateCode", "code", "bundleId", "number")


def sign(secret: str, body: bytes, nonce: str, timestamp: str) -> str:
    message = body + b"." + nonce.encode() + b"." + timestamp.encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


class RejectedDelivery(Exception):
    """A delivery the receiver refuses; the message says why, without echoing what was sent."""


@dataclass(frozen=True)
class ReceivedEvent:
    sequence: int
    received: float
    trigger: str
    payload: dict[str, Any]
    comment: str | None

    @property
    def resource_ids(self) -> set[str]:
        return {str(self.payload[key]) for key in _ID_KEYS if isinstance(self.payload.get(key), str | int)}


class Nonces:
    """Nonces seen within the accepted time window, bounded in number."""

    def __init__(self, limit: int = 10_000) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._limit = limit

    def first_time(self, nonce: str, now: float) -> bool:
        while self._seen and (next(iter(self._seen.values())) < now - 2 * MAX_SKEW_SECONDS or len(self._seen) > self._limit):
            self._seen.popitem(last=False)
        if nonce in self._seen:
            return False
        self._seen[nonce] = now
        return True


class NonceStore(Protocol):
    """Where a receiver records the nonces it accepted: this process's memory, or Redis for replicas."""

    async def first_time(self, nonce: str, now: float) -> bool: ...


class LocalNonces:
    """The `NonceStore` of one process."""

    def __init__(self) -> None:
        self._nonces = Nonces()

    async def first_time(self, nonce: str, now: float) -> bool:
        return self._nonces.first_time(nonce, now)


def verify(secrets: Iterable[str], body: bytes, headers: Any, now: float, nonces: Nonces) -> dict[str, Any]:
    """The delivery's JSON document, once its signature, freshness and nonce hold."""
    document, nonce = authenticate(secrets, body, headers, now)
    if not nonces.first_time(nonce, now):
        raise RejectedDelivery("nonce already used")
    return document


def authenticate(secrets: Iterable[str], body: bytes, headers: Any, now: float) -> tuple[dict[str, Any], str]:
    """The delivery's JSON document and its nonce, once signature and freshness hold; the caller checks
    that the nonce is new."""
    signature, nonce, timestamp = headers.get(SIGNATURE), headers.get(NONCE), headers.get(TIMESTAMP)
    if not (signature and nonce and timestamp):
        raise RejectedDelivery("missing signature headers")
    if headers.get(ALGORITHM, "HmacSHA256") != "HmacSHA256":
        raise RejectedDelivery("unsupported signature algorithm")
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        raise RejectedDelivery("malformed timestamp")
    if abs(now - int(timestamp)) > MAX_SKEW_SECONDS:
        raise RejectedDelivery("stale or future timestamp")
    if not any(hmac.compare_digest(signature, sign(secret, body, nonce, timestamp)) for secret in secrets):
        raise RejectedDelivery("signature does not verify")
    try:
        document = json.loads(body)
    except ValueError:
        raise RejectedDelivery("body is not JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("type"), str):
        raise RejectedDelivery("body is not a provisioning event")
    return document, nonce


def recorded(sequence: int, received: float, document: dict[str, Any]) -> ReceivedEvent:
    """The event a verified delivery `document` records."""
    payload = document.get("payload")
    comment = document.get("comment")
    return ReceivedEvent(
        sequence,
        received,
        str(document["type"]),
        payload if isinstance(payload, dict) else {},
        comment if isinstance(comment, str) else None,
    )


def matching(
    events: Iterable[ReceivedEvent], after: int, trigger: str | None, resource_id: str | None
) -> list[ReceivedEvent]:
    return [
        event
        for event in events
        if event.sequence > after
        and (trigger is None or event.trigger == trigger)
        and (resource_id is None or resource_id in event.resource_ids)
    ]


class EventLog:
    """The most recent events received, oldest dropped first; waiters wake on each new one."""

    def __init__(self, limit: int = 1000) -> None:
        self._events: deque[ReceivedEvent] = deque(maxlen=limit)
        self._sequence = 0
        self._waiters: set[anyio.Event] = set()

    async def last_sequence(self) -> int:
        return self._sequence

    async def add(self, document: dict[str, Any], received: float) -> ReceivedEvent:
        self._sequence += 1
        added = recorded(self._sequence, received, document)
        self._events.append(added)
        for waiter in self._waiters:
            waiter.set()
        return added

    async def query(self, *, after: int = 0, trigger: str | None = None, resource_id: str | None = None) -> list[ReceivedEvent]:
        return matching(self._events, after, trigger, resource_id)

    async def wait(self, after: int, seconds: float) -> None:
        """Until there is an event after sequence `after` (at once if there is one already), or `seconds` at most."""
        if self._sequence > after:
            return
        waiter = anyio.Event()
        self._waiters.add(waiter)
        try:
            with anyio.move_on_after(seconds):
                await waiter.wait()
        finally:
            self._waiters.discard(waiter)


class Events(Protocol):
    """What readers and the receiver need of an event log: `EventLog`, or the Redis stream of replicas."""

    async def last_sequence(self) -> int: ...

    async def add(self, document: dict[str, Any], received: float) -> ReceivedEvent: ...

    async def query(self, *, after: int = 0, trigger: str | None = None, resource_id: str | None = None) -> list[ReceivedEvent]: ...

    async def wait(self, after: int, seconds: float) -> None: ...


@dataclass(frozen=True)
class Receiver:
    """This server's event endpoint, when it has one: where Sinch should post, with which secret."""

    log: Events
    url: str
    secret: str
    nonces: NonceStore = field(default_factory=LocalNonces)
