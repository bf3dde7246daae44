"""The deprecated WhatsApp operations and variants: only in the `legacy` toolset, secrets masked."""

from __future__ import annotations

import json

from mcp import Client

from whatsapp_support import call, refused

LEGACY = {
    "exchange_whatsapp_facebook_token",
    "list_whatsapp_waba_details",
    "create_whatsapp_sender_with_facebook_token",
    "create_whatsapp_account_obo",
}


async def test_legacy_tools_are_off_by_default_and_say_when_to_use_them(make_server):
    async with Client(make_server()) as client:
        default = {tool.name for tool in (await client.list_tools()).tools}
    async with Client(make_server(toolsets="legacy")) as client:
        legacy = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert not default & LEGACY and LEGACY <= set(legacy)
    assert all("only when a legacy flow is explicitly wanted" in tool.description for tool in legacy.values())


async def test_the_long_lived_token_comes_back_masked_and_codes_work_once(make_server, sandbox_transport):
    async with Client(make_server(toolsets="legacy")) as client:
        exchanged = await call(client, "exchange_whatsapp_facebook_token", {"facebook_code": "fb-code-0001"})
        reused = await refused(client, "exchange_whatsapp_facebook_token", {"facebook_code": "fb-code-0001"})
        neither = await refused(client, "exchange_whatsapp_facebook_token", {})
        bad_token = await refused(client, "exchange_whatsapp_facebook_token", {"facebook_token": "invalid-token-123"})
    posted = [json.loads(r.content) for r in sandbox_transport.requests if r.url.path.endswith("/longLivedAccessToken")]
    assert posted[0] == {"facebookCode": "fb-code-0001"}
    shown = exchanged["exchange"]["longLivedAccessToken"]
    assert shown.startswith("[redacted …") and len(shown) < 25
    assert reused["errorCode"] == "invalid_facebook_code" and bad_token["errorCode"] == "invalid_facebook_token"
    assert "facebook_token or facebook_code" in neither["problems"][0]["problem"]
    assert "invalid-token-123" not in json.dumps(bad_token)


async def test_waba_details_and_the_token_flow_sender(make_server):
    async with Client(make_server(toolsets="legacy")) as client:
        before = await call(client, "list_whatsapp_waba_details", {"facebook_token": "fb-token-abc"})
        created = await call(
            client,
            "create_whatsapp_sender_with_facebook_token",
            {
                "name": "Acme",
                "details": {"display_name": "Acme"},
                "facebook_access_token": "fb-token-abc",
                "waba_id": "100000000000001",
                "phone_number_id": "300000000000001",
            },
        )
        after = await call(client, "list_whatsapp_waba_details", {"facebook_token": "fb-token-abc"})
        matrix = await refused(
            client,
            "create_whatsapp_sender_with_facebook_token",
            {"name": "A", "details": {}, "facebook_code": "c", "region": "EU", "business_manager": "SINCH_MX"},
        )
    numbers = lambda page: {n["id"]: n["provisioned"] for n in page["details"]["wabas"][0]["numbers"]}  # noqa: E731
    assert numbers(before) == {"300000000000001": False, "300000000000002": False}
    assert (
        created["sender"]["state"] == "IN_PROGRESS"
        and "WHATSAPP_SENDER_PENDING_VERIFICATION" in created["next_steps"][0]
    )
    assert numbers(after)["300000000000001"] is True
    assert matrix["problems"][0]["field"] == "business_manager"


async def test_obo_account(make_server):
    async with Client(make_server(project_id="obo-project", toolsets="legacy")) as client:
        created = await call(
            client, "create_whatsapp_account_obo", {"client_business_manager_id": "1", "company_legal_name": "Acme Ltd"}
        )
    assert created["account"]["changes"]["details"]["companyLegalName"].startswith("<untrusted-data")
