"""The SMS app tools through MCP client sessions against the sandbox."""

from __future__ import annotations

import pytest
from mcp import Client

from conftest import answering
from sinch_provisioning_mcp.sandbox import SANDBOX_PROJECT_ID
from sinch_provisioning_mcp.sandbox.conversation import FIXTURE_CONVERSATION_APP_ID
from sinch_provisioning_mcp.sandbox.sms_apps import FIXTURE_SMS_APP_ID

APPS = f"/v1/projects/{SANDBOX_PROJECT_ID}/sms/smsApps"


async def test_create_with_a_new_conversation_app_then_list_get_rename(server, sandbox_transport):
    async with Client(server) as client:
        created = (await client.call_tool("create_sms_app", {"name": "Care", "region": "US", "conv_api_app": True})).structured_content
        app_id = created["sms_app"]["id"]
        listed = (await client.call_tool("list_sms_apps", {})).structured_content
        got = (await client.call_tool("get_sms_app", {"sms_app_id": app_id})).structured_content
        renamed = (await client.call_tool("rename_sms_app", {"sms_app_id": app_id, "name": "Care (US)"})).structured_content
    details = created["sms_app"]["conversationApiAppDetails"]
    assert created["verified"] == {"ok": True, "observed": f"read back sms_app {app_id}: name as requested"}
    assert details["region"] == "US" and details["id"] in created["next_steps"][0]
    assert created["sms_app"]["status"] == "ACTIVE" and created["sms_app"]["regions"] == ["US"]
    assert [app["id"] for app in listed["sms_apps"]] == [FIXTURE_SMS_APP_ID, app_id] and listed["total_size"] == 2
    assert set(listed["sms_apps"][1]) == {"id", "name", "status", "regions"}
    assert "Care" in got["sms_app"]["name"] and got["sms_app"]["name"].startswith("<untrusted-data")  # fenced
    assert renamed["verified"]["ok"] and "Care (US)" in renamed["sms_app"]["name"]
    assert sandbox_transport.api_calls() == [
        f"POST {APPS}",
        f"GET {APPS}/{app_id}",
        f"GET {APPS}",
        f"GET {APPS}/{app_id}",
        f"PATCH {APPS}/{app_id}",
        f"GET {APPS}/{app_id}",
    ]


async def test_linking_an_app_already_linked_is_the_apis_refusal(server):
    async with Client(server) as client:
        refused = await client.call_tool(
            "create_sms_app", {"name": "Twice", "region": "EU", "conv_api_app_id": FIXTURE_CONVERSATION_APP_ID}
        )
    assert refused.is_error
    assert refused.structured_content["error"]["errorCode"] == "conversation_app_already_connected_to_sms_app"


@pytest.mark.parametrize(
    ("tool", "arguments", "field", "problem"),
    [
        (
            "create_sms_app",
            {"name": "x", "region": "EU", "conv_api_app": True, "conv_api_app_id": FIXTURE_CONVERSATION_APP_ID},
            "conv_api_app_id",
            "not both",
        ),
        ("create_sms_app", {"name": "x", "region": "EU", "test": True}, "test", "deprecated"),
        ("create_sms_app", {"name": "", "region": "EU"}, "name", "at least 1 character"),
        ("create_sms_app", {"name": "x", "region": "AU"}, "region", "'BR', 'EU' or 'US'"),
        ("rename_sms_app", {"sms_app_id": FIXTURE_SMS_APP_ID}, "name", "required"),
        ("rename_sms_app", {"sms_app_id": FIXTURE_SMS_APP_ID, "name": "x" * 256}, "name", "at most 255 characters"),
        ("get_sms_app", {}, "sms_app_id", "required"),
        ("list_sms_apps", {"page_size": 101}, "page_size", "less than or equal to 100"),
    ],
)
async def test_bad_arguments_are_refused_before_any_request(server, sandbox_transport, tool, arguments, field, problem):
    async with Client(server) as client:
        result = await client.call_tool(tool, arguments)
    problems = result.structured_content["error"]["problems"]
    assert any(p["field"] == field and problem in p["problem"] for p in problems), problems
    assert sandbox_transport.api_calls() == []


async def test_delete_by_token_shows_what_stops_then_verifies(server, sandbox_transport):
    async with Client(server) as client:
        preview = (await client.call_tool("delete_sms_app", {"sms_app_id": FIXTURE_SMS_APP_ID})).structured_content
        done = await client.call_tool(
            "delete_sms_app", {"sms_app_id": FIXTURE_SMS_APP_ID, "confirmation_token": preview["confirmation_token"]}
        )
        gone = await client.call_tool("get_sms_app", {"sms_app_id": FIXTURE_SMS_APP_ID})
    assert preview["preview"]["action"] == f"Delete SMS app {FIXTURE_SMS_APP_ID} (ACTIVE, EU)"
    assert preview["preview"]["consequences"][:2] == [
        "SMS sent through this app stops at once.",
        f"Conversation API app {FIXTURE_CONVERSATION_APP_ID} loses its SMS channel.",
    ]
    assert "cannot be restored" in preview["preview"]["consequences"][2]
    assert preview["target"]["name"].startswith("<untrusted-data")
    assert done.structured_content["status"] == "done" and done.structured_content["verified"]["ok"]
    assert gone.structured_content["error"]["errorCode"] == "sms_app_not_found"
    assert [call for call in sandbox_transport.api_calls() if call.startswith("DELETE")] == [f"DELETE {APPS}/{FIXTURE_SMS_APP_ID}"]


async def test_delete_through_elicitation_and_a_missing_app(server, sandbox_transport):
    asked: list = []
    async with Client(server, elicitation_callback=answering("decline", asked=asked)) as client:
        declined = await client.call_tool("delete_sms_app", {"sms_app_id": FIXTURE_SMS_APP_ID})
        missing = await client.call_tool("delete_sms_app", {"sms_app_id": "0" * 32})
    assert declined.structured_content["status"] == "declined" and len(asked) == 1
    assert FIXTURE_SMS_APP_ID in asked[0].message and "loses its SMS channel" in asked[0].message
    assert missing.structured_content["error"]["errorCode"] == "sms_app_not_found"
    assert not any(call.startswith("DELETE") for call in sandbox_transport.api_calls())
