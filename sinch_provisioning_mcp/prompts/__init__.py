"""Guided onboarding conversations, each registered when the tools it leads through are served."""

from __future__ import annotations

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.prompts.base import Prompt

from sinch_provisioning_mcp.prompts import bundles, kakaotalk, rcs, webhooks, whatsapp

# Each prompt with the tools it names.
PROMPTS: tuple[tuple[Prompt, frozenset[str]], ...] = (
    (webhooks.PROMPT, webhooks.NEEDS),
    (whatsapp.SENDER, whatsapp.SENDER_NEEDS),
    (whatsapp.TEMPLATE, whatsapp.TEMPLATE_NEEDS),
    (rcs.PROMPT, rcs.NEEDS),
    (kakaotalk.PROMPT, kakaotalk.NEEDS),
    (bundles.PROMPT, bundles.NEEDS),
)


def register_prompts(server: MCPServer, tool_names: set[str]) -> None:
    for prompt, needs in PROMPTS:
        if needs <= tool_names:
            server.add_prompt(prompt)
