"""Guided onboarding conversations, registered when the tools they lead through are served."""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer

from sinch_provisioning_mcp.prompts import webhooks

_PROMPTS = (webhooks,)


def register_prompts(server: MCPServer, tool_names: set[str]) -> None:
    for module in _PROMPTS:
        if module.NEEDS <= tool_names:
            server.add_prompt(module.PROMPT)
