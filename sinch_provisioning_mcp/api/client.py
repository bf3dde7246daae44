"""The Provisioning API client: one pooled httpx2 client, auth, retries, errors, pagination."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import httpx2

from sinch_provisioning_mcp.api.auth import Authenticator, token_refused
from sinch_provisioning_mcp.api.errors import ApiError, OutcomeUnknownError, TransportError
from sinch_provisioning_mcp.api.operations import Operation
from sinch_provisioning_mcp.api.retry import RETRYABLE_STATUS, RetryPolicy
from sinch_provisioning_mcp.guardrails.redact import REDACTOR

log = logging.getLogger("sinch_provisioning_mcp.api")

TIMEOUT = httpx2.Timeout(connect=5.0, read=30.0, write=30.0, pool=10.0)
# As many kept alive as may be open: under concurrent calls, a smaller pool would close and reopen
# (a TLS handshake each, against Sinch) the connections it just used.
LIMITS = httpx2.Limits(max_connections=20, max_keepalive_connections=20, keepalive_expiry=30.0)

# Failures where the request provably never reached the API, so repeating is always safe.
_NOT_SENT = (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout)
_MAX_PAGES = 1000  # a runaway nextPageToken loop ends here rather than never


class ProvisioningClient:
    def __init__(
        self,
        http: httpx2.AsyncClient,
        auth: Authenticator,
        *,
        retry: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        self._http = http
        self._auth = auth
        self._retry = retry
        self._sleep = sleep

    async def authenticate(self) -> None:
        """Obtain credentials now (an OAuth token where the mode uses one), so a refused key
        shows on its own rather than as the first API call's failure."""
        await self._auth.header()

    async def call(
        self,
        op: Operation,
        project_id: str,
        *,
        path: dict[str, str] | None = None,
        query: dict[str, Any] | None = None,
        body: Any = None,
    ) -> Any:
        """Perform `op` and return its parsed JSON body (None for no content)."""
        url = op.render({"projectId": project_id, **(path or {})})
        # None rather than {}: httpx2 would parse the URL once more to merge an empty query.
        params = _query_params(query) or None
        retry_number = 0
        attempt = 0
        refreshed = False
        while True:
            attempt += 1
            header = await self._auth.header()
            started = time.perf_counter()
            try:
                response = await self._http.request(
                    op.method, url, params=params, json=body, headers={"Authorization": header}
                )
            except httpx2.TransportError as exc:
                _log_attempt(op, None, started, attempt, type(exc).__name__)
                never_sent = isinstance(exc, _NOT_SENT)
                if (never_sent or op.policy.idempotent) and retry_number < self._retry.max_retries:
                    await self._sleep(self._retry.backoff(retry_number))
                    retry_number += 1
                    continue
                raise _transport_failure(op, exc, never_sent) from None

            _log_attempt(op, response.status_code, started, attempt)
            status = response.status_code
            # One refresh per call, and only when the challenge blames the token: any
            # other 401 would be refused again, and a second one after a fresh token is
            # the caller's to see, not a loop.
            challenge = response.headers.get("WWW-Authenticate")
            if status == 401 and not refreshed and token_refused(challenge) and await self._auth.refresh(header):
                refreshed = True
                continue
            # A 429 refused the request, so any operation may be repeated; after a 5xx only one
            # the catalog calls idempotent (never from the method: the test-number retry is a
            # GET that sends an invite, wabaDetails a POST that only reads).
            if status in RETRYABLE_STATUS and (status == 429 or op.policy.idempotent):
                delay = self._retry.delay_for(response, retry_number)
                if delay is not None:
                    await self._sleep(delay)
                    retry_number += 1
                    continue
            if status >= 300:
                error = parse_error(response, op)
                # A 5xx does not say whether a write was applied before the failure.
                error.outcome_unknown = status >= 500 and not op.policy.read_only
                raise error
            return _json_or_none(response, op)

    async def paginate(
        self,
        op: Operation,
        project_id: str,
        items_key: str,
        *,
        path: dict[str, str] | None = None,
        query: dict[str, Any] | None = None,
    ) -> tuple[list[Any], int]:
        """Follow `nextPageToken` to the end; returns the items and the API's `totalSize`."""
        items: list[Any] = []
        token = (query or {}).get("pageToken")
        for _ in range(_MAX_PAGES):
            page = await self.call(op, project_id, path=path, query={**(query or {}), "pageToken": token})
            items.extend(page.get(items_key) or [])
            token = page.get("nextPageToken") or None
            if token is None:
                return items, int(page.get("totalSize", len(items)))
        raise TransportError(f"{op.key}: more than {_MAX_PAGES} pages; narrow the listing")


def _query_params(query: dict[str, Any] | None) -> dict[str, Any]:
    """Drop unset values; booleans as the API spells them."""
    params: dict[str, Any] = {}
    for key, value in (query or {}).items():
        if value is None:
            continue
        params[key] = ("true" if value else "false") if isinstance(value, bool) else value
    return params


def _transport_failure(op: Operation, exc: httpx2.TransportError, never_sent: bool) -> TransportError:
    reason = type(exc).__name__
    if never_sent:
        return TransportError(f"{op.key}: Provisioning API unreachable ({reason}); nothing was sent")
    if op.policy.read_only:
        return TransportError(f"{op.key}: no answer from the Provisioning API ({reason})")
    return OutcomeUnknownError(
        f"{op.key}: the request may have reached the API but no answer came back ({reason}); "
        "read the current state before trying again",
        operation=op.key,
    )


def _json_or_none(response: httpx2.Response, op: Operation) -> Any:
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise ApiError(
            response.status_code,
            "invalid_response",
            "the API reported success with a body that is not JSON",
            "Read the resource again to see whether the change happened; check SINCH_PROVISIONING_URL.",
            None,
            op.key,
            outcome_unknown=not op.policy.read_only,
        ) from None


def parse_error(response: httpx2.Response, op: Operation) -> ApiError:
    """The PAPI error DTO as a typed error; a non-JSON body still gives a useful one."""
    status = response.status_code
    body: Any = None
    try:
        body = response.json()
    except (ValueError, json.JSONDecodeError):
        pass
    if isinstance(body, dict) and "errorCode" in body:
        info = body.get("additionalInformation")
        return ApiError(
            status,
            str(body.get("errorCode")),
            str(body.get("message", "")),
            str(body.get("resolution", "")),
            info if isinstance(info, dict) else ({"detail": info} if info else None),
            op.key,
        )
    if 300 <= status < 400:
        return ApiError(
            status,
            "redirect_not_followed",
            f"the API redirected to {response.headers.get('Location', '(no location)')}; redirects are not followed",
            "Check SINCH_PROVISIONING_URL points at the API itself.",
            None,
            op.key,
        )
    # Redacted before it is cut: a cut can leave a token's prefix that no rule recognises any more.
    excerpt = REDACTOR.text(" ".join(response.text.split()))[:200] if response.content else ""
    return ApiError(
        status,
        f"http_{status}",
        excerpt or response.reason_phrase or "error without a body",
        "The answer was not a Provisioning API error document; retry later or check the URL.",
        None,
        op.key,
    )


def _log_attempt(op: Operation, status: int | None, started: float, attempt: int, failure: str = "") -> None:
    """One structured line per request sent (retries and the post-refresh repeat count as attempts)."""
    if not log.isEnabledFor(logging.INFO):
        return  # built only to be dropped otherwise: a level above INFO makes calls pay nothing for it
    record = {
        "event": "api_call",
        "method": op.method,
        "path": op.path,
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        "attempt": attempt,
    }
    if failure:
        record["failure"] = failure
    log.info(json.dumps(record))
