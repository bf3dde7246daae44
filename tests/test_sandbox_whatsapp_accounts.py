"""Sandbox WhatsApp account over HTTP: create, review, update, delete, activities, analytics."""

from __future__ import annotations

import pytest

from sinch_provisioning_mcp.sandbox import SANDBOX_PROJECT_ID

NEW = "/v1/projects/acme/whatsapp"
PARTNER = {
    "wabaName": "Acme Ltd",
    "clientBusinessManagerId": "123",
    "businessManager": "SINCH_BR",
    "senderDetails": {"displayName": "Acme", "businessCategory": "OTHER", "region": "BR"},
}


async def advance(client, seconds: float) -> None:
    assert (await client.post("/_sandbox/clock/advance", json={"seconds": seconds})).status_code == 200


async def test_the_review_of_a_new_account(client):
    assert (await client.get(NEW)).json()["errorCode"] == "account_not_found"
    created = await client.post(NEW, json=PARTNER)
    assert created.status_code == 201
    body = created.json()
    assert "state" not in body and body["changes"]["status"] == "IN_PROGRESS"
    assert (body["businessManager"], body["compatibleRegions"], body["isEmbeddedSignup"]) == (
        "SINCH_BR",
        ["br", "us"],
        False,
    )
    assert (await client.post(NEW, json=PARTNER)).json()["errorCode"] == "account_exists"
    await advance(client, 5)
    assert (await client.get(NEW)).json()["changes"]["status"] == "PENDING_FACEBOOK_VERIFICATION"
    await advance(client, 5)
    onboarded = (await client.get(NEW)).json()
    assert (
        onboarded["state"] == "ONBOARDED"
        and onboarded["details"]["wabaName"] == "Acme Ltd"
        and "changes" not in onboarded
    )
    log = (await client.get(f"{NEW}/activities")).json()["notifications"]
    assert [a["type"] for a in log] == ["PENDING_FACEBOOK_VERIFICATION", "CREATED"]
    events = (await client.get("/_sandbox/projects/acme/outbox")).json()["events"]
    assert [e["trigger"] for e in events] == ["WHATSAPP_ACCOUNT_PENDING_VERIFICATION", "WHATSAPP_ACCOUNT_ONBOARDED"]
    assert events[1]["payload"]["state"] == "ONBOARDED"


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        (PARTNER | {"businessManager": "SINCH_UK"}, 400, "invalid_business_manager"),
        (
            {**PARTNER, "senderDetails": {"displayName": "A", "businessCategory": "ONLINE_GAMBLING"}},
            400,
            "invalid_input",
        ),
        ({"clientBusinessManagerId": "1", "companyLegalName": "Acme"}, 201, None),
    ],
)
async def test_creation_rules(client, body, status, expected):
    response = await client.post(NEW, json=body)
    assert response.status_code == status
    if expected:
        assert response.json()["errorCode"] == expected


async def test_only_a_rejected_account_is_updated(client):
    await client.post(NEW, json=PARTNER)
    early = await client.patch(NEW, json={"wabaName": "Acme"})
    assert (early.status_code, early.json()["errorCode"]) == (409, "account_not_updatable")
    await client.post(
        "/_sandbox/projects/acme/outcomes",
        json={"resourceType": "whatsapp_account", "outcome": "rejected", "reason": "Name mismatch"},
    )
    await advance(client, 5)
    rejected = (await client.get(NEW)).json()
    assert rejected["changes"]["status"] == "REJECTED"
    nothing = await client.patch(NEW, json={})
    assert nothing.json()["errorCode"] == "no_fields_to_update"
    fixed = await client.patch(NEW, json={"wabaName": "Acme Limited", "senderDetails": {"displayName": "Acme Shop"}})
    assert fixed.json()["changes"]["status"] == "IN_PROGRESS"
    assert fixed.json()["changes"]["details"]["senderDetails"]["displayName"] == "Acme Shop"
    assert fixed.json()["changes"]["details"]["senderDetails"]["businessCategory"] == "OTHER"
    log = [a["type"] for a in (await client.get(f"{NEW}/activities")).json()["notifications"]]
    assert log == ["IN_PROGRESS", "EDITED", "REJECTED", "CREATED"]


async def test_deletion_needs_no_senders_and_takes_the_drafts(client):
    seeded = f"/v1/projects/{SANDBOX_PROJECT_ID}/whatsapp"
    blocked = await client.delete(seeded)
    assert (blocked.status_code, blocked.json()["errorCode"]) == (409, "account_has_senders")
    assert (await client.delete("/v1/projects/sandbox-rejected-project/whatsapp")).status_code == 204
    assert (await client.get("/v1/projects/sandbox-rejected-project/whatsapp")).status_code == 404
    again = await client.delete("/v1/projects/sandbox-rejected-project/whatsapp")
    assert again.json()["errorCode"] == "project_not_initialized"


async def test_template_analytics(client):
    path = f"/v1/projects/{SANDBOX_PROJECT_ID}/whatsapp"
    assert (await client.put(f"{path}/enableTemplateAnalytics")).status_code == 204
    assert (await client.get(path)).json()["wabaEnabledForInsights"] is True
    early = await client.put("/v1/projects/sandbox-rejected-project/whatsapp/enableTemplateAnalytics")
    assert (early.status_code, early.json()["errorCode"]) == (424, "template_insights_not_yet_available")
    none = await client.put("/v1/projects/elsewhere/whatsapp/enableTemplateAnalytics")
    assert none.json()["errorCode"] == "project_not_initialized"


async def test_comments(client):
    path = f"/v1/projects/{SANDBOX_PROJECT_ID}/whatsapp"
    response = await client.post(f"{path}/comments", json={"comment": "Hi Sinch"})
    assert response.status_code == 201 and response.json()["comment"] == "Hi Sinch"
    events = (await client.get(f"/_sandbox/projects/{SANDBOX_PROJECT_ID}/outbox")).json()["events"]
    assert [e["trigger"] for e in events] == ["WHATSAPP_ACCOUNT_COMMENT_ADDED"]
    missing = await client.post("/v1/projects/elsewhere/whatsapp/comments", json={"comment": "x"})
    assert missing.json()["errorCode"] == "account_not_found"
