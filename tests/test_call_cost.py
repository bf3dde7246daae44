"""What a call costs, held without timing anything (`make bench` times it): nothing imported per call,
one API client and token for every HTTP session, the HTTP transport options (JSON responses,
stateless mode, access log) and the per-call log line."""

from __future__ import annotations

import json
import logging
import sys
from contextlib import AsyncExitStack

import anyio
import httpx2
import pytest
from mcp import Client

from conftest import RecordingTransport, answering
from http_support import serving
from sinch_provisioning_mcp.api import client as api_client
from sinch_provisioning_mcp.api.operations import GET_WEBHOOK
from sinch_provisioning_mcp.guardrails import redact
from sinch_provisioning_mcp.sandbox import FIXTURE_WEBHOOK_ID
from sinch_provisioning_mcp.server.app import build_server
from sinch_provisioning_mcp.server.config import load_settings
from sinch_provisioning_mcp.server.http import build_app

PROTOCOL = "2025-06-18"
HEADERS = {"content-type": "application/json", "accept": "application/json, text/event-stream"}
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": PROTOCOL, "capabilities": {}, "clientInfo": {"name": "probe", "version": "1"}},
}
GET = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "get_webhook", "arguments": {"webhook_id": FIXTURE_WEBHOOK_ID}}}
JSON_RESPONSES = {"SINCH_MCP_HTTP_JSON_RESPONSE": "1"}
SECRET = "options-secret-0123456789"


def answer_of(response: httpx2.Response) -> dict:
    """The JSON-RPC answer, from a JSON body or from the SSE stream that carries it."""
    if response.headers["content-type"].startswith("text/event-stream"):
        return next(json.loads(line[5:]) for line in response.text.splitlines() if line.startswith("data:") and '"id"' in line)
    return response.json()


async def call_in_session(http: httpx2.AsyncClient) -> dict:
    """initialize, initialized, then get_webhook: what every client does, over raw JSON-RPC."""
    opened = await http.post("/mcp", json=INITIALIZE, headers=HEADERS)
    headers = {**HEADERS, "mcp-protocol-version": PROTOCOL}
    if "mcp-session-id" in opened.headers:
        headers["mcp-session-id"] = opened.headers["mcp-session-id"]
    await http.post("/mcp", json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=headers)
    return answer_of(await http.post("/mcp", json=GET, headers=headers))


class ImportSpy:
    """Sees every import that is not already done: each one searches sys.path, and a failing
    one does so again every time."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        self.names.append(name)


async def test_a_call_imports_nothing(server):
    """httpx2's ASGITransport (the embedded sandbox) imports sniffio on every request: it must be installed."""
    async with Client(server) as client:
        await client.call_tool("get_webhook", {"webhook_id": FIXTURE_WEBHOOK_ID})  # a first call may load what it needs
        spy = ImportSpy()
        sys.meta_path.insert(0, spy)
        try:
            for _ in range(3):
                assert not (await client.call_tool("get_webhook", {"webhook_id": FIXTURE_WEBHOOK_ID})).is_error
        finally:
            sys.meta_path.remove(spy)
    assert spy.names == []


@pytest.mark.parametrize("options", [{}, {"http_json_response": True}, {"http_stateless": True}])
async def test_every_http_session_shares_one_api_client_and_one_token(sandbox_transport: RecordingTransport, options):
    """The SDK enters the server's lifespan once for its session manager, not per session or per
    request: 25 concurrent sessions make one OAuth token request between them."""
    settings = load_settings(sandbox=True, **options)
    app = build_app(build_server(settings, transport=sandbox_transport), settings, "127.0.0.1", 8000)
    answers: list[dict] = []

    async def session(http: httpx2.AsyncClient) -> None:
        answers.append(await call_in_session(http))

    async with AsyncExitStack() as stack:
        await stack.enter_async_context(app.router.lifespan_context(app))
        http = await stack.enter_async_context(
            httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://127.0.0.1:8000")
        )
        async with anyio.create_task_group() as sessions:
            for _ in range(25):
                sessions.start_soon(session, http)
    assert len(answers) == 25 and all(answer["result"]["structuredContent"]["webhook"]["id"] == FIXTURE_WEBHOOK_ID for answer in answers)
    token_requests = [request for request in sandbox_transport.requests if request.url.path == "/oauth2/token"]
    assert len(token_requests) == 1


@pytest.mark.parametrize(
    ("options", "content_type", "session"),
    [
        ({}, "text/event-stream", True),
        (JSON_RESPONSES, "application/json", True),
        ({"SINCH_MCP_HTTP_STATELESS": "1"}, "text/event-stream", False),
        ({**JSON_RESPONSES, "SINCH_MCP_HTTP_STATELESS": "1"}, "application/json", False),
    ],
)
def test_json_responses_and_stateless_mode_serve_calls(tmp_path, options, content_type, session):
    with serving(tmp_path, "--sandbox", env=options) as served:
        opened = httpx2.post(served.url(), json=INITIALIZE, headers=HEADERS)
        headers = {**HEADERS, "mcp-protocol-version": PROTOCOL}
        if session:
            headers["mcp-session-id"] = opened.headers["mcp-session-id"]
        called = httpx2.post(served.url(), json=GET, headers=headers)
    assert ("mcp-session-id" in opened.headers) is session
    assert called.headers["content-type"].startswith(content_type)
    assert answer_of(called)["result"]["structuredContent"]["webhook"]["id"] == FIXTURE_WEBHOOK_ID


async def test_with_json_responses_a_client_of_the_handshake_era_confirms_by_token(tmp_path):
    """A JSON response has no channel for a question during the call (before protocol 2026-07-28,
    elicitation is a request of its own): the server does not ask, it hands out a token."""
    asked: list = []
    with serving(tmp_path, "--sandbox", env=JSON_RESPONSES) as served:
        async with Client(served.url(), mode="legacy", elicitation_callback=answering("accept", asked=asked)) as client:
            created = await client.call_tool("create_webhook", {"target": "https://example.com/json", "secret": SECRET, "triggers": ["ALL"]})
            arguments = {"webhook_id": created.structured_content["webhook"]["id"]}
            preview = await client.call_tool("delete_webhook", arguments)
            token = preview.structured_content["confirmation_token"]
            deleted = await client.call_tool("delete_webhook", {**arguments, "confirmation_token": token})
    assert not preview.is_error and preview.structured_content["status"] == "confirmation_required"
    assert deleted.structured_content["status"] == "done" and asked == []


async def test_with_sse_responses_the_same_client_is_asked(tmp_path):
    asked: list = []
    with serving(tmp_path, "--sandbox") as served:
        async with Client(served.url(), mode="legacy", elicitation_callback=answering("accept", asked=asked)) as client:
            created = await client.call_tool("create_webhook", {"target": "https://example.com/sse", "secret": SECRET, "triggers": ["ALL"]})
            deleted = await client.call_tool("delete_webhook", {"webhook_id": created.structured_content["webhook"]["id"]})
    assert deleted.structured_content["status"] == "done" and len(asked) == 1


@pytest.mark.parametrize(("access_log", "logged"), [("1", True), ("0", False)])
def test_the_access_log_line_per_request_can_be_turned_off(tmp_path, access_log, logged):
    env = {"SINCH_MCP_LOG_LEVEL": "INFO", "SINCH_MCP_HTTP_ACCESS_LOG": access_log}
    with serving(tmp_path, "--sandbox", env=env) as served:
        assert httpx2.post(served.url(), json=INITIALIZE, headers=HEADERS).status_code == 200
        log = served.log.read_text()
    assert ('"POST /mcp HTTP/1.1" 200' in log) is logged
    assert "StreamableHTTP session manager started" in log  # the server's own INFO lines stay


def test_the_api_call_line_is_not_even_built_when_info_is_off(monkeypatch):
    built: list = []
    monkeypatch.setattr(api_client.json, "dumps", lambda *args, **kwargs: built.append(args) or "{}")
    level = api_client.log.level
    try:
        api_client.log.setLevel(logging.WARNING)
        api_client._log_attempt(GET_WEBHOOK, 200, 0.0, 1)
        assert built == []
        api_client.log.setLevel(logging.INFO)
        api_client._log_attempt(GET_WEBHOOK, 200, 0.0, 1)
        assert len(built) == 1
    finally:
        api_client.log.setLevel(level)


def _every_pass(value: str) -> str:
    """The redactor's passes over text, each run whatever the text holds (as before the shortcuts)."""
    value = redact._AUTH_HEADER.sub(lambda m: f"{m.group(1)} {redact.mask(m.group(0).split()[-1])}", value)
    value = redact._SECRET_HEADER.sub(lambda m: f"{m.group(1)}[redacted]", value)
    value = redact._USERINFO.sub(lambda m: f"{m.group(1)}[redacted]@", value)
    value = redact._JWT.sub(lambda m: redact.mask(m.group(0)), value)
    value = redact._QUOTED_PAIR.sub(redact._mask_pair, value)
    return redact._BARE_PAIR.sub(redact._mask_param, value)


@pytest.mark.parametrize(
    "text",
    [
        "Authorization: Basic dXNlcjpwYXNzd29yZA==",
        "baſic dXNlcjpwYXNzd29yZA== (a long s, which IGNORECASE reads as s)",
        "BASıC dXNlcjpwYXNzd29yZA== (a dotless i, which IGNORECASE reads as i)",
        "proxy-AUTHOR\u0130ZAT\u0130ON: token-0123456789 (a dotted capital I)",
        "set-coo\u212aie: session=0123456789abcdef (a Kelvin sign, which IGNORECASE reads as k)",
        "https://user:pass@example.com/x?token=abcdef0123&sig=zz",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
        "{'clientSecret': 'abc', \"apiKey\": [\"k1\", \"k2\"], \"name\": \"x\"}",
        "01J00000000000000000WEBHK1",
        "a plain sentence, with no secret in it",
    ],
)
def test_the_redactors_shortcuts_change_nothing(text):
    """Each pattern runs only on text holding what it needs to match: the output is the same."""
    assert redact.REDACTOR._text(text, ()) == _every_pass(text)
