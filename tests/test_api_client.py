"""The Provisioning API client: auth, retries, errors, pagination, path rendering, logging.

Exercised end to end against the embedded sandbox (httpx2.ASGITransport) and, for the
failure modes a simulator does not produce on demand, against an httpx2.MockTransport.
Nothing sleeps: `sleep` is replaced by a recorder and the OAuth clock is injected.
"""

from __future__ import annotations

import base64
import json
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs

import anyio
import httpx2
import pytest
from conftest import RecordingTransport

from sinch_provisioning_mcp.api import operations as ops
from sinch_provisioning_mcp.api.auth import Authenticator, BasicAuth, OAuthClientCredentials
from sinch_provisioning_mcp.api.client import ProvisioningClient, parse_error
from sinch_provisioning_mcp.api.connect import open_client
from sinch_provisioning_mcp.api.errors import (
    ApiError,
    AuthError,
    InvalidPathParameter,
    OutcomeUnknownError,
    TransportError,
)
from sinch_provisioning_mcp.api.retry import RetryPolicy, retry_after_seconds
from sinch_provisioning_mcp.guardrails.redact import REDACTOR
from sinch_provisioning_mcp.sandbox import (
    SANDBOX_KEY_ID,
    SANDBOX_KEY_SECRET,
    SandboxState,
    create_app,
)

API = "https://provisioning.api.sinch.com"
TOKEN_URL = "https://auth.sinch.com/oauth2/token"
PROJECT = "proj-1"
# An empty sandbox project: the seeded one holds fixtures these round trips would count.
SANDBOX_PROJECT = "api-client-project"
KEY_ID = "key-id-0123"
KEY_SECRET = "key-secret-very-private-9876"
SANDBOX_ORIGIN = "http://sandbox.invalid"
ABSENT_ULID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
WEBHOOK = {"id": "01HZZZZZZZZZZZZZZZZZZZZZZZ", "target": "https://hooks.example.com/a", "triggers": ["ALL"]}


def basic(key_id: str, key_secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key_id}:{key_secret}".encode()).decode()


# --------------------------------------------------------------------------- helpers


class Recorder:
    """Stands in for anyio.sleep: records each requested delay, never waits."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


Handler = Callable[[httpx2.Request], Any]


class Mock:
    """A MockTransport that records every request it is handed."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx2.Request] = []

        async def record(request: httpx2.Request) -> httpx2.Response:
            self.requests.append(request)
            result = handler(request)
            if not isinstance(result, httpx2.Response):
                result = await result
            return result

        self.transport = httpx2.MockTransport(record)

    def api_requests(self) -> list[httpx2.Request]:
        return [r for r in self.requests if r.url.host == "provisioning.api.sinch.com"]

    def token_requests(self) -> list[httpx2.Request]:
        return [r for r in self.requests if r.url.host == "auth.sinch.com"]


@asynccontextmanager
async def mock_client(
    handler: Handler,
    *,
    auth: Authenticator | Callable[[httpx2.AsyncClient], Authenticator] | None = None,
    retry: RetryPolicy = RetryPolicy(),
) -> AsyncIterator[tuple[ProvisioningClient, Mock, Recorder]]:
    mock = Mock(handler)
    sleeps = Recorder()
    async with httpx2.AsyncClient(transport=mock.transport, base_url=API) as http:
        if auth is None:
            authenticator: Authenticator = BasicAuth(KEY_ID, KEY_SECRET)
        elif isinstance(auth, Authenticator):
            authenticator = auth
        else:
            authenticator = auth(http)
        yield ProvisioningClient(http, authenticator, retry=retry, sleep=sleeps), mock, sleeps


def ok(json_body: Any = None, status: int = 200, **kwargs: Any) -> httpx2.Response:
    return httpx2.Response(status, json=json_body if json_body is not None else WEBHOOK, **kwargs)


def papi(status: int, code: str, headers: dict[str, str] | None = None, **extra: Any) -> httpx2.Response:
    return httpx2.Response(
        status,
        json={"errorCode": code, "message": f"{code} message", "resolution": f"{code} resolution", **extra},
        headers=headers,
    )


def token_response(token: str, expires_in: int = 3600) -> httpx2.Response:
    return httpx2.Response(200, json={"access_token": token, "expires_in": expires_in, "token_type": "bearer"})


@asynccontextmanager
async def sandbox_client(
    *,
    auth_mode: str = "oauth",
    key_secret: str = SANDBOX_KEY_SECRET,
    transport: httpx2.AsyncBaseTransport | None = None,
) -> AsyncIterator[ProvisioningClient]:
    async with open_client(
        base_url=SANDBOX_ORIGIN,
        auth_url=f"{SANDBOX_ORIGIN}/oauth2/token",
        key_id=SANDBOX_KEY_ID,
        key_secret=key_secret,
        auth_mode=auth_mode,  # type: ignore[arg-type]
        transport=transport or httpx2.ASGITransport(app=create_app()),
        extra_origins=frozenset({SANDBOX_ORIGIN}),
    ) as client:
        yield client


def new_hook(n: int = 0, secret: str = "hook-secret-1") -> dict[str, Any]:
    return {"target": f"https://hooks.example.com/{n:02d}", "secret": secret, "triggers": ["ALL"]}


# --------------------------------------------------------------------------- 1. sandbox


@pytest.mark.parametrize("auth_mode", ["oauth", "basic"])
async def test_sandbox_webhook_round_trip(auth_mode):
    async with sandbox_client(auth_mode=auth_mode) as client:
        created = await client.call(ops.CREATE_WEBHOOK, SANDBOX_PROJECT, body=new_hook(1))
        assert set(created) == {"id", "target", "projectId", "triggers"}  # the secret is never echoed
        assert created["target"] == "https://hooks.example.com/01"
        assert created["projectId"] == SANDBOX_PROJECT
        assert created["triggers"] == ["ALL"]

        fetched = await client.call(ops.GET_WEBHOOK, SANDBOX_PROJECT, path={"webhookId": created["id"]})
        assert fetched == created

        items, total = await client.paginate(ops.LIST_WEBHOOKS, SANDBOX_PROJECT, "webhooks")
        assert items == [created]
        assert total == 1

        deleted = await client.call(ops.DELETE_WEBHOOK, SANDBOX_PROJECT, path={"webhookId": created["id"]})
        assert deleted is None  # 204 No Content

        items, total = await client.paginate(ops.LIST_WEBHOOKS, SANDBOX_PROJECT, "webhooks")
        assert (items, total) == ([], 0)


async def test_sandbox_pagination_walks_every_page():
    async with sandbox_client() as client:
        for n in range(12):
            await client.call(ops.CREATE_WEBHOOK, SANDBOX_PROJECT, body=new_hook(n))
        items, total = await client.paginate(
            ops.LIST_WEBHOOKS, SANDBOX_PROJECT, "webhooks", query={"pageSize": 5}
        )
        assert total == 12
        assert [item["target"] for item in items] == [f"https://hooks.example.com/{n:02d}" for n in range(12)]

        first = await client.call(ops.LIST_WEBHOOKS, SANDBOX_PROJECT, query={"pageSize": 5})
        rest, _ = await client.paginate(
            ops.LIST_WEBHOOKS, SANDBOX_PROJECT, "webhooks", query={"pageSize": 5, "pageToken": first["nextPageToken"]}
        )
        assert first["webhooks"] + rest == items


async def test_sandbox_duplicate_target_is_api_error_with_every_field():
    async with sandbox_client() as client:
        await client.call(ops.CREATE_WEBHOOK, SANDBOX_PROJECT, body=new_hook(1))
        with pytest.raises(ApiError) as info:
            await client.call(ops.CREATE_WEBHOOK, SANDBOX_PROJECT, body=new_hook(1, secret="other"))
    err = info.value
    assert err.status == 409
    assert err.error_code == "webhook_exists"
    assert err.message == "Webhook with the provided target already exists."
    assert err.resolution == "Webhooks must have a unique target. Change the target and submit again."
    assert err.additional_information == {}
    assert err.operation == "POST /v1/projects/{projectId}/webhooks"
    assert err.to_dict()["errorCode"] == "webhook_exists"


async def test_sandbox_missing_webhook_is_404_api_error():
    async with sandbox_client() as client:
        with pytest.raises(ApiError) as info:
            await client.call(ops.GET_WEBHOOK, SANDBOX_PROJECT, path={"webhookId": ABSENT_ULID})
    err = info.value
    assert (err.status, err.error_code) == (404, "webhook_not_found")
    assert err.message == "Webhook not found."
    assert err.resolution == "Verify that the parameters are correct."
    assert err.operation == "GET /v1/projects/{projectId}/webhooks/{webhookId}"


async def test_sandbox_validation_error_carries_additional_information():
    async with sandbox_client() as client:
        with pytest.raises(ApiError) as info:
            await client.call(
                ops.CREATE_WEBHOOK,
                SANDBOX_PROJECT,
                body={"target": "not a url", "secret": "s", "triggers": ["ALL"]},
            )
    err = info.value
    assert (err.status, err.error_code, err.message) == (400, "invalid_input", "Invalid input.")
    assert err.additional_information == {"validationErrors": ["target must be a URL address"]}


async def test_sandbox_wrong_secret_oauth_is_auth_error_without_the_secret():
    wrong = "definitely-wrong-secret-4242"
    async with sandbox_client(key_secret=wrong) as client:
        with pytest.raises(AuthError) as info:
            await client.call(ops.LIST_WEBHOOKS, SANDBOX_PROJECT)
    assert "401" in str(info.value)
    assert wrong not in str(info.value)


async def test_sandbox_wrong_secret_basic_is_401_api_error():
    async with sandbox_client(auth_mode="basic", key_secret="definitely-wrong-secret-4242") as client:
        with pytest.raises(ApiError) as info:
            await client.call(ops.LIST_WEBHOOKS, SANDBOX_PROJECT)
    assert (info.value.status, info.value.error_code) == (401, "unauthorized_error")


async def test_sandbox_expired_token_is_refreshed_once_and_the_call_succeeds():
    """The client holds a token the sandbox has expired (its clock moved past `exp`, while
    the client's own clock says the token is fresh): the 401 challenge makes it fetch one
    new token and repeat the call once."""
    state = SandboxState(token_lifetime_seconds=120)
    transport = RecordingTransport(httpx2.ASGITransport(app=create_app(state)))
    async with sandbox_client(transport=transport) as client:
        await client.call(ops.CREATE_WEBHOOK, SANDBOX_PROJECT, body=new_hook(1))
        state.advance(120)
        items, total = await client.paginate(ops.LIST_WEBHOOKS, SANDBOX_PROJECT, "webhooks")
    assert total == 1 and items[0]["target"] == "https://hooks.example.com/01"
    calls = [(r.method, r.url.path) for r in transport.requests]
    webhooks = f"/v1/projects/{SANDBOX_PROJECT}/webhooks"
    assert calls == [
        ("POST", "/oauth2/token"),
        ("POST", webhooks),
        ("GET", webhooks),  # refused: Jwt is expired
        ("POST", "/oauth2/token"),
        ("GET", webhooks),
    ]
    created_with, refused, repeated_with = (r.headers["Authorization"] for r in transport.requests if r.url.path == webhooks)
    assert created_with == refused != repeated_with


# --------------------------------------------------------------------------- 2. OAuth


def oauth_handler(api: Callable[[httpx2.Request], httpx2.Response], tokens: list[str], expires_in: int = 3600):
    """Token endpoint issuing `tokens` in order (yielding to other tasks first); API routed to `api`."""
    issued = iter(tokens)

    async def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.host == "auth.sinch.com":
            for _ in range(5):  # let every concurrent caller reach the token lock meanwhile
                await anyio.lowlevel.checkpoint()
            return token_response(next(issued), expires_in)
        return api(request)

    return handler


def oauth(clock: Clock | None = None) -> Callable[[httpx2.AsyncClient], OAuthClientCredentials]:
    def build(http: httpx2.AsyncClient) -> OAuthClientCredentials:
        if clock is None:
            return OAuthClientCredentials(http, TOKEN_URL, KEY_ID, KEY_SECRET)
        return OAuthClientCredentials(http, TOKEN_URL, KEY_ID, KEY_SECRET, clock=clock)

    return build


async def test_one_token_fetch_for_twenty_concurrent_calls():
    async with mock_client(oauth_handler(lambda r: ok(), ["tok-A"]), auth=oauth()) as (client, mock, _):
        results: list[Any] = []

        async def one() -> None:
            results.append(await client.call(ops.GET_WEBHOOK, PROJECT, path={"webhookId": "w"}))

        async with anyio.create_task_group() as tg:
            for _ in range(20):
                tg.start_soon(one)
        assert results == [WEBHOOK] * 20
        assert len(mock.token_requests()) == 1
        assert client._auth.fetch_count == 1  # type: ignore[attr-defined]
        assert [r.headers["Authorization"] for r in mock.api_requests()] == ["Bearer tok-A"] * 20


async def test_token_is_cached_across_calls_and_refetched_near_expiry():
    clock = Clock(1000.0)
    handler = oauth_handler(lambda r: ok(), ["tok-1", "tok-2", "tok-3"], expires_in=3600)
    async with mock_client(handler, auth=oauth(clock)) as (client, mock, _):
        await client.call(ops.LIST_WEBHOOKS, PROJECT)
        clock.now += 3000  # well inside the lifetime
        await client.call(ops.LIST_WEBHOOKS, PROJECT)
        assert len(mock.token_requests()) == 1
        clock.now = 1000.0 + 3590  # still before expires_in, but inside the renewal margin
        await client.call(ops.LIST_WEBHOOKS, PROJECT)
        assert len(mock.token_requests()) == 2
        clock.now += 3600 + 1  # past the second token's expiry
        await client.call(ops.LIST_WEBHOOKS, PROJECT)
        assert len(mock.token_requests()) == 3
        assert [r.headers["Authorization"] for r in mock.api_requests()] == [
            "Bearer tok-1",
            "Bearer tok-1",
            "Bearer tok-2",
            "Bearer tok-3",
        ]


# The challenges a refused token comes with: the Node SDK's own test form, and the sandbox's.
TOKEN_CHALLENGES = [
    'Bearer realm="sinch", error="invalid_token", error_description="expired"',
    'Bearer realm="sinch", error="invalid_token", error_description="Jwt is expired"',
    'Bearer realm="sinch", error="invalid_token", error_description="Invalid token"',
]


@pytest.mark.parametrize("challenge", TOKEN_CHALLENGES)
async def test_401_with_token_challenge_refreshes_exactly_once_then_succeeds(challenge):
    def api(request: httpx2.Request) -> httpx2.Response:
        if request.headers["Authorization"] == "Bearer tok-old":
            return papi(401, "unauthorized_error", headers={"WWW-Authenticate": challenge})
        return ok()

    async with mock_client(oauth_handler(api, ["tok-old", "tok-new"]), auth=oauth()) as (client, mock, sleeps):
        assert await client.call(ops.GET_WEBHOOK, PROJECT, path={"webhookId": "w"}) == WEBHOOK
    assert len(mock.token_requests()) == 2
    assert [r.headers["Authorization"] for r in mock.api_requests()] == ["Bearer tok-old", "Bearer tok-new"]
    assert sleeps.delays == []


@pytest.mark.parametrize("challenge", [None, 'Bearer realm="sinch"', 'Basic realm="Realm"'])
async def test_401_without_token_challenge_is_not_refreshed(challenge):
    """A 401 that does not blame the token (wrong project, no credentials) fails again with a new one."""
    headers = {"WWW-Authenticate": challenge} if challenge else None
    async with mock_client(
        oauth_handler(lambda r: papi(401, "unauthorized_error", headers=headers), ["tok-1", "tok-2"]), auth=oauth()
    ) as (client, mock, _):
        with pytest.raises(ApiError) as info:
            await client.call(ops.LIST_WEBHOOKS, PROJECT)
    assert (info.value.status, info.value.error_code) == (401, "unauthorized_error")
    assert len(mock.token_requests()) == 1
    assert len(mock.api_requests()) == 1


async def test_second_401_surfaces_as_api_error_without_looping():
    refused = papi(401, "unauthorized_error", headers={"WWW-Authenticate": TOKEN_CHALLENGES[1]})
    async with mock_client(oauth_handler(lambda r: refused, ["tok-1", "tok-2", "tok-3"]), auth=oauth()) as (
        client,
        mock,
        sleeps,
    ):
        with pytest.raises(ApiError) as info:
            await client.call(ops.LIST_WEBHOOKS, PROJECT)
    assert (info.value.status, info.value.error_code) == (401, "unauthorized_error")
    assert len(mock.token_requests()) == 2
    assert len(mock.api_requests()) == 2
    assert sleeps.delays == []


async def test_basic_auth_401_is_not_retried():
    async with mock_client(lambda r: papi(401, "unauthorized_error")) as (client, mock, _):
        with pytest.raises(ApiError) as info:
            await client.call(ops.LIST_WEBHOOKS, PROJECT)
    assert info.value.status == 401
    assert len(mock.requests) == 1
    assert mock.requests[0].headers["Authorization"] == basic(KEY_ID, KEY_SECRET)


async def test_token_request_is_form_encoded_client_credentials_with_basic_auth():
    async with mock_client(oauth_handler(lambda r: ok(), ["tok-1"]), auth=oauth()) as (client, mock, _):
        await client.call(ops.LIST_WEBHOOKS, PROJECT)
    (token_request,) = mock.token_requests()
    assert token_request.method == "POST"
    assert str(token_request.url) == TOKEN_URL
    assert token_request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(token_request.content.decode()) == {"grant_type": ["client_credentials"]}
    assert token_request.headers["Authorization"] == basic(KEY_ID, KEY_SECRET)
    # The key itself goes only to the token endpoint: the API sees the bearer token.
    assert mock.api_requests()[0].headers["Authorization"] == "Bearer tok-1"


async def test_issued_token_is_registered_with_the_redactor():
    token = f"issued-{uuid.uuid4().hex}"
    assert token in REDACTOR.text(f"x {token} y")  # not known before it is issued
    async with mock_client(oauth_handler(lambda r: ok(), [token]), auth=oauth()) as (client, _, _):
        await client.call(ops.LIST_WEBHOOKS, PROJECT)
    assert token not in REDACTOR.text(f"x {token} y")


@pytest.mark.parametrize("status", [400, 401, 403, 500])
async def test_token_endpoint_refusal_is_auth_error_without_secret(status):
    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.host == "auth.sinch.com":
            return httpx2.Response(status, json={"error": "invalid_client", "error_description": KEY_SECRET})
        return ok()

    async with mock_client(handler, auth=oauth()) as (client, mock, _):
        with pytest.raises(AuthError) as info:
            await client.call(ops.LIST_WEBHOOKS, PROJECT)
    message = str(info.value)
    assert f"HTTP {status}" in message
    assert KEY_SECRET not in message
    assert basic(KEY_ID, KEY_SECRET).split()[1] not in message
    assert mock.api_requests() == []  # no API call without a token


async def test_token_response_without_access_token_is_auth_error():
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, json={"token_type": "bearer"})

    async with mock_client(handler, auth=oauth()) as (client, mock, _):
        with pytest.raises(AuthError):
            await client.call(ops.LIST_WEBHOOKS, PROJECT)
    assert mock.api_requests() == []


# --------------------------------------------------------------------------- 3. retries


@pytest.mark.parametrize("status", [429, 503])
async def test_retryable_status_is_retried_three_times_then_api_error(status):
    async with mock_client(lambda r: papi(status, f"e{status}")) as (client, mock, sleeps):
        with pytest.raises(ApiError) as info:
            await client.call(ops.LIST_WEBHOOKS, PROJECT)
    assert (info.value.status, info.value.error_code) == (status, f"e{status}")
    assert len(mock.requests) == 4
    assert len(sleeps.delays) == 3
    # full jitter: retry n waits within [0, base * 2^n]
    for n, delay in enumerate(sleeps.delays):
        assert 0 <= delay <= 0.5 * 2**n


async def test_retry_then_success_returns_the_body():
    answers = iter([papi(503, "unavailable"), papi(502, "bad_gateway"), ok()])
    async with mock_client(lambda r: next(answers)) as (client, mock, sleeps):
        assert await client.call(ops.GET_WEBHOOK, PROJECT, path={"webhookId": "w"}) == WEBHOOK
    assert len(mock.requests) == 3
    assert len(sleeps.delays) == 2


async def test_retry_after_seconds_is_honoured_exactly():
    async with mock_client(lambda r: papi(429, "too_many", headers={"Retry-After": "7"})) as (client, mock, sleeps):
        with pytest.raises(ApiError):
            await client.call(ops.LIST_WEBHOOKS, PROJECT)
    assert sleeps.delays == [7.0, 7.0, 7.0]
    assert len(mock.requests) == 4


async def test_retry_after_at_the_cap_is_still_honoured():
    answers = iter([papi(503, "x", headers={"Retry-After": "10"}), ok()])
    async with mock_client(lambda r: next(answers)) as (client, mock, sleeps):
        await client.call(ops.LIST_WEBHOOKS, PROJECT)
    assert sleeps.delays == [10.0]


@pytest.mark.parametrize("retry_after", ["11", "120"])
async def test_retry_after_above_cap_ends_retries(retry_after):
    async with mock_client(lambda r: papi(429, "too_many", headers={"Retry-After": retry_after})) as (
        client,
        mock,
        sleeps,
    ):
        with pytest.raises(ApiError) as info:
            await client.call(ops.LIST_WEBHOOKS, PROJECT)
    assert info.value.status == 429
    assert len(mock.requests) == 1
    assert sleeps.delays == []


def test_retry_after_http_date():
    when = datetime.now(timezone.utc) + timedelta(seconds=30)
    seconds = retry_after_seconds(format_datetime(when, usegmt=True))
    assert seconds is not None and 28 <= seconds <= 30
    past = datetime.now(timezone.utc) - timedelta(seconds=30)
    assert retry_after_seconds(format_datetime(past, usegmt=True)) == 0.0
    assert retry_after_seconds("5") == 5.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None


async def test_backoff_is_capped_at_ten_seconds():
    # A huge base: without the cap nearly every draw would exceed 10 s.
    policy = RetryPolicy(max_retries=8, base_delay=100.0)
    async with mock_client(lambda r: papi(503, "x"), retry=policy) as (client, mock, sleeps):
        with pytest.raises(ApiError):
            await client.call(ops.LIST_WEBHOOKS, PROJECT)
    assert len(sleeps.delays) == 8
    assert len(mock.requests) == 9
    assert all(0 <= d <= 10 for d in sleeps.delays)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_post_is_not_retried_on_server_errors(status):
    async with mock_client(lambda r: papi(status, "boom")) as (client, mock, sleeps):
        with pytest.raises(ApiError) as info:
            await client.call(ops.CREATE_WEBHOOK, PROJECT, body=new_hook())
    assert info.value.status == status
    assert len(mock.requests) == 1
    assert sleeps.delays == []


async def test_post_is_retried_on_429():
    answers = iter([papi(429, "too_many", headers={"Retry-After": "2"}), papi(429, "too_many"), ok(status=201)])
    async with mock_client(lambda r: next(answers)) as (client, mock, sleeps):
        assert await client.call(ops.CREATE_WEBHOOK, PROJECT, body=new_hook()) == WEBHOOK
    assert len(mock.requests) == 3
    assert sleeps.delays[0] == 2.0
    assert len(sleeps.delays) == 2
    assert all(json.loads(r.content) == new_hook() for r in mock.requests)


async def test_post_gives_up_on_429_after_four_attempts():
    async with mock_client(lambda r: papi(429, "too_many")) as (client, mock, sleeps):
        with pytest.raises(ApiError):
            await client.call(ops.CREATE_WEBHOOK, PROJECT, body=new_hook())
    assert len(mock.requests) == 4
    assert len(sleeps.delays) == 3


def raising(exc_type: type[httpx2.TransportError], then: list[httpx2.Response] | None = None) -> Handler:
    """Raise `exc_type` for every request, or only until the `then` answers are used."""
    answers = list(then or [])
    failures = 0

    def handler(request: httpx2.Request) -> httpx2.Response:
        nonlocal failures
        if then is not None and failures >= 1 and answers:
            return answers.pop(0)
        failures += 1
        raise exc_type("simulated", request=request)

    return handler


async def test_get_is_retried_on_read_timeout():
    async with mock_client(raising(httpx2.ReadTimeout, then=[ok()])) as (client, mock, sleeps):
        assert await client.call(ops.GET_WEBHOOK, PROJECT, path={"webhookId": "w"}) == WEBHOOK
    assert len(mock.requests) == 2
    assert len(sleeps.delays) == 1


async def test_get_read_timeout_every_time_is_transport_error_after_four_attempts():
    async with mock_client(raising(httpx2.ReadTimeout)) as (client, mock, sleeps):
        with pytest.raises(TransportError) as info:
            await client.call(ops.LIST_WEBHOOKS, PROJECT)
    assert not isinstance(info.value, OutcomeUnknownError)
    assert len(mock.requests) == 4
    assert len(sleeps.delays) == 3


@pytest.mark.parametrize("exc_type", [httpx2.ReadTimeout, httpx2.ReadError, httpx2.RemoteProtocolError])
async def test_post_answer_lost_is_outcome_unknown_after_one_attempt(exc_type):
    async with mock_client(raising(exc_type)) as (client, mock, sleeps):
        with pytest.raises(OutcomeUnknownError) as info:
            await client.call(ops.CREATE_WEBHOOK, PROJECT, body=new_hook())
    assert "read the current state" in str(info.value)
    assert len(mock.requests) == 1
    assert sleeps.delays == []


@pytest.mark.parametrize("exc_type", [httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout])
async def test_post_is_retried_when_never_sent(exc_type):
    async with mock_client(raising(exc_type, then=[ok(status=201)])) as (client, mock, sleeps):
        assert await client.call(ops.CREATE_WEBHOOK, PROJECT, body=new_hook()) == WEBHOOK
    assert len(mock.requests) == 2
    assert len(sleeps.delays) == 1


async def test_connect_error_every_time_is_transport_error_after_four_attempts():
    async with mock_client(raising(httpx2.ConnectError)) as (client, mock, sleeps):
        with pytest.raises(TransportError) as info:
            await client.call(ops.CREATE_WEBHOOK, PROJECT, body=new_hook())
    assert not isinstance(info.value, OutcomeUnknownError)
    assert "unreachable" in str(info.value)
    assert len(mock.requests) == 4
    assert len(sleeps.delays) == 3


# --------------------------------------------------------------------------- 4. errors


async def test_papi_error_json_becomes_api_error_with_every_field():
    info_body = {"validationErrors": ["target must be a URL address"], "field": "target"}
    async with mock_client(lambda r: papi(400, "invalid_input", additionalInformation=info_body)) as (
        client,
        _,
        _,
    ):
        with pytest.raises(ApiError) as info:
            await client.call(ops.CREATE_WEBHOOK, PROJECT, body=new_hook())
    err = info.value
    assert err.status == 400
    assert err.error_code == "invalid_input"
    assert err.message == "invalid_input message"
    assert err.resolution == "invalid_input resolution"
    assert err.additional_information == info_body
    assert err.operation == "POST /v1/projects/{projectId}/webhooks"
    assert str(err) == "HTTP 400 invalid_input: invalid_input message"


def test_parse_error_wraps_non_object_additional_information():
    response = papi(400, "bad", additionalInformation=["one", "two"])
    err = parse_error(response, ops.LIST_WEBHOOKS)
    assert err.additional_information == {"detail": ["one", "two"]}


async def test_html_502_page_becomes_api_error_with_excerpt():
    html = "<html>\n  <head><title>502 Bad Gateway</title></head>\n  <body>upstream   died</body></html>"
    async with mock_client(
        lambda r: httpx2.Response(502, text=html, headers={"Content-Type": "text/html"})
    ) as (client, mock, _):
        with pytest.raises(ApiError) as info:
            await client.call(ops.CREATE_WEBHOOK, PROJECT, body=new_hook())
    err = info.value
    assert (err.status, err.error_code) == (502, "http_502")
    assert "502 Bad Gateway" in err.message
    assert "upstream died" in err.message  # whitespace collapsed
    assert len(err.message) <= 200
    assert err.operation == "POST /v1/projects/{projectId}/webhooks"
    assert len(mock.requests) == 1


def test_long_non_json_body_excerpt_is_bounded():
    err = parse_error(httpx2.Response(500, text="x" * 5000), ops.LIST_WEBHOOKS)
    assert err.error_code == "http_500"
    assert err.message == "x" * 200


def test_empty_error_body_falls_back_to_reason_phrase():
    err = parse_error(httpx2.Response(503), ops.LIST_WEBHOOKS)
    assert (err.error_code, err.message) == ("http_503", "Service Unavailable")


@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_redirect_is_not_followed(status):
    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.host == "evil.example.com":
            return ok()
        return httpx2.Response(status, headers={"Location": "https://evil.example.com/steal"})

    async with mock_client(handler) as (client, mock, sleeps):
        with pytest.raises(ApiError) as info:
            await client.call(ops.GET_WEBHOOK, PROJECT, path={"webhookId": "w"})
    err = info.value
    assert (err.status, err.error_code) == (status, "redirect_not_followed")
    assert "https://evil.example.com/steal" in err.message
    assert [r.url.host for r in mock.requests] == ["provisioning.api.sinch.com"]
    assert sleeps.delays == []


async def test_redirect_is_not_followed_through_open_client():
    mock = Mock(lambda r: httpx2.Response(302, headers={"Location": "https://provisioning.api.sinch.com/elsewhere"}))
    async with open_client(
        base_url=API, auth_url=TOKEN_URL, key_id=KEY_ID, key_secret=KEY_SECRET, auth_mode="basic",
        transport=mock.transport,
    ) as client:
        with pytest.raises(ApiError) as info:
            await client.call(ops.LIST_WEBHOOKS, PROJECT)
    assert info.value.error_code == "redirect_not_followed"
    assert len(mock.requests) == 1


async def test_success_without_body_is_none_and_non_json_success_is_api_error():
    async with mock_client(lambda r: httpx2.Response(204)) as (client, _, _):
        assert await client.call(ops.DELETE_WEBHOOK, PROJECT, path={"webhookId": "w"}) is None
    async with mock_client(lambda r: httpx2.Response(200, text="<html>hi</html>")) as (client, _, _):
        with pytest.raises(ApiError) as info:
            await client.call(ops.LIST_WEBHOOKS, PROJECT)
    assert info.value.error_code == "invalid_response"


# --------------------------------------------------------------------------- 5. pagination


def paged(pages: dict[str | None, dict[str, Any]]) -> Handler:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return ok(pages[request.url.params.get("pageToken")])

    return handler


PAGES: dict[str | None, dict[str, Any]] = {
    None: {"totalSize": 5, "webhooks": [1, 2], "nextPageToken": "t2"},
    "t2": {"totalSize": 5, "webhooks": [3, 4], "nextPageToken": "t3"},
    "t3": {"totalSize": 5, "webhooks": [5], "nextPageToken": ""},
}


async def test_paginate_follows_next_page_token_to_the_end():
    async with mock_client(paged(PAGES)) as (client, mock, _):
        items, total = await client.paginate(
            ops.LIST_WEBHOOKS, PROJECT, "webhooks", query={"pageSize": 2}
        )
    assert (items, total) == ([1, 2, 3, 4, 5], 5)
    assert [r.url.params.get("pageToken") for r in mock.requests] == [None, "t2", "t3"]
    assert [r.url.params.get("pageSize") for r in mock.requests] == ["2", "2", "2"]
    assert all(r.url.path == f"/v1/projects/{PROJECT}/webhooks" for r in mock.requests)


async def test_paginate_stops_when_next_page_token_is_absent():
    async with mock_client(paged({None: {"totalSize": 2, "webhooks": [1, 2]}})) as (client, mock, _):
        assert await client.paginate(ops.LIST_WEBHOOKS, PROJECT, "webhooks") == ([1, 2], 2)
    assert len(mock.requests) == 1
    assert "pageToken" not in mock.requests[0].url.params


async def test_paginate_starts_from_a_given_page_token():
    async with mock_client(paged(PAGES)) as (client, mock, _):
        items, _ = await client.paginate(ops.LIST_WEBHOOKS, PROJECT, "webhooks", query={"pageToken": "t2"})
    assert items == [3, 4, 5]
    assert [r.url.params.get("pageToken") for r in mock.requests] == ["t2", "t3"]


# --------------------------------------------------------------------------- 6. path rendering


@pytest.mark.parametrize("webhook_id", ["..", ".", ""])
async def test_dot_segment_or_empty_id_is_refused_before_sending(webhook_id):
    async with mock_client(lambda r: httpx2.Response(204)) as (client, mock, _):
        with pytest.raises(InvalidPathParameter, match="webhookId"):
            await client.call(ops.DELETE_WEBHOOK, PROJECT, path={"webhookId": webhook_id})
    assert mock.requests == []


@pytest.mark.parametrize(
    ("webhook_id", "raw_segment"),
    [
        ("a/b", "a%2Fb"),
        ("x?admin=1", "x%3Fadmin%3D1"),
        ("x#frag", "x%23frag"),
        ("../../other", "..%2F..%2Fother"),
        ("sp ace%", "sp%20ace%25"),
    ],
)
async def test_path_params_are_encoded_as_one_segment(webhook_id, raw_segment):
    async with mock_client(lambda r: ok()) as (client, mock, _):
        await client.call(ops.DELETE_WEBHOOK, PROJECT, path={"webhookId": webhook_id})
    (request,) = mock.requests
    assert request.method == "DELETE"
    assert request.url.raw_path == f"/v1/projects/{PROJECT}/webhooks/{raw_segment}".encode()
    assert request.url.query == b""
    assert request.url.fragment == ""


async def test_project_id_is_encoded_as_one_segment():
    async with mock_client(lambda r: ok()) as (client, mock, _):
        await client.call(ops.LIST_WEBHOOKS, "p/../q?x=1")
    assert mock.requests[0].url.raw_path == b"/v1/projects/p%2F..%2Fq%3Fx%3D1/webhooks"


async def test_missing_path_param_is_refused_before_sending():
    async with mock_client(lambda r: ok()) as (client, mock, _):
        with pytest.raises(InvalidPathParameter, match="webhookId"):
            await client.call(ops.GET_WEBHOOK, PROJECT)
    assert mock.requests == []


async def test_query_drops_none_and_spells_booleans_as_the_api_does():
    async with mock_client(lambda r: ok()) as (client, mock, _):
        await client.call(ops.LIST_WEBHOOKS, PROJECT, query={"a": None, "b": True, "c": False, "d": 3})
    assert dict(mock.requests[0].url.params) == {"b": "true", "c": "false", "d": "3"}


# --------------------------------------------------------------------------- 7. logging


def api_log_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "sinch_provisioning_mcp.api"]


async def test_one_structured_log_line_per_attempt_without_secrets(caplog):
    caplog.set_level(logging.INFO, logger="sinch_provisioning_mcp.api")
    body_secret = f"body-secret-{uuid.uuid4().hex}"
    answers = iter([papi(429, "too_many"), ok(status=201)])
    async with mock_client(lambda r: next(answers)) as (client, mock, _):
        await client.call(ops.CREATE_WEBHOOK, PROJECT, body=new_hook(secret=body_secret))
    assert len(mock.requests) == 2
    lines = api_log_lines(caplog)
    assert len(lines) == 2
    for n, (line, status) in enumerate(zip(lines, [429, 201]), start=1):
        assert line["method"] == "POST"
        assert line["path"] == "/v1/projects/{projectId}/webhooks"
        assert line["status"] == status
        assert line["attempt"] == n
        assert isinstance(line["duration_ms"], int | float)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert body_secret not in text
    assert KEY_SECRET not in text
    assert basic(KEY_ID, KEY_SECRET).split()[1] not in text
    assert "Authorization" not in text and "Basic" not in text
    assert PROJECT not in text  # the template is logged, not the rendered path


async def test_log_line_for_transport_failure_names_it(caplog):
    caplog.set_level(logging.INFO, logger="sinch_provisioning_mcp.api")
    async with mock_client(raising(httpx2.ReadTimeout)) as (client, _, _):
        with pytest.raises(OutcomeUnknownError):
            await client.call(ops.CREATE_WEBHOOK, PROJECT, body=new_hook())
    (line,) = api_log_lines(caplog)
    assert line["status"] is None
    assert line["failure"] == "ReadTimeout"
    assert line["attempt"] == 1


async def test_bearer_token_never_logged(caplog):
    caplog.set_level(logging.DEBUG)
    token = f"tok-{uuid.uuid4().hex}"
    async with mock_client(oauth_handler(lambda r: ok(), [token]), auth=oauth()) as (client, _, _):
        await client.call(ops.LIST_WEBHOOKS, PROJECT)
    assert len(api_log_lines(caplog)) == 1
    assert all(token not in r.getMessage() for r in caplog.records if r.name.startswith("sinch_provisioning_mcp"))
