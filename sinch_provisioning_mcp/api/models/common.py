"""Shapes every family shares."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from sinch_provisioning_mcp.guardrails.untrusted import UntrustedText


class ApiModel(BaseModel):
    """A resource as the API returns it: camelCase fields, unknown ones kept, not dropped."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class Activity(ApiModel):
    """One entry of an activity log (accounts, senders, templates): `type` is the only field always present."""

    type: str
    created: str | None = None
    author: UntrustedText | None = None
    comment: UntrustedText | None = None
