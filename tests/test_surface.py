"""What agents see: the reviewed snapshot of the tool surface, annotations, toolsets, read-only."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from mcp import Client

from sinch_provisioning_mcp.server.app import build_server
from sinch_provisioning_mcp.server.config import ConfigError, load_settings
from sinch_provisioning_mcp.server.registration import META_KEY
from sinch_provisioning_mcp.server.toolsets import TOOLSETS

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = Path(__file__).with_name("snapshots") / "tool_surface.json"
CATALOG = ROOT.parent / "shared" / "reference" / "provisioning-api.json"


async def listed_tools(**settings):
    async with Client(build_server(load_settings(sandbox=True, **settings))) as client:
        return (await client.list_tools()).tools


def surface(tools) -> list[dict]:
    return [
        {
            "name": t.name,
            "title": t.title,
            "description": t.description,
            "annotations": t.annotations.model_dump(by_alias=True, exclude_none=True),
            "meta": t.meta,
            "inputSchema": t.input_schema,
            "outputSchema": t.output_schema,
        }
        for t in tools
    ]


async def test_tool_surface_matches_the_reviewed_snapshot():
    """A change to what agents see must show up in this file's diff: regenerate with UPDATE_SNAPSHOT=1."""
    current = surface(await listed_tools())
    if os.environ.get("UPDATE_SNAPSHOT") == "1":
        SNAPSHOT.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
    assert current == json.loads(SNAPSHOT.read_text()), "tool surface changed: review, then UPDATE_SNAPSHOT=1"


async def test_every_tool_declares_a_catalog_operation_with_matching_annotations():
    catalog = json.loads(CATALOG.read_text())
    operations = {f"{o['method']} {o['path']}": o for o in catalog["operations"]}
    for tool in await listed_tools():
        declared = tool.meta[META_KEY]
        assert declared in operations, f"{tool.name} declares {declared}, not a catalog operation"
        op = operations[declared]
        hints = tool.annotations
        assert hints.read_only_hint is (op["method"] == "GET"), tool.name
        assert hints.destructive_hint is bool(op["destructive"]), tool.name
        assert hints.idempotent_hint is (op["method"] != "POST"), tool.name
        assert tool.title and tool.description and tool.output_schema, tool.name
        assert re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", tool.name), tool.name


async def test_every_tool_takes_an_optional_project_id():
    for tool in await listed_tools():
        assert "project_id" in tool.input_schema["properties"]
        assert "project_id" not in tool.input_schema.get("required", [])


async def test_secret_fields_are_write_only_and_documented_as_never_echoed():
    tools = {t.name: t for t in await listed_tools()}
    secret = tools["create_webhook"].input_schema["properties"]["secret"]
    assert secret["writeOnly"] is True and "never echoed" in secret["description"]


async def test_toolsets_select_families():
    rcs_only = {t.name for t in await listed_tools(toolsets=["rcs"])}
    assert rcs_only == {t.name for t in TOOLSETS["rcs"].tools}
    assert not any("webhook" in name for name in rcs_only)


async def test_toolsets_from_the_environment(monkeypatch):
    monkeypatch.setenv("SINCH_MCP_TOOLSETS", "webhooks")
    names = {t.name for t in await listed_tools()}
    assert names == {t.name for t in TOOLSETS["webhooks"].tools}


def test_unknown_toolset_is_a_clear_startup_error():
    with pytest.raises(ConfigError, match=r"unknown toolset\(s\) whatsup; choose from webhooks, rcs"):
        build_server(load_settings(sandbox=True, toolsets=["webhooks", "whatsup"]))


async def test_read_only_serves_only_read_only_tools(monkeypatch):
    monkeypatch.setenv("SINCH_MCP_READ_ONLY", "1")
    tools = await listed_tools()
    assert {t.name for t in tools} == {"list_webhooks", "get_webhook", "list_rcs_account_activities"}
    assert all(t.annotations.read_only_hint for t in tools)


async def test_readme_lists_every_tool_with_its_operation():
    rows = re.findall(r"^\| `([a-z_]+)` \| `([A-Z]+ /v1/[^`]+)`", (ROOT / "README.md").read_text(), re.M)
    assert dict(rows) == {t.name: t.meta[META_KEY] for t in await listed_tools()}
