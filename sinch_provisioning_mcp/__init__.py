"""MCP server for the Sinch Provisioning API: typed tools, guardrails and an embedded sandbox."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sinch-provisioning-mcp")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
