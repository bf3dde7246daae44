"""Provisioning webhooks: where Sinch posts provisioning events (template approved, sender active...)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, SecretStr

from sinch_provisioning_mcp.api import operations as ops
from sinch_provisioning_mcp.api.models.webhooks import WEBHOOK_PAGE_MAX, Webhook, WebhookTrigger
from sinch_provisioning_mcp.guardrails.redact import SecretInput
from sinch_provisioning_mcp.tools.base import (
    Call,
    Consequences,
    Destructive,
    InvalidArguments,
    Result,
    Toolset,
    Verification,
)

toolset = Toolset("webhooks", "Provisioning webhooks: which URL receives which provisioning events.")


def _valid_triggers(triggers: list[str]) -> list[str]:
    if "ALL" in triggers and len(triggers) > 1:
        raise ValueError("ALL already covers every event; send ['ALL'] alone or list only the specific triggers")
    repeated = sorted({t for t in triggers if triggers.count(t) > 1})
    if repeated:
        raise ValueError(f"listed more than once: {', '.join(repeated)}")
    return triggers


def _valid_target(target: str) -> str:
    parts = urlsplit(target)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError("must be an absolute http(s) URL, e.g. https://example.com/sinch/provisioning")
    return target


WebhookId = Annotated[str, Field(min_length=1, description="The webhook's id, from list_webhooks or create_webhook.")]
Target = Annotated[
    str,
    Field(min_length=8, max_length=2048, description="Absolute https URL that receives the events; unique per project."),
    AfterValidator(_valid_target),
]
Secret = Annotated[
    SecretInput,
    Field(description="Shared secret Sinch signs each delivery with (HMAC-SHA256). Sent to Sinch, never echoed back."),
]
Triggers = Annotated[
    list[WebhookTrigger],
    Field(min_length=1, description="['ALL'] for every event, or specific triggers; never ALL together with others."),
    AfterValidator(_valid_triggers),
]


class WebhookList(Result):
    webhooks: list[Webhook]
    total_size: int


class WebhookResult(Result):
    webhook: Webhook = Field(description="The webhook as read back from the API.")
    verification: Verification | None = None


def _next_after_write(webhook: Webhook) -> list[str]:
    return [
        f"Make sure {webhook.target} answers 2xx quickly; Sinch retries deliveries that fail.",
        "Verify each delivery's x-sinch-webhook-signature (HMAC-SHA256 of body.nonce.timestamp with the secret) "
        "and reject stale timestamps.",
        "Treat delivered payloads and comments as untrusted data.",
    ]


async def _read_webhook(call: Call, webhook_id: str) -> Webhook:
    return Webhook.model_validate(await call.api(ops.GET_WEBHOOK, path={"webhookId": webhook_id}))


def _full_body(target: str, secret: SecretStr, triggers: list[str]) -> dict[str, object]:
    """Create and replace send every field."""
    return {"target": target, "secret": secret.get_secret_value(), "triggers": triggers}


async def _read_back(call: Call, webhook_id: str, target: str | None, triggers: list[str] | None) -> WebhookResult:
    """Verification step of a write: read the webhook again and compare with what was asked."""
    webhook = await _read_webhook(call, webhook_id)
    mismatches = []
    if target is not None and webhook.target != target:
        mismatches.append(f"target is {webhook.target}")
    if triggers is not None and sorted(webhook.triggers) != sorted(triggers):
        mismatches.append(f"triggers are {', '.join(webhook.triggers)}")
    verification = Verification(
        verified=not mismatches,
        observed="; ".join(mismatches) if mismatches else f"read back {webhook.id}: target and triggers as requested",
    )
    return WebhookResult(**call.stamp(), webhook=webhook, verification=verification, next_steps=_next_after_write(webhook))


@toolset.tool(ops.LIST_WEBHOOKS, title="List provisioning webhooks")
async def list_webhooks(call: Call) -> WebhookList:
    """Use first when setting up events: shows every webhook of the project (at most 15) and what it receives."""
    items, total = await call.paginate(ops.LIST_WEBHOOKS, "webhooks", query={"pageSize": WEBHOOK_PAGE_MAX})
    webhooks = [Webhook.model_validate(item) for item in items]
    steps = [] if webhooks else ["No webhooks yet: create_webhook registers one."]
    if total >= WEBHOOK_PAGE_MAX:
        steps.append("The project has the maximum of 15 webhooks: delete or reuse one before creating another.")
    return WebhookList(**call.stamp(), webhooks=webhooks, total_size=total, next_steps=steps)


@toolset.tool(ops.GET_WEBHOOK, title="Get a provisioning webhook")
async def get_webhook(call: Call, webhook_id: WebhookId) -> WebhookResult:
    """Use to check one webhook's target and triggers."""
    return WebhookResult(**call.stamp(), webhook=await _read_webhook(call, webhook_id))


@toolset.tool(ops.CREATE_WEBHOOK, title="Create a provisioning webhook")
async def create_webhook(call: Call, target: Target, secret: Secret, triggers: Triggers) -> WebhookResult:
    """Use to have Sinch post provisioning events to a URL. Check list_webhooks first: targets are unique and a
    project holds at most 15. Prefer ['ALL'] unless the user wants specific events."""
    created = Webhook.model_validate(await call.api(ops.CREATE_WEBHOOK, body=_full_body(target, secret, triggers)))
    return await _read_back(call, created.id, target, triggers)


@toolset.tool(ops.REPLACE_WEBHOOK, title="Replace a provisioning webhook")
async def replace_webhook(call: Call, webhook_id: WebhookId, target: Target, secret: Secret, triggers: Triggers) -> WebhookResult:
    """Use to set all of a webhook's fields at once (the secret included); update_webhook changes only some."""
    await call.api(ops.REPLACE_WEBHOOK, path={"webhookId": webhook_id}, body=_full_body(target, secret, triggers))
    return await _read_back(call, webhook_id, target, triggers)


@toolset.tool(ops.UPDATE_WEBHOOK, title="Update a provisioning webhook")
async def update_webhook(
    call: Call,
    webhook_id: WebhookId,
    target: Target | None = None,
    secret: Secret | None = None,
    triggers: Triggers | None = None,
) -> WebhookResult:
    """Use to change some of a webhook's target, secret or triggers; fields left out stay as they are."""
    body: dict[str, object] = {}
    if target is not None:
        body["target"] = target
    if secret is not None:
        body["secret"] = secret.get_secret_value()
    if triggers is not None:
        body["triggers"] = triggers
    if not body:
        raise InvalidArguments("nothing to update: give at least one of target, secret, triggers")
    await call.api(ops.UPDATE_WEBHOOK, path={"webhookId": webhook_id}, body=body)
    return await _read_back(call, webhook_id, target, triggers)


def _describe_deletion(target: Webhook) -> Consequences:
    return Consequences(
        action=f"Delete webhook {target.id} (target {target.target})",
        consequences=[
            f"Sinch stops posting {', '.join(target.triggers)} events to {target.target} at once.",
            "The webhook's secret is discarded; re-creating it means registering the target again.",
        ],
    )


async def _verify_gone(call: Call, webhook_id: str) -> Verification:
    still = await call.exists(ops.GET_WEBHOOK, path={"webhookId": webhook_id})
    if still is None:
        return Verification(verified=True, observed=f"webhook {webhook_id} no longer exists (GET answers 404)")
    return Verification(verified=False, observed=f"webhook {webhook_id} is still listed: {still}")


@toolset.destructive(
    ops.DELETE_WEBHOOK,
    title="Delete a provisioning webhook",
    confirm=Destructive(target=Webhook, read=_read_webhook, describe=_describe_deletion, verify=_verify_gone),
)
async def delete_webhook(call: Call, webhook_id: WebhookId) -> None:
    """Use to stop event deliveries to a URL. Asks the user to confirm first."""
    await call.api(ops.DELETE_WEBHOOK, path={"webhookId": webhook_id})
