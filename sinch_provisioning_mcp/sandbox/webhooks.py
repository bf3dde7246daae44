"""Webhooks family: `/v1/projects/{projectId}/webhooks[/{webhookId}]`, all six operations.

Rules, from the catalog and the official OAS 1.2.117: at most 15 webhooks per project
(424 `webhook_limit_reached`); `target` unique per project (409 `webhook_exists`, also
when PUT/PATCH moves a webhook onto another one's target); the `secret` is kept for
signing but never returned; lists are alphabetical by target; a missing id is 404
`webhook_not_found` (the OAS NotFound example) and a malformed one 400
`invalid_id_format`. `ALL` mixed with other triggers is accepted: only Sinch's guidance,
not the API, says not to combine them. PATCH with no field is 400 `no_fields_to_update`
(catalog common codes); the OAS does not show that case's message, so it is ours.
"""

from __future__ import annotations

from typing import Any

from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .errors import PapiError, invalid_id_format, not_found
from .pagination import Page, PageSizeRule
from .state import ProjectState, StoredWebhook, project_of, state_of
from .validation import is_http_url, raise_if_invalid, read_json_object, unknown_fields
from .values import is_ulid, new_ulid

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
MAX_WEBHOOKS_PER_PROJECT = 15
LIST_PAGE = PageSizeRule(maximum=15, default=15)
_FIELDS = ("target", "secret", "triggers")


def _target_problems(value: Any) -> list[str]:
    if not isinstance(value, str):
        return ["target must be a string", "target must be a URL address"]
    return [] if is_http_url(value) else ["target must be a URL address"]


def _secret_problems(value: Any) -> list[str]:
    if not isinstance(value, str):
        return ["secret must be a string"]
    return [] if value else ["secret should not be empty"]


def _triggers_problems(value: Any) -> list[str]:
    if not isinstance(value, list):
        return ["triggers must be an array"]
    if not value:
        return ["triggers should not be empty"]
    if any(trigger not in WEBHOOK_TRIGGERS for trigger in value):
        return ["each value in triggers must be one of the following values: " + ", ".join(WEBHOOK_TRIGGERS)]
    if len(set(value)) != len(value):
        return ["All triggers's elements must be unique"]
    return []


_CHECKS = {"target": _target_problems, "secret": _secret_problems, "triggers": _triggers_problems}


def _validated(body: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    """Check the given fields (absent ones too: a missing required field is an error)."""
    problems = unknown_fields(body, _FIELDS)
    for name in fields:
        problems += _CHECKS[name](body.get(name))
    raise_if_invalid(problems)
    return {name: body[name] for name in fields}


def _webhook_exists() -> PapiError:
    return PapiError(
        409,
        "webhook_exists",
        "Webhook with the provided target already exists.",
        "Webhooks must have a unique target. Change the target and submit again.",
    )


def _check_target_free(project: ProjectState, target: str, own_id: str | None = None) -> None:
    if any(hook.target == target and hook.id != own_id for hook in project.webhooks.values()):
        raise _webhook_exists()


def _public(hook: StoredWebhook, project_id: str) -> dict[str, Any]:
    return {"id": hook.id, "target": hook.target, "projectId": project_id, "triggers": list(hook.triggers)}


class WebhookCollection(HTTPEndpoint):
    async def get(self, request: Request) -> Response:
        page = Page.parse(request, state_of(request), LIST_PAGE)
        project = project_of(request)
        ordered = sorted(project.webhooks.values(), key=lambda hook: (hook.target, hook.id))
        return JSONResponse(page.render([_public(hook, project.project_id) for hook in ordered], "webhooks"))

    async def post(self, request: Request) -> Response:
        fields = _validated(await read_json_object(request), _FIELDS)
        project = project_of(request)
        _check_target_free(project, fields["target"])
        if len(project.webhooks) >= MAX_WEBHOOKS_PER_PROJECT:
            raise PapiError(
                424,
                "webhook_limit_reached",
                "Number of webhooks has reached the limit.",
                "Delete some webhooks to be able to add more.",
            )
        hook = StoredWebhook(id=new_ulid(state_of(request).clock()), **fields)
        project.webhooks[hook.id] = hook
        return JSONResponse(_public(hook, project.project_id), status_code=201)


class WebhookItem(HTTPEndpoint):
    @staticmethod
    def _webhook_id(request: Request) -> str:
        webhook_id = request.path_params["webhookId"]
        if not is_ulid(webhook_id):
            raise invalid_id_format("webhookId")
        return webhook_id.upper()

    @staticmethod
    def _find(project: ProjectState, webhook_id: str) -> StoredWebhook:
        try:
            return project.webhooks[webhook_id]
        except KeyError:
            raise not_found("webhook_not_found", "Webhook") from None

    async def get(self, request: Request) -> Response:
        webhook_id = self._webhook_id(request)
        project = project_of(request)
        return JSONResponse(_public(self._find(project, webhook_id), project.project_id))

    async def put(self, request: Request) -> Response:
        webhook_id = self._webhook_id(request)
        fields = _validated(await read_json_object(request), _FIELDS)
        return self._apply(request, webhook_id, fields)

    async def patch(self, request: Request) -> Response:
        webhook_id = self._webhook_id(request)
        body = await read_json_object(request)
        if not body:
            raise PapiError(
                400,
                "no_fields_to_update",
                "No fields to update.",
                "Provide at least one of target, secret or triggers.",
            )
        fields = _validated(body, tuple(name for name in _FIELDS if name in body))
        return self._apply(request, webhook_id, fields)

    def _apply(self, request: Request, webhook_id: str, fields: dict[str, Any]) -> Response:
        project = project_of(request)
        hook = self._find(project, webhook_id)
        if "target" in fields:
            _check_target_free(project, fields["target"], own_id=hook.id)
        for name, value in fields.items():
            setattr(hook, name, value)
        return JSONResponse(_public(hook, project.project_id))

    async def delete(self, request: Request) -> Response:
        webhook_id = self._webhook_id(request)
        project = project_of(request)
        del project.webhooks[self._find(project, webhook_id).id]
        return Response(status_code=204)


routes = [
    Route("/webhooks", WebhookCollection),
    Route("/webhooks/{webhookId}", WebhookItem),
]
