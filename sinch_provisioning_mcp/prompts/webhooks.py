"""Guided set-up of a provisioning webhook, following confirm → choose → execute → verify."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver.prompts.base import Prompt
from pydantic import Field

NEEDS = frozenset({"list_webhooks", "create_webhook", "update_webhook", "get_webhook"})


def set_up_provisioning_webhook(
    events: Annotated[
        str, Field(description="Which events: 'all', or a family such as WhatsApp templates, RCS senders, bundles.")
    ] = "all",
) -> str:
    """Set up a provisioning webhook so a backend hears about approvals, rejections and status changes."""
    scope = (
        "triggers ['ALL'] (the user asked for every event)"
        if events.strip().lower() == "all"
        else f"only the triggers of this family: {events!r} (for example WHATSAPP_TEMPLATE_* for WhatsApp templates)"
    )
    return f"""Help me set up a Sinch provisioning webhook. Follow these steps and tell me what you do at each one.

1. Confirm context: ask which Sinch project to use if it is not clear, then call list_webhooks to see what is
   already registered. A project holds at most 15 webhooks and each target URL only once.
2. Choose: if a webhook with my target already exists, plan update_webhook for it; otherwise create_webhook.
   Use {scope}. Never combine ALL with other triggers.
3. Ask me for the target URL (https) and for the signing secret, or suggest I generate a long random one and keep
   it in my backend's secret store. Do not repeat the secret back in the conversation.
4. Execute the one call, then check its verification and tell me what the server read back.
5. Tell me what comes next: my endpoint must answer 2xx quickly and verify the x-sinch-webhook-signature header
   (HMAC-SHA256 over body.nonce.timestamp with the secret), rejecting stale timestamps.
"""


PROMPT = Prompt.from_function(set_up_provisioning_webhook, title="Set up a provisioning webhook")
