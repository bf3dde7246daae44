"""The WhatsApp account tools through MCP against the sandbox."""

from __future__ import annotations

import pytest
from mcp import Client
from mcp_types import ElicitResult

from whatsapp_support import REVIEW, TOOLSETS, call, confirmed, refused, sandbox, triggers
from sinch_provisioning_mcp.sandbox.whatsapp_accounts import ACCOUNTS

NEW = {
    "waba_name": "Acme Ltd",
    "client_business_manager_id": "123456789012345",
    "sender_details": {"display_name": "Acme", "business_category": "OTHER", "region": "BR"},
}


@pytest.mark.parametrize(
    ("arguments", "field", "phrase"),
    [
        (NEW | {"business_manager": "SINCH_UK"}, "sender_details", "SINCH_BR or SINCH_MX"),
        (NEW | {"business_manager": "SINCH_AMERICA"}, "sender_details", "SINCH_BR or SINCH_MX"),
        (
            NEW | {"sender_details": NEW["sender_details"] | {"business_category": "ONLINE_GAMBLING"}},
            "sender_details.business_category",
            "allowed",
        ),
        (NEW | {"waba_name": "x" * 256}, "waba_name", "255"),
    ],
)
async def test_creation_rules_are_checked_before_any_request(make_server, sandbox_transport, arguments, field, phrase):
    async with Client(make_server(project_id="acme", toolsets=TOOLSETS)) as client:
        error = await refused(client, "create_whatsapp_account", arguments)
    assert any(p["field"] == field and phrase in p["problem"] for p in error["problems"]), error["problems"]
    assert sandbox_transport.api_calls() == []


async def test_any_manager_serves_us_and_the_review_can_reject(make_server, sandbox_transport):
    state = sandbox(sandbox_transport)
    state.set_outcome("acme", ACCOUNTS, "rejected", reason="The WABA name differs from Meta Business Manager.")
    async with Client(make_server(project_id="acme", toolsets=TOOLSETS)) as client:
        created = await call(
            client,
            "create_whatsapp_account",
            NEW | {"business_manager": "SINCH_AMERICA", "sender_details": NEW["sender_details"] | {"region": "US"}},
        )
        twice = await refused(client, "create_whatsapp_account", NEW)
        not_yet = await refused(client, "update_whatsapp_account", {"waba_name": "Acme Limited"})
        state.advance(REVIEW)
        rejected = await call(client, "get_whatsapp_account", {})
        log = await call(client, "list_whatsapp_account_activities", {})
        fixed = await call(client, "update_whatsapp_account", {"waba_name": "Acme Limited"})
        state.advance(2 * REVIEW)
        onboarded = await call(client, "get_whatsapp_account", {})
    assert created["account"]["changes"]["status"] == "IN_PROGRESS" and created["verified"]["ok"]
    assert twice["errorCode"] == "account_exists"
    assert not_yet["errorCode"] == "account_not_updatable"
    assert (
        rejected["account"]["changes"]["status"] == "REJECTED"
        and "update_whatsapp_account" in rejected["next_steps"][0]
    )
    assert log["activities"][0]["type"] == "REJECTED" and "differs" in log["activities"][0]["comment"]
    assert fixed["account"]["changes"]["status"] == "IN_PROGRESS"
    assert onboarded["account"]["state"] == "ONBOARDED"
    assert triggers(sandbox_transport, "acme") == [
        "WHATSAPP_ACCOUNT_REJECTED",
        "WHATSAPP_ACCOUNT_PENDING_VERIFICATION",
        "WHATSAPP_ACCOUNT_ONBOARDED",
    ]


async def test_update_refuses_the_deprecated_name_and_empty_changes(server, sandbox_transport):
    async with Client(server) as client:
        legacy_name = await refused(client, "update_whatsapp_account", {"company_legal_name": "Acme"})
        empty = await refused(client, "update_whatsapp_account", {})
    assert legacy_name["problems"] == [
        {"field": "(arguments)", "problem": "company_legal_name is deprecated: give waba_name instead"}
    ]
    assert "nothing to update" in empty["problems"][0]["problem"]
    assert sandbox_transport.api_calls() == []


async def test_deletion_asks_first_and_is_refused_while_senders_exist(make_server, sandbox_transport):
    asked: list = []

    async def accept(context, params):
        asked.append(params.message)
        return ElicitResult(action="accept", content={"confirm": True})

    async with Client(make_server(toolsets=TOOLSETS), elicitation_callback=accept) as client:
        blocked = await refused(client, "delete_whatsapp_account", {})
    async with Client(make_server(project_id="sandbox-rejected-project", toolsets=TOOLSETS)) as client:
        preview, done = await confirmed(client, "delete_whatsapp_account", {})
        gone = await refused(client, "get_whatsapp_account", {})
    assert blocked["errorCode"] == "account_has_senders" and "WABA 100000000000001" in asked[0]
    assert any("template drafts" in c for c in preview["preview"]["consequences"])
    assert any("new Meta onboarding" in c for c in preview["preview"]["consequences"])  # the catalog's reason
    assert done["verified"]["ok"] and gone["errorCode"] == "account_not_found"


async def test_comments_reach_the_activity_log_fenced(server):
    async with Client(server) as client:
        commented = await call(client, "add_whatsapp_account_comment", {"comment": "Verification done."})
        log = await call(client, "list_whatsapp_account_activities", {"page_size": 5})
        account = await call(client, "get_whatsapp_account", {})
    assert commented["verified"]["ok"]
    assert log["activities"][0]["type"] == "COMMENT_ADDED" and log["activities"][0]["comment"].startswith(
        "<untrusted-data"
    )
    assert account["account"]["details"]["wabaName"].startswith("<untrusted-data")


@pytest.fixture
def server(make_server):
    return make_server(toolsets=TOOLSETS)
