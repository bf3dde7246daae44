"""The confirmation guardrail, through MCP client sessions: when it asks, how, and what a token is bound to."""

from __future__ import annotations

import pytest
from mcp import Client

from conftest import answering, unfence

from sinch_provisioning_mcp.sandbox import FIXTURE_WEBHOOK_ID

ERAS = ["legacy", "2026-07-28"]
ABSENT = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


async def new_webhook(client: Client, target: str = "https://example.com/hook") -> str:
    result = await client.call_tool(
        "create_webhook", {"target": target, "secret": "s3cret-value-for-tests", "triggers": ["ALL"]}
    )
    return result.structured_content["webhook"]["id"]


async def webhooks(client: Client) -> dict[str, dict]:
    """The project's webhooks but the sandbox's seeded fixture."""
    listed = (await client.call_tool("list_webhooks", {})).structured_content["webhooks"]
    return {w["id"]: w for w in listed if w["id"] != FIXTURE_WEBHOOK_ID}


@pytest.mark.parametrize("era", ERAS)
async def test_elicitation_accept_deletes_and_verifies(server, era):
    asked: list = []
    async with Client(server) as setup:
        webhook_id = await new_webhook(setup)
    async with Client(server, mode=era, elicitation_callback=answering("accept", asked=asked)) as client:
        result = await client.call_tool("delete_webhook", {"webhook_id": webhook_id})
        remaining = await webhooks(client)
    body = result.structured_content
    assert not result.is_error and body["status"] == "done"
    assert body["verified"]["ok"] and "404" in body["verified"]["observed"]
    assert "confirmation_token" not in body
    assert remaining == {}
    message = asked[0].message
    for expected in ("sandbox-project", webhook_id, "https://example.com/hook", "stops posting", "secret"):
        assert expected in message


@pytest.mark.parametrize("era", ERAS)
@pytest.mark.parametrize(
    ("action", "content", "status"),
    [("decline", None, "declined"), ("cancel", None, "cancelled"), ("accept", {"confirm": False}, "declined")],
)
async def test_elicitation_refusal_changes_nothing(server, sandbox_transport, era, action, content, status):
    async with Client(server) as setup:
        webhook_id = await new_webhook(setup)
    async with Client(server, mode=era, elicitation_callback=answering(action, content)) as client:
        result = await client.call_tool("delete_webhook", {"webhook_id": webhook_id})
        remaining = await webhooks(client)
    assert not result.is_error
    assert result.structured_content["status"] == status
    assert list(remaining) == [webhook_id]
    assert not any(r.method == "DELETE" for r in sandbox_transport.requests)


@pytest.mark.parametrize("era", ERAS)
async def test_only_a_json_true_is_consent(server, sandbox_transport, era):
    async with Client(server) as setup:
        webhook_id = await new_webhook(setup)
    async with Client(server, mode=era, elicitation_callback=answering("accept", {"confirm": "yes"})) as client:
        result = await client.call_tool("delete_webhook", {"webhook_id": webhook_id})
        remaining = await webhooks(client)
    assert result.is_error
    assert list(remaining) == [webhook_id]
    assert not any(r.method == "DELETE" for r in sandbox_transport.requests)


@pytest.mark.parametrize("era", ERAS)
async def test_missing_target_fails_with_the_api_error_before_asking(server, era):
    asked: list = []
    async with Client(server, mode=era, elicitation_callback=answering("accept", asked=asked)) as client:
        result = await client.call_tool("delete_webhook", {"webhook_id": ABSENT})
    assert result.is_error
    assert result.structured_content["error"]["errorCode"] == "webhook_not_found"
    assert asked == []


@pytest.mark.parametrize("era", ERAS)
async def test_a_new_target_or_secret_asks_a_triggers_only_change_does_not(server, era):
    asked: list = []
    async with Client(server) as setup:
        webhook_id = await new_webhook(setup)
    async with Client(server, mode=era, elicitation_callback=answering("decline", asked=asked)) as client:
        triggers = await client.call_tool("update_webhook", {"webhook_id": webhook_id, "triggers": ["BUNDLE_DONE"]})
        same_target = await client.call_tool(
            "update_webhook", {"webhook_id": webhook_id, "target": "https://example.com/hook"}
        )
        assert len(asked) == 0
        target = await client.call_tool("update_webhook", {"webhook_id": webhook_id, "target": "https://evil.example/x"})
        secret = await client.call_tool("update_webhook", {"webhook_id": webhook_id, "secret": "another-secret-value"})
        replaced = await client.call_tool(
            "replace_webhook",
            {"webhook_id": webhook_id, "target": "https://example.com/hook", "secret": "x" * 20, "triggers": ["ALL"]},
        )
        after = (await webhooks(client))[webhook_id]
    assert triggers.structured_content["status"] == "done" and same_target.structured_content["status"] == "done"
    assert [r.structured_content["status"] for r in (target, secret, replaced)] == ["declined"] * 3
    old, new = asked[0].message.split("Change: target: ")[1].split(" → ")
    assert unfence(old) == "https://example.com/hook" and unfence(new.split("\nConsequences")[0]) == "https://evil.example/x"
    assert "secret: replaced" in asked[1].message
    assert {**after, "target": unfence(after["target"])} == {
        "id": webhook_id, "target": "https://example.com/hook", "projectId": "sandbox-project", "triggers": ["BUNDLE_DONE"]
    }


async def test_token_flow_previews_then_deletes_once(server, sandbox_transport):
    async with Client(server) as client:
        webhook_id = await new_webhook(client)
        preview = (await client.call_tool("delete_webhook", {"webhook_id": webhook_id})).structured_content
        still_there = await webhooks(client)
        done = await client.call_tool(
            "delete_webhook", {"webhook_id": webhook_id, "confirmation_token": preview["confirmation_token"]}
        )
    assert preview["status"] == "confirmation_required"
    assert preview["preview"]["consequences"] and preview["token_expires_at"]
    assert preview["target"]["id"] == webhook_id
    assert preview["confirmation_token"].startswith("ct1.")  # returned as is, not redacted
    assert list(still_there) == [webhook_id]
    assert done.structured_content["status"] == "done" and done.structured_content["verified"]["ok"]
    assert [r.method for r in sandbox_transport.requests if r.method == "DELETE"] == ["DELETE"]


async def test_without_elicitation_a_new_target_needs_a_token(server, sandbox_transport):
    async with Client(server) as client:
        webhook_id = await new_webhook(client)
        preview = await client.call_tool("update_webhook", {"webhook_id": webhook_id, "target": "https://b.example/x"})
        unchanged = unfence((await webhooks(client))[webhook_id]["target"])
        token = preview.structured_content["confirmation_token"]
        done = await client.call_tool(
            "update_webhook", {"webhook_id": webhook_id, "target": "https://b.example/x", "confirmation_token": token}
        )
    assert preview.structured_content["status"] == "confirmation_required"
    [change] = preview.structured_content["preview"]["changes"]
    assert [unfence(side) for side in change.removeprefix("target: ").split(" → ")] == ["https://example.com/hook", "https://b.example/x"]
    assert unchanged == "https://example.com/hook"
    assert done.structured_content["status"] == "done" and unfence(done.structured_content["webhook"]["target"]) == "https://b.example/x"
    assert [r.method for r in sandbox_transport.requests].count("PATCH") == 1


async def test_token_for_other_arguments_is_refused(server):
    async with Client(server) as client:
        first = await new_webhook(client, "https://example.com/1")
        second = await new_webhook(client, "https://example.com/2")
        token = (await client.call_tool("delete_webhook", {"webhook_id": first})).structured_content["confirmation_token"]
        refused = await client.call_tool("delete_webhook", {"webhook_id": second, "confirmation_token": token})
        other_tool = await client.call_tool(
            "replace_webhook",
            {"webhook_id": first, "target": "https://example.com/1", "secret": "s" * 16, "triggers": ["ALL"], "confirmation_token": token},
        )
        other_project = await client.call_tool(
            "delete_webhook", {"webhook_id": first, "project_id": "another-project", "confirmation_token": token}
        )
        remaining = await webhooks(client)
    for result in (refused, other_tool):
        assert result.is_error
        assert result.structured_content["error"]["errorCode"] == "confirmation_refused"
        assert "not issued for this tool, project and arguments" in result.content[0].text
    assert other_project.is_error  # that project has no such webhook: the read before asking fails
    assert sorted(remaining) == sorted([first, second])


async def test_token_is_bound_to_the_state_the_preview_showed(server):
    async with Client(server) as client:
        webhook_id = await new_webhook(client)
        token = (await client.call_tool("delete_webhook", {"webhook_id": webhook_id})).structured_content["confirmation_token"]
        # Someone changes the webhook after the user saw the preview.
        await client.call_tool("update_webhook", {"webhook_id": webhook_id, "triggers": ["BUNDLE_DONE"]})
        refused = await client.call_tool("delete_webhook", {"webhook_id": webhook_id, "confirmation_token": token})
        remaining = await webhooks(client)
    assert refused.is_error and refused.structured_content["error"]["errorCode"] == "confirmation_refused"
    assert "changed since the preview" in refused.content[0].text
    assert list(remaining) == [webhook_id]


async def test_token_works_once(server, sandbox_transport):
    """Shown on a call that leaves the visible state unchanged, so only single use can refuse the second."""
    async with Client(server) as client:
        webhook_id = await new_webhook(client)
        args = {"webhook_id": webhook_id, "target": "https://example.com/hook", "secret": "a-new-secret-1234", "triggers": ["ALL"]}
        token = (await client.call_tool("replace_webhook", args)).structured_content["confirmation_token"]
        first = await client.call_tool("replace_webhook", {**args, "confirmation_token": token})
        second = await client.call_tool("replace_webhook", {**args, "confirmation_token": token})
    assert first.structured_content["status"] == "done"
    assert second.is_error and "already used" in second.content[0].text
    assert [r.method for r in sandbox_transport.requests].count("PUT") == 1


async def test_token_expires(make_server):
    now = [1_800_000_000.0]
    server = make_server(clock=lambda: now[0])
    async with Client(server) as client:
        webhook_id = await new_webhook(client)
        token = (await client.call_tool("delete_webhook", {"webhook_id": webhook_id})).structured_content["confirmation_token"]
        now[0] += 301
        expired = await client.call_tool("delete_webhook", {"webhook_id": webhook_id, "confirmation_token": token})
        remaining = await webhooks(client)
    assert expired.is_error and "expired" in expired.content[0].text
    assert list(remaining) == [webhook_id]


async def test_forged_and_malformed_tokens_are_refused(server):
    async with Client(server) as client:
        webhook_id = await new_webhook(client)
        token = (await client.call_tool("delete_webhook", {"webhook_id": webhook_id})).structured_content["confirmation_token"]
        prefix, nonce, expiry, call, state = token.split(".")
        forged = [
            f"{prefix}.{nonce}.{expiry}.{'0' * len(call)}.{state}",
            f"{prefix}.{nonce}.{int(expiry) + 3600}.{call}.{state}",
            f"{prefix}.{nonce}.0{expiry}.{call}.{state}",  # the same expiry, zero-padded
            f"{prefix}.{nonce}.{expiry}\u00b2.{call}.{state}",
            f"{prefix}.{nonce}.{'9' * 400}.{call}.{state}",
            "yes-please",
        ]
        results = [
            await client.call_tool("delete_webhook", {"webhook_id": webhook_id, "confirmation_token": bad}) for bad in forged
        ]
        empty = await client.call_tool("delete_webhook", {"webhook_id": webhook_id, "confirmation_token": ""})
        remaining = await webhooks(client)
    for result in results:
        assert result.is_error and result.structured_content["error"]["errorCode"] in ("confirmation_refused", "invalid_arguments")
    # An empty token is no token: a fresh preview, nothing deleted.
    assert empty.structured_content["status"] == "confirmation_required"
    assert list(remaining) == [webhook_id]


async def test_strict_mode_refuses_clients_that_cannot_elicit(make_server):
    server = make_server(confirm="elicitation")
    async with Client(server) as plain:
        webhook_id = await new_webhook(plain)
        refused = await plain.call_tool("delete_webhook", {"webhook_id": webhook_id})
        remaining = await webhooks(plain)
    async with Client(server, elicitation_callback=answering("accept")) as eliciting:
        allowed = await eliciting.call_tool("delete_webhook", {"webhook_id": webhook_id})
    assert refused.is_error and "SINCH_MCP_CONFIRM=elicitation" in refused.content[0].text
    assert refused.structured_content["error"]["errorCode"] == "confirmation_refused"
    assert list(remaining) == [webhook_id]
    assert allowed.structured_content["status"] == "done"


@pytest.mark.parametrize("era", ERAS)
async def test_elicitation_question_is_redacted(server, era):
    asked: list = []
    canary = "canary-signature-0123456789abcdef"
    async with Client(server) as setup:
        webhook_id = await new_webhook(setup, f"https://example.com/hook?token={canary}")
    async with Client(server, mode=era, elicitation_callback=answering("decline", asked=asked)) as client:
        result = await client.call_tool("delete_webhook", {"webhook_id": webhook_id})
    assert result.structured_content["status"] == "declined"
    assert canary not in asked[0].message and canary not in result.model_dump_json()
    assert "token=[redacted]" in asked[0].message
