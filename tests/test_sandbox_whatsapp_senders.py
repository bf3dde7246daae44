"""Sandbox WhatsApp senders over HTTP: the OTP order and its 409s, changes, deletion grace,
the creation variants, and the deprecated Embedded Signup helpers."""

from __future__ import annotations

import pytest

from conftest import CLOCK_START
from sinch_provisioning_mcp.sandbox import SANDBOX_PROJECT_ID
from sinch_provisioning_mcp.sandbox.whatsapp_senders import FIXTURE_PENDING_SENDER_ID, FIXTURE_SENDER_ID, OTP_CODE

SENDERS = f"/v1/projects/{SANDBOX_PROJECT_ID}/whatsapp/senders"
PARTNER = {
    "phoneNumberProvider": "CUSTOMER",
    "details": {"countryCode": "48", "phoneNumber": "777123456", "displayName": "Acme", "vertical": "OTHER"},
}


async def advance(client, seconds: float) -> None:
    assert (await client.post("/_sandbox/clock/advance", json={"seconds": seconds})).status_code == 200


async def create(client, body: dict | None = None) -> dict:
    response = await client.post(SENDERS, json=body or PARTNER)
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_new_sender_is_reviewed_then_waits_for_verification(client):
    sender = await create(client)
    assert sender["state"] == "IN_PROGRESS" and sender["changes"] == {
        "status": "IN_PROGRESS",
        "details": {"displayName": "Acme", "vertical": "OTHER"},
    }
    assert (sender["countryCode"], sender["phoneNumber"], sender["numberProvider"]) == ("48", "777123456", "CUSTOMER")
    await advance(client, 5)
    reviewed = (await client.get(f"{SENDERS}/{sender['id']}")).json()
    assert reviewed["state"] == "PENDING_VERIFICATION" and "changes" not in reviewed
    assert reviewed["details"] == {"displayName": "Acme", "vertical": "OTHER"}
    events = (await client.get(f"/_sandbox/projects/{SANDBOX_PROJECT_ID}/outbox")).json()["events"]
    assert [e["trigger"] for e in events] == ["WHATSAPP_SENDER_PENDING_VERIFICATION"]
    assert events[0]["payload"]["state"] == "PENDING_VERIFICATION" and "bearerToken" not in events[0]["payload"]


async def test_register_and_verify_refuse_any_other_state(client):
    sender = await create(client)
    register = await client.post(f"{SENDERS}/{sender['id']}/register", json={"method": "SMS"})
    verify = await client.post(f"{SENDERS}/{sender['id']}/verify", json={"code": OTP_CODE})
    assert (register.status_code, register.json()) == (
        409,
        {
            "errorCode": "not_allowed_register",
            "message": "Sender not allowed to be registered.",
            "resolution": 'Only "PENDING_VERIFICATION" sender can be registered.',
        },
    )
    assert (verify.status_code, verify.json()["errorCode"]) == (409, "not_allowed_verify")
    active = await client.post(f"{SENDERS}/{FIXTURE_SENDER_ID}/register", json={"method": "VOICE"})
    assert active.json()["errorCode"] == "not_allowed_register"


async def test_the_otp_code_and_wrong_otp(client, clock):
    clock.now = CLOCK_START + 60
    registered = await client.post(f"{SENDERS}/{FIXTURE_PENDING_SENDER_ID}/register", json={"method": "VOICE"})
    assert registered.json() == {
        "id": FIXTURE_PENDING_SENDER_ID,
        "method": "VOICE",
        "accepted": "2023-11-14T22:14:20.250Z",
        "verificationCodeSent": True,
    }
    wrong = await client.post(f"{SENDERS}/{FIXTURE_PENDING_SENDER_ID}/verify", json={"code": "000000"})
    missing = await client.post(f"{SENDERS}/{FIXTURE_PENDING_SENDER_ID}/verify", json={})
    assert (wrong.status_code, wrong.json()["errorCode"]) == (409, "wrong_otp")
    assert wrong.json()["message"] == "Sender verification failed due to wrong OTP."
    assert missing.json()["errorCode"] == "wrong_otp"
    short = await client.post(f"{SENDERS}/{FIXTURE_PENDING_SENDER_ID}/verify", json={"code": "123"})
    assert short.json()["additionalInformation"] == {"validationErrors": ["code must be exactly 6 characters"]}
    ok = await client.post(f"{SENDERS}/{FIXTURE_PENDING_SENDER_ID}/verify", json={"code": OTP_CODE})
    assert ok.status_code == 204
    assert (await client.get(f"{SENDERS}/{FIXTURE_PENDING_SENDER_ID}")).json()["state"] == "IN_PROGRESS"
    again = await client.post(f"{SENDERS}/{FIXTURE_PENDING_SENDER_ID}/verify", json={"code": OTP_CODE})
    assert again.json()["errorCode"] == "not_allowed_verify"
    await advance(client, 5)
    active = (await client.get(f"{SENDERS}/{FIXTURE_PENDING_SENDER_ID}")).json()
    assert (active["state"], active["qualityRating"], active["conversationApiAppDetails"]["channelStatus"]) == (
        "ACTIVE",
        "GREEN",
        "ACTIVE",
    )


async def test_verify_without_registering_first_is_a_wrong_otp(client):
    sender = await create(client)
    await advance(client, 5)
    response = await client.post(f"{SENDERS}/{sender['id']}/verify", json={"code": OTP_CODE})
    assert response.json()["errorCode"] == "wrong_otp"


async def test_a_review_can_end_in_error(client):
    sender = await create(client)
    await client.post(
        f"/_sandbox/projects/{SANDBOX_PROJECT_ID}/outcomes",
        json={"resourceType": "whatsapp_sender", "outcome": "error", "reason": "Number not eligible."},
    )
    await advance(client, 5)
    failed = (await client.get(f"{SENDERS}/{sender['id']}")).json()
    assert (
        failed["state"] == "ERROR"
        and failed["changes"]["status"] == "ERROR"
        and failed["changes"]["errorReason"] == "Number not eligible."
    )
    not_updatable = await client.patch(f"{SENDERS}/{sender['id']}", json={"details": {"about": "x"}})
    assert not_updatable.json()["errorCode"] == "sender_not_updatable"
    assert (await client.delete(f"{SENDERS}/{sender['id']}/changes")).status_code == 204
    assert "changes" not in (await client.get(f"{SENDERS}/{sender['id']}")).json()


async def test_changes_of_a_live_sender(client):
    fixture = (await client.get(f"{SENDERS}/{FIXTURE_SENDER_ID}")).json()
    assert fixture["changes"]["status"] == "DRAFT"
    submitted = await client.patch(
        f"{SENDERS}/{FIXTURE_SENDER_ID}",
        json={"status": "SUBMIT", "details": {"description": "Shop", "username": "sandboxshop"}},
    )
    assert submitted.json()["changes"]["status"] == "IN_PROGRESS"
    assert submitted.json()["metadata"] == {"username": {"value": "sandboxshop", "status": "PENDING"}}
    blocked = await client.patch(f"{SENDERS}/{FIXTURE_SENDER_ID}", json={"details": {"about": "x"}})
    not_deletable = await client.delete(f"{SENDERS}/{FIXTURE_SENDER_ID}/changes")
    assert blocked.json()["errorCode"] == "sender_changes_not_updatable"
    assert (not_deletable.status_code, not_deletable.json()["errorCode"]) == (409, "sender_changes_not_deletable")
    await advance(client, 5)
    applied = (await client.get(f"{SENDERS}/{FIXTURE_SENDER_ID}")).json()
    assert applied["details"]["username"] == "sandboxshop" and applied["details"]["description"] == "Shop"
    assert "changes" not in applied
    missing = await client.delete(f"{SENDERS}/{FIXTURE_SENDER_ID}/changes")
    assert (missing.status_code, missing.json()["errorCode"]) == (404, "sender_changes_not_found")
    nothing = await client.patch(f"{SENDERS}/{FIXTURE_SENDER_ID}", json={})
    assert nothing.json()["errorCode"] == "no_fields_to_update"


async def test_username_only_for_active_senders(client):
    response = await client.patch(f"{SENDERS}/{FIXTURE_PENDING_SENDER_ID}", json={"details": {"username": "support"}})
    assert response.json()["errorCode"] == "sender_not_updatable"  # neither ACTIVE nor with DRAFT/REJECTED changes
    draft = await create(client, PARTNER | {"status": "DRAFT"})
    refused = await client.patch(f"{SENDERS}/{draft['id']}", json={"details": {"username": "acme"}})
    assert refused.json()["errorCode"] == "sender_username_update_not_available"


async def test_deletion_keeps_the_sender_30_days(client):
    assert (await client.delete(f"{SENDERS}/{FIXTURE_SENDER_ID}")).status_code == 204
    again = await client.delete(f"{SENDERS}/{FIXTURE_SENDER_ID}")
    assert (again.status_code, again.json()["errorCode"]) == (409, "sender_already_deleted")
    await advance(client, 30 * 86400 - 10)
    assert (await client.get(f"{SENDERS}/{FIXTURE_SENDER_ID}")).status_code == 200
    await advance(client, 10)
    gone = await client.get(f"{SENDERS}/{FIXTURE_SENDER_ID}")
    assert (gone.status_code, gone.json()["errorCode"]) == (404, "sender_not_found")
    events = (await client.get(f"/_sandbox/projects/{SANDBOX_PROJECT_ID}/outbox")).json()["events"]
    assert [e["trigger"] for e in events] == ["WHATSAPP_SENDER_DELETED"] and events[0][
        "resourceId"
    ] == FIXTURE_SENDER_ID


@pytest.mark.parametrize(
    ("body", "problems"),
    [
        ({"wabaId": "1"}, ["phoneNumberId must be a string"]),
        ({"wabaId": "1", "phoneNumberId": "2", "region": "EU", "businessManager": "SINCH_BR"}, None),
        (
            PARTNER | {"details": {"countryCode": "+48", "displayName": "A", "vertical": "OTHER"}},
            ["details.countryCode must match /^[0-9]+$/ regular expression"],
        ),
        (
            PARTNER | {"details": {"countryCode": "48", "vertical": "OTHER", "colour": "red"}},
            ["details.property colour should not exist", "details.displayName must be a string"],
        ),
        ({"details": {"countryCode": "49", "displayName": "A"}}, ["details.phoneNumber must be a string"]),
    ],
)
async def test_creation_variants_are_validated(client, body, problems):
    response = await client.post(SENDERS, json=body)
    if problems is None:
        assert (response.status_code, response.json()["errorCode"]) == (400, "invalid_business_manager")
    else:
        assert (response.status_code, response.json()["additionalInformation"]["validationErrors"]) == (400, problems)


async def test_senders_need_the_projects_account(client):
    response = await client.post("/v1/projects/elsewhere/whatsapp/senders", json=PARTNER)
    listed = await client.get("/v1/projects/elsewhere/whatsapp/senders")
    assert response.json()["errorCode"] == listed.json()["errorCode"] == "project_not_initialized"


async def test_lists_filter_and_page(client):
    await client.post(
        f"/_sandbox/projects/{SANDBOX_PROJECT_ID}/seed", json={"resourceType": "whatsapp_sender", "count": 120}
    )
    first = (await client.get(SENDERS, params={"pageSize": 100})).json()
    assert (first["totalSize"], len(first["senders"]), "nextPageToken" in first) == (122, 100, True)
    pending = (await client.get(SENDERS, params={"filterStates": "PENDING_VERIFICATION"})).json()
    assert [s["id"] for s in pending["senders"]] == [FIXTURE_PENDING_SENDER_ID]
    drafts = (await client.get(SENDERS, params=[("filterStatuses", "DRAFT"), ("filterStatuses", "REJECTED")])).json()
    assert [s["id"] for s in drafts["senders"]] == [FIXTURE_SENDER_ID]
    bad = await client.get(SENDERS, params={"filterStates": "DELETED"})
    assert (bad.status_code, bad.json()["errorCode"]) == (400, "invalid_filter_states")


async def test_comments_activities_and_usernames(client):
    comment = await client.post(f"{SENDERS}/{FIXTURE_SENDER_ID}/comments", json={"comment": "Hello"})
    assert comment.status_code == 201 and comment.json()["type"] == "CREATED"
    log = (await client.get(f"{SENDERS}/{FIXTURE_SENDER_ID}/activities")).json()["notifications"]
    assert [a["type"] for a in log] == ["COMMENT_ADDED", "DRAFT", "CREATED"]
    usernames = (await client.get(f"{SENDERS}/{FIXTURE_SENDER_ID}/suggestedUsernames")).json()
    assert usernames == {"usernames": ["sandboxshop", "sandboxshop.official", "sandboxshop_hq"]}
    events = (await client.get(f"/_sandbox/projects/{SANDBOX_PROJECT_ID}/outbox")).json()["events"]
    assert [(e["trigger"], e["comment"]) for e in events] == [("WHATSAPP_SENDER_COMMENT_ADDED", "Hello")]


async def test_embedded_signup_helpers(client):
    path = f"/v1/projects/{SANDBOX_PROJECT_ID}/whatsapp"
    token = await client.post(f"{path}/longLivedAccessToken", json={"facebookToken": "fb-user-token"})
    assert token.status_code == 201 and token.json()["longLivedAccessToken"].startswith("EAAS")
    code = await client.post(f"{path}/longLivedAccessToken", json={"facebookCode": "one-time"})
    reused = await client.post(f"{path}/longLivedAccessToken", json={"facebookCode": "one-time"})
    assert code.status_code == 201 and reused.json()["errorCode"] == "invalid_facebook_code"
    details = (await client.post(f"{path}/wabaDetails", json={"facebookToken": "fb-user-token"})).json()
    assert details["wabas"][0]["id"] == "100000000000001" and len(details["wabas"][0]["numbers"]) == 2
