"""Provisioning events this server receives (HTTP mode with SINCH_MCP_EVENTS_SECRET): subscribe, then read."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Annotated, Any

from pydantic import Field

from sinch_provisioning_mcp.api import operations as ops
from sinch_provisioning_mcp.api.events import ReceivedEvent
from sinch_provisioning_mcp.api.models.common import ApiModel
from sinch_provisioning_mcp.api.models.webhooks import Webhook, WebhookTrigger
from sinch_provisioning_mcp.guardrails.untrusted import UntrustedText
from sinch_provisioning_mcp.tools.declare import Toolset, compare
from sinch_provisioning_mcp.tools.spec import Arguments, Call, InvalidArguments
from sinch_provisioning_mcp.tools.webhooks import Triggers

toolset = Toolset("events", "Provisioning events received by this server, and the webhook that sends them here.")


class EventView(ApiModel):
    sequence: int
    received: str
    trigger: str
    comment: UntrustedText | None = None
    payload: UntrustedText = Field(description="The resource at event time, as JSON, fenced: third-party data.")


def _view(event: ReceivedEvent) -> EventView:
    return EventView(
        sequence=event.sequence,
        received=datetime.fromtimestamp(event.received, timezone.utc).isoformat(timespec="seconds"),
        trigger=event.trigger,
        comment=event.comment,
        payload=json.dumps(event.payload, ensure_ascii=False, separators=(",", ":")),
    )


def _receiver(call: Call):
    if call.events is None:
        raise InvalidArguments("This server receives no events: run it over HTTP with SINCH_MCP_EVENTS_SECRET set.")
    return call.events


class EventQuery(Arguments):
    # A pattern, not the 39-value enum: a local filter, where a newer trigger simply matches nothing.
    trigger: Annotated[str | None, Field(pattern=r"^[A-Z_]{3,64}$", description="e.g. WHATSAPP_TEMPLATE_APPROVED")] = None
    resource_id: Annotated[str | None, Field(max_length=512, description="A sender id, template name, bundle id...")] = None
    after: Annotated[int, Field(ge=0, description="Only events after this sequence number.")] = 0
    limit: Annotated[int, Field(ge=1, le=100)] = 20


@toolset.tool("list_provisioning_events", None, EventQuery, output={"events": "array", "last_sequence": "integer"})
async def list_provisioning_events(call: Call, args: EventQuery) -> dict[str, Any]:
    """Use to see the provisioning events Sinch sent this server (approvals, rejections, state changes), oldest
    first."""
    receiver = _receiver(call)
    found = (await receiver.log.query(after=args.after, trigger=args.trigger, resource_id=args.resource_id))[-args.limit :]
    steps = [] if found else ["Nothing yet: subscribe_to_provisioning_events registers this server, then changes arrive here."]
    last = await receiver.log.last_sequence()
    return {"events": [_view(event) for event in found], "last_sequence": last, "next_steps": steps}


class Subscription(Arguments):
    triggers: Triggers = [WebhookTrigger.ALL]


@toolset.tool("subscribe_to_provisioning_events", None, Subscription, output={"webhook": "object", "verified": "object"},
              policy=ops.CREATE_WEBHOOK.policy)
async def subscribe_to_provisioning_events(call: Call, args: Subscription) -> dict[str, Any]:
    """Use once per project to have Sinch post its provisioning events to this server."""
    receiver = _receiver(call)
    body = {"target": receiver.url, "secret": receiver.secret, "triggers": [t.value for t in args.triggers]}
    created = await call.api(ops.CREATE_WEBHOOK, body=body)
    webhook = Webhook.model_validate(await call.api(ops.GET_WEBHOOK, path={"webhookId": created["id"]}))
    return {
        "webhook": webhook,
        "verified": compare(body, webhook.model_dump(), f"webhook {webhook.id}"),
        "next_steps": ["list_provisioning_events shows events as they arrive."],
    }
