"""Bundles: a work order and the resources it created."""

from __future__ import annotations

from sinch_provisioning_mcp.api.models.common import ApiModel
from sinch_provisioning_mcp.api.models.sms import SmsApp
from sinch_provisioning_mcp.api.models.webhooks import Webhook
from sinch_provisioning_mcp.guardrails.untrusted import UntrustedText

# GET /bundles: pageSize 1..25.
BUNDLE_PAGE_MAX = 25


class Subproject(ApiModel):
    id: str | None = None
    name: UntrustedText | None = None
    labels: dict[str, UntrustedText] | None = None
    parentProjectId: str | None = None
    status: str | None = None  # PENDING or READY


class ConversationWebhook(ApiModel):
    # A `secret` the API may echo is kept as an unknown field and redacted by its key.
    id: str | None = None
    target: str | None = None
    triggers: list[str] | None = None


class RetentionPolicy(ApiModel):
    retentionPolicyType: str | None = None
    ttl: float | None = None


class ConsentManagerSettings(ApiModel):
    mode: str | None = None


class ConversationApp(ApiModel):
    id: str | None = None
    name: UntrustedText | None = None
    webhooks: list[ConversationWebhook] | None = None
    processingMode: str | None = None
    retentionPolicy: RetentionPolicy | None = None
    consentManagerSettings: ConsentManagerSettings | None = None
    smsChannelStatus: str | None = None


class DeliveryStatus(ApiModel):
    webhookId: str | None = None
    httpStatusCode: int | None = None
    # Written by the receiving server.
    errorMessage: UntrustedText | None = None
    date: str | None = None


class Bundle(ApiModel):
    id: str
    projectId: str | None = None  # where the resources are: the subproject, when one was ordered
    name: UntrustedText | None = None
    state: str | None = None  # IN_PROGRESS, DONE or FAILED
    region: str | None = None
    subproject: Subproject | None = None
    smsApp: SmsApp | None = None
    convApp: ConversationApp | None = None
    webhooks: list[Webhook] | None = None
    webhookDeliveryStatuses: list[DeliveryStatus] | None = None
