"""Provisioning webhooks: where Sinch posts provisioning events (template approved, sender active...)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, SecretStr, model_validator

from sinch_provisioning_mcp.api import operations as ops
from sinch_provisioning_mcp.api.models.webhooks import WEBHOOK_PAGE_MAX, Webhook, WebhookTrigger
from sinch_provisioning_mcp.guardrails.untrusted import as_code, fence
from sinch_provisioning_mcp.tools.declare import ReadBack, Toolset, paged
from sinch_provisioning_mcp.tools.spec import Arguments, Confirmation, Preview

toolset = Toolset("webhooks", "Provisioning webhooks: which URL receives which provisioning events.")

# A webhook the sandbox's seeded project holds, for examples.
EXAMPLE_ID = "01J00000000000000000WEBHK1"


def _valid_triggers(triggers: list[WebhookTrigger]) -> list[WebhookTrigger]:
    # The API accepts ALL beside other values; Sinch's guidance says not to combine them.
    if WebhookTrigger.ALL in triggers and len(triggers) > 1:
        raise ValueError("ALL already covers every event; send ['ALL'] alone or list only the specific triggers")
    if len(set(triggers)) != len(triggers):
        raise ValueError("each trigger may be listed once")
    return triggers


def _valid_target(target: str) -> str:
    parts = urlsplit(target)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError("must be an absolute http(s) URL, e.g. https://example.com/sinch/provisioning")
    return target


WebhookId = Annotated[str, Field(min_length=1, max_length=64)]
Target = Annotated[str, Field(min_length=1, max_length=742), AfterValidator(_valid_target)]
Secret = Annotated[SecretStr, Field(min_length=1, max_length=128, description="Signs deliveries; never returned.")]
Triggers = Annotated[
    list[WebhookTrigger],
    Field(min_length=1, description="['ALL'], or specific triggers (never both)."),
    AfterValidator(_valid_triggers),
]


class WebhookRef(Arguments):
    webhook_id: WebhookId


class WebhookFields(Arguments):
    target: Target
    secret: Secret
    triggers: Triggers


class WebhookReplacement(WebhookRef, WebhookFields):
    pass


class WebhookChanges(WebhookRef):
    target: Target | None = None
    secret: Secret | None = None
    triggers: Triggers | None = None

    @model_validator(mode="after")
    def _something(self) -> WebhookChanges:
        if self.target is None and self.secret is None and self.triggers is None:
            raise ValueError("nothing to update: give at least one of target, secret, triggers")
        return self


def _redirects(args: Any, current: Webhook) -> bool:
    """Only a new target or a new secret needs confirming: a triggers-only change does not."""
    return (args.target is not None and args.target != current.target) or args.secret is not None


# Previews and next steps are text the server writes; the targets in them (stored ones
# and new ones alike: whoever can write a webhook chooses it) are fenced, the triggers
# shown only when they have the shape of a trigger.


def _triggers(triggers: list[str]) -> str:
    return ", ".join(as_code(trigger) for trigger in triggers)


def _changes(args: Any, current: Webhook) -> Preview:
    changes = []
    if args.target is not None and args.target != current.target:
        changes.append(f"target: {fence(current.target)} → {fence(args.target)}")
    if args.secret is not None:
        changes.append("secret: replaced; the receiver must verify signatures with the new one")
    if args.triggers is not None and sorted(args.triggers) != sorted(current.triggers):
        changes.append(f"triggers: {_triggers(current.triggers)} → {', '.join(t.value for t in args.triggers)}")
    return Preview(action=f"Change webhook {current.id}", changes=changes)


def _after_write(args: Any, webhook: Webhook) -> list[str]:
    return [
        "Make sure the webhook's target answers 2xx quickly; Sinch retries deliveries that fail.",
        "Verify each delivery's x-sinch-webhook-signature (HMAC-SHA256 of body.nonce.timestamp with the secret) "
        "and reject stale timestamps.",
    ]


def _after_list(args: Any, webhooks: list[Webhook]) -> list[str]:
    if not webhooks:
        return ["No webhooks yet: create_webhook registers one."]
    if len(webhooks) >= WEBHOOK_PAGE_MAX:
        return ["The project has the maximum of 15 webhooks: delete or reuse one before creating another."]
    return []


def _deletion(args: Any, current: Webhook) -> Preview:
    return Preview(
        action=f"Delete webhook {current.id}, target {fence(current.target)}",
        consequences=[f"Sinch stops posting {_triggers(current.triggers)} events to that target at once."],
    )


async def _current(call, args) -> Webhook:
    return Webhook.model_validate(await call.read(ops.GET_WEBHOOK, args))


_read_back = ReadBack(ops.GET_WEBHOOK, ids={"webhookId": "id"})
_confirm_redirect = Confirmation(describe=_changes, read=_current, when=_redirects)
_ref = {"webhook_id": EXAMPLE_ID}
_fields = {"target": "https://example.com/sinch/events", "secret": "example-signing-secret", "triggers": ["ALL"]}

toolset.list(
    "list_webhooks",
    ops.LIST_WEBHOOKS,
    paged(WEBHOOK_PAGE_MAX, detail=False),
    Webhook,
    items="webhooks",
    description="Use first when setting up events: every webhook of the project (at most 15) and what it receives.",
    next_steps=_after_list,
)
toolset.get(
    "get_webhook", ops.GET_WEBHOOK, WebhookRef, Webhook, key="webhook",
    description="Use to check one webhook's target and triggers.", example=_ref,
)
toolset.create(
    "create_webhook", ops.CREATE_WEBHOOK, WebhookFields, Webhook, key="webhook", read_back=_read_back,
    description="Use to have Sinch post provisioning events to a URL (unique per project, at most 15). Prefer "
    "['ALL'] unless the user wants specific events.",
    next_steps=_after_write, example=_fields,
)
toolset.update(
    "replace_webhook", ops.REPLACE_WEBHOOK, WebhookReplacement, Webhook, key="webhook", read_back=_read_back,
    description="Use to set all of a webhook's fields at once, the secret included; asks the user to confirm.",
    confirmation=_confirm_redirect, next_steps=_after_write, example=_ref | _fields,
)
toolset.update(
    "update_webhook", ops.UPDATE_WEBHOOK, WebhookChanges, Webhook, key="webhook", read_back=_read_back,
    description="Use to change some of a webhook's target, secret or triggers; a new target or secret asks the "
    "user to confirm.",
    confirmation=_confirm_redirect, next_steps=_after_write, example=_ref | {"triggers": ["BUNDLE_DONE"]},
)
toolset.delete(
    "delete_webhook", ops.DELETE_WEBHOOK, WebhookRef, read=ops.GET_WEBHOOK, model=Webhook, describe=_deletion,
    description="Use to stop event deliveries to a URL; asks the user to confirm.", example=_ref,
)
