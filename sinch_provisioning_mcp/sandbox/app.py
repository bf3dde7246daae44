"""Assembles the sandbox application: token endpoint, authenticated project routes, errors.

Each API family is one module exposing `routes` relative to `/v1/projects/{projectId}`;
adding a family means adding its module to `_FAMILIES`, and it is authenticated and
error-shaped like the rest without further wiring.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Mount, Route

from . import rcs_accounts, webhooks
from .auth import RequireApiAuth, token_endpoint
from .errors import PapiError, http_error_handler, papi_error_handler
from .state import SandboxState

_FAMILIES = (webhooks, rcs_accounts)


def create_app(state: SandboxState | None = None) -> Starlette:
    """A sandbox serving `state`, or a fresh seeded one, so apps never share state by accident."""
    project_routes = [route for family in _FAMILIES for route in family.routes]
    app = Starlette(
        routes=[
            Route("/oauth2/token", token_endpoint, methods=["POST"]),
            Mount("/v1/projects/{projectId}", routes=project_routes, middleware=[Middleware(RequireApiAuth)]),
        ],
        exception_handlers={PapiError: papi_error_handler, HTTPException: http_error_handler},
    )
    app.state.sandbox = state if state is not None else SandboxState()
    return app
