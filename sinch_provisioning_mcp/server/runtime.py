"""State that lives as long as the server: settings, the API client, confirmation tokens, the event receiver."""

from __future__ import annotations

from dataclasses import dataclass

from sinch_provisioning_mcp.api.client import ProvisioningClient
from sinch_provisioning_mcp.api.events import Receiver
from sinch_provisioning_mcp.guardrails.confirm import ConfirmationTokens
from sinch_provisioning_mcp.server.config import Settings
from sinch_provisioning_mcp.tools.spec import Call, Environment, Progress, no_progress


class NotConfigured(Exception):
    """A tool call that cannot run with this configuration; nothing was sent."""


@dataclass
class Runtime:
    settings: Settings
    environment: Environment
    client: ProvisioningClient | None
    default_project: str | None
    tokens: ConfirmationTokens
    events: Receiver | None = None

    def call(self, project_id: str | None, progress: Progress = no_progress) -> Call:
        if self.client is None:
            missing = ", ".join(self.settings.missing_credentials())
            raise NotConfigured(
                f"The server is not configured for the Sinch API: set {missing} "
                "(see the README's configuration table), or restart it with --sandbox to use the embedded simulator."
            )
        project = project_id or self.default_project
        if not project:
            raise NotConfigured("No project: pass project_id or set SINCH_PROJECT_ID.")
        return Call(self.client, project, self.environment, self.events, progress)
