"""RCS account: its onboarding activity and the comments exchanged with Sinch."""

from __future__ import annotations

from sinch_provisioning_mcp.api import operations as ops
from sinch_provisioning_mcp.api.models.rcs import RCS_ACTIVITY_PAGE_MAX
from sinch_provisioning_mcp.tools.declare import Comment, Toolset, paged

# Shared by every module of the rcs toolset.
DESCRIPTION = "RCS: senders, test numbers, launch, questionnaires and the account's activity."
toolset = Toolset("rcs", DESCRIPTION)


toolset.activities(
    "list_rcs_account_activities",
    ops.LIST_RCS_ACCOUNT_ACTIVITIES,
    paged(RCS_ACTIVITY_PAGE_MAX, detail=False),
    description="Use to follow the RCS account's onboarding: its creation and comments from Sinch, newest first.",
)
toolset.comment(
    "add_rcs_account_comment",
    ops.CREATE_RCS_ACCOUNT_COMMENT,
    Comment,
    log=ops.LIST_RCS_ACCOUNT_ACTIVITIES,
    description="Use to answer Sinch or leave a note on the RCS account's onboarding; everyone with project access "
    "sees it, and it cannot be deleted.",
    example={"comment": "Logo uploaded, please review."},
)
