"""When and how long to wait before repeating a request (the seed's retry guidance).

429 and 5xx are retried at most 3 times, with exponential backoff and full jitter capped
at 10 s; a `Retry-After` the API sends is honoured, and one longer than the cap ends the
retries instead of being shortened.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone

import httpx2

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3
    base_delay: float = 0.5
    max_delay: float = 10.0

    def backoff(self, retry_number: int) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2^n)]."""
        return random.uniform(0, min(self.max_delay, self.base_delay * 2**retry_number))

    def delay_for(self, response: httpx2.Response, retry_number: int) -> float | None:
        """Seconds to wait before retry `retry_number` (0-based), or None when not to retry."""
        if retry_number >= self.max_retries:
            return None
        requested = retry_after_seconds(response.headers.get("Retry-After"))
        if requested is None:
            return self.backoff(retry_number)
        return requested if requested <= self.max_delay else None


def retry_after_seconds(value: str | None) -> float | None:
    """`Retry-After` as seconds: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
