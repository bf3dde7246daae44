"""Webhooks family: `/v1/projects/{projectId}/webhooks[/{webhookId}]`, all six operations.

Rules, from the catalog and the official OAS 1.2.117: at most 15 webhooks per project
(424 `webhook_limit_reached`); `target` unique per project (409 `webhook_exists`, also
when PUT/PATCH moves a webhook onto another one's target), a URL of 1..742 characters
whose host has a top-level domain or is an IP address; `secret` 1..128 characters, kept
for signing but never returned; `triggers` at least one, unique; lists are alphabetical
by target; a missing id is 404 `webhook_not_found` (the OAS NotFound example) and a
malformed one 400 `invalid_id_format`. `ALL` mixed with other triggers is accepted: only
Sinch's guidance, not the API, says not to combine them. PATCH with no field is 400
`no_fields_to_update` (catalog common codes); the OAS does not show that case's message,
so it is ours. Webhooks have no activities and no trigger of their own.
"""

from __future__ import annotations

from typing import Any

from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .context import project_of
from .errors import PapiError
from .family import Family
from .pagination import PageSizeRule
from .resources import GeneratedId, Limit, Listing, Resource, ResourceType, Unique
from .state import SANDBOX_PROJECT_ID, SandboxState
from .validation import Rule, read_json_object, validate

# The seeded project's webhook, named in the README and by the tools' examples.
FIXTURE_WEBHOOK_ID = "01J00000000000000000WEBHK1"

# The sandbox keeps its own copy of the 39 triggers (spec 1.2.117 enum) on purpose: it
# must not import the client's enums, so that the client and the simulator check each
# other instead of sharing one mistake.
WEBHOOK_TRIGGERS = (
    "ALL",
    "BUNDLE_DONE",
    "KAKAOTALK_SENDER_ACTIVE",
    "KAKAOTALK_SENDER_COMMENT_ADDED",
    "KAKAOTALK_SENDER_INACTIVE",
    "KAKAOTALK_SENDER_REJECTED",
    "KAKAOTALK_TEMPLATE_APPROVED",
    "KAKAOTALK_TEMPLATE_COMMENT_ADDED",
    "KAKAOTALK_TEMPLATE_REJECTED",
    "RCS_ACCOUNT_COMMENT_ADDED",
    "RCS_BRAND_REGISTRATION_PROCESS_STATUS_UPDATED",
    "RCS_SENDER_COMMENT_ADDED",
    "RCS_SENDER_OPERATOR_STATUS_UPDATED",
    "RCS_SENDER_STATUS_UPDATED",
    "WHATSAPP_ACCOUNT_COMMENT_ADDED",
    "WHATSAPP_ACCOUNT_DAILY_LIMIT_CHANGED",
    "WHATSAPP_ACCOUNT_ONBOARDED",
    "WHATSAPP_ACCOUNT_PENDING_VERIFICATION",
    "WHATSAPP_ACCOUNT_REJECTED",
    "WHATSAPP_WABA_ACCOUNT_CHANGED",
    "WHATSAPP_SENDER_ACTIVE",
    "WHATSAPP_SENDER_COMMENT_ADDED",
    "WHATSAPP_SENDER_DAILY_LIMIT_CHANGED",
    "WHATSAPP_SENDER_DELETED",
    "WHATSAPP_SENDER_DISPLAY_NAME_UPDATED",
    "WHATSAPP_SENDER_ERROR",
    "WHATSAPP_SENDER_INACTIVE",
    "WHATSAPP_SENDER_PENDING_VERIFICATION",
    "WHATSAPP_SENDER_QUALITY_RATING_CHANGED",
    "WHATSAPP_SENDER_REJECTED",
    "WHATSAPP_SENDER_USERNAME_UPDATED",
    "WHATSAPP_TEMPLATE_APPROVED",
    "WHATSAPP_TEMPLATE_CATEGORY_FUTURE_UPDATE",
    "WHATSAPP_TEMPLATE_CATEGORY_UPDATED",
    "WHATSAPP_TEMPLATE_COMMENT_ADDED",
    "WHATSAPP_TEMPLATE_DELETED",
    "WHATSAPP_TEMPLATE_QUALITY_SCORE_UPDATED",
    "WHATSAPP_TEMPLATE_REJECTED",
    "WHATSAPP_TEMPLATE_STATUS_UPDATED",
)
RULES = (
    Rule("target", max_length=742, format="url"),
    Rule("secret", not_empty=True, max_length=128),
    Rule("triggers", type="array", not_empty=True, enum=WEBHOOK_TRIGGERS, unique_items=True),
)


def _webhook_exists() -> PapiError:
    return PapiError(
        409,
        "webhook_exists",
        "Webhook with the provided target already exists.",
        "Webhooks must have a unique target. Change the target and submit again.",
    )


def _webhook_limit_reached() -> PapiError:
    return PapiError(
        424,
        "webhook_limit_reached",
        "Number of webhooks has reached the limit.",
        "Delete some webhooks to be able to add more.",
    )


def _public(hook: Resource) -> dict[str, Any]:
    return {
        "id": hook.id,
        "target": hook.data["target"],
        "projectId": hook.project.project_id,
        "triggers": list(hook.data["triggers"]),
    }


WEBHOOKS = ResourceType(
    name="webhook",
    label="Webhook",
    not_found_code="webhook_not_found",
    key=GeneratedId("webhookId"),
    render=_public,
    items_key="webhooks",
    page=PageSizeRule(maximum=15, default=15),
    order=lambda hook: (hook.data["target"], hook.id),
    unique=(Unique(("target",), _webhook_exists),),
    limit=Limit(15, _webhook_limit_reached),
    sample=lambda n: {"target": f"https://hooks.example.com/seeded/{n}", "secret": f"seeded-{n}", "triggers": ["ALL"]},
)


class WebhookCollection(HTTPEndpoint):
    async def get(self, request: Request) -> Response:
        listing = Listing.parse(request, WEBHOOKS)
        return JSONResponse(listing.render(project_of(request).collection(WEBHOOKS)))

    async def post(self, request: Request) -> Response:
        fields = validate(await read_json_object(request), RULES)
        hook = project_of(request).collection(WEBHOOKS).create(fields)
        return JSONResponse(_public(hook), status_code=201)


class WebhookItem(HTTPEndpoint):
    """A malformed id is refused first, then the body, then a missing webhook (404)."""

    @staticmethod
    def _find(request: Request) -> Resource:
        return project_of(request).collection(WEBHOOKS).get(request.path_params["webhookId"])

    async def get(self, request: Request) -> Response:
        return JSONResponse(_public(self._find(request)))

    async def put(self, request: Request) -> Response:
        WEBHOOKS.key_of(request.path_params["webhookId"])
        fields = validate(await read_json_object(request), RULES)
        return self._apply(request, fields)

    async def patch(self, request: Request) -> Response:
        WEBHOOKS.key_of(request.path_params["webhookId"])
        body = await read_json_object(request)
        if not body:
            raise PapiError(
                400,
                "no_fields_to_update",
                "No fields to update.",
                "Provide at least one of target, secret or triggers.",
            )
        return self._apply(request, validate(body, RULES, partial=True))

    def _apply(self, request: Request, fields: dict[str, Any]) -> Response:
        hook = self._find(request)
        hook.update(fields)
        return JSONResponse(_public(hook))

    async def delete(self, request: Request) -> Response:
        hook = self._find(request)
        hook.delete()
        return Response(status_code=204)


def _seed_fixture(state: SandboxState) -> None:
    webhooks = state.project(SANDBOX_PROJECT_ID).collection(WEBHOOKS)
    if not len(webhooks):
        webhooks.place(
            {"target": "https://hooks.example.com/sinch/provisioning", "secret": "sandbox-fixture-secret", "triggers": ["ALL"]},
            id=FIXTURE_WEBHOOK_ID,
        )


FAMILY = Family(
    routes=(
        Route("/webhooks", WebhookCollection),
        Route("/webhooks/{webhookId}", WebhookItem),
    ),
    resource_types=(WEBHOOKS,),
    prepare=_seed_fixture,
)
