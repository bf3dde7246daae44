"""Guided KakaoTalk onboarding: a sender through its code, then a template through review."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver.prompts.base import Prompt
from pydantic import Field

from sinch_provisioning_mcp.prompts.guided import guided

NEEDS = frozenset({
    "list_kakaotalk_senders", "list_kakaotalk_sender_categories", "create_kakaotalk_sender",
    "register_kakaotalk_sender", "verify_kakaotalk_sender", "wait_for_state", "list_kakaotalk_template_categories",
    "create_kakaotalk_template",
})  # fmt: skip


def onboard_kakaotalk(
    plus_friend_id: Annotated[str, Field(description="The channel's search id (plusFriendId).", max_length=30)],
) -> str:
    """Onboard a KakaoTalk sender and its first template."""
    return guided(
        f"Help me onboard the KakaoTalk channel {plus_friend_id!r}.",
        [
            "Confirm context: `list_kakaotalk_senders` (is it there already?) and `list_kakaotalk_sender_categories` "
            "for the business category codes.",
            "Choose: `create_kakaotalk_sender` with the admin phone (E.164) and the category codes.",
            "Execute in the OTP order: create; `register_kakaotalk_sender` (KakaoTalk sends a code to the admin "
            "phone); ask me for it; `verify_kakaotalk_sender` with the number; `wait_for_state` until ACTIVE.",
            "Then a template: `list_kakaotalk_template_categories` for a valid category code, "
            "`create_kakaotalk_template`, and `wait_for_state` until APPROVED. Tell me what comes next.",
        ],
    )


PROMPT = Prompt.from_function(onboard_kakaotalk, title="Onboard KakaoTalk")
