"""Provisioning webhooks."""

from __future__ import annotations


from pydantic import Field

from sinch_provisioning_mcp.api.models.common import ApiModel, catalog_enum
from sinch_provisioning_mcp.guardrails.untrusted import Code, UntrustedText

# GET /webhooks: pageSize 1..15; a project holds at most 15 webhooks.
WEBHOOK_PAGE_MAX = 15


# The 39 trigger values of the 1.2.117 spec (the catalog's webhook_triggers).
WebhookTrigger = catalog_enum("WebhookTrigger", "webhook_triggers")


class Webhook(ApiModel):
    id: str
    # Whoever can write a webhook chooses its target: third-party text, returned fenced.
    target: UntrustedText = Field(description="Where Sinch posts events, as stored: not fetched and not verified by this server.")
    projectId: str
    # Codes, not the enum: an answer naming a trigger newer than this client must still parse.
    triggers: list[Code]
