"""Hosted mode end to end: two server processes sharing one Redis and one standalone sandbox, reached
through a round-robin balancer without session affinity (tests/redis_support.py: each request goes to
the next replica). The tests run in this file's order: the token count first, Redis's restart last."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from conftest import answering
from http_support import Served, child_env, serving
from redis_support import RedisServer, RoundRobin, free_port, start_redis
from test_guide import TEMPLATE, WAIT
from sinch_provisioning_mcp.api.events import sign
from sinch_provisioning_mcp.sandbox import FIXTURE_WEBHOOK_ID, SANDBOX_KEY_ID, SANDBOX_KEY_SECRET, SANDBOX_PROJECT_ID
from sinch_provisioning_mcp.server.toolsets import select_tools

CONFIRM_SECRET = "hosted-confirm-secret-0123456789abcdef"
EVENTS_SECRET = "hosted-events-secret-0123456789"
BUNDLE = next(spec.example for spec in select_tools(None, read_only=False) if spec.name == "create_bundle")
SANDBOX_AUTH = (SANDBOX_KEY_ID, SANDBOX_KEY_SECRET)


@contextmanager
def standalone_sandbox() -> Iterator[str]:
    """`sinch-provisioning-mcp sandbox`: one simulated API for both replicas. Reviews take ten minutes unless
    the test moves its clock."""
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "sinch_provisioning_mcp", "sandbox", "--port", str(port), "--transition-delay", "600"],
        env=child_env(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx2.get(f"{origin}/_sandbox/tokens", auth=SANDBOX_AUTH, timeout=2).status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the standalone sandbox did not start")
            time.sleep(0.05)
        yield origin
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory) -> Iterator[RedisServer]:
    server = start_redis(tmp_path_factory)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def fleet(redis_server, tmp_path_factory) -> Iterator[tuple[str, list[Served]]]:
    """The sandbox's origin and the two replicas."""
    with standalone_sandbox() as origin, ExitStack() as stack:
        env = {
            "SINCH_PROVISIONING_URL": origin,
            "SINCH_AUTH_URL": f"{origin}/oauth2/token",
            "SINCH_ALLOW_LOOPBACK": "1",
            "SINCH_PROJECT_ID": SANDBOX_PROJECT_ID,
            "SINCH_KEY_ID": SANDBOX_KEY_ID,
            "SINCH_KEY_SECRET": SANDBOX_KEY_SECRET,
            "SINCH_MCP_REDIS_URL": redis_server.url,
            "SINCH_MCP_CONFIRM_SECRET": CONFIRM_SECRET,
            "SINCH_MCP_EVENTS_SECRET": EVENTS_SECRET,
        }
        logs = tmp_path_factory.mktemp("replicas")
        replicas = [stack.enter_context(serving(logs, env=env)) for _ in range(2)]
        yield origin, replicas


def balanced(replicas: list[Served], **options) -> tuple[Client, RoundRobin]:
    """An MCP client whose requests alternate between the replicas, and the balancer (which saw where each went)."""
    balancer = RoundRobin(*(replica.port for replica in replicas))
    http = httpx2.AsyncClient(transport=balancer, timeout=30)
    return Client(streamable_http_client(replicas[0].url(), http_client=http), **options), balancer


def tokens_issued(origin: str) -> int:
    return httpx2.get(f"{origin}/_sandbox/tokens", auth=SANDBOX_AUTH).json()["issued"]


def deliver(replica: Served, document: dict, nonce: str) -> httpx2.Response:
    """What Sinch would post to a replica's /events."""
    body, stamp = json.dumps(document).encode(), str(int(time.time()))
    headers = {
        "x-sinch-webhook-signature": sign(EVENTS_SECRET, body, nonce, stamp),
        "x-sinch-webhook-signature-nonce": nonce,
        "x-sinch-webhook-signature-timestamp": stamp,
        "content-type": "application/json",
    }
    return httpx2.post(replica.url("/events"), content=body, headers=headers)


async def test_one_token_fetch_serves_both_replicas(fleet):
    origin, replicas = fleet
    results = []

    async def read(replica: Served) -> None:
        async with Client(replica.url(), mode="legacy") as client:
            results.append(await client.call_tool("get_webhook", {"webhook_id": FIXTURE_WEBHOOK_ID}))

    async with anyio.create_task_group() as group:
        for replica in replicas * 3:
            group.start_soon(read, replica)
    assert len(results) == 6 and not any(result.is_error for result in results)
    assert tokens_issued(origin) == 1


@pytest.mark.parametrize("mode", ["legacy", "2026-07-28"])
async def test_any_replica_serves_any_request_without_session_affinity(fleet, mode):
    _, replicas = fleet
    client, _ = balanced(replicas, mode=mode)
    async with client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
        created = await client.call_tool(
            "create_webhook", {"target": f"https://example.com/balanced/{mode}", "secret": "s3cret-value-for-tests", "triggers": ["ALL"]}
        )
        read = await client.call_tool("get_webhook", {"webhook_id": created.structured_content["webhook"]["id"]})
    assert {"create_webhook", "wait_for_state", "list_provisioning_events"} <= tools
    assert not created.is_error and not read.is_error and read.structured_content["webhook"]["id"] == created.structured_content["webhook"]["id"]


async def test_a_token_confirmed_on_one_replica_is_refused_on_the_other(fleet):
    _, (first, second) = fleet
    async with Client(first.url(), mode="legacy") as on_first, Client(second.url(), mode="legacy") as on_second:
        before = (await on_first.call_tool("list_bundles", {})).structured_content
        preview = (await on_first.call_tool("create_bundle", BUNDLE)).structured_content
        confirmed = {**BUNDLE, "confirmation_token": preview["confirmation_token"]}
        done = await on_second.call_tool("create_bundle", confirmed)
        replayed = await on_first.call_tool("create_bundle", confirmed)
        after = (await on_second.call_tool("list_bundles", {})).structured_content
    assert preview["status"] == "confirmation_required"
    assert not done.is_error and done.structured_content["status"] == "done"
    assert replayed.is_error and replayed.structured_content["error"]["errorCode"] == "confirmation_refused"
    assert "already used" in replayed.structured_content["error"]["message"]
    assert len(after["bundles"]) == len(before["bundles"]) + 1


async def test_a_question_asked_by_one_replica_is_answered_on_the_other(fleet):
    """Protocol 2026-07-28 carries the answer in a second request, which the balancer sends to the other
    replica: it opens the sealed state and renders the same question (fences included), so it is asked once."""
    _, replicas = fleet
    asked: list = []
    client, balancer = balanced(replicas, mode="2026-07-28", elicitation_callback=answering("accept", asked=asked))
    async with client:
        created = await client.call_tool(
            "create_webhook", {"target": "https://example.com/asked", "secret": "s3cret-value-for-tests", "triggers": ["ALL"]}
        )
        webhook_id = created.structured_content["webhook"]["id"]
        sent_before = len(balancer.sent)
        deleted = await client.call_tool("delete_webhook", {"webhook_id": webhook_id})
        rounds = balancer.sent[sent_before:]
        gone = await client.call_tool("get_webhook", {"webhook_id": webhook_id})
    assert not deleted.is_error and deleted.structured_content["status"] == "done"
    assert len(asked) == 1 and "untrusted-data" in asked[0].message
    assert len(set(rounds)) == 2  # the question and its answer went to different replicas
    assert gone.is_error


async def test_an_event_received_by_one_replica_wakes_a_wait_on_the_other(fleet):
    origin, (waiting, receiving) = fleet
    polled = anyio.Event()
    polls: list[str] = []

    async def progress(value: float, total: float | None, message: str | None) -> None:
        polls.append(message or "")
        if len(polls) == 2:
            polled.set()

    results = []
    async with Client(waiting.url(), mode="legacy") as client:
        assert not (await client.call_tool("create_whatsapp_template", TEMPLATE)).is_error

        async def wait() -> None:
            results.append(await client.call_tool("wait_for_state", {**WAIT, "timeout_seconds": 60}, progress_callback=progress))

        async with anyio.create_task_group() as group:
            group.start_soon(wait)
            await polled.wait()  # the second poll (at one second) saw IN_PROGRESS; the next one is two seconds away
            started = time.monotonic()
            httpx2.post(f"{origin}/_sandbox/clock/advance", json={"seconds": 601}, auth=SANDBOX_AUTH).raise_for_status()
            event = {"type": "WHATSAPP_TEMPLATE_APPROVED", "payload": {"name": "order_ready", "language": "EN_US"}}
            assert deliver(receiving, event, nonce="approved-1").status_code == 204
    body = results[0].structured_content
    assert body["reached"] is True and body["state"] == "APPROVED"
    assert polls[:2] == ["whatsapp_template is IN_PROGRESS"] * 2
    # The next poll was two seconds away: the event, received by the other replica, ended the wait.
    assert time.monotonic() - started < 1.5
    async with Client(waiting.url(), mode="legacy") as client:
        listed = (await client.call_tool("list_provisioning_events", {"trigger": "WHATSAPP_TEMPLATE_APPROVED"})).structured_content
    assert len(listed["events"]) == 1
    assert deliver(waiting, event, nonce="approved-1").status_code == 401  # the same delivery, replayed to the other


async def test_with_redis_down_confirmations_are_refused_reads_work_and_it_recovers_without_restart(fleet, redis_server):
    origin, replicas = fleet
    redis_server.stop()
    try:
        for replica in replicas:
            unready = httpx2.get(replica.url("/readyz"))
            assert unready.status_code == 503 and unready.json()["reasons"] == ["shared state (Redis) unreachable"]
        client, _ = balanced(replicas, mode="legacy")
        async with client:
            read = await client.call_tool("get_webhook", {"webhook_id": FIXTURE_WEBHOOK_ID})
            refused = await client.call_tool("delete_webhook", {"webhook_id": FIXTURE_WEBHOOK_ID})
            still = await client.call_tool("get_webhook", {"webhook_id": FIXTURE_WEBHOOK_ID})
        assert not read.is_error and not still.is_error
        error = refused.structured_content["error"]
        assert refused.is_error and error["errorCode"] == "confirmation_refused"
        assert "shared confirmation ledger (Redis) is unreachable" in error["message"] and "nothing was changed" in error["message"]
        assert deliver(replicas[1], {"type": "BUNDLE_DONE", "payload": {}}, nonce="while-down").status_code == 503
    finally:
        redis_server.start()
    deadline = time.monotonic() + 15
    while not all(httpx2.get(replica.url("/readyz")).status_code == 200 for replica in replicas):
        assert time.monotonic() < deadline, "a replica did not become ready again"
        time.sleep(0.1)
    (first, second) = replicas
    async with Client(first.url(), mode="legacy") as on_first, Client(second.url(), mode="legacy") as on_second:
        preview = (await on_first.call_tool("delete_webhook", {"webhook_id": FIXTURE_WEBHOOK_ID})).structured_content
        done = await on_second.call_tool(
            "delete_webhook", {"webhook_id": FIXTURE_WEBHOOK_ID, "confirmation_token": preview["confirmation_token"]}
        )
    assert not done.is_error and done.structured_content["status"] == "done"
    assert tokens_issued(origin) == 1  # each replica kept its copy of the one token through the outage
