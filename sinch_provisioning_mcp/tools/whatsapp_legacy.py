"""Deprecated WhatsApp operations and body variants: the `legacy` toolset, off by default.

The Facebook token helpers (`longLivedAccessToken`, `wabaDetails`), the sender creation
with a Facebook token or code, and the on-behalf-of (OBO) account, which Meta ended on
2025-09-30. Every secret here is write-only and masked in results.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, SecretStr, model_validator

from sinch_provisioning_mcp.api import operations as ops
from sinch_provisioning_mcp.api.models.whatsapp import Account, LongLivedToken, Sender, WabaDetails
from sinch_provisioning_mcp.tools.declare import LEGACY, ReadBack, Toolset
from sinch_provisioning_mcp.tools.spec import Arguments, Call, Verification
from sinch_provisioning_mcp.tools.whatsapp_common import AccountManager, Name255, Placement, Vertical
from sinch_provisioning_mcp.tools.whatsapp_senders import ProfileText, next_step

toolset = Toolset("legacy", "Deprecated operations and variants; only for legacy flows explicitly wanted.")

FacebookToken = Annotated[SecretStr, Field(min_length=1, description="Facebook user token.")]
FacebookCode = Annotated[SecretStr, Field(min_length=1, description="Single-use Facebook code.")]


class TokenOrCode(Arguments):
    facebook_token: FacebookToken | None = None
    facebook_code: FacebookCode | None = None
    business_manager: AccountManager | None = None

    @model_validator(mode="after")
    def _one(self) -> TokenOrCode:
        if (self.facebook_token is None) == (self.facebook_code is None):
            raise ValueError("give facebook_token or facebook_code (one of them)")
        return self


class WabaLookup(Arguments):
    facebook_token: FacebookToken
    business_manager: AccountManager | None = None


class TokenFlowDetails(ProfileText):
    display_name: Annotated[str, Field(min_length=1, max_length=128)] | None = None
    vertical: Vertical | None = None


class TokenFlowSender(Placement):
    name: Annotated[str, Field(min_length=1, max_length=128)]
    details: TokenFlowDetails
    facebook_access_token: FacebookToken | None = None
    facebook_code: FacebookCode | None = None
    waba_id: str | None = None
    phone_number_id: str | None = None

    @model_validator(mode="after")
    def _one(self) -> TokenFlowSender:
        if (self.facebook_access_token is None) == (self.facebook_code is None):
            raise ValueError("give facebook_access_token or facebook_code (one of them)")
        return self


class OboAccount(Arguments):
    client_business_manager_id: Name255
    company_legal_name: Name255
    business_manager: AccountManager | None = None


@toolset.tool(
    "exchange_whatsapp_facebook_token",
    ops.CREATE_WHATSAPP_LONG_LIVED_ACCESS_TOKEN,
    TokenOrCode,
    output={"exchange": "object", "verified": "object"},
    example={"facebook_code": "example-facebook-code"},
)
async def exchange(call: Call, args: TokenOrCode) -> dict[str, Any]:
    """Deprecated: use only when a legacy flow is explicitly wanted. Exchanges a Facebook token or single-use code for a 60-day Meta token (returned masked)."""
    token = LongLivedToken.model_validate(await call.send(ops.CREATE_WHATSAPP_LONG_LIVED_ACCESS_TOKEN, args))
    # A token has no read endpoint: what can be checked is that one came back.
    issued = bool(token.longLivedAccessToken)
    verified = Verification(ok=issued, observed="the API issued a token" if issued else "the answer carries no token")
    return {"exchange": token, "verified": verified, "next_steps": ["Embedded Signup with create_whatsapp_sender replaces this flow."]}


toolset.get(
    "list_whatsapp_waba_details",
    ops.LIST_WHATSAPP_WABA_DETAILS,
    WabaLookup,
    WabaDetails,
    key="details",
    description=f"{LEGACY} Lists the WABAs and numbers a Facebook token reaches.",
    example={"facebook_token": "example-facebook-token"},
)
toolset.create(
    "create_whatsapp_sender_with_facebook_token",
    ops.CREATE_WHATSAPP_SENDER,
    TokenFlowSender,
    Sender,
    key="sender",
    read_back=ReadBack(ops.GET_WHATSAPP_SENDER, ids={"senderId": "id"}),
    description=f"{LEGACY} Creates a sender with a Facebook token or code; create_whatsapp_sender replaces it.",
    next_steps=lambda args, sender: [f"Sender {sender.id}: {next_step(sender)}."],
    example={
        "name": "Acme",
        "details": {"display_name": "Acme"},
        "facebook_code": "example-facebook-code",
        "waba_id": "100000000000001",
        "phone_number_id": "300000000000002",
    },
)
toolset.create(
    "create_whatsapp_account_obo",
    ops.CREATE_WHATSAPP_ACCOUNT,
    OboAccount,
    Account,
    key="account",
    read_back=ReadBack(ops.GET_WHATSAPP_ACCOUNT),
    description=f"{LEGACY} Creates an on-behalf-of account (Meta ended OBO on 2025-09-30); create_whatsapp_account replaces it.",
    example={
        "project_id": "sandbox-new-project",
        "client_business_manager_id": "123456789012345",
        "company_legal_name": "Acme Ltd",
    },
)
