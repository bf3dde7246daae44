"""Shapes every family shares."""

from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, SerializationInfo, SerializerFunctionWrapHandler, model_serializer

from sinch_provisioning_mcp.api.catalog import catalog
from sinch_provisioning_mcp.guardrails.redact import is_secret_key
from sinch_provisioning_mcp.guardrails.untrusted import Code, Timestamp, UntrustedText, fence_all


def catalog_enum(name: str, values: str) -> type[Enum]:
    """An enum of one of the catalog's value lists (`webhook_triggers`, or a `common.enums` name),
    so the API's values have one source; an Enum, not a Literal, so a tool's input schema states
    it once, in `$defs`, however many fields use it."""
    found = catalog()
    listed = found["webhook_triggers"] if values == "webhook_triggers" else found["common"]["enums"][values]
    return Enum(name, {value: value for value in listed}, type=str)


class ApiModel(BaseModel):
    """A resource as the API returns it: camelCase fields, unknown ones kept, not dropped.

    A field this server does not know yet is kept so the agent still sees it, but nothing
    vouches for its content: rendered as JSON, every string in it is fenced as untrusted
    text (secret-bearing keys aside: redaction masks those whole).
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)

    @model_serializer(mode="wrap")
    def _fence_unknown_fields(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
        data = handler(self)
        extra = self.__pydantic_extra__
        if not extra or not info.mode_is_json() or not isinstance(data, dict):
            return data
        unknown = fence_all({key: data[key] for key in extra if key in data}, left_whole=is_secret_key)
        return {key: value for key, value in data.items() if key not in extra} | unknown


class Activity(ApiModel):
    """One entry of an activity log (accounts, senders, templates): `type` is the only field always present."""

    type: Code
    created: Timestamp | None = None
    author: UntrustedText | None = None
    comment: UntrustedText | None = None
