"""Shapes every family shares."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ApiModel(BaseModel):
    """A resource as the API returns it: camelCase fields, unknown ones kept, not dropped."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)
