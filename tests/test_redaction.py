"""Secret redaction of results, errors and logs, with canaries planted in the API's answers."""

from __future__ import annotations

import json
import logging

import httpx2
import pytest
from mcp import Client

from conftest import unfence
from sinch_provisioning_mcp.server.app import build_server
from sinch_provisioning_mcp.server.config import load_settings
from sinch_provisioning_mcp.server.logs import configure_logging

KEY_ID = "canary-key-id-5c1d"
KEY_SECRET = "canary-key-secret-9e8f7a6b5c4d"
ISSUED_TOKEN = "canary-issued-oauth-token-0a1b2c3d4e5f"
AUTH_TOKEN = "canary-rcs-auth-token-aaaabbbbcccc1111"
CLIENT_SECRET = "canary-client-secret-ddddeeeeffff2222"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.c2lnbmF0dXJlLWNhbmFyeQ"
WEBHOOK_SECRET = "canary-webhook-secret-77778888"
ALL_CANARIES = (KEY_SECRET, ISSUED_TOKEN, AUTH_TOKEN, CLIENT_SECRET, JWT, WEBHOOK_SECRET)

WEBHOOK = {"id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "target": "https://example.com/h", "projectId": "p1", "triggers": ["ALL"]}


def fake_sinch(request: httpx2.Request) -> httpx2.Response:
    if request.url.host == "auth.sinch.com":
        return httpx2.Response(200, json={"access_token": ISSUED_TOKEN, "expires_in": 3599, "token_type": "bearer"})
    path = request.url.path
    if request.method == "GET" and path.endswith("/webhooks"):
        leaky = {**WEBHOOK, "authToken": AUTH_TOKEN, "nested": {"clientSecret": CLIENT_SECRET, "note": f"jwt {JWT}"}}
        return httpx2.Response(200, json={"totalSize": 1, "pageSize": 15, "webhooks": [leaky]})
    if request.method == "POST" and path.endswith("/webhooks"):
        return httpx2.Response(
            400,
            json={
                "errorCode": "invalid_input",
                "message": f"rejected key {KEY_SECRET} with Authorization: Bearer {ISSUED_TOKEN}",
                "resolution": f"secret was {WEBHOOK_SECRET}",
                "additionalInformation": {"password": ["hunter2-canary-value"], "echo": [JWT]},
            },
        )
    return httpx2.Response(404, json={"errorCode": "not_found", "message": "no", "resolution": ""})


@pytest.fixture
def leaky_server(monkeypatch):
    monkeypatch.setenv("SINCH_PROJECT_ID", "p1")
    monkeypatch.setenv("SINCH_KEY_ID", KEY_ID)
    monkeypatch.setenv("SINCH_KEY_SECRET", KEY_SECRET)
    return build_server(load_settings(), transport=httpx2.MockTransport(fake_sinch))


@pytest.fixture
def stderr_logs(capsys):
    """Call it in the test body: the server's own logging set-up, writing to the captured stderr."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level

    def start():
        configure_logging("DEBUG")
        return capsys

    yield start
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)


async def test_secret_values_in_api_answers_are_masked(leaky_server):
    async with Client(leaky_server) as client:
        result = await client.call_tool("list_webhooks", {})
    dumped = result.model_dump_json()
    assert not result.is_error
    for canary in (AUTH_TOKEN, CLIENT_SECRET, JWT):
        assert canary not in dumped
    webhook = result.structured_content["webhooks"][0]
    assert webhook["authToken"] == f"[redacted …{AUTH_TOKEN[-4:]}]"
    assert webhook["nested"]["clientSecret"].endswith(CLIENT_SECRET[-4:] + "]")
    assert unfence(webhook["target"]) == "https://example.com/h"  # ordinary data untouched
    assert json.loads(result.content[0].text)["webhooks"][0]["authToken"].startswith("[redacted")


async def test_credentials_and_tokens_inside_error_text_are_masked(leaky_server):
    async with Client(leaky_server) as client:
        result = await client.call_tool(
            "create_webhook", {"target": "https://example.com/h", "secret": WEBHOOK_SECRET, "triggers": ["ALL"]}
        )
    assert result.is_error
    dumped = result.model_dump_json()
    for canary in (*ALL_CANARIES, "hunter2-canary-value"):
        assert canary not in dumped
    error = result.structured_content["error"]
    assert error["errorCode"] == "invalid_input" and "rejected key" in error["message"]


async def test_logs_go_to_stderr_redacted_one_line_per_api_call(leaky_server, stderr_logs):
    capture = stderr_logs()
    async with Client(leaky_server) as client:
        await client.call_tool("list_webhooks", {})
        await client.call_tool(
            "create_webhook", {"target": "https://example.com/h", "secret": WEBHOOK_SECRET, "triggers": ["ALL"]}
        )
    captured = capture.readouterr()
    assert captured.out == ""
    calls = [json.loads(line[line.index("{"):]) for line in captured.err.splitlines() if " sinch_provisioning_mcp.api {" in line]
    assert [(c["method"], c["path"], c["status"], c["attempt"]) for c in calls] == [
        ("GET", "/v1/projects/{projectId}/webhooks", 200, 1),
        ("POST", "/v1/projects/{projectId}/webhooks", 400, 1),
    ]
    for canary in (*ALL_CANARIES, KEY_ID):
        assert canary not in captured.err


async def test_log_records_naming_a_secret_are_masked(leaky_server, stderr_logs):
    capture = stderr_logs()
    async with Client(leaky_server) as client:
        await client.call_tool("list_webhooks", {})  # registers the issued token
    logging.getLogger("anything").warning("upstream said %s and %s", ISSUED_TOKEN, f"Bearer {JWT}")
    err = capture.readouterr().err
    assert ISSUED_TOKEN not in err and JWT not in err and "upstream said [redacted" in err
