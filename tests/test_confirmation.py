"""The confirmation guardrail on destructive tools, through MCP client sessions."""

from __future__ import annotations

import pytest
from mcp import Client
from mcp_types import ElicitResult

from sinch_provisioning_mcp.api.operations import DELETE_WEBHOOK
from sinch_provisioning_mcp.server.registration import register
from sinch_provisioning_mcp.tools.base import Call, Consequences, Destructive, Toolset, Verification
from sinch_provisioning_mcp.tools.webhooks import Webhook

ERAS = ["legacy", "2026-07-28"]


async def new_webhook(client: Client, target: str = "https://example.com/hook") -> str:
    result = await client.call_tool(
        "create_webhook", {"target": target, "secret": "s3cret-value-for-tests", "triggers": ["ALL"]}
    )
    return result.structured_content["webhook"]["id"]


async def webhook_ids(client: Client, project_id: str | None = None) -> list[str]:
    args = {"project_id": project_id} if project_id else {}
    return [w["id"] for w in (await client.call_tool("list_webhooks", args)).structured_content["webhooks"]]


def answering(action: str, confirm: bool = True, asked: list | None = None):
    async def callback(context, params):
        if asked is not None:
            asked.append(params)
        return ElicitResult(action=action, content={"confirm": confirm} if action == "accept" else None)

    return callback


@pytest.mark.parametrize("era", ERAS)
async def test_elicitation_accept_deletes_and_verifies(server, era):
    asked: list = []
    async with Client(server) as setup:
        webhook_id = await new_webhook(setup)
    async with Client(server, mode=era, elicitation_callback=answering("accept", asked=asked)) as client:
        result = await client.call_tool("delete_webhook", {"webhook_id": webhook_id})
        remaining = await webhook_ids(client)
    body = result.structured_content
    assert not result.is_error and body["status"] == "done"
    assert body["verification"]["verified"] and "404" in body["verification"]["observed"]
    assert body["target"]["id"] == webhook_id and body["confirmation_token"] is None
    assert remaining == []
    message = asked[0].message
    for expected in ("sandbox-project", webhook_id, "https://example.com/hook", "stops posting"):
        assert expected in message


@pytest.mark.parametrize("era", ERAS)
@pytest.mark.parametrize(("action", "confirm", "status"), [("decline", True, "declined"), ("cancel", True, "cancelled"), ("accept", False, "declined")])
async def test_elicitation_refusal_changes_nothing(server, sandbox_transport, era, action, confirm, status):
    async with Client(server) as setup:
        webhook_id = await new_webhook(setup)
    async with Client(server, mode=era, elicitation_callback=answering(action, confirm)) as client:
        result = await client.call_tool("delete_webhook", {"webhook_id": webhook_id})
        remaining = await webhook_ids(client)
    assert not result.is_error
    assert result.structured_content["status"] == status
    assert remaining == [webhook_id]
    assert not any(r.method == "DELETE" for r in sandbox_transport.requests)


@pytest.mark.parametrize("era", ERAS)
async def test_missing_target_fails_with_the_api_error_before_asking(server, era):
    asked: list = []
    async with Client(server, mode=era, elicitation_callback=answering("accept", asked=asked)) as client:
        result = await client.call_tool("delete_webhook", {"webhook_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"})
    assert result.is_error
    assert result.structured_content["error"]["errorCode"] == "webhook_not_found"
    assert asked == []


async def test_token_flow_previews_then_deletes_once(server, sandbox_transport):
    async with Client(server) as client:
        webhook_id = await new_webhook(client)
        preview = (await client.call_tool("delete_webhook", {"webhook_id": webhook_id})).structured_content
        still_there = await webhook_ids(client)
        done = await client.call_tool(
            "delete_webhook", {"webhook_id": webhook_id, "confirmation_token": preview["confirmation_token"]}
        )
    assert preview["status"] == "confirmation_required"
    assert preview["preview"]["consequences"] and preview["token_expires_at"]
    assert preview["confirmation_token"].startswith("ct1.")  # returned as is, not redacted
    assert still_there == [webhook_id]
    assert done.structured_content["status"] == "done" and done.structured_content["verification"]["verified"]
    assert [r.method for r in sandbox_transport.requests if r.method == "DELETE"] == ["DELETE"]


async def test_token_for_other_arguments_is_refused(server):
    async with Client(server) as client:
        first = await new_webhook(client, "https://example.com/1")
        second = await new_webhook(client, "https://example.com/2")
        token = (await client.call_tool("delete_webhook", {"webhook_id": first})).structured_content["confirmation_token"]
        refused = await client.call_tool("delete_webhook", {"webhook_id": second, "confirmation_token": token})
        remaining = await webhook_ids(client)
    assert refused.is_error
    assert refused.structured_content["error"]["errorCode"] == "confirmation_refused"
    assert "not issued for this tool, project and arguments" in refused.content[0].text
    assert sorted(remaining) == sorted([first, second])


async def test_token_used_twice_on_a_live_target_is_refused(make_server):
    """Single use, shown on a target that still exists: the second redemption must fail on the token."""
    tool_calls: list[str] = []
    server = make_server()
    register(server, _test_tool("drop_thing", tool_calls))
    async with Client(server) as client:
        token = (await client.call_tool("drop_thing", {"name": "x"})).structured_content["confirmation_token"]
        first = await client.call_tool("drop_thing", {"name": "x", "confirmation_token": token})
        second = await client.call_tool("drop_thing", {"name": "x", "confirmation_token": token})
    assert first.structured_content["status"] == "done"
    assert second.is_error and "already used" in second.content[0].text
    assert tool_calls == ["sandbox-project:x"]


async def test_token_expires(make_server):
    now = [1_800_000_000.0]
    server = make_server(clock=lambda: now[0])
    async with Client(server) as client:
        webhook_id = await new_webhook(client)
        token = (await client.call_tool("delete_webhook", {"webhook_id": webhook_id})).structured_content["confirmation_token"]
        now[0] += 301
        expired = await client.call_tool("delete_webhook", {"webhook_id": webhook_id, "confirmation_token": token})
        remaining = await webhook_ids(client)
    assert expired.is_error and "expired" in expired.content[0].text
    assert remaining == [webhook_id]


async def test_forged_and_malformed_tokens_are_refused(server):
    async with Client(server) as client:
        webhook_id = await new_webhook(client)
        token = (await client.call_tool("delete_webhook", {"webhook_id": webhook_id})).structured_content["confirmation_token"]
        prefix, nonce, expiry, signature = token.split(".")
        forged_signature = f"{prefix}.{nonce}.{expiry}.{'0' * len(signature)}"
        longer_life = f"{prefix}.{nonce}.{int(expiry) + 3600}.{signature}"
        results = [
            await client.call_tool("delete_webhook", {"webhook_id": webhook_id, "confirmation_token": bad})
            for bad in (forged_signature, longer_life, "yes-please", "")
        ]
        remaining = await webhook_ids(client)
    for result in results[:3]:
        assert result.is_error and result.structured_content["error"]["errorCode"] == "confirmation_refused"
    # An empty token is no token: a fresh preview, nothing deleted.
    assert results[3].structured_content["status"] == "confirmation_required"
    assert remaining == [webhook_id]


async def test_token_is_bound_to_tool_and_project(make_server):
    calls: list[str] = []
    server = make_server()
    register(server, _test_tool("drop_thing", calls))
    register(server, _test_tool("drop_other_thing", calls))
    async with Client(server) as client:
        token = (await client.call_tool("drop_thing", {"name": "x"})).structured_content["confirmation_token"]
        other_tool = await client.call_tool("drop_other_thing", {"name": "x", "confirmation_token": token})
        other_project = await client.call_tool(
            "drop_thing", {"name": "x", "project_id": "another-project", "confirmation_token": token}
        )
        same = await client.call_tool("drop_thing", {"name": "x", "confirmation_token": token})
    assert other_tool.is_error and other_project.is_error
    assert same.structured_content["status"] == "done"
    assert calls == ["sandbox-project:x"]


async def test_strict_mode_refuses_clients_that_cannot_elicit(make_server):
    server = make_server(confirm="elicitation")
    async with Client(server) as plain:
        webhook_id = await new_webhook(plain)
        refused = await plain.call_tool("delete_webhook", {"webhook_id": webhook_id})
        remaining = await webhook_ids(plain)
    async with Client(server, elicitation_callback=answering("accept")) as eliciting:
        allowed = await eliciting.call_tool("delete_webhook", {"webhook_id": webhook_id})
    assert refused.is_error and "SINCH_MCP_CONFIRM=elicitation" in refused.content[0].text
    assert refused.structured_content["error"]["errorCode"] == "confirmation_refused"
    assert remaining == [webhook_id]
    assert allowed.structured_content["status"] == "done"


@pytest.mark.parametrize("era", ERAS)
async def test_elicitation_question_is_redacted(make_server, era):
    asked: list = []
    server = make_server()
    register(server, _test_tool("drop_thing", [], extra={"authToken": "canary-auth-token-in-target-0001"}))
    async with Client(server, mode=era, elicitation_callback=answering("decline", asked=asked)) as client:
        result = await client.call_tool("drop_thing", {"name": "x"})
    assert result.structured_content["status"] == "declined"
    assert "canary-auth-token-in-target-0001" not in asked[0].message
    assert '"authToken": "[redacted' in asked[0].message


def test_a_delete_cannot_be_declared_without_confirmation():
    with pytest.raises(TypeError, match="Toolset.destructive"):
        Toolset("test", "test only").tool(DELETE_WEBHOOK, title="unguarded")


def _test_tool(name: str, calls: list[str], extra: dict | None = None):
    """A destructive tool on the same mechanism, whose target needs no API: a second tool to bind tokens to."""
    toolset = Toolset("test", "test only")

    async def read(call: Call, name: str) -> Webhook:
        return Webhook(id=name, target="https://example.com", projectId=call.project_id, triggers=["ALL"], **(extra or {}))

    async def verify(call: Call, name: str) -> Verification:
        return Verification(verified=True, observed="gone")

    def describe(target: Webhook) -> Consequences:
        return Consequences(action=f"drop {target.id}", consequences=["it is gone"])

    async def tool(call: Call, name: str) -> None:
        calls.append(f"{call.project_id}:{name}")

    tool.__name__ = name
    toolset.destructive(
        DELETE_WEBHOOK,
        title=name,
        confirm=Destructive(target=Webhook, read=read, describe=describe, verify=verify),
    )(tool)
    return toolset.tools[0]
