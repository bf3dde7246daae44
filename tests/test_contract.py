"""One catalog-wide contract, for every tool of every toolset, by construction.

For each tool that declares an operation: the operation is in the catalog; its annotations
are the ones the operation's effect implies (computed here from the catalog, not by the
server's code); its input schema covers the operation's path, query and body fields with
the catalog's enums and limits, and nothing the API does not know; and called against the
sandbox with its example arguments it sends exactly that method and path. A new family is
covered the day it is declared.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx2
import pytest
from conftest import receiver
from mcp import Client
from pydantic.alias_generators import to_snake

from sinch_provisioning_mcp.server.app import build_server
from sinch_provisioning_mcp.server.config import load_settings
from sinch_provisioning_mcp.server.registration import META_KEY
from sinch_provisioning_mcp.server.toolsets import TOOLSETS, toolset_tools
from sinch_provisioning_mcp.tools.spec import Local, ToolSpec

CATALOG = json.loads(
    (Path(__file__).resolve().parents[1] / "sinch_provisioning_mcp" / "api" / "provisioning-api.json").read_text()
)
OPERATIONS = {f"{o['method']} {o['path']}": o for o in CATALOG["operations"]}
DEPRECATED_NOTE = next(note for note in CATALOG["notes"] if note.startswith("Deprecated:"))
SPECS = {spec.name: spec for name in TOOLSETS for spec in toolset_tools(name)}
DECLARED = sorted(name for name, spec in SPECS.items() if spec.operation is not None)
COMMON = {"project_id", "confirmation_token"}


# The names the Deprecated note lists, without its "(use X)" remarks, which name replacements.
DEPRECATED_NAMES = re.sub(r"\([^)]*\)", "", DEPRECATED_NOTE)


def deprecated_field(field: dict[str, Any]) -> bool:
    return bool(field.get("deprecated")) or re.search(rf"(?<![\w/]){re.escape(field['name'])}(?![\w/])", DEPRECATED_NAMES) is not None


def deprecated_value(value: str) -> bool:
    return value in DEPRECATED_NOTE or value.endswith(" (deprecated)")


def expected_hints(op: dict[str, Any]) -> dict[str, bool]:
    """The catalog's effect legend, restated independently of the server's code."""
    effect = op["effect"]
    return {
        "readOnlyHint": effect == "read",
        "destructiveHint": effect in ("destructive", "irreversible") or (effect == "write" and not op.get("additive", True)),
        "idempotentHint": bool(op["idempotent"]),
        "openWorldHint": True,
    }


@pytest.fixture
async def tools():
    async with Client(build_server(load_settings(sandbox=True, toolsets=",".join(TOOLSETS)), events=receiver())) as client:
        return {tool.name: tool for tool in (await client.list_tools()).tools}


def test_every_catalog_operation_is_declared_at_most_by_its_own_tools():
    for name in DECLARED:
        assert SPECS[name].operation.key in OPERATIONS, name


def test_deprecated_operations_are_served_only_in_the_legacy_toolset():
    for name in DECLARED:
        if SPECS[name].policy.deprecated:
            assert SPECS[name].toolset == "legacy", f"{name} performs a deprecated operation"


@pytest.mark.parametrize("name", DECLARED)
async def test_annotations_follow_the_operations_effect(tools, name):
    tool = tools[name]
    op = OPERATIONS[tool.meta[META_KEY]]
    assert tool.annotations.model_dump(by_alias=True, exclude_none=True) == expected_hints(op)
    confirms = SPECS[name].confirmation is not None
    assert confirms == ("confirm_reason" in op), f"{name}: confirmation must follow the catalog's confirm_reason"
    assert ("confirmation_token" in tool.input_schema["properties"]) == confirms


# --- input coverage -------------------------------------------------------------------


def resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = {**schema["$defs"][node["$ref"].rsplit("/", 1)[1]], **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def arms(schema: dict[str, Any], node: dict[str, Any]) -> list[dict[str, Any]]:
    node = resolve(schema, node)
    options = node.get("anyOf") or node.get("oneOf")
    return [resolve(schema, arm) for arm in options] if options else [node]


def enum_of(schema: dict[str, Any], node: dict[str, Any]) -> set[str] | None:
    for arm in arms(schema, node):
        if "enum" in arm:
            return set(arm["enum"])
        if "items" in arm:
            found = enum_of(schema, arm["items"])
            if found is not None:
                return found
    return None


def catalog_enum(field: dict[str, Any]) -> set[str] | None:
    if "enum" in field:
        return set(field["enum"])
    if "enum_ref" in field:
        ref = field["enum_ref"]
        return set(CATALOG["webhook_triggers"] if ref == "webhook_triggers" else CATALOG["common"]["enums"][ref.rsplit(".", 1)[1]])
    return None


_LIMITS = {"min_length": "minLength", "max_length": "maxLength", "min_items": "minItems", "max_items": "maxItems",
           "minimum": "minimum", "maximum": "maximum"}


def check_field(schema: dict[str, Any], node: dict[str, Any], field: dict[str, Any], where: str, problems: list[str]) -> None:
    expected = catalog_enum(field)
    if expected is not None:
        offered = enum_of(schema, node)
        if offered is None:
            problems.append(f"{where}: the catalog's enum is not stated")
        else:
            if offered - expected:
                problems.append(f"{where}: admits values the API does not know: {sorted(offered - expected)}")
            missing = {value for value in expected - offered if not deprecated_value(value)}
            if missing:
                problems.append(f"{where}: misses values the API accepts: {sorted(missing)}")
    options = arms(schema, node)
    for limit, keyword in _LIMITS.items():
        if limit in field and not any(option.get(keyword) == field[limit] for option in options):
            problems.append(f"{where}: {keyword} should be {field[limit]}")
    if "fields" in field:
        objects = [option for option in options if "properties" in option]
        if not objects:
            problems.append(f"{where}: the catalog's nested fields are not typed")
        else:
            check_fields(schema, objects[0], field["fields"], f"{where}.", problems, variant=False)


def check_fields(schema, node, fields, prefix, problems, *, variant: bool) -> None:
    properties = node.get("properties", {})
    required = set(node.get("required", []))
    for field in fields:
        name = to_snake(field["name"])
        where = f"{prefix}{name}"
        if name not in properties:
            if not deprecated_field(field):
                problems.append(f"{where}: not an argument")
            continue
        if field["required"] and not variant and name not in required:
            problems.append(f"{where}: required by the API but optional here")
        check_field(schema, properties[name], field, where, problems)


def coverage_problems(spec: ToolSpec, schema: dict[str, Any], variant: list[dict[str, Any]] | None) -> list[str]:
    op = OPERATIONS[spec.operation.key]
    problems: list[str] = []
    path = [p for p in op["path_params"] if p["name"] != "projectId"]
    check_fields(schema, schema, [{**p, "required": True} for p in path], "", problems, variant=False)
    check_fields(schema, schema, op.get("query_params", []), "", problems, variant=False)
    body = op.get("body") or {}
    fields = variant if variant is not None else body.get("fields", [])
    check_fields(schema, schema, fields, "", problems, variant=variant is not None)
    known = {to_snake(f["name"]) for f in path + op.get("query_params", []) + fields}
    local = {name for name, info in spec.arguments.model_fields.items() if any(isinstance(m, Local) for m in info.metadata)}
    unknown = set(schema["properties"]) - known - local - COMMON
    if unknown:
        problems.append(f"arguments the API does not know: {sorted(unknown)}")
    return problems


@pytest.mark.parametrize("name", DECLARED)
async def test_inputs_cover_the_operations_fields_with_their_enums_and_limits(tools, name):
    spec = SPECS[name]
    body = OPERATIONS[spec.operation.key].get("body") or {}
    variants = body.get("oneOf") or body.get("anyOf")
    if variants is None:
        assert coverage_problems(spec, tools[name].input_schema, None) == []
        return
    # A body with variants: this tool covers at least one of them; every variant is covered
    # by some tool of the operation (deprecated ones by a legacy tool).
    siblings = [n for n in DECLARED if SPECS[n].operation == spec.operation]
    covered = {v: [n for n in siblings if not coverage_problems(SPECS[n], tools[n].input_schema, fields)] for v, fields in variants.items()}
    assert any(name in names for names in covered.values()), {v: coverage_problems(spec, tools[name].input_schema, f) for v, f in variants.items()}
    for variant, names in covered.items():
        assert names, f"no tool covers the {variant} variant"
        if "eprecated" in variant:
            assert all(SPECS[n].toolset == "legacy" for n in names), f"{variant} belongs to the legacy toolset"


# --- the request sent --------------------------------------------------------------------


def template(path: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{[A-Za-z]+\\\}", "[^/]+", re.escape(path)) + "$")


CATALOG_ROUTES = [(o["method"], template(o["path"])) for o in CATALOG["operations"]]


def rendered(op_path: str, example: dict[str, Any]) -> str:
    values = {"projectId": "sandbox-project", **{re.sub(r"_(\w)", lambda m: m.group(1).upper(), k): v for k, v in example.items()}}
    return re.sub(r"\{([A-Za-z]+)\}", lambda m: httpx2.URL("/x/" + str(values[m.group(1)])).raw_path.decode()[3:], op_path)


@pytest.mark.parametrize("name", DECLARED)
async def test_called_against_the_sandbox_it_sends_exactly_its_operation(name, sandbox_transport):
    spec = SPECS[name]
    required = set(json.loads(json.dumps(spec.arguments.model_json_schema())).get("required", []))
    assert spec.example is not None or not required, f"{name}: declare example arguments (required: {sorted(required)})"
    example = dict(spec.example or {})
    transport = sandbox_transport
    server = build_server(load_settings(sandbox=True, toolsets=",".join(TOOLSETS)), transport=transport, events=receiver())
    async with Client(server) as client:
        result = await client.call_tool(name, example)
        token = (result.structured_content or {}).get("confirmation_token")
        if token:
            result = await client.call_tool(name, {**example, "confirmation_token": token})
    assert not result.is_error, result.content[0].text
    sent = [(r.method, r.url.path) for r in transport.requests if r.url.path.startswith("/v1/")]
    for method, path in sent:
        assert any(method == m and pattern.match(path) for m, pattern in CATALOG_ROUTES), f"{method} {path} is not a catalog operation"
    expected = (spec.operation.method, rendered(spec.operation.path, example))
    assert sent.count(expected) == 1, f"{name} should send {expected} once; sent {sent}"
    body = result.structured_content
    assert isinstance(body.get("next_steps"), list), f"{name}: every result says what comes next"
    if not spec.policy.read_only:
        assert set(body.get("verified", {})) == {"ok", "observed"}, f"{name}: a change reports what it read back"
