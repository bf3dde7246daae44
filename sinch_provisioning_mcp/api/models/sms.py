"""SMS apps."""

from __future__ import annotations

from sinch_provisioning_mcp.api.models.common import ApiModel
from sinch_provisioning_mcp.guardrails.untrusted import UntrustedText

# GET /sms/smsApps: pageSize 1..100.
SMS_APP_PAGE_MAX = 100


class ConversationApiAppDetails(ApiModel):
    id: str | None = None
    projectId: str | None = None
    region: str | None = None
    channelStatus: str | None = None


class SmsApp(ApiModel):
    id: str
    smsServiceId: str | None = None
    # Anyone with access to the project can name an app.
    name: UntrustedText | None = None
    # A provisioning state (ACTIVE, PENDING_ADD, FAILED_ADD...): plain, so newer values parse.
    status: str | None = None
    regions: list[str] | None = None
    conversationApiAppDetails: ConversationApiAppDetails | None = None
    test: bool | None = None
    # Only in a bundle's record of the app.
    numberVerified: bool | None = None
