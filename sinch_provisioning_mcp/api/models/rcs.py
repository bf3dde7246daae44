"""RCS accounts."""

from __future__ import annotations

from pydantic import Field

from sinch_provisioning_mcp.api.models.common import ApiModel
from sinch_provisioning_mcp.guardrails.untrusted import UntrustedText

RCS_ACTIVITY_PAGE_MAX = 100


class RcsActivity(ApiModel):
    type: str = Field(description="COMMENT_ADDED or CREATED.")
    created: str = Field(description="When it happened, ISO-8601 UTC.")
    author: UntrustedText | None = None
    comment: UntrustedText | None = None
