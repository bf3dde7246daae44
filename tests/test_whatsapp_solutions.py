"""Flows, solutions and template analytics through MCP against the sandbox."""

from __future__ import annotations

import json

import pytest
from mcp import Client

from whatsapp_support import TOOLSETS, call, confirmed, refused

SOLUTION = {"solution_id": "400000000000001"}
TOKEN = "meta-solution-token-7f3a9c1e5b2d"


@pytest.fixture
def server(make_server):
    return make_server(toolsets=TOOLSETS)


async def test_flows_and_their_screens(server):
    async with Client(server) as client:
        flows = await call(client, "list_whatsapp_flows", {})
        screens = await call(client, "list_whatsapp_flow_screens", {"flow_id": "500000000000001"})
        draft = await refused(client, "list_whatsapp_flow_screens", {"flow_id": "500000000000002"})
        missing = await refused(client, "list_whatsapp_flow_screens", {"flow_id": "1"})
    assert [f["status"] for f in flows["flows"]] == ["FLOW_STATUS_PUBLISHED", "FLOW_STATUS_DRAFT"]
    assert flows["flows"][0]["name"].startswith("<untrusted-data")
    assert [s["id"] for s in screens["flow"]["screens"]] == ["WELCOME", "BOOKING", "CONFIRMATION"]
    assert draft["errorCode"] == "flow_screens_not_found" and missing["errorCode"] == "flow_not_found"


async def test_solution_creation_is_confirmed_and_its_token_never_shown(server, sandbox_transport):
    arguments = {"details": {"name": "Acme onboarding"}, "access_token": TOKEN, "business_manager": "SINCH_UK"}
    async with Client(server) as client:
        preview, done = await confirmed(client, "create_whatsapp_solution", arguments)
        failed = await confirmed(client, "create_whatsapp_solution", arguments | {"access_token": "fail-" + TOKEN})
        listed = await call(client, "list_whatsapp_solutions", {})
    assert "no way to delete" in " ".join(preview["preview"]["consequences"])
    created = done["solutions"]["solutions"][0]
    assert done["verified"]["ok"] and "assign_whatsapp_solution" in done["next_steps"][0]
    assert (
        not failed[1]["verified"]["ok"]
        and failed[1]["solutions"]["failedSolutions"][0]["errorCode"] == "ACTIVATION_FAILED"
    )
    assert created["id"] in {s["id"] for s in listed["solutions"]}
    posted = [
        json.loads(r.content)
        for r in sandbox_transport.requests
        if r.method == "POST" and r.url.path.endswith("/solutions")
    ]
    assert posted[0]["accessToken"] == TOKEN
    shown = json.dumps([preview, done, listed])
    assert TOKEN not in shown


async def test_assignment_is_confirmed_and_fixed_once_onboarded_through_embedded_signup(make_server):
    async with Client(make_server(toolsets=TOOLSETS)) as client:
        preview, done = await confirmed(client, "assign_whatsapp_solution", SOLUTION)
    assert preview["preview"]["changes"] == ["assigned: False → True"]
    assert any("cannot change" in c for c in preview["preview"]["consequences"])
    assert done["solution"]["assigned"] is True and done["verified"]["ok"]

    async with Client(make_server(project_id="es-onboarded", toolsets=TOOLSETS)) as client:
        created = await confirmed(
            client,
            "create_whatsapp_solution",
            {"details": {"name": "S"}, "access_token": TOKEN, "business_manager": "SINCH_UK"},
        )
        solution = {"solution_id": created[1]["solutions"]["solutions"][0]["id"]}
        await call(client, "create_whatsapp_sender", {"waba_id": "42", "phone_number_id": "4242"})
        preview = await call(client, "assign_whatsapp_solution", solution)
        error = await refused(
            client, "assign_whatsapp_solution", {**solution, "confirmation_token": preview["confirmation_token"]}
        )
        missing = await refused(client, "get_whatsapp_solution", {"solution_id": "9"})
    assert (error["status"], error["errorCode"]) == (409, "solution_cannot_be_reassigned")
    assert missing["errorCode"] == "solution_not_found"


async def test_template_analytics_cannot_be_turned_off_and_needs_an_onboarded_account(make_server):
    async with Client(make_server(toolsets=TOOLSETS)) as client:
        enabled = await call(client, "enable_whatsapp_template_analytics", {})
        account = await call(client, "get_whatsapp_account", {})
    async with Client(make_server(project_id="sandbox-rejected-project", toolsets=TOOLSETS)) as client:
        early = await refused(client, "enable_whatsapp_template_analytics", {})
    assert enabled["verified"]["ok"] and "no API call turns them off" in enabled["next_steps"][0]
    assert account["account"]["wabaEnabledForInsights"] is True
    assert (early["status"], early["errorCode"]) == (424, "template_insights_not_yet_available")


async def test_the_description_says_there_is_no_way_back(server):
    async with Client(server) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert "cannot turn it off" in tools["enable_whatsapp_template_analytics"].description
    assert tools["enable_whatsapp_template_analytics"].annotations.destructive_hint is True
