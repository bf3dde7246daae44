"""The state backend a server runs with, chosen by configuration: this process's memory, or Redis."""

from __future__ import annotations

from collections.abc import Callable

from sinch_provisioning_mcp.api.auth import SharedTokens
from sinch_provisioning_mcp.api.events import EventLog, Events, LocalNonces, NonceStore
from sinch_provisioning_mcp.guardrails.confirm import FileLedger, Ledger, MemoryLedger
from sinch_provisioning_mcp.server.config import ConfigError, Settings


class StateBackend:
    """One process's state: the default, and what a single user runs with."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    def event_log(self, project: str) -> Events:
        """Where events received for `project` go (this server's project: a delivery does not name one)."""
        return EventLog()

    def nonces(self) -> NonceStore:
        return LocalNonces()

    def shared_tokens(self, token_url: str, key_id: str, key_secret: str) -> SharedTokens | None:
        """Where this credential's OAuth token is shared beyond the process; None: each process fetches its own."""
        return None

    async def problems(self) -> list[str]:
        """Why the state cannot be used right now, for /readyz; empty when it can."""
        return []

    async def aclose(self) -> None:
        """Close connections (they reopen on next use)."""


def state_backend(settings: Settings, clock: Callable[[], float] | None = None) -> StateBackend:
    """In memory (with the ledger in SINCH_MCP_STATE_DIR when set), or in Redis with SINCH_MCP_REDIS_URL."""
    if settings.redis_url is not None:
        # Imported only here: a single-process server never loads the Redis client.
        from sinch_provisioning_mcp.state.redis import RedisState

        return RedisState(settings.redis_url.get_secret_value(), clock)
    if settings.state_dir is None:
        return StateBackend(MemoryLedger(clock))
    try:
        return StateBackend(FileLedger(settings.state_dir, clock))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"configuration error: SINCH_MCP_STATE_DIR: {exc}") from None
