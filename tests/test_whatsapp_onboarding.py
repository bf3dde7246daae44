"""A whole WhatsApp onboarding rehearsed in the sandbox through MCP: account, sender through
the OTP order to ACTIVE, a template to APPROVED, then its deletion with confirmation."""

from __future__ import annotations

from mcp import Client

from whatsapp_support import REVIEW, TOOLSETS, call, confirmed, refused, sandbox, triggers

PROJECT = "onboarding-project"


async def test_full_onboarding_from_an_empty_project(make_server, sandbox_transport):
    state = sandbox(sandbox_transport)
    async with Client(make_server(project_id=PROJECT, toolsets=TOOLSETS)) as client:
        missing = await refused(client, "get_whatsapp_account", {})
        assert missing["errorCode"] == "account_not_found"

        # 1. The account: created, reviewed by Meta, onboarded.
        created = await call(
            client,
            "create_whatsapp_account",
            {
                "waba_name": "Acme Ltd",
                "client_business_manager_id": "123456789012345",
                "business_manager": "SINCH_UK",
                "sender_details": {"display_name": "Acme", "business_category": "SHOPPING_AND_RETAIL", "region": "EU"},
            },
        )
        assert created["account"]["changes"]["status"] == "IN_PROGRESS" and created["verified"]["ok"]
        state.advance(REVIEW)
        pending = await call(client, "get_whatsapp_account", {})
        assert pending["account"]["changes"]["status"] == "PENDING_FACEBOOK_VERIFICATION"
        state.advance(REVIEW)
        account = await call(client, "get_whatsapp_account", {})
        assert account["account"]["state"] == "ONBOARDED"
        assert "create_whatsapp_sender_partner_initiated" in account["next_steps"][0]

        # 2. The sender: Meta's review, then the OTP order.
        sender = (
            await call(
                client,
                "create_whatsapp_sender_partner_initiated",
                {
                    "phone_number_provider": "CUSTOMER",
                    "details": {
                        "country_code": "48",
                        "phone_number": "777123456",
                        "display_name": "Acme",
                        "vertical": "SHOPPING_AND_RETAIL",
                    },
                },
            )
        )["sender"]
        assert sender["state"] == "IN_PROGRESS"
        too_early = await refused(client, "register_whatsapp_sender", {"sender_id": sender["id"], "method": "SMS"})
        assert (
            too_early["errorCode"] == "invalid_arguments"
            and "WHATSAPP_SENDER_PENDING_VERIFICATION" in too_early["message"]
        )
        state.advance(REVIEW)
        registered = await call(client, "register_whatsapp_sender", {"sender_id": sender["id"], "method": "SMS"})
        assert registered["registration"]["verificationCodeSent"] is True
        assert "Sandbox: the code is 123456." in registered["next_steps"]
        verified = await call(client, "verify_whatsapp_sender", {"sender_id": sender["id"], "code": "123456"})
        assert verified["verified"]["ok"] and "WHATSAPP_SENDER_ACTIVE" in verified["next_steps"][0]
        state.advance(REVIEW)
        active = await call(client, "get_whatsapp_sender", {"sender_id": sender["id"]})
        assert active["sender"]["state"] == "ACTIVE"
        shown_name = active["sender"]["details"]["displayName"]
        assert (
            shown_name.startswith("<untrusted-data boundary=") and "\nAcme\n" in shown_name
        )  # fenced third-party text

        # 3. A template: submitted, approved by Meta.
        template = await call(
            client,
            "create_whatsapp_template",
            {
                "name": "order_ready",
                "language": "EN_US",
                "category": "UTILITY",
                "details": {
                    "components": [
                        {"type": "BODY", "text": "Hi {{1}}, order {{2}} is ready.", "examples": ["Ann", "A-7"]}
                    ]
                },
            },
        )
        assert template["template"]["changes"]["status"] == "IN_PROGRESS" and template["verified"]["ok"]
        state.advance(REVIEW)
        approved = await call(
            client, "get_whatsapp_template", {"template_name": "order_ready", "language_code": "EN_US"}
        )
        assert approved["template"]["state"] == "APPROVED" and "changes" not in approved["template"]

        # 4. Its deletion, confirmed, says the name and language are locked for 30 days.
        preview, done = await confirmed(
            client,
            "delete_whatsapp_template_language",
            {"template_name": "order_ready", "language_code": "EN_US", "delete_submitted": True},
        )
        assert any("locked for 30 days" in line for line in preview["preview"]["consequences"])
        assert done["verified"]["ok"]
        gone = await refused(
            client, "get_whatsapp_template", {"template_name": "order_ready", "language_code": "EN_US"}
        )
        assert gone["errorCode"] == "template_not_found"

    assert triggers(sandbox_transport, PROJECT) == [
        "WHATSAPP_ACCOUNT_PENDING_VERIFICATION",
        "WHATSAPP_ACCOUNT_ONBOARDED",
        "WHATSAPP_SENDER_PENDING_VERIFICATION",
        "WHATSAPP_SENDER_ACTIVE",
        "WHATSAPP_TEMPLATE_APPROVED",
        "WHATSAPP_TEMPLATE_DELETED",
    ]
    approval = [e for e in state.project(PROJECT).outbox.after(0) if e.trigger == "WHATSAPP_TEMPLATE_APPROVED"][0]
    assert approval.payload["state"] == "APPROVED" and approval.payload["name"] == "order_ready"
