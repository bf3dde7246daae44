"""Compact mode: three tools, the same guardrails as the typed tools."""

from __future__ import annotations

from mcp import Client
from mcp_types import ElicitResult

from conftest import unfence
from sinch_provisioning_mcp.server.app import build_server
from sinch_provisioning_mcp.server.config import load_settings


def compact(sandbox_transport, **settings):
    return build_server(load_settings(sandbox=True, mode="compact", **settings), transport=sandbox_transport)


async def create_webhook(client: Client, target: str = "https://example.com/compact") -> str:
    created = await client.call_tool(
        "call_operation",
        {"name": "create_webhook", "arguments": {"target": target, "secret": "compact-secret-123", "triggers": ["ALL"]}},
    )
    assert not created.is_error, created.content[0].text
    return created.structured_content["webhook"]["id"]


async def test_search_describe_call(sandbox_transport):
    async with Client(compact(sandbox_transport)) as client:
        found = (await client.call_tool("search_operations", {"query": "remove a webhook"})).structured_content
        described = (await client.call_tool("describe_operation", {"name": "create_webhook"})).structured_content
        webhook_id = await create_webhook(client)
        got = await client.call_tool("call_operation", {"name": "get_webhook", "arguments": {"webhook_id": webhook_id}})
    assert found["operations"][0].startswith("delete_webhook (destructive)")
    operation = described["operation"]
    assert operation["operation"] == "POST /v1/projects/{projectId}/webhooks"
    assert operation["input_schema"]["required"] == ["target", "secret", "triggers"]
    assert operation["effect"] == "write" and "example" in operation
    assert unfence(got.structured_content["webhook"]["target"]) == "https://example.com/compact"


async def test_a_delete_through_compact_mode_asks_for_confirmation(sandbox_transport):
    asked = []

    async def decline(context, params):
        asked.append(params.message)
        return ElicitResult(action="decline")

    server = compact(sandbox_transport)
    async with Client(server) as plain:
        webhook_id = await create_webhook(plain)
        preview = await plain.call_tool("call_operation", {"name": "delete_webhook", "arguments": {"webhook_id": webhook_id}})
    async with Client(server, elicitation_callback=decline) as eliciting:
        declined = await eliciting.call_tool("call_operation", {"name": "delete_webhook", "arguments": {"webhook_id": webhook_id}})
    async with Client(server) as plain:
        token = preview.structured_content["confirmation_token"]
        done = await plain.call_tool(
            "call_operation", {"name": "delete_webhook", "arguments": {"webhook_id": webhook_id, "confirmation_token": token}}
        )
    assert preview.structured_content["status"] == "confirmation_required"
    assert declined.structured_content["status"] == "declined" and webhook_id in asked[0]
    assert done.structured_content["status"] == "done" and done.structured_content["verified"]["ok"]
    assert [r.method for r in sandbox_transport.requests].count("DELETE") == 1


async def test_a_compact_mode_token_confirms_the_same_call_on_the_typed_tool(sandbox_transport, tmp_path):
    """Tokens bind tool, project, arguments and state, not the mode (servers sharing a confirm secret and a ledger)."""
    shared = {"confirm_secret": "a-confirm-secret-shared-by-both-servers", "state_dir": str(tmp_path)}
    async with Client(compact(sandbox_transport, **shared)) as client:
        webhook_id = await create_webhook(client)
        token = (
            await client.call_tool("call_operation", {"name": "delete_webhook", "arguments": {"webhook_id": webhook_id}})
        ).structured_content["confirmation_token"]
    typed = build_server(load_settings(sandbox=True, **shared), transport=sandbox_transport)
    async with Client(typed) as client:
        done = await client.call_tool("delete_webhook", {"webhook_id": webhook_id, "confirmation_token": token})
    assert done.structured_content["status"] == "done"


async def test_bad_arguments_are_refused_naming_the_field(sandbox_transport):
    async with Client(compact(sandbox_transport)) as client:
        bad = await client.call_tool(
            "call_operation", {"name": "create_webhook", "arguments": {"target": "https://example.com/x", "triggers": ["ALL", "BUNDLE_DONE"]}}
        )
        unknown = await client.call_tool("call_operation", {"name": "delete_everything", "arguments": {}})
        not_an_object = await client.call_tool("call_operation", {"name": "list_webhooks", "arguments": "all"})
    problems = {p["field"]: p["problem"] for p in bad.structured_content["error"]["problems"]}
    assert problems["secret"] == "required" and "ALL" in problems["triggers"]
    assert unknown.is_error and "delete_everything" in unknown.content[0].text
    assert not_an_object.is_error and not_an_object.structured_content["error"]["problems"][0]["field"] == "arguments"
    assert sandbox_transport.api_calls() == []


async def test_read_only_compact_mode_cannot_reach_a_write(sandbox_transport):
    async with Client(compact(sandbox_transport, read_only=True)) as client:
        refused = await client.call_tool(
            "call_operation",
            {"name": "create_webhook", "arguments": {"target": "https://example.com/x", "secret": "abcdefgh", "triggers": ["ALL"]}},
        )
        found = (await client.call_tool("search_operations", {"query": "create webhook"})).structured_content
    assert refused.is_error and "not a served operation" in refused.structured_content["error"]["problems"][0]["problem"]
    assert all("(read)" in line for line in found["operations"])
    assert sandbox_transport.api_calls() == []
