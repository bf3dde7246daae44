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
    "rcs": ("rcs_accounts",),
    "whatsapp": ("whatsapp_accounts", "whatsapp_senders", "whatsapp_templates", "whatsapp_solutions"),
    "legacy": ("whatsapp_legacy",),
}
OFF_BY_DEFAULT = frozenset({"legacy"})


def toolset_tools(name: str) -> list[ToolSpec]:
    specs: list[ToolSpec] = []
    for module in TOOLSETS[name]:
        declared = import_module(f"sinch_provisioning_mcp.tools.{module}").toolset
        if declared.name != name:
            raise RuntimeError(f"tools.{module} declares toolset {declared.name}, listed under {name}")
        specs += declared.tools
    return specs


def select_tools(names: list[str] | None, *, read_only: bool) -> list[ToolSpec]:
    """Tools of the named toolsets (default: all but legacy); read-only keeps those whose effect is read."""
    if names:
        unknown = [name for name in names if name not in TOOLSETS]
        if unknown:
            raise ConfigError(
                f"configuration error: unknown toolset(s) {', '.join(unknown)}; choose from {', '.join(TOOLSETS)}"
            )
        chosen = list(dict.fromkeys(names))
    else:
        chosen = [name for name in TOOLSETS if name not in OFF_BY_DEFAULT]
    return [spec for name in chosen for spec in toolset_tools(name) if spec.policy.read_only or not read_only]
