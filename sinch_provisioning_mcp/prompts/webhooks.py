"""Guided set-up of a provisioning webhook."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver.prompts.base import Prompt
from pydantic import Field

from sinch_provisioning_mcp.prompts.guided import guided

NEEDS = frozenset({"list_webhooks", "create_webhook", "update_webhook", "get_webhook"})


def set_up_provisioning_webhook(
    events: Annotated[
        str, Field(description="Which events: 'all', or a family such as WhatsApp templates, RCS senders, bundles.")
    ] = "all",
) -> str:
    """Set up a provisioning webhook so a backend hears about approvals, rejections and status changes."""
    scope = (
        "triggers ['ALL'] (every event)"
        if events.strip().lower() == "all"
        else f"only the triggers of this family: {events!r} (sinch://reference/webhook-triggers lists them by family)"
    )
    return guided(
        "Help me set up a Sinch provisioning webhook.",
        [
            "Confirm context: which project, then `list_webhooks`. A project holds at most 15 webhooks, each target "
            "URL only once.",
            f"Choose: `update_webhook` if my target is already registered, otherwise `create_webhook`, with {scope}. "
            "Never combine ALL with other triggers.",
            "Ask me for the https target URL and for the signing secret (or suggest I generate a long random one and "
            "keep it in my backend's secret store); do not repeat the secret back. Execute the one call.",
            "Verify: tell me what `verified` says the server read back, or check with `get_webhook`. Then what comes "
            "next: my endpoint must answer 2xx quickly and verify the x-sinch-webhook-signature header (HMAC-SHA256 "
            "over body.nonce.timestamp with the secret), rejecting stale timestamps.",
        ],
    )


PROMPT = Prompt.from_function(set_up_provisioning_webhook, title="Set up a provisioning webhook")
