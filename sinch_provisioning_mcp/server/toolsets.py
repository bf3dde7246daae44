"""The API families served as toolsets, and the selection `--toolsets` / `--read-only` make."""

from __future__ import annotations

from sinch_provisioning_mcp.server.config import ConfigError
from sinch_provisioning_mcp.tools import rcs_accounts, webhooks
from sinch_provisioning_mcp.tools.base import ToolDef, Toolset

TOOLSETS: dict[str, Toolset] = {t.name: t for t in (webhooks.toolset, rcs_accounts.toolset)}


def select_tools(names: list[str] | None, *, read_only: bool) -> list[ToolDef]:
    """Tools of the named toolsets (default: all but deprecated ones); read-only keeps GETs only."""
    if names:
        unknown = [name for name in names if name not in TOOLSETS]
        if unknown:
            raise ConfigError(
                f"configuration error: unknown toolset(s) {', '.join(unknown)}; choose from {', '.join(TOOLSETS)}"
            )
        chosen = [TOOLSETS[name] for name in dict.fromkeys(names)]
    else:
        chosen = [toolset for toolset in TOOLSETS.values() if not toolset.deprecated]
    return [tool for toolset in chosen for tool in toolset.tools if tool.read_only or not read_only]
