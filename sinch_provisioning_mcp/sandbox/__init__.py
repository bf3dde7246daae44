"""Embedded sandbox: a stateful, in-memory simulator of the Sinch Provisioning API.

It serves the OAuth2 token endpoint and the `/v1/projects/{projectId}/...` routes with
the real API's auth, error bodies, pagination and product rules, so the client can be
exercised end to end without a Sinch account. Resources change state on a simulated
clock and report it as activities and provisioning-webhook events; sandbox-only controls
under `/_sandbox` move the clock, choose review outcomes, seed data and inject faults.
How to add an API family: `README.md` in this folder.

It deliberately imports nothing from the rest of the package (api, server, tools,
guardrails): it keeps its own copies of enums and rules, so that client and simulator
are two independent readings of the API that check each other.
"""

from .app import create_app
from .auth import SANDBOX_KEY_ID, SANDBOX_KEY_SECRET
from .state import SANDBOX_PROJECT_ID, SandboxState
from .webhooks import FIXTURE_WEBHOOK_ID

__all__ = ["FIXTURE_WEBHOOK_ID", "SANDBOX_KEY_ID", "SANDBOX_KEY_SECRET", "SANDBOX_PROJECT_ID", "SandboxState", "create_app"]
