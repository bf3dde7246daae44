"""Delivery of outbox events to the project's provisioning webhooks, signed as Sinch signs them.

Each event goes to every webhook of its project subscribed to its trigger (or to ALL), as
the body `{type, payload, comment?}` with the headers of the catalog's
`common.webhook_delivery`: `x-sinch-webhook-signature` = base64(HMAC-SHA256(secret,
rawBody + "." + nonce + "." + timestamp)), `-algorithm: HmacSHA256`, `-nonce`,
`-timestamp` (seconds since the epoch, from the sandbox clock).

Only loopback targets (an IP address in 127.0.0.0/8, or ::1: a receiver on this machine,
such as this project's own server in HTTP mode) get a real POST. Any other target is
recorded as delivered in simulation and never contacted: a simulated project's data never
leaves the machine. A failed POST is tried twice more, then recorded as failed (the API
retries too; the catalog does not say how often). Every delivery is kept in the project's
`deliveries` (bounded), shown by `GET /_sandbox/projects/{projectId}/deliveries`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import secrets
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

import anyio
import httpx2

from .events import Event
from .state import SandboxState
from .webhooks import WEBHOOKS

ATTEMPTS = 3
TICK_SECONDS = 0.2


@dataclass(frozen=True)
class Delivery:
    sequence: int
    webhook_id: str
    target: str
    outcome: Literal["delivered", "simulated", "failed"]
    status: int | None
    attempts: int

    def public(self) -> dict[str, Any]:
        return {
            "sequence": self.sequence,
            "webhookId": self.webhook_id,
            "target": self.target,
            "outcome": self.outcome,
            "status": self.status,
            "attempts": self.attempts,
        }


def is_loopback_target(target: str) -> bool:
    try:
        host = urlsplit(target).hostname or ""
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def signed(event: Event, secret: str, now: float) -> tuple[bytes, dict[str, str]]:
    document: dict[str, Any] = {"type": event.trigger, "payload": event.payload}
    if event.comment is not None:
        document["comment"] = event.comment
    body = json.dumps(document, separators=(",", ":")).encode()
    nonce, timestamp = secrets.token_hex(16), str(int(now))
    digest = hmac.new(secret.encode(), body + b"." + nonce.encode() + b"." + timestamp.encode(), hashlib.sha256)
    return body, {
        "content-type": "application/json",
        "x-sinch-webhook-signature": base64.b64encode(digest.digest()).decode(),
        "x-sinch-webhook-signature-algorithm": "HmacSHA256",
        "x-sinch-webhook-signature-nonce": nonce,
        "x-sinch-webhook-signature-timestamp": timestamp,
    }


class Deliverer:
    """Sends each project's new outbox events to its subscribed webhooks, in order."""

    def __init__(self, state: SandboxState, http: httpx2.AsyncClient) -> None:
        self._state = state
        self._http = http
        self._cursors: dict[str, int] = {}

    async def deliver_pending(self) -> int:
        """Deliver every event not yet delivered; how many deliveries were made."""
        self._state.settle()
        made = 0
        for project in self._state.projects():
            for event in project.outbox.after(self._cursors.get(project.project_id, 0)):
                for hook in project.collection(WEBHOOKS).ordered():
                    triggers = hook.data["triggers"]
                    if "ALL" in triggers or event.trigger in triggers:
                        project.deliveries.append(await self._send(event, hook.id, hook.data))
                        made += 1
                self._cursors[project.project_id] = event.sequence
        return made

    async def run(self) -> None:
        """Deliver forever; timers fire on the way, so states move without any request."""
        while True:
            await self.deliver_pending()
            await anyio.sleep(TICK_SECONDS)

    async def _send(self, event: Event, webhook_id: str, hook: dict[str, Any]) -> Delivery:
        target = hook["target"]
        if not is_loopback_target(target):
            return Delivery(event.sequence, webhook_id, target, "simulated", None, 0)
        status = None
        for attempt in range(1, ATTEMPTS + 1):
            body, headers = signed(event, hook["secret"], self._state.clock.now())
            try:
                response = await self._http.post(target, content=body, headers=headers)
                status = response.status_code
                if response.is_success:
                    return Delivery(event.sequence, webhook_id, target, "delivered", status, attempt)
            except httpx2.HTTPError:
                status = None
        return Delivery(event.sequence, webhook_id, target, "failed", status, ATTEMPTS)


def delivery_client() -> httpx2.AsyncClient:
    # Loopback only, so no proxies from the environment, no redirects, short timeouts.
    return httpx2.AsyncClient(timeout=httpx2.Timeout(5.0), follow_redirects=False, trust_env=False)
