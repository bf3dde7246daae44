"""Findings 2 and 3: what a secret argument may mask, what the redactor keeps, and the patterns it missed."""

from __future__ import annotations

import base64
import json

import httpx2
import pytest
from mcp import Client

from conftest import unfence
from sinch_provisioning_mcp.guardrails import redact
from sinch_provisioning_mcp.server.app import build_server
from sinch_provisioning_mcp.server.config import load_settings

KEY_ID = "sec-key-id-4f2a9c0b"
KEY_SECRET = "sec-key-secret-7d3b1e8a"
ISSUED = "sec-issued-oauth-token-0a9b8c7d6e5f"
BASIC_PAIR = base64.b64encode(f"{KEY_ID}:{KEY_SECRET}".encode()).decode()
CANARY = "canary-value-5e6f7a8b9c"
WEBHOOK = {"id": "01ARZ3NDEKTSV4RRFFQ69G5FAV", "target": "https://example.com/h", "projectId": "p1", "triggers": ["ALL"]}
# An error page cut at 200 characters just after the first 9 characters of the issued token.
CUT_PAGE = "upstream failure " + "x" * (200 - 9 - len("upstream failure ") - 1) + " " + ISSUED + " trailing"


def leaky_sinch(request: httpx2.Request) -> httpx2.Response:
    """A Sinch API that leaks: secrets under every spelling of a secret key, in headers and URLs, and echoed back."""
    if request.url.host == "auth.sinch.com":
        return httpx2.Response(200, json={"access_token": ISSUED, "expires_in": 3599})
    if request.method == "GET" and request.url.path.endswith("/webhooks"):
        leaky = {
            **WEBHOOK,
            "secretKey": f"{CANARY}-1",
            "passwords": [f"{CANARY}-2"],
            "pwd": f"{CANARY}-3",
            "cookies": f"{CANARY}-4",
            "debug": {
                "request": f"Cookie: session={CANARY}-5\nSet-Cookie: sid={CANARY}-6; HttpOnly",
                "callback": f"https://user:{CANARY}-7@hooks.example.com/x?sig={CANARY}-8&code={CANARY}-9&token={CANARY}-10",
                "credentials": BASIC_PAIR,
                "echo": f"auth was {BASIC_PAIR}",
                "headers": f"Authorization: {CANARY}-11\nProxy-Authorization: Digest {CANARY}-12",
            },
        }
        return httpx2.Response(200, json={"totalSize": 1, "pageSize": 15, "webhooks": [leaky]})
    if request.method == "POST" and request.url.path.endswith("/webhooks"):
        sent = json.loads(request.content)["secret"]
        return httpx2.Response(400, json={"errorCode": "invalid_input", "message": f"secret {sent} is weak", "resolution": ""})
    if request.method == "POST" and request.url.path.endswith("/comments"):
        return httpx2.Response(502, text=CUT_PAGE, headers={"content-type": "text/html"})
    return httpx2.Response(404, json={"errorCode": "not_found", "message": "no", "resolution": ""})


@pytest.fixture
def leaky_server(monkeypatch):
    for name, value in {"SINCH_PROJECT_ID": "p1", "SINCH_KEY_ID": KEY_ID, "SINCH_KEY_SECRET": KEY_SECRET}.items():
        monkeypatch.setenv(name, value)
    return build_server(load_settings(), transport=httpx2.MockTransport(leaky_sinch))


# --- finding 2: a secret argument masks nothing outside its own call ------------------------------


async def test_a_secret_argument_masks_nothing_outside_its_own_call(server):
    async with Client(server) as attacker:
        # Common strings passed as secrets, in calls that fail validation and in one that succeeds.
        for secret in ("sandbox-project", "ct1.", "confirmation_required"):
            refused = await attacker.call_tool("create_webhook", {"target": "ftp://x", "secret": secret, "triggers": ["ALL"]})
            assert refused.structured_content["error"]["errorCode"] == "invalid_arguments"
        own = await attacker.call_tool(
            "create_webhook", {"target": "https://example.com/own", "secret": "sandbox", "triggers": ["ALL"]}
        )
    async with Client(server) as victim:
        listed = await victim.call_tool("list_webhooks", {})
        webhook_id = listed.structured_content["webhooks"][0]["id"]
        preview = await victim.call_tool("delete_webhook", {"webhook_id": webhook_id})
        deleted = await victim.call_tool(
            "delete_webhook", {"webhook_id": webhook_id, "confirmation_token": preview.structured_content["confirmation_token"]}
        )
    # Short secrets are never matched inside text, even in their own call's result.
    assert not own.is_error and own.structured_content["environment"] == "sandbox"
    assert listed.structured_content["project_id"] == "sandbox-project" and "[redacted" not in listed.content[0].text
    assert preview.structured_content["status"] == "confirmation_required"
    assert preview.structured_content["confirmation_token"].startswith("ct1.")
    assert deleted.structured_content["status"] == "done"


async def test_a_secret_argument_is_masked_in_its_own_call(leaky_server):
    secret = "my-own-webhook-secret-31d4"
    async with Client(leaky_server) as client:
        echoed = await client.call_tool("create_webhook", {"target": "https://example.com/h", "secret": secret, "triggers": ["ALL"]})
    assert echoed.is_error and secret not in echoed.model_dump_json()
    error = echoed.structured_content["error"]
    assert error["message"] == f"secret [redacted …{secret[-4:]}] is weak"
    # The text is written from the redacted fields, not redacted on its own.
    assert error["message"] in echoed.content[0].text


# --- finding 3: bounded, and what the redactor used to miss ----------------------------------


async def test_an_oversized_secret_is_refused_before_anything_is_sent(server, sandbox_transport):
    async with Client(server) as client:
        refused = await client.call_tool(
            "create_webhook", {"target": "https://example.com/big", "secret": "s" * 20_000, "triggers": ["ALL"]}
        )
    assert refused.structured_content["error"]["problems"] == [{"field": "secret", "problem": "at most 128 characters"}]
    assert sandbox_transport.api_calls() == []


async def test_many_secret_arguments_leave_the_process_wide_secrets_as_they_were(server):
    secrets = [f"{n:04d}-" + "k" * 123 for n in range(200)]
    async with Client(server) as client:
        for secret in secrets:
            await client.call_tool("create_webhook", {"target": "https://example.com/x", "secret": secret, "triggers": ["NOPE"]})
        # Someone's target happens to contain a string that was once passed as a secret.
        created = await client.call_tool(
            "create_webhook", {"target": f"https://example.com/{secrets[0]}", "secret": "another-secret-77", "triggers": ["ALL"]}
        )
    assert unfence(created.structured_content["webhook"]["target"]) == f"https://example.com/{secrets[0]}"


def test_the_process_wide_secrets_are_bounded_by_construction():
    redactor, latest = redact.Redactor(), redact.MAX_ISSUED
    redactor.register_credential(KEY_SECRET)
    issued = [f"issued-{n:04d}-" + "t" * 20_000 for n in range(1000)]
    for token in issued:
        redactor.register_secret(token)
    shown = redactor.text(" ".join([KEY_SECRET, issued[0], *issued[-latest - 1 :]]))
    # The credential and the latest tokens stay masked; a token replaced long ago is no longer held.
    assert KEY_SECRET not in shown
    assert all(token not in shown for token in issued[-latest:])
    assert issued[0] in shown and issued[-latest - 1] in shown


async def test_keys_headers_urls_and_bare_basic_credentials_are_masked(leaky_server):
    async with Client(leaky_server) as client:
        result = await client.call_tool("list_webhooks", {})
    dumped = result.model_dump_json()
    assert not result.is_error
    for n in range(1, 13):
        assert f"{CANARY}-{n}" not in dumped, n
    assert BASIC_PAIR not in dumped and KEY_SECRET not in dumped


async def test_a_non_json_error_body_is_redacted_before_it_is_cut(leaky_server):
    async with Client(leaky_server) as client:
        result = await client.call_tool("add_rcs_account_comment", {"comment": "hello"})
    error = result.structured_content["error"]
    assert result.is_error and error["status"] == 502
    assert ISSUED[:9] not in result.model_dump_json()
    assert error["message"].startswith("upstream failure") and "[redacted" in error["message"]
