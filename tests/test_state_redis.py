"""Hosted mode's shared state against a real Redis server: the ledger, events, nonces and the OAuth token,
as two replicas in one process see them (each with its own connections), and what happens when Redis is gone."""

from __future__ import annotations

import itertools
import subprocess
import sys
import time

import anyio
import httpx2
import pytest
from mcp import Client

from http_support import child_env
from redis_support import RedisServer, free_port, start_redis
from sinch_provisioning_mcp.api.auth import OAuthClientCredentials
from sinch_provisioning_mcp.doctor import run_doctor
from sinch_provisioning_mcp.guardrails.confirm import ConfirmationRefused, ConfirmationTokens, MemoryLedger
from sinch_provisioning_mcp.guardrails.redact import REDACTOR
from sinch_provisioning_mcp.server.app import build_server
from sinch_provisioning_mcp.server.config import ConfigError, load_settings
from sinch_provisioning_mcp.state import StateUnavailable
from sinch_provisioning_mcp.state.backend import StateBackend, state_backend
from sinch_provisioning_mcp.state.redis import PREFIX, RedisState

SECRET = "a-confirm-secret-shared-by-every-replica-0123"
ARGS = {"webhook_id": "01J00000000000000000000001"}
TOKEN_URL = "https://auth.sinch.com/oauth2/token"


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory) -> RedisServer:
    server = start_redis(tmp_path_factory)
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server) -> str:
    redis_server.flush()
    return redis_server.url


@pytest.fixture
async def replicas(redis_url):
    """Two replicas' state, each with its own connections to the one Redis."""
    states = [RedisState(redis_url), RedisState(redis_url)]
    yield states
    for state in states:
        await state.aclose()


def tokens(state: StateBackend) -> ConfirmationTokens:
    return ConfirmationTokens(SECRET.encode(), 300, state.ledger)


# --- the confirmation ledger ---------------------------------------------------------------------


async def test_a_token_is_used_at_most_once_across_replicas_even_when_redeemed_at_once(replicas):
    first, second = (tokens(state) for state in replicas)
    token, _ = await first.issue("delete_webhook", "p", ARGS, "state")
    outcomes: list[str] = []

    async def redeem(on: ConfirmationTokens) -> None:
        try:
            await on.redeem(token, "delete_webhook", "p", ARGS, "state")
            outcomes.append("done")
        except ConfirmationRefused as exc:
            outcomes.append(str(exc))

    async with anyio.create_task_group() as group:
        for on in (first, second) * 5:
            group.start_soon(redeem, on)
    assert outcomes.count("done") == 1
    assert all("already used" in outcome for outcome in outcomes if outcome != "done")


async def test_a_token_stays_bound_to_tool_project_and_arguments_on_another_replica(replicas):
    first, second = (tokens(state) for state in replicas)
    token, _ = await first.issue("delete_webhook", "p", ARGS, "state")
    with pytest.raises(ConfirmationRefused, match="not issued for this tool"):
        await second.redeem(token, "delete_webhook", "p", {"webhook_id": "another"}, "state")
    await second.redeem(token, "delete_webhook", "p", ARGS, "state")


async def test_when_redis_loses_its_data_tokens_issued_before_are_refused(replicas, redis_server):
    first, second = (tokens(state) for state in replicas)
    used, _ = await first.issue("delete_webhook", "p", ARGS, "state")
    pending, _ = await first.issue("delete_webhook", "p", ARGS, "state")
    await second.redeem(used, "delete_webhook", "p", ARGS, "state")
    redis_server.flush()  # what a restart without persistence does
    for token in (used, pending):
        with pytest.raises(ConfirmationRefused, match="issued before this server restarted"):
            await second.redeem(token, "delete_webhook", "p", ARGS, "state")
    fresh, _ = await second.issue("delete_webhook", "p", ARGS, "state")
    await first.redeem(fresh, "delete_webhook", "p", ARGS, "state")


# --- events and nonces ---------------------------------------------------------------------------


async def test_an_event_received_by_one_replica_wakes_a_wait_on_another(replicas):
    receiving, waiting = (state.event_log("sandbox-project") for state in replicas)
    seen = await waiting.last_sequence()
    woke: list[float] = []

    async def wait() -> None:
        await waiting.wait(seen, 30)
        woke.append(time.monotonic())

    with anyio.fail_after(10):  # far inside the wait's own 30 s: the event ended it
        async with anyio.create_task_group() as group:
            group.start_soon(wait)
            await anyio.sleep(0.2)
            assert woke == []
            await receiving.add({"type": "BUNDLE_DONE", "payload": {"id": "b-1"}}, time.time())
    (event,) = await waiting.query(after=seen)
    assert (event.sequence, event.trigger, event.resource_ids) == (seen + 1, "BUNDLE_DONE", {"b-1"})
    assert await waiting.last_sequence() == seen + 1


async def test_a_wait_returns_at_once_when_an_event_is_already_there(replicas):
    receiving, waiting = (state.event_log("p") for state in replicas)
    await receiving.add({"type": "BUNDLE_DONE", "payload": {}}, time.time())
    with anyio.fail_after(5):
        await waiting.wait(0, 30)


async def test_each_project_has_its_own_stream_bounded_oldest_first(redis_url):
    state = RedisState(redis_url)
    try:
        bounded = state.event_log("p-1")
        bounded._limit = 3  # the cap is MAXLEN: a small one shows the trimming
        for number in range(5):
            await bounded.add({"type": "BUNDLE_DONE", "payload": {"id": f"b-{number}"}}, time.time())
        assert [event.sequence for event in await bounded.query()] == [3, 4, 5]
        assert [e.trigger for e in await bounded.query(after=4, resource_id="b-4")] == ["BUNDLE_DONE"]
        assert await state.event_log("p-2").query() == []
    finally:
        await state.aclose()


async def test_numbering_goes_on_past_the_stream_when_its_counter_was_lost(redis_url):
    state = RedisState(redis_url)
    try:
        log = state.event_log("p")
        for _ in range(2):
            await log.add({"type": "BUNDLE_DONE", "payload": {}}, time.time())
        await state._redis.delete(f"{PREFIX}events:p:sequence")  # evicted on its own
        added = await log.add({"type": "BUNDLE_DONE", "payload": {}}, time.time())
        assert added.sequence == 3 and [event.sequence for event in await log.query()] == [1, 2, 3]
    finally:
        await state.aclose()


async def test_a_delivery_replayed_to_another_replica_is_refused(replicas):
    first, second = (state.nonces() for state in replicas)
    now = time.time()
    assert await first.first_time("nonce-1", now) is True
    assert await second.first_time("nonce-1", now) is False
    assert await second.first_time("nonce-2", now) is True


# --- the OAuth token -----------------------------------------------------------------------------


class TokenEndpoint:
    """Issues tok-1, tok-2, ... slowly enough that every concurrent caller reaches the lock meanwhile."""

    def __init__(self) -> None:
        self.fetches = 0
        self._numbers = itertools.count(1)

    async def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.fetches += 1
        number = next(self._numbers)
        await anyio.sleep(0.2)
        return httpx2.Response(200, json={"access_token": f"shared-oauth-token-{number:04d}", "expires_in": 3600})


def replica_auth(state: StateBackend, endpoint: TokenEndpoint) -> OAuthClientCredentials:
    http = httpx2.AsyncClient(transport=httpx2.MockTransport(endpoint))
    shared = state.shared_tokens(TOKEN_URL, "key-id", "key-secret")
    return OAuthClientCredentials(http, TOKEN_URL, "key-id", "key-secret", shared=shared)


async def test_one_token_fetch_for_two_replicas_starting_together(replicas, redis_url):
    endpoint = TokenEndpoint()
    first, second = (replica_auth(state, endpoint) for state in replicas)
    headers: list[str] = []

    async def call(auth: OAuthClientCredentials) -> None:
        headers.append(await auth.header())

    async with anyio.create_task_group() as group:
        for auth in (first, second) * 10:
            group.start_soon(call, auth)
    assert endpoint.fetches == 1
    assert set(headers) == {"Bearer shared-oauth-token-0001"}
    # Whichever replica fetched it, both mask it; and Redis holds it sealed, not readable.
    assert "shared-oauth-token-0001" not in REDACTOR.text("token shared-oauth-token-0001")
    raw = RedisState(redis_url)
    try:
        stored = [await raw._redis.get(key) for key in await raw._redis.keys(f"{PREFIX}oauth:*")]
    finally:
        await raw.aclose()
    assert stored and all(b"shared-oauth-token" not in value for value in stored)


async def test_a_refused_token_is_dropped_for_the_whole_fleet(replicas):
    endpoint = TokenEndpoint()
    first = replica_auth(replicas[0], endpoint)
    assert await first.header() == "Bearer shared-oauth-token-0001"
    assert await first.refresh("Bearer shared-oauth-token-0001") is True
    assert await first.header() == "Bearer shared-oauth-token-0002"
    joining = replica_auth(replicas[1], endpoint)  # a replica starting now takes the fleet's current token
    assert await joining.header() == "Bearer shared-oauth-token-0002"
    assert endpoint.fetches == 2


# --- without Redis -------------------------------------------------------------------------------


@pytest.fixture
async def unreachable():
    """The state of a replica whose Redis is not there (nothing listens on the port)."""
    state = RedisState(f"redis://127.0.0.1:{free_port()}/0")
    yield state
    await state.aclose()


async def test_without_redis_confirmations_are_refused_and_readiness_says_why(unreachable):
    issued_earlier, _ = await ConfirmationTokens(SECRET.encode(), 300, MemoryLedger()).issue("delete_webhook", "p", ARGS, "s")
    confirm = tokens(unreachable)
    for attempt in (confirm.issue("delete_webhook", "p", ARGS, "s"), confirm.redeem(issued_earlier, "delete_webhook", "p", ARGS, "s")):
        with pytest.raises(ConfirmationRefused, match=r"shared confirmation ledger \(Redis\) is unreachable.*nothing was changed"):
            await attempt
    assert await unreachable.problems() == ["shared state (Redis) unreachable"]


async def test_without_redis_events_and_nonces_fail_closed_and_the_token_is_fetched_locally(unreachable):
    with pytest.raises(StateUnavailable):
        await unreachable.nonces().first_time("n", time.time())
    with pytest.raises(StateUnavailable):
        await unreachable.event_log("p").add({"type": "BUNDLE_DONE"}, time.time())
    with pytest.raises(StateUnavailable):
        await unreachable.event_log("p").wait(0, 1)
    endpoint = TokenEndpoint()
    assert await replica_auth(unreachable, endpoint).header() == "Bearer shared-oauth-token-0001"
    assert endpoint.fetches == 1


# --- configuration -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ({}, "needs SINCH_MCP_CONFIRM_SECRET"),
        ({"SINCH_MCP_CONFIRM_SECRET": "short"}, "at least 32 characters"),
        ({"SINCH_MCP_CONFIRM_SECRET": SECRET, "SINCH_MCP_STATE_DIR": "/tmp/x"}, "set one"),
        ({"SINCH_MCP_CONFIRM_SECRET": SECRET, "SINCH_MCP_HTTP_STATELESS": "0"}, "serve statelessly"),
        ({"SINCH_MCP_CONFIRM_SECRET": SECRET, "SINCH_MCP_REDIS_URL": "http://redis:6379"}, "redis://"),
    ],
)
def test_a_hosted_configuration_that_cannot_work_refuses_to_start_in_one_line(monkeypatch, extra, problem):
    monkeypatch.setenv("SINCH_MCP_REDIS_URL", "redis://127.0.0.1:6379/0")
    for name, value in extra.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as refused:
        load_settings(sandbox=True)
    assert problem in str(refused.value) and "\n" not in str(refused.value)
    done = subprocess.run(
        [sys.executable, "-m", "sinch_provisioning_mcp", "--sandbox", "--transport", "http"],
        env=child_env(**{"SINCH_MCP_REDIS_URL": "redis://127.0.0.1:6379/0", **extra}),
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and problem in done.stderr


def test_without_redis_nothing_changes_for_a_single_process(monkeypatch):
    settings = load_settings(sandbox=True)
    assert settings.stateless_http is False
    assert type(state_backend(settings)) is StateBackend
    monkeypatch.setenv("SINCH_MCP_REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("SINCH_MCP_CONFIRM_SECRET", SECRET)
    assert load_settings(sandbox=True).stateless_http is True


def test_the_redis_client_is_imported_only_when_configured():
    probe = "import sys; from sinch_provisioning_mcp.server.app import build_server; from sinch_provisioning_mcp.server.config " \
            "import load_settings; build_server(load_settings(sandbox=True)); print('redis' in sys.modules)"  # fmt: skip
    done = subprocess.run([sys.executable, "-c", probe], env=child_env(), capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr


@pytest.mark.parametrize("reachable", [True, False])
def test_doctor_says_whether_redis_answers(monkeypatch, capsys, redis_server, reachable):
    url = redis_server.url if reachable else f"redis://127.0.0.1:{free_port()}/0"
    monkeypatch.setenv("SINCH_MCP_REDIS_URL", url)
    monkeypatch.setenv("SINCH_MCP_CONFIRM_SECRET", SECRET)
    code = run_doctor({"sandbox": True})
    (line,) = [line for line in capsys.readouterr().out.splitlines() if "shared state" in line]
    assert line.startswith("OK") if reachable else line.startswith("FAIL")
    assert code == (0 if reachable else 1)


# --- through the MCP server ----------------------------------------------------------------------


async def test_two_servers_sharing_redis_honour_one_token_once(redis_url, make_server, sandbox_transport):
    """The same confirmed delete sent to both servers at once, five times each: it runs once."""
    hosted = {"redis_url": redis_url, "confirm_secret": SECRET}
    first, second = make_server(**hosted), make_server(**hosted)
    async with Client(first) as setup:
        created = await setup.call_tool(
            "create_webhook", {"target": "https://example.com/hook", "secret": "s3cret-value-for-tests", "triggers": ["ALL"]}
        )
    webhook = {"webhook_id": created.structured_content["webhook"]["id"]}
    results = []
    async with Client(first, mode="legacy") as on_first, Client(second, mode="legacy") as on_second:
        preview = (await on_first.call_tool("delete_webhook", webhook)).structured_content
        token = {**webhook, "confirmation_token": preview["confirmation_token"]}

        async def confirm(client: Client) -> None:
            results.append(await client.call_tool("delete_webhook", token))

        async with anyio.create_task_group() as group:
            for client in (on_second, on_first) * 5:
                group.start_soon(confirm, client)
    assert preview["status"] == "confirmation_required"
    done = [r for r in results if not r.is_error]
    assert len(done) == 1 and done[0].structured_content["status"] == "done"
    # The others: refused by the shared ledger, or by the API once the webhook was gone.
    assert {r.structured_content["error"]["errorCode"] for r in results if r.is_error} <= {"confirmation_refused", "webhook_not_found"}
    assert sum(r.method == "DELETE" for r in sandbox_transport.requests) == 1
