"""Speed of what agents wait on, measured with pytest-benchmark (`make bench`), never asserted in tests."""

from __future__ import annotations

import anyio
import httpx
from mcp import Client

from sinch_provisioning_mcp.guardrails.redact import REDACTOR
from sinch_provisioning_mcp.sandbox import create_app
from sinch_provisioning_mcp.server.app import build_server
from sinch_provisioning_mcp.server.config import load_settings


def sandbox_server():
    return build_server(load_settings(sandbox=True), transport=httpx.ASGITransport(app=create_app()))


def test_connect_and_list_tools(benchmark):
    async def session():
        async with Client(sandbox_server()) as client:
            return await client.list_tools()

    assert benchmark(lambda: anyio.run(session)).tools


def test_webhook_lifecycle_with_token_confirmation(benchmark):
    server = sandbox_server()

    async def lifecycle():
        async with Client(server) as client:
            created = await client.call_tool(
                "create_webhook", {"target": "https://example.com/bench", "secret": "bench-secret-1234", "triggers": ["ALL"]}
            )
            webhook_id = created.structured_content["webhook"]["id"]
            preview = await client.call_tool("delete_webhook", {"webhook_id": webhook_id})
            token = preview.structured_content["confirmation_token"]
            return await client.call_tool("delete_webhook", {"webhook_id": webhook_id, "confirmation_token": token})

    assert benchmark(lambda: anyio.run(lifecycle)).structured_content["status"] == "done"


def test_redaction_of_a_large_result(benchmark):
    REDACTOR.register_secret("bench-known-secret-value-0123456789")
    document = {
        "items": [
            {"id": n, "authToken": f"tok-{n:06d}-abcdefghijkl", "note": "seen bench-known-secret-value-0123456789 here"}
            for n in range(2000)
        ]
    }
    redacted = benchmark(REDACTOR.data, document)
    assert redacted["items"][0]["authToken"].startswith("[redacted")
