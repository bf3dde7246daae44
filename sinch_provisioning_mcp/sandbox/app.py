"""Assembles the sandbox application: token endpoint, families, controls, faults, timers.

Each API family is one module exposing a `FAMILY` (routes relative to
`/v1/projects/{projectId}`, the resource types it declares); adding a family means
adding it to `FAMILIES`, and it is authenticated, error-shaped, faultable and reachable
by the `/_sandbox` controls without further wiring.

Per request, outermost first: canaries (off unless a test plants them, `canaries.py`), faults
(a gateway's failures come before anything else),
then every timed transition due by now is applied (so each request sees the state the
clock says), then routing, authentication and the family's handler.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import anyio

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from . import (
    bundles,
    controls,
    conversation,
    kakaotalk_senders,
    kakaotalk_templates,
    rcs_accounts,
    rcs_questionnaire,
    rcs_senders,
    rcs_test_numbers,
    sms_apps,
    webhooks,
    whatsapp_accounts,
    whatsapp_senders,
    whatsapp_signup,
    whatsapp_solutions,
    whatsapp_templates,
)
from .auth import RequireApiAuth, token_endpoint
from .canaries import CanaryMiddleware
from .errors import PapiError, http_error_handler, papi_error_handler
from .delivery import Deliverer, delivery_client
from .family import Family
from .faults import FaultMiddleware
from .state import SandboxState
from .tokens import DEFAULT_LIFETIME_SECONDS

FAMILIES: tuple[Family, ...] = (
    webhooks.FAMILY,
    rcs_accounts.FAMILY,
    whatsapp_accounts.FAMILY,
    whatsapp_senders.FAMILY,
    whatsapp_signup.FAMILY,
    whatsapp_templates.FAMILY,
    whatsapp_solutions.FAMILY,
    rcs_questionnaire.FAMILY,
    rcs_senders.FAMILY,
    rcs_test_numbers.FAMILY,
    conversation.FAMILY,
    sms_apps.FAMILY,
    bundles.FAMILY,
    kakaotalk_senders.FAMILY,
    kakaotalk_templates.FAMILY,  # after the senders: its fixture hangs off theirs
)


class ApplyDueTransitions:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope["app"].state.sandbox.settle()
        await self.app(scope, receive, send)


@asynccontextmanager
async def _delivering(app: Starlette) -> AsyncIterator[None]:
    """Under a real ASGI server, deliver webhook events while serving (in-process transports
    run no lifespan: an embedding server runs its own `Deliverer`)."""
    async with delivery_client() as http, anyio.create_task_group() as tasks:
        tasks.start_soon(Deliverer(app.state.sandbox, http).run)
        yield
        tasks.cancel_scope.cancel()


def create_app(
    state: SandboxState | None = None,
    *,
    families: Sequence[Family] = FAMILIES,
    token_lifetime_seconds: int | None = None,
) -> Starlette:
    """A sandbox serving `state`, or a fresh one, so apps never share state by accident.

    `token_lifetime_seconds` configures that fresh state (pass a `SandboxState` for more
    options); `families` lets a test add a family of its own to the built-in ones.
    """
    if state is None:
        lifetime = DEFAULT_LIFETIME_SECONDS if token_lifetime_seconds is None else token_lifetime_seconds
        state = SandboxState(token_lifetime_seconds=lifetime)
    elif token_lifetime_seconds is not None:
        raise TypeError("give token_lifetime_seconds to the SandboxState you pass")
    authenticated = [Middleware(RequireApiAuth)]
    app = Starlette(
        routes=[
            Route("/oauth2/token", token_endpoint, methods=["POST"]),
            Mount(
                "/v1/projects/{projectId}",
                routes=[route for family in families for route in family.routes],
                middleware=authenticated,
            ),
            Mount("/_sandbox", routes=controls.routes, middleware=authenticated),
        ],
        middleware=[Middleware(CanaryMiddleware), Middleware(FaultMiddleware), Middleware(ApplyDueTransitions)],
        exception_handlers={PapiError: papi_error_handler, HTTPException: http_error_handler},
        lifespan=_delivering,
    )
    app.state.sandbox = state
    app.state.resource_types = {type_.name: type_ for family in families for type_ in family.resource_types}
    for family in families:
        if family.prepare is not None:
            family.prepare(state)
    return app
