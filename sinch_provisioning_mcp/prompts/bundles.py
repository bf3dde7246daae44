"""Guided bundle: several resources in one asynchronous work order."""

from __future__ import annotations

from typing import Annotated, Literal

from mcp.server.mcpserver.prompts.base import Prompt
from pydantic import Field

from sinch_provisioning_mcp.prompts.guided import guided

NEEDS = frozenset({"list_bundles", "list_webhooks", "list_sms_apps", "create_bundle", "wait_for_state", "get_bundle"})


def order_bundle(
    region: Annotated[Literal["EU", "US", "BR"], Field(description="Where the SMS app and Conversation app live.")] = "EU",
) -> str:
    """Order a bundle: a subproject, an SMS app, a Conversation app and webhooks in one work order."""
    return guided(
        f"Help me order a Sinch bundle in region {region}.",
        [
            "Confirm context: `list_bundles`, `list_webhooks` (a project holds at most 15, each target once) and "
            "`list_sms_apps`: what exists already?",
            "Choose what to order: a subproject, an SMS app, a Conversation app (with at most 5 Conversation "
            "webhooks), and 1 to 15 provisioning webhooks with unique targets; ask me for names and targets.",
            "Execute: `create_bundle`, which asks me first (there is no bundle delete, and a retry creates a second "
            "set). If the answer is lost (outcome_unknown), `list_bundles` before anything else: never order twice.",
            "Verify: `wait_for_state` for the bundle until DONE (BUNDLE_DONE reports it too), then `get_bundle` for "
            "what it created.",
        ],
    )


PROMPT = Prompt.from_function(order_bundle, title="Order a bundle")
