"""The API families served as toolsets, and the selection `--toolsets` / `--read-only` make.

A toolset's modules are imported only when it is served, so a session pays (in start-up
time) only for the families it uses. `legacy` holds deprecated operations and variants
and is served only when asked for by name.
"""

from __future__ import annotations

from functools import cache
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


@cache
def readers(operation: str) -> tuple[str, ...]:
    """The read tools that show whether a change by `operation` (`METHOD /v1/...`) was applied, for when
    its answer was lost: for a comment the activity log beside it, otherwise those reading the longest
    path the operation's own lies under (the resource it acts on, or the collection it adds to)."""
    path = operation.split(" ", 1)[-1]
    gets = {
        spec.name: spec.operation.path
        for name in TOOLSETS
        for spec in toolset_tools(name)
        if spec.operation is not None and spec.operation.method == "GET" and spec.policy.read_only
    }
    if path.endswith("/comments"):
        log = [name for name, read in gets.items() if read == path.removesuffix("comments") + "activities"]
        if log:
            return tuple(log)
    under = {name: read for name, read in gets.items() if path == read or path.startswith(read + "/")}
    longest = max((len(read) for read in under.values()), default=0)
    return tuple(sorted(name for name, read in under.items() if len(read) == longest))
