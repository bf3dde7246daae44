"""Sandbox application: routing errors, state ownership and independence from the client."""

import ast
import pathlib

import httpx2
import pytest

import sinch_provisioning_mcp.sandbox as sandbox
from sinch_provisioning_mcp.sandbox import (
    SANDBOX_KEY_ID,
    SANDBOX_KEY_SECRET,
    SANDBOX_PROJECT_ID,
    SandboxState,
    create_app,
)
from sinch_provisioning_mcp.sandbox.values import iso8601
from sinch_provisioning_mcp.sandbox.webhooks import WEBHOOKS

KEY = (SANDBOX_KEY_ID, SANDBOX_KEY_SECRET)
HOOK = {"target": "https://hooks.example.com/", "secret": "s", "triggers": ["ALL"]}


def client_for(app) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://sandbox", auth=KEY)


def test_public_constants_are_the_agreed_ones():
    assert (sandbox.SANDBOX_KEY_ID, sandbox.SANDBOX_KEY_SECRET, sandbox.SANDBOX_PROJECT_ID) == (
        "sandbox-key-id",
        "sandbox-key-secret",
        "sandbox-project",
    )


@pytest.mark.parametrize("path", ["/", "/v2/projects/p/webhooks", "/v1/projects/p/nothing", "/v1/projects/p/rcs"])
async def test_unknown_routes_are_json_404(path):
    async with client_for(create_app()) as client:
        response = await client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json()["errorCode"] == "not_found"
    assert response.json()["resolution"]


async def test_each_app_gets_fresh_state():
    async with client_for(create_app()) as first, client_for(create_app()) as second:
        assert (await first.post("/v1/projects/fresh-project/webhooks", json=HOOK)).status_code == 201
        listed = (await second.get("/v1/projects/fresh-project/webhooks")).json()
    assert listed["totalSize"] == 0


async def test_apps_given_the_same_state_share_it():
    state = SandboxState()
    async with client_for(create_app(state)) as first, client_for(create_app(state)) as second:
        created = (await first.post("/v1/projects/shared/webhooks", json=HOOK)).json()
        fetched = await second.get(f"/v1/projects/shared/webhooks/{created['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == created
    assert state.project("shared").collection(WEBHOOKS).get(created["id"]).data["secret"] == "s"


async def test_only_the_default_project_is_seeded_with_an_rcs_account():
    state = SandboxState(clock=lambda: 0.0)
    async with client_for(create_app(state)) as first, client_for(create_app(state)) as second:
        seeded = (await first.get(f"/v1/projects/{SANDBOX_PROJECT_ID}/rcs/activities")).json()
        # A second app on the same state does not seed the account again.
        assert (await second.get(f"/v1/projects/{SANDBOX_PROJECT_ID}/rcs/activities")).json() == seeded
        elsewhere = await first.get("/v1/projects/anything-else/rcs/activities")
    assert seeded["notifications"] == [{"type": "CREATED", "created": "1970-01-01T00:00:00.000Z", "author": "Sinch"}]
    assert elsewhere.status_code == 404


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        (0.0, "1970-01-01T00:00:00.000Z"),
        (1674133868.204, "2023-01-19T13:11:08.204Z"),
        (1.9996, "1970-01-01T00:00:02.000Z"),
    ],
)
def test_timestamps_are_utc_iso8601_with_milliseconds(timestamp, expected):
    assert iso8601(timestamp) == expected


def test_sandbox_imports_nothing_from_the_client_side_of_the_package():
    forbidden = {"api", "server", "tools", "guardrails"}
    package_dir = pathlib.Path(sandbox.__file__).parent
    offenders = []
    for source in package_dir.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                parts = module.split(".")
                if node.level >= 2 and parts[0] in forbidden:
                    offenders.append((source.name, module))
                if parts[:1] == ["sinch_provisioning_mcp"] and len(parts) > 1 and parts[1] in forbidden:
                    offenders.append((source.name, module))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    parts = alias.name.split(".")
                    if parts[:1] == ["sinch_provisioning_mcp"] and len(parts) > 1 and parts[1] in forbidden:
                        offenders.append((source.name, alias.name))
    assert len(list(package_dir.glob("*.py"))) >= 5
    assert offenders == []
