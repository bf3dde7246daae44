"""Context: what the tool surface costs a conversation, as clients send it to models and as served.

Tokens are estimated as characters / 4 of compact JSON, the rule the budgets of
`tests/test_surface.py` hold (no tokenizer ships offline with this project); that test
enforces them, this reports them.
"""

from __future__ import annotations

import json

from mcp import Client

from harness import REPORT, Row
from sinch_provisioning_mcp.api.events import EventLog, Receiver
from sinch_provisioning_mcp.server.app import build_server
from sinch_provisioning_mcp.server.config import load_settings
from sinch_provisioning_mcp.server.toolsets import TOOLSETS, toolset_tools

# The budgets tests/test_surface.py holds.
VISIBLE_MEAN, VISIBLE_MAX, SERVED_MEAN, VISIBLE_TOTAL, COMPACT_TOTAL = 250, 1500, 400, 25_000, 1500


def tokens(data: object) -> int:
    return len(json.dumps(data, separators=(",", ":"), ensure_ascii=False)) // 4


def visible(tool) -> dict:
    """What clients pass to the model."""
    return {"name": tool.name, "description": tool.description, "inputSchema": tool.input_schema}


def served(tool) -> dict:
    return tool.model_dump(mode="json", by_alias=True, exclude_none=True)


async def surface(*, receiver: bool = True, **settings) -> tuple[list, str]:
    """The tools listed and the instructions sent; with a receiver, as over HTTP with events."""
    events = Receiver(EventLog(), "http://127.0.0.1:8000/events", "bench-events-secret-0123") if receiver else None
    async with Client(build_server(load_settings(sandbox=True, **settings), events=events)) as client:
        return (await client.list_tools()).tools, client.instructions or ""


async def test_context_cost_of_the_surface():
    every = ",".join(TOOLSETS)
    tools, instructions = await surface(toolsets=every)
    default, _ = await surface(receiver=False)
    compact, compact_instructions = await surface(toolsets=every, mode="compact")
    seen = {tool.name: tokens(visible(tool)) for tool in tools}
    total, sent = sum(seen.values()), sum(tokens(served(tool)) for tool in tools)
    toolset_of = {spec.name: name for name in TOOLSETS for spec in toolset_tools(name)}
    per_toolset = {name: sum(count for tool, count in seen.items() if toolset_of[tool] == name) for name in TOOLSETS}
    largest = sorted(seen.items(), key=lambda item: -item[1])[:5]
    default_total = sum(tokens(visible(tool)) for tool in default)

    REPORT.add(
        Row(
            "context",
            f"every toolset: {len(tools)} tools, as sent to models",
            f"{total:,} tokens (mean {total / len(tools):.0f}, max {max(seen.values())})",
            target=f"≤ {VISIBLE_TOTAL:,}; mean ≤ {VISIBLE_MEAN}; max ≤ {VISIBLE_MAX}",
            met=total <= VISIBLE_TOTAL and total / len(tools) <= VISIBLE_MEAN and max(seen.values()) <= VISIBLE_MAX,
        ),
        Row(
            "context",
            "every toolset, as served (tools/list)",
            f"{sent:,} tokens (mean {sent / len(tools):.0f})",
            target=f"mean ≤ {SERVED_MEAN}",
            met=sent / len(tools) <= SERVED_MEAN,
        ),
        Row("context", f"default over stdio: {len(default)} tools, as sent to models", f"{default_total:,} tokens"),
        Row(
            "context",
            "compact mode: 3 tools, as served",
            f"{tokens({'tools': [served(tool) for tool in compact]}):,} tokens",
            target=f"≤ {COMPACT_TOTAL:,}",
            met=tokens({"tools": [served(tool) for tool in compact]}) <= COMPACT_TOTAL,
        ),
        Row("context", "server instructions (full; compact)", f"{len(instructions) // 4} tokens; {len(compact_instructions) // 4}"),
        Row("context", "per toolset, as sent to models", ", ".join(f"{name} {count:,}" for name, count in per_toolset.items())),
        Row("context", "largest five tools", ", ".join(f"{name} {count}" for name, count in largest)),
    )
