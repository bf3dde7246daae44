"""The JSON schemas agents see, kept small: every conversation pays for `tools/list`.

Pydantic's schemas are exact but verbose: a generated `title` on every property, optional
fields as `anyOf [T, null]` with `default: null`, `additionalProperties: false` on every
object. `lean` removes that noise and nothing that constrains a value (unknown arguments
are still refused, by name, when a call is validated). Enums used as `Enum` classes stay in `$defs`, stated once per
tool however many fields use them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from sinch_provisioning_mcp.tools.spec import ToolSpec

_NULL = {"type": "null"}
# Keywords whose value maps names to schemas (not a schema itself).
_NAMED = ("properties", "$defs", "patternProperties")
# Keywords whose value is one schema or a list of schemas.
_NESTED = ("items", "additionalProperties", "not", "anyOf", "oneOf", "allOf", "prefixItems")

PROJECT_ID = {"type": "string"}
CONFIRMATION_TOKEN = {"type": "string", "description": "Only from a confirmation_required result the user agreed to."}


def lean(schema: Any) -> Any:
    """A copy of `schema` without titles, null arms of optionals, or null defaults."""
    if isinstance(schema, list):
        return [lean(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "title" or (key == "default" and value is None) or (key == "additionalProperties" and value is False):
            continue
        if key in _NAMED:
            out[key] = {name: lean(item) for name, item in value.items()}
        elif key in _NESTED:
            out[key] = lean(value)
        else:
            out[key] = value
    arms = out.get("anyOf")
    if isinstance(arms, list) and _NULL in arms:
        rest = [arm for arm in arms if arm != _NULL]
        del out["anyOf"]
        out = {**rest[0], **out} if len(rest) == 1 else {**out, "anyOf": rest}
    return out


def arguments_schema(model: type[BaseModel]) -> dict[str, Any]:
    return lean(model.model_json_schema(by_alias=False))


def input_schema(spec: ToolSpec) -> dict[str, Any]:
    """The tool's arguments plus what every tool takes: `project_id`, and the token where it confirms."""
    schema = arguments_schema(spec.arguments)
    properties = schema.setdefault("properties", {})
    properties["project_id"] = PROJECT_ID
    if spec.confirmation is not None:
        properties["confirmation_token"] = CONFIRMATION_TOKEN
    return schema


_ENVELOPE = {
    "environment": {"enum": ["sandbox", "sinch"]},
    "project_id": {"type": "string"},
    "next_steps": {"type": "array", "items": {"type": "string"}},
}
_CONFIRMED = {
    "status": {"enum": ["done", "confirmation_required", "declined", "cancelled"]},
    "preview": {"type": "object"},
    "confirmation_token": {"type": "string"},
}


def output_schema(output: Mapping[str, str], *, confirmed: bool = False) -> dict[str, Any]:
    """The envelope every result carries plus the tool's own keys, typed only as deep as agents need."""
    properties = {**_ENVELOPE, **(_CONFIRMED if confirmed else {}), **{key: {"type": kind} for key, kind in output.items()}}
    return {"type": "object", "properties": properties, "required": ["environment", "project_id"]}
