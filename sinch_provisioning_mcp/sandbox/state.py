"""All of the sandbox's in-memory state: issued tokens and one store per project.

Time comes only from `SandboxState.clock`, so tests move it forward instead of sleeping
(token expiry, activity ordering, ids).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from starlette.requests import Request

SANDBOX_KEY_ID = "sandbox-key-id"
SANDBOX_KEY_SECRET = "sandbox-key-secret"
SANDBOX_PROJECT_ID = "sandbox-project"

# Sinch's auth server answers `expires_in: 3599` for a token valid for one hour.
TOKEN_LIFETIME_SECONDS = 3599
SEED_AUTHOR = "Sinch"


@dataclass
class StoredWebhook:
    id: str
    target: str
    secret: str
    triggers: list[str]


@dataclass
class RcsActivity:
    type: str
    created: float
    author: str
    comment: str | None = None


@dataclass
class RcsAccount:
    activities: list[RcsActivity] = field(default_factory=list)


@dataclass
class ProjectState:
    project_id: str
    webhooks: dict[str, StoredWebhook] = field(default_factory=dict)
    # None: the project has no RCS account, which only onboarding (not this API) creates.
    rcs_account: RcsAccount | None = None


class SandboxState:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        # Signs page tokens, so a token this state did not issue is refused.
        self.page_token_key = secrets.token_bytes(32)
        self._tokens: dict[str, float] = {}
        self._projects: dict[str, ProjectState] = {}
        self.project(SANDBOX_PROJECT_ID).rcs_account = RcsAccount([RcsActivity("CREATED", clock(), SEED_AUTHOR)])

    def project(self, project_id: str) -> ProjectState:
        """Any project id is served; its store appears on first use."""
        if project_id not in self._projects:
            self._projects[project_id] = ProjectState(project_id)
        return self._projects[project_id]

    def issue_token(self) -> str:
        token = secrets.token_urlsafe(32)
        self._tokens[token] = self.clock() + TOKEN_LIFETIME_SECONDS
        return token

    def token_is_valid(self, token: str) -> bool:
        expires_at = self._tokens.get(token)
        if expires_at is None:
            return False
        if self.clock() >= expires_at:
            del self._tokens[token]
            return False
        return True


def state_of(request: Request) -> SandboxState:
    """The state `create_app` attached to the application serving this request."""
    return request.app.state.sandbox


def project_of(request: Request) -> ProjectState:
    """The store of the project named in the request path (`{projectId}`)."""
    return state_of(request).project(request.path_params["projectId"])
