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

The names below load on first use: a server talking to the real API never uses the
sandbox, and importing its families would cost every start-up (`benchmarks/`, cold start).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app
    from .auth import SANDBOX_KEY_ID, SANDBOX_KEY_SECRET
    from .state import SANDBOX_PROJECT_ID, SandboxState
    from .webhooks import FIXTURE_WEBHOOK_ID

_HOMES = {
    "create_app": ".app",
    "SANDBOX_KEY_ID": ".auth",
    "SANDBOX_KEY_SECRET": ".auth",
    "SANDBOX_PROJECT_ID": ".state",
    "SandboxState": ".state",
    "FIXTURE_WEBHOOK_ID": ".webhooks",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_HOMES[name], __name__), name)
