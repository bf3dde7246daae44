"""Helpers the WhatsApp tests share: calling tools, confirming by token, moving sandbox time."""

from __future__ import annotations

from typing import Any

from mcp import Client

from sinch_provisioning_mcp.sandbox import SandboxState

TOOLSETS = "whatsapp,legacy"
REVIEW = 6  # seconds: more than the sandbox's 5-second transition delay
DAYS = 86400


async def call(client: Client, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """A tool's structured result; fails the test on an error result."""
    result = await client.call_tool(name, arguments)
    assert not result.is_error, result.content[0].text
    return result.structured_content


async def refused(client: Client, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """The `error` of a tool call expected to fail."""
    result = await client.call_tool(name, arguments)
    assert result.is_error, result.structured_content
    return result.structured_content["error"]


async def confirmed(client: Client, name: str, arguments: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The token flow: the preview first (nothing changes), then the call with its token."""
    preview = await call(client, name, arguments)
    assert preview["status"] == "confirmation_required", preview
    done = await call(client, name, {**arguments, "confirmation_token": preview["confirmation_token"]})
    assert done["status"] == "done", done
    return preview, done


def sandbox(transport: Any) -> SandboxState:
    return transport.inner.app.state.sandbox


def triggers(transport: Any, project_id: str = "sandbox-project", resource_type: str | None = None) -> list[str]:
    events = sandbox(transport).project(project_id).outbox.after(0)
    return [event.trigger for event in events if resource_type is None or event.resource_type == resource_type]
