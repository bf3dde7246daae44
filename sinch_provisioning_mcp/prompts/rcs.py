"""Guided RCS agent, from its creation to launch."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver.prompts.base import Prompt
from pydantic import Field

from sinch_provisioning_mcp.prompts.guided import guided

NEEDS = frozenset({
    "list_rcs_senders", "get_rcs_questionnaire", "create_rcs_sender", "update_rcs_sender", "add_rcs_test_numbers",
    "check_rcs_launch_readiness", "launch_rcs_sender", "wait_for_state",
})  # fmt: skip


def launch_rcs_agent(
    use_case: Annotated[str, Field(description="e.g. OTP, TRANSACTIONAL, PROMOTIONAL, MULTI_USE.", max_length=40)] = "TRANSACTIONAL",
    countries: Annotated[str, Field(description="Launch countries, ISO 3166 codes, comma-separated.", max_length=200)] = "GB",
) -> str:
    """Create an RCS agent, test it on real phones, and launch it."""
    return guided(
        f"Help me launch an RCS agent for use case {use_case} in {countries}.",
        [
            f"Confirm context: `list_rcs_senders` (is there one already?) and `get_rcs_questionnaire` for {use_case} "
            f"and {countries}: these are the questions the launch review asks.",
            "Choose: `create_rcs_sender` for a new agent (region, billing category and use case cannot change "
            "afterwards), or `update_rcs_sender` for an existing one.",
            "Execute: brand details, contacts, logo and banner, privacy and terms URLs, and the questionnaire "
            "answers; `add_rcs_test_numbers` for my test phones (E.164; 20 invites a day, 200 in all); then "
            "`check_rcs_launch_readiness` until nothing is missing (sinch://reference/rcs-launch-requirements); "
            "then `launch_rcs_sender`, which is irreversible and asks me first.",
            "Verify: `wait_for_state` until LAUNCHED (PENDING_LAUNCH means no review video was given); the "
            "RCS_SENDER_STATUS_UPDATED and RCS_SENDER_OPERATOR_STATUS_UPDATED triggers report progress.",
        ],
    )


PROMPT = Prompt.from_function(launch_rcs_agent, title="Launch an RCS agent")
