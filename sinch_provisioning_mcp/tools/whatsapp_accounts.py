"""WhatsApp account: the project's WhatsApp Business Account onboarding (one per project)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator
from pydantic_core.core_schema import ValidationInfo

from sinch_provisioning_mcp.api import operations as ops
from sinch_provisioning_mcp.api.models.whatsapp import WHATSAPP_PAGE_MAX, Account
from sinch_provisioning_mcp.tools.declare import Comment, ReadBack, Toolset, paged
from sinch_provisioning_mcp.tools.spec import Arguments, NoArguments, Preview
from sinch_provisioning_mcp.tools.whatsapp_common import (
    AccountManager,
    BusinessCategory,
    MetaLocalStorage,
    Name255,
    Region,
    check_region_manager,
)

toolset = Toolset("whatsapp", "WhatsApp: account, senders (OTP), templates, flows, solutions.")

# A project of the sandbox without WhatsApp: account creation's example must start there.
NEW_PROJECT = "sandbox-new-project"
# A sandbox project whose account was rejected and has no sender: it can be fixed or deleted.
REJECTED_PROJECT = "sandbox-rejected-project"


class FirstSender(Arguments):
    display_name: Name255
    business_category: BusinessCategory
    region: Region | None = None
    meta_local_storage: MetaLocalStorage | None = None


class FirstSenderChanges(Arguments):
    display_name: Name255 | None = None
    business_category: BusinessCategory | None = None
    region: Region | None = None
    meta_local_storage: MetaLocalStorage | None = None


class NewAccount(Arguments):
    waba_name: Annotated[Name255, Field(description="As in Meta Business Manager.")]
    client_business_manager_id: Annotated[Name255, Field(description="Meta Business Manager ID.")]
    business_manager: AccountManager | None = None
    sender_details: FirstSender

    @field_validator("sender_details")
    @classmethod
    def _served(cls, first: FirstSender, info: ValidationInfo) -> FirstSender:
        check_region_manager(first.region, info.data.get("business_manager"))
        return first


class AccountChanges(Arguments):
    waba_name: Name255 | None = None
    client_business_manager_id: Name255 | None = None
    sender_details: FirstSenderChanges | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_legacy_name(cls, data: Any) -> Any:
        if isinstance(data, dict) and "company_legal_name" in data:
            raise ValueError("company_legal_name is deprecated: give waba_name instead")
        return data

    @model_validator(mode="after")
    def _something(self) -> AccountChanges:
        if self.model_dump(exclude_none=True) == {}:
            raise ValueError("nothing to update: give waba_name, client_business_manager_id or sender_details")
        return self


def _after_account(args: Any, account: Account) -> list[str]:
    if account.state == "ONBOARDED":
        return [
            "Onboarded: create a sender (create_whatsapp_sender_partner_initiated, or create_whatsapp_sender after Embedded Signup)."
        ]
    status = account.changes.status if account.changes else None
    if status == "REJECTED":
        return [
            "Rejected: read list_whatsapp_account_activities for Meta's reason, then fix it with update_whatsapp_account."
        ]
    if status == "PENDING_FACEBOOK_VERIFICATION":
        return [
            "Meta waits for the business verification in Meta Business Manager; then WHATSAPP_ACCOUNT_ONBOARDED arrives."
        ]
    return [
        "Meta is reviewing it: wait for WHATSAPP_ACCOUNT_ONBOARDED or WHATSAPP_ACCOUNT_REJECTED (or get_whatsapp_account)."
    ]


def _deletion(args: Any, current: Account) -> Preview:
    return Preview(
        action=f"Delete the project's WhatsApp account (WABA {current.wabaId})",
        changes=[f"state: {current.state or (current.changes.status if current.changes else '?')} → deleted"],
        consequences=[f"WABA {current.wabaId} is detached from the project; its template drafts are deleted."],
    )


_read_back = ReadBack(ops.GET_WHATSAPP_ACCOUNT)

toolset.get(
    "get_whatsapp_account",
    ops.GET_WHATSAPP_ACCOUNT,
    NoArguments,
    Account,
    key="account",
    description="Use first for WhatsApp: the project's account, its onboarding state and WABA.",
    next_steps=_after_account,
)
toolset.create(
    "create_whatsapp_account",
    ops.CREATE_WHATSAPP_ACCOUNT,
    NewAccount,
    Account,
    key="account",
    read_back=_read_back,
    description="Use to onboard the project to WhatsApp without Embedded Signup (partner-initiated); one per project, "
    "Meta reviews it. Region BR takes business manager SINCH_BR or SINCH_MX, EU SINCH_UK.",
    next_steps=_after_account,
    example={
        "project_id": NEW_PROJECT,
        "waba_name": "Acme Ltd",
        "client_business_manager_id": "123456789012345",
        "business_manager": "SINCH_UK",
        "sender_details": {"display_name": "Acme", "business_category": "SHOPPING_AND_RETAIL", "region": "EU"},
    },
)
toolset.update(
    "update_whatsapp_account",
    ops.UPDATE_WHATSAPP_ACCOUNT,
    AccountChanges,
    Account,
    key="account",
    read_back=_read_back,
    description="Use to fix a REJECTED account; it goes back to Meta's review. Only rejected accounts can be updated.",
    next_steps=_after_account,
    example={"project_id": REJECTED_PROJECT, "waba_name": "Sandbox Company"},
)
toolset.delete(
    "delete_whatsapp_account",
    ops.DELETE_WHATSAPP_ACCOUNT,
    NoArguments,
    read=ops.GET_WHATSAPP_ACCOUNT,
    model=Account,
    describe=_deletion,
    description="Use to remove the project's WhatsApp account once it has no senders; asks the user to confirm.",
    example={"project_id": REJECTED_PROJECT},
)
toolset.activities(
    "list_whatsapp_account_activities",
    ops.LIST_WHATSAPP_ACCOUNT_ACTIVITIES,
    paged(WHATSAPP_PAGE_MAX, detail=False),
    description="Use to follow the account's onboarding and comments from Sinch, newest first.",
)
toolset.comment(
    "add_whatsapp_account_comment",
    ops.CREATE_WHATSAPP_ACCOUNT_COMMENT,
    Comment,
    log=ops.LIST_WHATSAPP_ACCOUNT_ACTIVITIES,
    description="Use to answer Sinch on the account's onboarding; permanent, visible to everyone with project access.",
    example={"comment": "Business verification is done in Meta Business Manager."},
)
