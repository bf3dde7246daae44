"""The API families served as toolsets, and the selection `--toolsets` / `--read-only` make.

A toolset's modules are imported only when it is served, so a session pays (in start-up
time) only for the families it uses. `legacy` holds deprecated operations and variants
and is served only when asked for by name.
"""

from __future__ import annotations

from importlib import import_module

from sinch_provisioning_mcp.server.config import ConfigError
from sinch_provisioning_mcp.tools.spec import ToolSpec

# toolset name -> modules of sinch_provisioning_mcp.tools declaring it
TOOLSETS: dict[str, tuple[str, ...]] = {
    "webhooks": ("webhooks",),
    "whatsapp": ("whatsapp_accounts", "whatsapp_senders", "whatsapp_templates", "whatsapp_solutions"),
    "rcs": ("rcs_accounts", "rcs_senders", "rcs_launch", "rcs_test_numbers"),
    "kakaotalk": ("kakaotalk_senders", "kakaotalk_templates"),
    "conversation": ("conversation",),
    "bundles": ("bundles",),
    "sms": ("sms_apps",),
    "guide": ("guide",),
    "events": ("events",),
    "legacy": ("whatsapp_legacy", "rcs_legacy"),
}
OFF_BY_DEFAULT = frozenset({"legacy"})
# Served only where the server receives provisioning events (HTTP mode, SINCH_MCP_EVENTS_SECRET).
NEEDS_RECEIVER = frozenset({"events"})


def toolset_tools(name: str) -> list[ToolSpec]:
    specs: list[ToolSpec] = []
    for module in TOOLSETS[name]:
        declared = import_module(f"sinch_provisioning_mcp.tools.{module}").toolset
        if declared.name != name:
            raise RuntimeError(f"tools.{module} declares toolset {declared.name}, listed under {name}")
        specs += declared.tools
    return specs


def select_tools(names: list[str] | None, *, read_only: bool, receiver: bool = False) -> list[ToolSpec]:
    """Tools of the named toolsets (default: all but legacy, and those needing a receiver where there is
    none); read-only keeps those whose effect is read."""
    if names:
        unknown = [name for name in names if name not in TOOLSETS]
        if unknown:
            raise ConfigError(
                f"configuration error: unknown toolset(s) {', '.join(unknown)}; choose from {', '.join(TOOLSETS)}"
            )
        chosen = list(dict.fromkeys(names))
        if not receiver and NEEDS_RECEIVER & set(chosen):
            raise ConfigError(
                "configuration error: the events toolset needs the HTTP transport and SINCH_MCP_EVENTS_SECRET"
            )
    else:
        chosen = [name for name in TOOLSETS if name not in OFF_BY_DEFAULT and (receiver or name not in NEEDS_RECEIVER)]
    return [spec for name in chosen for spec in toolset_tools(name) if spec.policy.read_only or not read_only]
