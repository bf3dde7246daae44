"""Calling a tool in a test and insisting on how it ends: a result, or an error result."""

from __future__ import annotations

from typing import Any

from mcp import Client


async def ok(client: Client, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """The structured result of a call that must succeed."""
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content[0].text
    return result.structured_content


async def error(client: Client, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """The `error` object of a call that must fail."""
    result = await client.call_tool(tool, arguments)
    assert result.is_error, result.content[0].text
    return result.structured_content["error"]
