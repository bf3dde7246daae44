"""The WhatsApp sender tools through MCP against the sandbox: creation variants and their
rules, the OTP order with its state checks, profile changes, deletion with confirmation."""

from __future__ import annotations

import json

import pytest
from mcp import Client
from mcp_types import ElicitResult

from whatsapp_support import DAYS, REVIEW, TOOLSETS, call, confirmed, refused, sandbox, triggers
from sinch_provisioning_mcp.sandbox.whatsapp_senders import SENDERS

ACTIVE = {"sender_id": "0b6c2f1e-5a4d-4c3b-9e8f-7a6b5c4d3e2f"}
PENDING = {"sender_id": "7d1e9c3a-2b4f-4e6d-8a0c-1f2e3d4c5b6a"}
PARTNER = {
    "phone_number_provider": "CUSTOMER",
    "details": {
        "country_code": "48",
        "phone_number": "777123456",
        "display_name": "Acme",
        "vertical": "SHOPPING_AND_RETAIL",
    },
}


@pytest.fixture
def server(make_server):
    return make_server(toolsets=TOOLSETS)


async def new_sender(client: Client, **changes) -> dict:
    return (await call(client, "create_whatsapp_sender_partner_initiated", PARTNER | changes))["sender"]


@pytest.mark.parametrize(
    ("tool", "arguments", "field", "phrase"),
    [
        (
            "create_whatsapp_sender",
            {"waba_id": "1", "phone_number_id": "2", "region": "EU", "business_manager": "SINCH_BR"},
            "business_manager",
            "SINCH_UK",
        ),
        (
            "create_whatsapp_sender",
            {"waba_id": "1", "phone_number_id": "2", "region": "BR", "business_manager": "SINCH_UK"},
            "business_manager",
            "SINCH_BR or SINCH_MX",
        ),
        (
            "create_whatsapp_sender_partner_initiated",
            PARTNER | {"details": PARTNER["details"] | {"country_code": "+48"}},
            "details.country_code",
            "pattern",
        ),
        (
            "create_whatsapp_sender_partner_initiated",
            PARTNER | {"details": PARTNER["details"] | {"about": "*Best* shop"}},
            "details.about",
            "markdown",
        ),
        (
            "create_whatsapp_sender_partner_initiated",
            PARTNER | {"details": PARTNER["details"] | {"email": "nope"}},
            "details.email",
            "email",
        ),
        (
            "create_whatsapp_sender_partner_initiated",
            PARTNER | {"details": PARTNER["details"] | {"website_one": "example.com"}},
            "details.website_one",
            "http(s)",
        ),
        (
            "create_whatsapp_sender_partner_initiated",
            PARTNER | {"details": PARTNER["details"] | {"display_name": "x" * 129}},
            "details.display_name",
            "128",
        ),
        ("verify_whatsapp_sender", PENDING | {"code": "12345"}, "code", "6"),
        ("verify_whatsapp_sender", PENDING | {"code": "123 56"}, "code", "no spaces"),
        ("register_whatsapp_sender", PENDING | {"method": "EMAIL"}, "method", "SMS"),
        ("list_whatsapp_senders", {"page_size": 101}, "page_size", "100"),
        ("list_whatsapp_senders", {"filter_statuses": ["MULTIPLE_WABA_ERROR"]}, "filter_statuses", "use ERROR"),
        ("update_whatsapp_sender", ACTIVE, "(arguments)", "nothing to update"),
    ],
)
async def test_bad_input_is_refused_before_any_request(server, sandbox_transport, tool, arguments, field, phrase):
    async with Client(server) as client:
        error = await refused(client, tool, arguments)
    assert error["errorCode"] == "invalid_arguments"
    assert any(p["field"] == field and phrase in p["problem"] for p in error["problems"]), error["problems"]
    assert sandbox_transport.api_calls() == []


async def test_the_otp_order_with_state_checks_before_each_step(server, sandbox_transport):
    state = sandbox(sandbox_transport)
    async with Client(server) as client:
        sender = await new_sender(client)
        before = len(sandbox_transport.api_calls())
        early_register = await refused(
            client, "register_whatsapp_sender", {"sender_id": sender["id"], "method": "VOICE"}
        )
        early_verify = await refused(client, "verify_whatsapp_sender", {"sender_id": sender["id"], "code": "123456"})
        # Only the reads went out: no register or verify request the API would refuse with 409.
        assert all(c.startswith("GET ") for c in sandbox_transport.api_calls()[before:])
        state.advance(REVIEW)
        waiting = await call(client, "get_whatsapp_sender", {"sender_id": sender["id"]})
        registered = await call(client, "register_whatsapp_sender", {"sender_id": sender["id"], "method": "VOICE"})
        wrong = await refused(client, "verify_whatsapp_sender", {"sender_id": sender["id"], "code": "654321"})
        verified = await call(client, "verify_whatsapp_sender", {"sender_id": sender["id"], "code": "123456"})
        activating = await call(client, "get_whatsapp_sender", {"sender_id": sender["id"]})
        again = await refused(client, "register_whatsapp_sender", {"sender_id": sender["id"], "method": "SMS"})
        state.advance(REVIEW)
        active = await call(client, "get_whatsapp_sender", {"sender_id": sender["id"]})
        done = await refused(client, "verify_whatsapp_sender", {"sender_id": sender["id"], "code": "123456"})
        log = await call(client, "list_whatsapp_sender_activities", {"sender_id": sender["id"]})
    assert (
        early_register["problems"] == [{"field": "sender_id", "problem": early_register["problems"][0]["problem"]}]
        and "IN_PROGRESS" in early_register["problems"][0]["problem"]
    )
    assert "WHATSAPP_SENDER_PENDING_VERIFICATION" in early_verify["message"]
    assert "register_whatsapp_sender" in waiting["next_steps"][0]
    assert registered["registration"]["method"] == "VOICE" and registered["verified"]["ok"]
    assert (wrong["status"], wrong["errorCode"]) == (409, "wrong_otp")
    assert (
        "register_whatsapp_sender again" in wrong["resolution"]
        and "Sandbox: the code is 123456." in wrong["resolution"]
    )
    assert verified["verified"]["ok"] and activating["sender"]["state"] == "IN_PROGRESS"
    assert "IN_PROGRESS" in again["problems"][0]["problem"]
    assert active["sender"]["state"] == "ACTIVE" and "nothing to register" in done["problems"][0]["problem"]
    assert [a["type"] for a in log["activities"]] == ["ACTIVE", "VERIFIED", "REGISTERED", "IN_PROGRESS", "CREATED"]
    assert triggers(sandbox_transport, resource_type="whatsapp_sender") == [
        "WHATSAPP_SENDER_PENDING_VERIFICATION",
        "WHATSAPP_SENDER_ACTIVE",
    ]
    activated = [e for e in state.project("sandbox-project").outbox.after(0) if e.trigger == "WHATSAPP_SENDER_ACTIVE"][
        0
    ]
    assert activated.payload["state"] == "ACTIVE" and "bearerToken" not in activated.payload


async def test_a_number_meta_already_has_needs_no_code(server, sandbox_transport):
    async with Client(server) as client:
        sender = await new_sender(client, details=PARTNER["details"] | {"phone_number": "777120000"})
        sandbox(sandbox_transport).advance(REVIEW)
        registered = await call(client, "register_whatsapp_sender", {"sender_id": sender["id"], "method": "SMS"})
        verified = await call(client, "verify_whatsapp_sender", {"sender_id": sender["id"]})
    assert registered["registration"]["verificationCodeSent"] is False
    assert "without a code" in registered["next_steps"][0] and not any("123456" in s for s in registered["next_steps"])
    assert verified["verified"]["ok"]


async def test_sandbox_code_is_named_only_in_sandbox_results(server):
    async with Client(server) as client:
        registered = await call(client, "register_whatsapp_sender", PENDING | {"method": "SMS"})
    assert registered["environment"] == "sandbox" and "Sandbox: the code is 123456." in registered["next_steps"]


async def test_embedded_signup_sender_and_its_409s(make_server, sandbox_transport):
    async with Client(make_server(project_id="es-project", toolsets=TOOLSETS)) as client:
        created = await call(
            client,
            "create_whatsapp_sender",
            {"waba_id": "123456789", "phone_number_id": "987650000", "authentication_code": "es-code-secret-1"},
        )
        account = await call(client, "get_whatsapp_account", {})
        reused = await refused(
            client, "create_whatsapp_sender", {"waba_id": "123456789", "phone_number_id": "987650000"}
        )
        other_waba = await refused(client, "create_whatsapp_sender", {"waba_id": "555", "phone_number_id": "1"})
    assert created["sender"]["state"] == "IN_PROGRESS" and created["verified"]["ok"]
    assert account["account"]["isEmbeddedSignup"] is True and account["account"]["state"] == "ONBOARDED"
    assert reused["errorCode"] == "used_phone_number_id" and other_waba["errorCode"] == "wrong_waba_id"
    sent = [r for r in sandbox_transport.requests if r.method == "POST" and r.url.path.endswith("/senders")]
    assert json.loads(sent[0].content)["authenticationCode"] == "es-code-secret-1"
    assert "es-code-secret-1" not in json.dumps(created)


async def test_new_number_and_draft_senders(server, sandbox_transport):
    async with Client(server) as client:
        numbered = await call(
            client,
            "create_whatsapp_sender_new_number",
            {"details": {"country_code": "49", "phone_number": "1701234567", "display_name": "Acme"}},
        )
        drafted = await new_sender(client, status="DRAFT")
        assert "state" not in drafted and drafted["changes"]["status"] == "DRAFT"
        submitted = await call(client, "update_whatsapp_sender", {"sender_id": drafted["id"], "status": "SUBMIT"})
    assert numbered["sender"]["state"] == "IN_PROGRESS"
    assert submitted["sender"]["state"] == "IN_PROGRESS" and submitted["verified"]["ok"]


async def test_profile_changes_draft_submit_review_and_discard(server, sandbox_transport):
    state = sandbox(sandbox_transport)
    async with Client(server) as client:
        draft = await call(
            client,
            "update_whatsapp_sender",
            ACTIVE | {"details": {"about": "Orders, returns and delivery.", "clear": ["website_one"]}},
        )
        submitted = await call(
            client,
            "update_whatsapp_sender",
            ACTIVE | {"details": {"display_name": "Sandbox Store"}, "status": "SUBMIT"},
        )
        in_review = await refused(client, "update_whatsapp_sender", ACTIVE | {"details": {"about": "again"}})
        state.advance(REVIEW)
        applied = await call(client, "get_whatsapp_sender", ACTIVE)
        state.set_outcome("sandbox-project", SENDERS, "rejected", reason="Display name is not allowed.")
        await call(
            client, "update_whatsapp_sender", ACTIVE | {"details": {"display_name": "Free Money"}, "status": "SUBMIT"}
        )
        state.advance(REVIEW)
        rejected = await call(client, "get_whatsapp_sender", ACTIVE)
        preview, discarded = await confirmed(client, "discard_whatsapp_sender_changes", ACTIVE)
        nothing = await call(client, "discard_whatsapp_sender_changes", ACTIVE)
        none_left = await refused(
            client, "discard_whatsapp_sender_changes", {**ACTIVE, "confirmation_token": nothing["confirmation_token"]}
        )
        usernames = await call(client, "suggest_whatsapp_sender_usernames", ACTIVE)
    patches = [json.loads(r.content) for r in sandbox_transport.requests if r.method == "PATCH"]
    assert patches[0] == {"details": {"about": "Orders, returns and delivery.", "websiteOne": None}}
    assert draft["sender"]["changes"]["status"] == "DRAFT" and draft["verified"]["ok"]
    assert submitted["sender"]["metadata"]["displayName"]["status"] == "PENDING"
    assert in_review["errorCode"] == "sender_changes_not_updatable"
    assert "Sandbox Store" in applied["sender"]["details"]["displayName"] and "changes" not in applied["sender"]
    assert rejected["sender"]["changes"]["status"] == "REJECTED"
    assert "Display name is not allowed." in rejected["sender"]["metadata"]["displayName"]["rejectionReason"]
    assert preview["preview"]["changes"] == ["changes: REJECTED → none"] and discarded["verified"]["ok"]
    assert none_left["errorCode"] == "sender_changes_not_found"
    assert usernames["suggestions"]["usernames"][0] == "sandboxstore"
    assert triggers(sandbox_transport, resource_type="whatsapp_sender") == [
        "WHATSAPP_SENDER_DISPLAY_NAME_UPDATED",
        "WHATSAPP_SENDER_REJECTED",
    ]


async def test_deletion_is_confirmed_and_the_sender_stays_30_days(server, sandbox_transport):
    state = sandbox(sandbox_transport)
    async with Client(server) as client:
        preview, done = await confirmed(client, "delete_whatsapp_sender", ACTIVE)
        still = await call(client, "get_whatsapp_sender", ACTIVE)
        second = await call(client, "delete_whatsapp_sender", ACTIVE)
        already = await refused(
            client, "delete_whatsapp_sender", {**ACTIVE, "confirmation_token": second["confirmation_token"]}
        )
        state.advance(30 * DAYS)
        gone = await refused(client, "get_whatsapp_sender", ACTIVE)
    assert "+48 777000001, state ACTIVE" in preview["preview"]["action"]
    assert "Sandbox Shop" not in preview["preview"]["action"]  # names others wrote come only fenced, in the target
    assert (
        preview["target"]["details"]["displayName"].startswith("<untrusted-data")
        and "Sandbox Shop" in preview["target"]["details"]["displayName"]
    )
    assert any("30 days" in c and "cannot cancel" in c for c in preview["preview"]["consequences"])
    assert done["verified"]["ok"] and "30 days" in done["verified"]["observed"]
    assert still["sender"]["state"] == "ACTIVE"
    assert already["errorCode"] == "sender_already_deleted"
    assert gone["errorCode"] == "sender_not_found"
    assert triggers(sandbox_transport, resource_type="whatsapp_sender") == ["WHATSAPP_SENDER_DELETED"]


async def test_list_filters_summaries_and_secrets(server, sandbox_transport):
    async with Client(server) as client:
        pending = await call(client, "list_whatsapp_senders", {"filter_states": ["PENDING_VERIFICATION"]})
        drafts = await call(client, "list_whatsapp_senders", {"filter_statuses": ["DRAFT"], "detail": "full"})
        commented = await call(
            client, "add_whatsapp_sender_comment", ACTIVE | {"comment": "Display name approved by legal."}
        )
    assert [s["id"] for s in pending["senders"]] == [PENDING["sender_id"]]
    assert set(pending["senders"][0]) <= {"id", "state", "changes", "details", "countryCode", "phoneNumber"}
    assert pending["senders"][0]["details"].keys() == {"displayName"}
    full = drafts["senders"][0]
    assert full["id"] == ACTIVE["sender_id"] and full["bearerToken"].startswith("[redacted")
    assert commented["verified"]["ok"]
    sent = [
        r.url.params.get_list("filterStates") for r in sandbox_transport.requests if r.url.path.endswith("/senders")
    ]
    assert ["PENDING_VERIFICATION"] in sent


async def test_the_question_shows_the_senders_name_and_state_fenced_and_decline_keeps_it(server, sandbox_transport):
    asked: list = []

    async def decline(context, params):
        asked.append(params.message)
        return ElicitResult(action="decline")

    async with Client(server, elicitation_callback=decline) as client:
        result = await call(client, "delete_whatsapp_sender", ACTIVE)
    assert result["status"] == "declined"
    message = asked[0]
    assert "state ACTIVE" in message and "30 days" in message and "cannot cancel" in message
    assert "<untrusted-data boundary=" in message and "Sandbox Shop" in message
    assert not any(c.startswith("DELETE") for c in sandbox_transport.api_calls())
