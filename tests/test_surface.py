"""What agents see: one reviewed snapshot per tool, the context budgets, toolsets, read-only and modes."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from conftest import receiver
from mcp import Client

from sinch_provisioning_mcp.server.app import build_server
from sinch_provisioning_mcp.server.config import ConfigError, load_settings
from sinch_provisioning_mcp.server.registration import META_KEY
from sinch_provisioning_mcp.server.toolsets import OFF_BY_DEFAULT, TOOLSETS, toolset_tools

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOTS = Path(__file__).with_name("snapshots")
EVERY_TOOLSET = ",".join(TOOLSETS)
# Budgets, in tokens estimated as characters / 4 of compact JSON (the usual rule of thumb for
# English and JSON with common tokenizers; no tokenizer ships offline with this project).
VISIBLE_MEAN, VISIBLE_MAX, SERVED_MEAN, VISIBLE_TOTAL, COMPACT_TOTAL = 250, 1500, 400, 25_000, 1500


def tokens(data: object) -> int:
    return len(json.dumps(data, separators=(",", ":"), ensure_ascii=False)) // 4


async def listed_tools(**settings):
    async with Client(build_server(load_settings(sandbox=True, **settings), events=receiver())) as client:
        return (await client.list_tools()).tools


def visible(tool) -> dict:
    """What clients pass to the model."""
    return {"name": tool.name, "description": tool.description, "inputSchema": tool.input_schema}


def served(tool) -> dict:
    return tool.model_dump(mode="json", by_alias=True, exclude_none=True)


@pytest.mark.parametrize("mode", ["full", "compact"])
async def test_each_tool_matches_its_reviewed_snapshot(mode):
    """A change to what agents see shows in that tool's file: regenerate with UPDATE_SNAPSHOT=1 and review the diff."""
    folder = SNAPSHOTS / ("tools" if mode == "full" else "compact")
    current = {tool.name: served(tool) for tool in await listed_tools(toolsets=EVERY_TOOLSET, mode=mode)}
    if os.environ.get("UPDATE_SNAPSHOT") == "1":
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.json"):
            stale.unlink()
        for name, tool in current.items():
            (folder / f"{name}.json").write_text(json.dumps(tool, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    reviewed = {path.stem: json.loads(path.read_text()) for path in folder.glob("*.json")}
    assert sorted(reviewed) == sorted(current), "tools added or removed: review, then UPDATE_SNAPSHOT=1"
    for name, tool in current.items():
        assert tool == reviewed[name], f"{name} changed: review, then UPDATE_SNAPSHOT=1"


async def test_full_surface_fits_the_context_budget():
    tools = await listed_tools(toolsets=EVERY_TOOLSET)
    seen = {tool.name: tokens(visible(tool)) for tool in tools}
    sent = [tokens(served(tool)) for tool in tools]
    assert sum(seen.values()) / len(tools) <= VISIBLE_MEAN, sorted(seen.items(), key=lambda item: -item[1])[:5]
    assert max(seen.values()) <= VISIBLE_MAX, max(seen, key=seen.get)
    assert sum(sent) / len(tools) <= SERVED_MEAN
    assert sum(seen.values()) <= VISIBLE_TOTAL


async def test_compact_surface_is_three_tools_in_a_fixed_budget():
    tools = await listed_tools(toolsets=EVERY_TOOLSET, mode="compact")
    assert [tool.name for tool in tools] == ["search_operations", "describe_operation", "call_operation"]
    assert tokens({"tools": [served(tool) for tool in tools]}) <= COMPACT_TOTAL


def generated_titles(node: object) -> bool:
    """A `title` keyword holds a string; a property named title (a template's) holds a schema."""
    if isinstance(node, dict):
        return any((key == "title" and isinstance(value, str)) or generated_titles(value) for key, value in node.items())
    return isinstance(node, list) and any(generated_titles(item) for item in node)


async def test_no_generated_titles_anywhere():
    for tool in await listed_tools(toolsets=EVERY_TOOLSET):
        assert not generated_titles(tool.input_schema), tool.name
        assert tool.title is None and tool.annotations.title is None


async def test_secret_fields_are_write_only():
    tools = {tool.name: tool for tool in await listed_tools()}
    secret = tools["create_webhook"].input_schema["properties"]["secret"]
    assert secret["writeOnly"] is True and "never returned" in secret["description"]


async def test_toolsets_select_families_and_legacy_is_off_by_default():
    default = {tool.name for tool in await listed_tools()}
    webhooks_only = {tool.name for tool in await listed_tools(toolsets="webhooks")}
    everything = {tool.name for tool in await listed_tools(toolsets=EVERY_TOOLSET)}
    assert webhooks_only and webhooks_only < default <= everything
    assert all(name.endswith(("_webhook", "_webhooks")) for name in webhooks_only)
    off = {spec.name for name in OFF_BY_DEFAULT if name in TOOLSETS for spec in toolset_tools(name)}
    assert everything - default == off


async def test_toolsets_from_the_environment(monkeypatch):
    monkeypatch.setenv("SINCH_MCP_TOOLSETS", "rcs")
    names = {tool.name for tool in await listed_tools()}
    assert names == {spec.name for spec in toolset_tools("rcs")}
    assert names >= {"list_rcs_account_activities", "create_rcs_sender", "launch_rcs_sender", "add_rcs_test_numbers"}


def test_unknown_toolset_is_a_configuration_error():
    with pytest.raises(ConfigError, match="unknown toolset.*choose from"):
        build_server(load_settings(sandbox=True, toolsets="webhooks,teleport"))


async def test_read_only_serves_only_tools_whose_effect_is_read():
    tools = await listed_tools(read_only=True, toolsets=EVERY_TOOLSET)
    assert tools and all(tool.annotations.read_only_hint for tool in tools)
    compact = {tool.name: tool for tool in await listed_tools(read_only=True, mode="compact")}
    assert compact["call_operation"].annotations.read_only_hint is True


async def test_every_tool_takes_an_optional_project_id():
    for tool in await listed_tools(toolsets=EVERY_TOOLSET):
        assert "project_id" in tool.input_schema["properties"]
        assert "project_id" not in tool.input_schema.get("required", [])
        assert re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", tool.name), tool.name


async def test_readme_lists_every_tool_with_its_operation():
    rows = re.findall(r"^\| `([a-z_]+)` \| `([A-Z]+ /v1/[^`]+)`", (ROOT / "README.md").read_text(), re.M)
    tools = await listed_tools(toolsets=EVERY_TOOLSET)
    assert dict(rows) == {tool.name: tool.meta[META_KEY] for tool in tools if tool.meta}
