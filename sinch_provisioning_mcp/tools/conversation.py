"""Conversation channel info: what Instagram, Messenger, Telegram and Viber report for a Conversation API app.

Read-only: channels are added to an app through its channel credentials (Sinch dashboard,
or the Conversation API), never through the Provisioning API. An app without the channel
answers 404 `conversation_app_no_<channel>_channel`. Telegram exists here only as channel
info; there are no Telegram (or LINE) senders to provision.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from sinch_provisioning_mcp.api import operations as ops
from sinch_provisioning_mcp.api.models.conversation import (
    ChannelInfo,
    InstagramInfo,
    MessengerInfo,
    TelegramInfo,
    ViberInfo,
)
from sinch_provisioning_mcp.tools.declare import NextSteps, Toolset
from sinch_provisioning_mcp.tools.spec import Arguments

toolset = Toolset("conversation", "Conversation API apps: Instagram, Messenger, Telegram and Viber channel info.")

# The Conversation app the sandbox's seeded project holds, with all four channels.
EXAMPLE_APP_ID = "01J00000000000000000CNVAPP"


class ConversationAppRef(Arguments):
    conversation_app_id: Annotated[str, Field(min_length=1, max_length=64)]


def _status_steps(label: str) -> NextSteps:
    def next_steps(args: Any, info: ChannelInfo) -> list[str]:
        if info.status == "ACTIVE":
            return []
        return [
            f"The {label} channel is {info.status}: fix its credentials on Conversation API app "
            f"{args.conversation_app_id} (Sinch dashboard, Conversation API > Apps), then read it again."
        ]

    return next_steps


_CHANNELS = (
    ("instagram", "Instagram", ops.GET_CONVERSATION_INSTAGRAM, InstagramInfo, "account", ""),
    ("messenger", "Messenger", ops.GET_CONVERSATION_MESSENGER, MessengerInfo, "Facebook page", ""),
    # Agents asked for a "Telegram sender" must learn there is none to create here.
    ("telegram", "Telegram", ops.GET_CONVERSATION_TELEGRAM, TelegramInfo, "bot",
     " Bots are connected to the app in the Sinch dashboard; this API cannot create them."),
    ("viber", "Viber", ops.GET_CONVERSATION_VIBER, ViberInfo, "bot", ""),
)
for channel, label, op, model, what, note in _CHANNELS:
    toolset.get(
        f"get_{channel}_channel_info",
        op,
        ConversationAppRef,
        model,
        key=channel,
        description=f"Use to check the {label} {what} linked to a Conversation API app: its status and profile.{note}",
        next_steps=_status_steps(label),
        example={"conversation_app_id": EXAMPLE_APP_ID},
    )
