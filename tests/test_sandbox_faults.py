"""Sandbox faults: each kind, seen over HTTP and by the project's own client."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import httpx2
import pytest
import uvicorn

from sinch_provisioning_mcp.api import operations as ops
from sinch_provisioning_mcp.api.client import ProvisioningClient
from sinch_provisioning_mcp.api.connect import open_client
from sinch_provisioning_mcp.api.errors import ApiError, AuthError, OutcomeUnknownError
from sinch_provisioning_mcp.sandbox import SANDBOX_KEY_ID, SANDBOX_KEY_SECRET, SandboxState, create_app
from sinch_provisioning_mcp.sandbox.faults import Fault

KEY = (SANDBOX_KEY_ID, SANDBOX_KEY_SECRET)
PROJECT = "fault-project"
WEBHOOKS = f"/v1/projects/{PROJECT}/webhooks"
HOOK = {"target": "https://hooks.example.com/f", "secret": "s", "triggers": ["ALL"]}


@pytest.fixture
def state() -> SandboxState:
    return SandboxState(fault_seed=7)


@pytest.fixture
async def client(state):
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=create_app(state)), base_url="http://sandbox", auth=KEY
    ) as http:
        yield http


async def add(client: httpx2.AsyncClient, **fault) -> dict:
    response = await client.post("/_sandbox/faults", json=fault)
    assert response.status_code == 201, response.text
    return response.json()


class NoSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@asynccontextmanager
async def project_client(
    state: SandboxState, sleep: NoSleep, transport: httpx2.AsyncBaseTransport | None = None
) -> AsyncIterator[ProvisioningClient]:
    """The project's own client on the sandbox serving `state` (through `transport` if given)."""
    origin = "http://sandbox.invalid"
    async with open_client(
        base_url=origin,
        auth_url=f"{origin}/oauth2/token",
        key_id=SANDBOX_KEY_ID,
        key_secret=SANDBOX_KEY_SECRET,
        transport=transport or httpx2.ASGITransport(app=create_app(state)),
        extra_origins=frozenset({origin}),
    ) as client:
        client._sleep = sleep  # type: ignore[attr-defined]  # retries recorded, never waited
        yield client


@pytest.mark.parametrize(
    ("status", "code"),
    [(429, "too_many_requests"), (500, "internal_error"), (502, "bad_gateway"), (503, "service_unavailable")],
)
async def test_status_faults_answer_in_the_papi_shape_then_stop(client, status, code):
    await add(client, kind="status", status=status, count=1)
    faulted = await client.get(WEBHOOKS)
    assert faulted.status_code == status
    assert faulted.json()["errorCode"] == code and faulted.json()["resolution"]
    assert "retry-after" not in faulted.headers
    assert (await client.get(WEBHOOKS)).status_code == 200
    assert (await client.get("/_sandbox/faults")).json() == {"faults": []}


async def test_429_with_retry_after_is_honoured_by_the_project_client(state):
    state.faults.add(Fault("status", status=429, retry_after=2, count=2))
    sleep = NoSleep()
    async with project_client(state, sleep) as client:
        assert await client.call(ops.LIST_WEBHOOKS, PROJECT) == {"totalSize": 0, "pageSize": 15, "webhooks": []}
    assert sleep.delays == [2.0, 2.0]


async def test_a_fault_targets_one_operation_by_method_and_path_template(client):
    created = (await client.post(WEBHOOKS, json=HOOK)).json()
    await add(client, kind="status", status=503, method="GET", path="/v1/projects/{projectId}/webhooks/{webhookId}")
    assert (await client.get(f"{WEBHOOKS}/{created['id']}")).status_code == 503
    assert (await client.get(f"/v1/projects/other/webhooks/{created['id']}")).status_code == 503
    assert (await client.get(WEBHOOKS)).status_code == 200  # another path
    assert (await client.delete(f"{WEBHOOKS}/{created['id']}")).status_code == 204  # another method


async def test_a_global_fault_hits_the_api_but_not_tokens_or_controls(client):
    fault = await add(client, kind="status", status=500)
    assert fault["count"] is None  # until removed
    assert (await client.get(WEBHOOKS)).status_code == 500
    assert (await client.post(WEBHOOKS, json=HOOK)).status_code == 500
    token = await client.post("/oauth2/token", data={"grant_type": "client_credentials"})
    assert token.status_code == 200
    assert (await client.delete(f"/_sandbox/faults/{fault['id']}")).status_code == 204
    assert (await client.get(WEBHOOKS)).status_code == 200


async def test_the_token_endpoint_fails_when_named(state):
    state.faults.add(Fault("status", path="/oauth2/token", status=503, count=1))
    async with project_client(state, NoSleep()) as client:
        with pytest.raises(AuthError, match="HTTP 503"):
            await client.call(ops.LIST_WEBHOOKS, PROJECT)
        assert (await client.call(ops.LIST_WEBHOOKS, PROJECT))["totalSize"] == 0


async def test_probability_is_drawn_from_the_seeded_generator():
    async def pattern(seed: int) -> list[int]:
        state = SandboxState(fault_seed=seed)
        state.faults.add(Fault("status", status=503, probability=0.5))
        async with httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=create_app(state)), base_url="http://sandbox", auth=KEY
        ) as http:
            return [(await http.get(WEBHOOKS)).status_code for _ in range(40)]

    first = await pattern(3)
    assert first == await pattern(3)
    assert 5 < first.count(503) < 35
    assert first != await pattern(4)


async def test_a_delay_outlasts_a_short_timeout(client):
    await add(client, kind="delay", seconds=30, count=1)
    with anyio.move_on_after(0.05) as waited:
        await client.get(WEBHOOKS)
    assert waited.cancelled_caught
    with anyio.fail_after(5):
        assert (await client.get(WEBHOOKS)).status_code == 200


async def test_drop_closes_the_connection_before_the_request_is_handled(client):
    await add(client, kind="drop", method="POST", count=1)
    with pytest.raises(httpx2.RemoteProtocolError):
        await client.post(WEBHOOKS, json=HOOK)
    assert (await client.get(WEBHOOKS)).json()["totalSize"] == 0


async def test_drop_after_loses_the_answer_of_a_change_that_happened(state):
    state.faults.add(Fault("drop_after", method="POST", count=1))
    sleep = NoSleep()
    async with project_client(state, sleep) as client:
        with pytest.raises(OutcomeUnknownError):
            await client.call(ops.CREATE_WEBHOOK, PROJECT, body=HOOK)
        listed = await client.call(ops.LIST_WEBHOOKS, PROJECT)
    assert [hook["target"] for hook in listed["webhooks"]] == [HOOK["target"]]
    assert sleep.delays == []  # a POST whose answer was lost is never repeated


@pytest.mark.parametrize("kind", ["drop", "drop_after"])
async def test_over_a_real_socket_a_drop_closes_the_connection_mid_answer(state, kind):
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen()  # connections queue here until uvicorn accepts them: no wait for start-up
    port = listening.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(state), lifespan="off", log_config=None))
    state.faults.add(Fault(kind, method="POST", count=1))
    async with anyio.create_task_group() as group:
        group.start_soon(server.serve, [listening])
        async with httpx2.AsyncClient(base_url=f"http://127.0.0.1:{port}", auth=KEY) as http:
            with pytest.raises(httpx2.RemoteProtocolError):
                await http.post(WEBHOOKS, json=HOOK)
            listed = (await http.get(WEBHOOKS)).json()
        server.should_exit = True
    assert listed["totalSize"] == (1 if kind == "drop_after" else 0)


async def test_a_dropped_read_is_retried_by_the_project_client(state):
    state.faults.add(Fault("drop", method="GET", count=1))
    sleep = NoSleep()
    async with project_client(state, sleep) as client:
        assert (await client.call(ops.LIST_WEBHOOKS, PROJECT))["totalSize"] == 0
    assert len(sleep.delays) == 1


async def test_malformed_json_is_a_truncated_body(client, state):
    await add(client, kind="malformed_json", count=2)
    response = await client.get(WEBHOOKS)
    assert (response.status_code, response.headers["content-type"]) == (200, "application/json")
    with pytest.raises(ValueError):
        response.json()
    async with project_client(state, NoSleep()) as project:
        with pytest.raises(ApiError) as info:
            await project.call(ops.LIST_WEBHOOKS, PROJECT)
    assert info.value.error_code == "invalid_response"


async def test_an_html_error_page_as_a_gateway_sends_it(client, state):
    await add(client, kind="html", count=1)
    response = await client.get(WEBHOOKS)
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    assert "<title>502 Bad Gateway</title>" in response.text
    state.faults.add(Fault("html", status=504, method="POST", count=1))
    async with project_client(state, NoSleep()) as project:
        with pytest.raises(ApiError) as info:
            await project.call(ops.CREATE_WEBHOOK, PROJECT, body=HOOK)
    assert (info.value.status, info.value.error_code) == (504, "http_504")
    assert "504 Gateway Timeout" in info.value.message


async def test_expire_token_ends_the_token_in_use_and_the_client_refreshes_once(state):
    transport = httpx2.ASGITransport(app=create_app(state))
    tokens: list[str] = []

    class Recording(httpx2.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
            response = await transport.handle_async_request(request)
            if request.url.path == "/oauth2/token":
                await response.aread()
                tokens.append(response.json()["access_token"])
            return response

    async with project_client(state, NoSleep(), Recording()) as client:
        await client.call(ops.LIST_WEBHOOKS, PROJECT)
        state.faults.add(Fault("expire_token", count=1))
        await client.call(ops.LIST_WEBHOOKS, PROJECT)
    assert len(tokens) == 2
    async with httpx2.AsyncClient(transport=transport, base_url="http://sandbox") as raw:
        expired = await raw.get(WEBHOOKS, headers={"Authorization": f"Bearer {tokens[0]}"})
        fresh = await raw.get(WEBHOOKS, headers={"Authorization": f"Bearer {tokens[1]}"})
    assert 'error_description="Jwt is expired"' in expired.headers["www-authenticate"]
    assert fresh.status_code == 200


@pytest.mark.parametrize(
    ("fault", "problem"),
    [
        ({"kind": "explode"}, "kind must be one of the following values: status, delay"),
        ({"kind": "status", "status": 418}, "status faults answer one of [429, 500, 502, 503, 504]"),
        ({"kind": "status", "count": 0}, "count must not be less than 1"),
        ({"kind": "status", "probability": 1.5}, "probability must not be greater than 1"),
        ({"kind": "status", "probability": 0}, "probability must be in (0, 1]"),
        ({"kind": "delay", "seconds": -1}, "seconds must not be less than 0"),
        ({"kind": "drop", "path": "webhooks"}, "path must be a path template starting with /"),
        ({"kind": "drop", "method": "FETCH"}, "method must be one of the following values: GET, POST"),
        ({"kind": "drop", "path": "/_sandbox/faults"}, "the /_sandbox controls cannot fail"),
        ({"kind": "html", "status": 299}, "299 is not an HTTP status"),
    ],
)
async def test_bad_faults_are_refused(client, fault, problem):
    response = await client.post("/_sandbox/faults", json=fault)
    assert response.status_code == 400
    (message,) = response.json()["additionalInformation"]["validationErrors"]
    assert message.startswith(problem)
    assert (await client.get("/_sandbox/faults")).json() == {"faults": []}


async def test_faults_are_listed_and_cleared(client):
    first = await add(client, kind="status", status=429, retryAfter=3, method="GET", path="/v1/projects/{projectId}/webhooks")
    await add(client, kind="delay", seconds=0.5, count=2)
    listed = (await client.get("/_sandbox/faults")).json()["faults"]
    assert listed[0] == {
        "id": first["id"],
        "kind": "status",
        "method": "GET",
        "path": "/v1/projects/{projectId}/webhooks",
        "status": 429,
        "retryAfter": 3,
        "seconds": 0.0,
        "count": None,
        "probability": 1.0,
    }
    assert [fault["kind"] for fault in listed] == ["status", "delay"]
    assert (await client.delete("/_sandbox/faults")).status_code == 204
    assert (await client.get("/_sandbox/faults")).json() == {"faults": []}
    missing = await client.delete(f"/_sandbox/faults/{first['id']}")
    assert (missing.status_code, missing.json()["errorCode"]) == (404, "fault_not_found")
