"""Provisioning-webhook events, kept in a per-project outbox in the order they happened.

Each event is what a provisioning webhook would carry (`common.webhook_delivery`:
`{type: <TRIGGER>, payload: <resource at event time>, comment?}`) plus the outbox's own
bookkeeping: a `sequence` (1, 2, ... per project), when it happened, and which resource
it is about. Delivering them (signing, retries) is a later issue's; the outbox only keeps
them, and lets a reader ask for everything after a sequence number or wait for the next.

Waiting: `wait()` parks on an `anyio.Event` that the next `emit()` sets. The event is
made when someone waits, because an anyio event needs a running event loop, while the
outbox is built by plain synchronous code (the state, fixtures).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import anyio

from .values import iso8601


@dataclass(frozen=True)
class Event:
    sequence: int
    trigger: str
    payload: dict[str, Any]
    created: float
    resource_type: str
    resource_id: str | None  # None for a singleton (the project's RCS account)
    comment: str | None = None

    def public(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "sequence": self.sequence,
            "trigger": self.trigger,
            "payload": self.payload,
            "created": iso8601(self.created),
            "resourceType": self.resource_type,
            "resourceId": self.resource_id,
        }
        if self.comment is not None:
            body["comment"] = self.comment
        return body


class Outbox:
    def __init__(self) -> None:
        self._events: list[Event] = []
        self._waiters: set[anyio.Event] = set()

    @property
    def last_sequence(self) -> int:
        return len(self._events)

    def emit(
        self,
        trigger: str,
        payload: dict[str, Any],
        *,
        created: float,
        resource_type: str,
        resource_id: str | None,
        comment: str | None = None,
    ) -> Event:
        event = Event(self.last_sequence + 1, trigger, payload, created, resource_type, resource_id, comment)
        self._events.append(event)
        for waiter in self._waiters:
            waiter.set()
        return event

    def after(self, sequence: int) -> list[Event]:
        """Every event with a sequence number above `sequence`, oldest first."""
        return self._events[max(sequence, 0) :]

    async def wait(self, seconds: float) -> None:
        """Until the next `emit()`, or `seconds` at most."""
        waiter = anyio.Event()
        self._waiters.add(waiter)
        try:
            with anyio.move_on_after(seconds):
                await waiter.wait()
        finally:
            self._waiters.discard(waiter)
