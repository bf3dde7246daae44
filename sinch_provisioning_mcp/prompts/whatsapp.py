"""Guided WhatsApp onboarding: a sender through the OTP order, and a template through review."""

from __future__ import annotations

from typing import Annotated, Literal

from mcp.server.mcpserver.prompts.base import Prompt
from pydantic import Field

from sinch_provisioning_mcp.prompts.guided import guided

SENDER_NEEDS = frozenset({
    "get_project_overview", "get_whatsapp_account", "list_whatsapp_solutions", "create_whatsapp_sender",
    "create_whatsapp_sender_partner_initiated", "wait_for_state", "register_whatsapp_sender",
    "verify_whatsapp_sender", "get_whatsapp_sender",
})  # fmt: skip
TEMPLATE_NEEDS = frozenset({
    "get_whatsapp_account", "list_whatsapp_templates", "create_whatsapp_template", "update_whatsapp_template",
    "wait_for_state", "list_whatsapp_template_activities",
})  # fmt: skip


def onboard_whatsapp_sender(
    region: Annotated[Literal["BR", "EU", "US"], Field(description="Where the number's data lives.")] = "US",
    flow: Annotated[
        Literal["embedded_signup", "partner_initiated"],
        Field(description="embedded_signup: the business logged in with Meta; partner_initiated: Sinch onboards it."),
    ] = "embedded_signup",
) -> str:
    """Onboard a WhatsApp sender (a business phone number) up to ACTIVE, in the OTP order."""
    create = (
        "`create_whatsapp_sender` with the wabaId and phoneNumberId (and the single-use authentication code, if any) "
        "from Meta's Embedded Signup popup; if a Tech Provider solution is used, it must be assigned first "
        "(`list_whatsapp_solutions`; assignment is final)"
        if flow == "embedded_signup"
        else "`create_whatsapp_sender_partner_initiated` with the phone number provider (CUSTOMER or SINCH), the "
        "country code and number, display name and vertical"
    )
    return guided(
        f"Help me onboard a WhatsApp sender in region {region}.",
        [
            "Confirm context: which project (`get_project_overview`), then `get_whatsapp_account`; ask me for the "
            "number and the display name if they are not clear.",
            f"Choose: {create}. Region {region} takes the business managers sinch://reference/whatsapp-regions "
            "lists (BR: SINCH_BR or SINCH_MX; EU: SINCH_UK; US: any).",
            "Execute in the OTP order: create; `wait_for_state` until PENDING_VERIFICATION; `register_whatsapp_sender` "
            "(SMS or VOICE); ask me for the 6-character code Meta sent; `verify_whatsapp_sender` with it.",
            "Verify: `wait_for_state` until ACTIVE, then `get_whatsapp_sender`; tell me what comes next (templates).",
        ],
    )


def create_whatsapp_template(
    purpose: Annotated[str, Field(description="What the message is for, in a few words.", max_length=300)],
    language: Annotated[str, Field(description="Language code, e.g. EN_US, PT_BR.", pattern=r"^[A-Z]{2,3}(_[A-Z]{2})?$")] = "EN_US",
) -> str:
    """Create a WhatsApp template and take it through Meta's review."""
    return guided(
        f"Help me create a WhatsApp template for this purpose: {purpose!r}, in language {language}.",
        [
            "Confirm context: `get_whatsapp_account` (the account must be onboarded) and `list_whatsapp_templates` "
            "(a name deleted in the last 30 days cannot be reused).",
            "Choose the category: AUTHENTICATION for one-time codes (Meta writes the text; exactly one OTP button), "
            "UTILITY for messages about an existing order or account, MARKETING for promotions (carousels too). "
            "Check sinch://reference/whatsapp-template-rules: variables {{1}}, {{2}}... in order with one example each.",
            "Execute: show me the draft; `create_whatsapp_template` (status DRAFT to save it, SUBMIT to send it to "
            "Meta); a draft is submitted later with `update_whatsapp_template`.",
            "Verify: `wait_for_state` until APPROVED; if REJECTED, `list_whatsapp_template_activities` shows why: fix "
            "it with `update_whatsapp_template`.",
        ],
    )


SENDER = Prompt.from_function(onboard_whatsapp_sender, title="Onboard a WhatsApp sender")
TEMPLATE = Prompt.from_function(create_whatsapp_template, title="Create a WhatsApp template")
