"""WhatsApp templates family: `/whatsapp/templates` (list, create, sync), by name (list,
delete), by name and language (get, update, delete, activities, comments).

A template is keyed by name and language (one per pair: 409 `template_exists`). As the
OAS examples show it, a template never approved has no `state`: its content sits in
`changes` (`DRAFT`, or `IN_PROGRESS` under Meta's review); approval (event
`WHATSAPP_TEMPLATE_APPROVED`) moves it to `details` with `state: APPROVED`. A rejection
(`WHATSAPP_TEMPLATE_REJECTED`, activity REJECTED with the reason) leaves `changes.status:
REJECTED` and, for a template never approved, `state: REJECTED` with a `rejectionCode`.
Later edits of an approved template go through `changes` the same way while the approved
version stays. PATCH answers the OAS 409s (`template_changes_not_updatable` while in
review, `template_not_updatable`, `template_category_not_updatable` outside a draft or an
INCORRECT_CATEGORY rejection, `template_source_not_updatable` for Meta's own templates).

Deleting by name and language without `deleteSubmitted` removes only a draft: a template
never submitted goes, a submitted one loses its DRAFT changes, anything else is 409
`template_not_deletable_due_to_input_config`. With `deleteSubmitted=true` the template
goes, and if it had been approved, the name and language are locked for 30 days (409
`template_language_recently_deleted` on create). Deleting by name removes every language
and locks the name for 30 days (409 `template_name_recently_used`). Each deletion emits
`WHATSAPP_TEMPLATE_DELETED`. Locks expire on the sandbox clock.

Sandbox triggers and choices (documented in the README):
- Review outcome `rejected` (`POST /_sandbox/projects/{id}/outcomes`, reason optional; a
  reason that is a rejection code becomes the `rejectionCode`, otherwise INVALID_FORMAT).
- A template whose name starts with `reject_` is rejected (INVALID_FORMAT), and so is one
  whose body variables are not `{{1}}`, `{{2}}`... in order with one example each: Meta's
  review rejects them, although the API accepts the request.
- Sync brings in Meta's sample template `hello_world` (EN_US, UTILITY, APPROVED,
  `isMetaGenerated`) when missing; a second sync within 60 s is 429 `too_many_requests`.
- Deleting the account (`whatsapp_accounts`) removes the never-submitted drafts.
- `analytics` is always empty; `fieldMask` keeps the listed paths (`0` stands for every
  item of a list), an unknown path is 400 `invalid_fields`.
- Lists are alphabetical by name, then language; `templateName` (prefix), `filterStates`
  and `filterStatuses` filter them as the OAS describes.

Fixtures in `sandbox-project`: `order_update` EN_US (UTILITY, APPROVED) and
`welcome_offer` EN (MARKETING, a draft never submitted).
"""

from __future__ import annotations

import copy
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .context import project_of, state_of
from .errors import PapiError, invalid_input, not_found
from .family import Family
from .lifecycle import Lifecycle, after_delay, on_call
from .pagination import Page, PageSizeRule
from .resources import Filter, Listing, NaturalKey, Resource, ResourceType
from .state import SANDBOX_PROJECT_ID, ProjectState, SandboxState
from .validation import Rule, find_problems, read_json_object
from .whatsapp_accounts import activity_routes, require_account
from .whatsapp_template_bodies import details_problems, meta_would_reject

LANGUAGES = (
    "AF", "AR", "AZ", "BG", "BN", "CA", "CS", "DA", "DE", "EL", "EN", "EN_GB", "EN_US", "ES", "ES_AR", "ES_ES",
    "ES_MX", "ES_UY", "ET", "FA", "FI", "FIL", "FR", "GA", "GU", "HA", "HE", "HI", "HR", "HU", "ID", "IT", "JA",
    "KA", "KK", "KN", "KO", "KY_KG", "LO", "LT", "LV", "MK", "ML", "MR", "MS", "NB", "NL", "PA", "PL", "PT_BR",
    "PT_PT", "RO", "RU", "RW_RW", "SK", "SL", "SQ", "SR", "SV", "SW", "TA", "TE", "TH", "TR", "UK", "UR", "UZ",
    "VI", "ZH_CN", "ZH_HK", "ZH_TW", "ZU",
)  # fmt: skip
CATEGORIES = ("AUTHENTICATION", "MARKETING", "UTILITY")
REJECTION_CODES = ("ABUSIVE_CONTENT", "INCORRECT_CATEGORY", "INVALID_FORMAT", "SCAM")
LOCK_SECONDS = 30 * 86400
SYNC_INTERVAL_SECONDS = 60
PAGE = PageSizeRule(maximum=1000, default=50)
NAME_PATTERN = r"[a-z0-9][a-z0-9_]*[a-z0-9]"

# The OAS 1.2.117 field-mask paths (WhatsappTemplateDtoFieldMaskPathsEnum), built from its parts.
_BUTTON_PATHS = (
    "type", "text", "phoneNumber", "url", "example", "otpType", "autofillText", "packageName", "signatureHash",
    "supportedApps", "supportedApps.0.packageName", "supportedApps.0.signatureHash", "zeroTapTermsAccepted",
    "flowId", "flowAction", "navigateScreen",
)  # fmt: skip
_COMPONENT_PATHS = (
    "type", "format", "text", "example", "example.url", "examples", "addSecurityRecommendation",
    "codeExpirationMinutes", "buttons", *(f"buttons.0.{p}" for p in _BUTTON_PATHS), "hasExpiration",
)  # fmt: skip
_DETAILS_PATHS = (
    "components",
    *(f"components.0.{p}" for p in _COMPONENT_PATHS),
    "messageSendTtlSeconds",
    "optimization",
)
_ANALYTICS_PATHS = (
    "sent",
    "delivered",
    "read",
    "start",
    "end",
    "buttons",
    "buttons.0.type",
    "buttons.0.content",
    "buttons.0.clicks",
)
FIELD_MASK = (
    "whatsappId", "state", "name", "language", "category", "rejectionCode", "qualityScore",
    "changes", "changes.status", "changes.allowCategoryChange", "changes.details",
    *(f"changes.details.{p}" for p in _DETAILS_PATHS),
    "details", *(f"details.{p}" for p in _DETAILS_PATHS),
    "analytics", *(f"analytics.0.{p}" for p in _ANALYTICS_PATHS), "isMetaGenerated",
)  # fmt: skip


# --------------------------------------------------------------------------- lifecycle


def _approve(template: Resource, reason: str | None) -> None:
    data = template.data
    data["details"] = data.pop("pending")
    data |= {"state": "APPROVED", "rejectionCode": "NONE", "qualityScore": "QUALITY_SCORE_UNKNOWN", "approved": True}
    data.setdefault("whatsappId", f"9{int(template.created * 1000) % 10**14:014d}")


def _reject(template: Resource, reason: str | None) -> None:
    if template.data.get("state") is None:
        code = reason if reason in REJECTION_CODES else "INVALID_FORMAT"
        template.data |= {"state": "REJECTED", "rejectionCode": code}


CHANGES = Lifecycle(
    track="changes",
    states=("DRAFT", "IN_PROGRESS", "REJECTED"),
    initial=None,
    transitions=(
        on_call("draft", (None, "DRAFT", "REJECTED"), "DRAFT", activity="DRAFT"),
        on_call("submit", (None, "DRAFT", "REJECTED"), "IN_PROGRESS", activity="IN_PROGRESS"),
        on_call("discard", "DRAFT", None),
        after_delay("approved", "IN_PROGRESS", None, trigger="WHATSAPP_TEMPLATE_APPROVED", effect=_approve),
        after_delay(
            "rejected",
            "IN_PROGRESS",
            "REJECTED",
            outcome="rejected",
            activity="REJECTED",
            trigger="WHATSAPP_TEMPLATE_REJECTED",
            effect=_reject,
        ),
    ),
)


def render_template(template: Resource) -> dict[str, Any]:
    data = template.data
    body: dict[str, Any] = {key: data[key] for key in ("whatsappId", "state") if data.get(key)}
    body |= {"name": data["name"], "language": data["language"], "category": data["category"]}
    body |= {key: data[key] for key in ("rejectionCode", "qualityScore") if data.get(key)}
    status = template.states["changes"]
    if status is not None:
        body["changes"] = {
            "status": status,
            "allowCategoryChange": data.get("allowCategoryChange", False),
            "details": data["pending"],
        }
    if data.get("details") is not None:
        body["details"] = data["details"]
    return body | {"analytics": [], "isMetaGenerated": data.get("isMetaGenerated", False)}


def _template_exists() -> PapiError:
    return PapiError(
        409,
        "template_exists",
        "Template already exists.",
        "Templates must have unique name and language. Change language or name and submit again.",
    )


def _sample(n: int) -> dict[str, Any]:
    return {
        "name": f"seeded_template_{n:05d}",
        "language": "EN_US",
        "category": "UTILITY",
        "state": "APPROVED",
        "approved": True,
        "qualityScore": "QUALITY_SCORE_GREEN",
        "details": {"components": [{"type": "BODY", "text": f"Seeded template number {n}."}]},
    }


TEMPLATES = ResourceType(
    name="whatsapp_template",
    label="Template",
    not_found_code="template_not_found",
    key=NaturalKey(("name", "language"), exists=_template_exists),
    render=render_template,
    items_key="templates",
    page=PAGE,
    order=lambda t: (t.data["name"], t.data["language"]),
    filters=(
        Filter("templateName", lambda t: t.data["name"], match="prefix"),
        Filter(
            "filterStates",
            lambda t: t.data.get("state"),
            allowed=("APPROVED", "DISABLED", "PAUSED", "PENDING", "REJECTED"),
            error="invalid_filter_states",
        ),
        Filter(
            "filterStatuses",
            lambda t: t.states["changes"],
            allowed=("DRAFT", "IN_PROGRESS", "REJECTED"),
            error="invalid_filter_statuses",
        ),
    ),
    lifecycles=(CHANGES,),
    created_activity="CREATED",
    comment_trigger="WHATSAPP_TEMPLATE_COMMENT_ADDED",
    sample=_sample,
)


def _expire(lock: Resource, reason: str | None) -> None:
    lock.delete()


# A deleted name (language "*") or name and language that cannot be used for 30 days.
LOCKS = ResourceType(
    name="whatsapp_template_lock",
    label="Template lock",
    not_found_code="template_lock_not_found",
    key=NaturalKey(("name", "language")),
    render=lambda lock: {"name": lock.data["name"], "language": lock.data["language"]},
    lifecycles=(
        Lifecycle(
            "lock",
            ("LOCKED", "EXPIRED"),
            "LOCKED",
            (after_delay("expire", "LOCKED", "EXPIRED", delay=LOCK_SECONDS, effect=_expire),),
        ),
    ),
)


def _lock(project: ProjectState, name: str, language: str) -> None:
    locks = project.collection(LOCKS)
    if not any(lock.key == (name, language) for lock in locks):
        locks.create({"name": name, "language": language})


def _locked(project: ProjectState, name: str, language: str) -> None:
    keys = {lock.key for lock in project.collection(LOCKS)}
    if (name, "*") in keys:
        raise PapiError(
            409,
            "template_name_recently_used",
            "A template with the same name has been deleted within 30 days.",
            f'Use another "name" for "{language}" or wait the required time.',
        )
    if (name, language) in keys:
        raise PapiError(
            409,
            "template_language_recently_deleted",
            "A template with the same language has been deleted within 4 weeks.",
            f"Try to create {language} content again in 4 weeks or create a new template.",
        )


CREATE = (
    Rule("name", max_length=512, pattern=NAME_PATTERN),
    Rule("language", enum=LANGUAGES),
    Rule("category", enum=CATEGORIES),
    Rule("status", required=False, enum=("DRAFT", "SUBMIT")),
    Rule("saveDraftOnFailure", type="boolean", required=False),
    Rule("allowCategoryChange", type="boolean", required=False),
)
UPDATE = (
    Rule("status", required=False, enum=("DRAFT", "SUBMIT")),
    Rule("category", required=False, enum=CATEGORIES),
    Rule("allowCategoryChange", type="boolean", required=False),
)


def _validated(
    body: dict[str, Any], rules: tuple[Rule, ...], submit: bool, category: str | None, *, partial: bool = False
) -> dict[str, Any]:
    fields = {k: v for k, v in body.items() if k != "details"}
    problems = find_problems(fields, rules, partial=partial)
    if "details" in body or not partial:
        problems += details_problems(body.get("details"), submit, category)
    if problems:
        raise invalid_input(problems)
    return body


# --------------------------------------------------------------------------- handlers


def _language(request: Request) -> str:
    language = request.path_params["languageCode"]
    if language not in LANGUAGES:
        raise PapiError(
            400,
            "template_invalid_language_code",
            "Invalid language code.",
            "Verify that the language code used is supported by the Provisioning API and WhatsApp.",
            {"supportedCodes": [", ".join(LANGUAGES)]},
        )
    return language


def _field_mask(request: Request) -> list[tuple[str, ...]] | None:
    paths = [p for raw in request.query_params.getlist("fieldMask") for p in raw.split(",") if p]
    if not paths:
        return None
    if any(p not in FIELD_MASK for p in paths):
        raise PapiError(
            400,
            "invalid_fields",
            "Invalid fields.",
            "Verify that the fields used are supported by the Provisioning API.",
            {"supportedCodes": [", ".join(FIELD_MASK)]},
        )
    return [tuple(p.split(".")) for p in paths]


def pick(value: Any, paths: list[tuple[str, ...]]) -> Any:
    """The parts of `value` the field-mask `paths` name; `0` stands for every item of a list."""
    if () in paths or not isinstance(value, dict | list):
        return value
    if isinstance(value, list):
        return [pick(item, [p[1:] for p in paths if p[0] == "0"]) for item in value]
    kept = {key: [p[1:] for p in paths if p[0] == key] for key in value}
    return {key: pick(value[key], inner) for key, inner in kept.items() if inner}


def _masked(page: dict[str, Any], mask: list[tuple[str, ...]] | None) -> dict[str, Any]:
    if mask is not None:
        page["templates"] = [pick(item, mask) for item in page["templates"]]
    return page


def _template(request: Request) -> Resource:
    language = _language(request)
    require_account(request)
    return project_of(request).collection(TEMPLATES).get(request.path_params["templateName"], language)


def _review(request: Request, template: Resource) -> None:
    """Meta's verdict is known at submission in the sandbox: register it as the review's outcome."""
    if template.data["name"].startswith("reject_") or meta_would_reject(template.data["pending"]):
        state_of(request).set_outcome(
            template.project.project_id, TEMPLATES, "rejected", reason="INVALID_FORMAT", ref=template.ref
        )


async def list_templates(request: Request) -> Response:
    listing = Listing.parse(request, TEMPLATES)
    mask = _field_mask(request)
    require_account(request)
    return JSONResponse(_masked(listing.render(project_of(request).collection(TEMPLATES)), mask))


async def create_template(request: Request) -> Response:
    body = await read_json_object(request)
    submit = body.get("status", "SUBMIT") == "SUBMIT"
    fields = _validated(body, CREATE, submit, body.get("category"))
    require_account(request)
    project = project_of(request)
    name, language = fields["name"], fields["language"]
    _locked(project, name, language)
    others = [t for t in project.collection(TEMPLATES) if t.data["name"] == name and t.data["language"] != language]
    if others and others[0].data["category"] != fields["category"]:
        raise PapiError(
            409,
            "template_incorrect_category",
            "Template incorrect category.",
            f'Use a category that has been used in another language: "{others[0].data["category"]}".',
        )
    data = {key: fields[key] for key in ("name", "language", "category", "allowCategoryChange") if key in fields}
    template = project.collection(TEMPLATES).create(data | {"pending": fields.get("details") or {}})
    template.move("submit" if submit else "draft")
    if submit:
        _review(request, template)
    return JSONResponse(render_template(template), status_code=201)


async def sync_templates(request: Request) -> Response:
    account = require_account(request)
    now = state_of(request).clock.now()
    if now - account.data.get("lastTemplateSync", -SYNC_INTERVAL_SECONDS) < SYNC_INTERVAL_SECONDS:
        raise PapiError(429, "too_many_requests", "Too many requests.", "Please wait and try again.")
    account.data["lastTemplateSync"] = now
    templates = project_of(request).collection(TEMPLATES)
    if not any(t.key == ("hello_world", "EN_US") for t in templates):
        templates.place(copy.deepcopy(_HELLO_WORLD))
    return Response(status_code=200)


_HELLO_WORLD = {
    "name": "hello_world",
    "language": "EN_US",
    "category": "UTILITY",
    "state": "APPROVED",
    "approved": True,
    "isMetaGenerated": True,
    "qualityScore": "QUALITY_SCORE_UNKNOWN",
    "whatsappId": "900000000000001",
    "details": {
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Hello World"},
            {
                "type": "BODY",
                "text": "Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta. Thank you for taking the time to test with us.",
            },
            {"type": "FOOTER", "text": "WhatsApp Business Platform sample message"},
        ]
    },
}


def _by_name(request: Request) -> list[Resource]:
    name = request.path_params["templateName"]
    found = [t for t in project_of(request).collection(TEMPLATES).ordered() if t.data["name"] == name]
    if not found:
        raise not_found("template_not_found", "Template")
    return found


async def list_by_name(request: Request) -> Response:
    page = Page.parse(request, PAGE)
    mask = _field_mask(request)
    require_account(request)
    return JSONResponse(_masked(page.render(_by_name(request), "templates", render_template), mask))


def _delete(template: Resource) -> None:
    template.record(None, trigger="WHATSAPP_TEMPLATE_DELETED")
    template.delete()


async def delete_by_name(request: Request) -> Response:
    require_account(request)
    templates = _by_name(request)
    for template in templates:
        _delete(template)
    _lock(project_of(request), templates[0].data["name"], "*")
    return Response(status_code=204)


async def get_template(request: Request) -> Response:
    mask = _field_mask(request)
    body = render_template(_template(request))
    return JSONResponse(body if mask is None else pick(body, mask))


async def update_template(request: Request) -> Response:
    body = await read_json_object(request)
    submit = body.get("status", "DRAFT") == "SUBMIT"
    fields = _validated(body, UPDATE, submit, body.get("category"), partial=True)
    if not fields:
        raise PapiError(
            400, "no_fields_to_update", "No fields to be updated.", "Supply at least one field to be updated."
        )
    template = _template(request)
    data, status = template.data, template.states["changes"]
    if data.get("isMetaGenerated"):
        raise PapiError(
            409,
            "template_source_not_updatable",
            "Template is not updatable.",
            "Templates generated by Meta cannot be updated.",
        )
    if status == "IN_PROGRESS":
        raise PapiError(
            409,
            "template_changes_not_updatable",
            "Template is not updatable.",
            "Updates are only supported by template changes with status: DRAFT, REJECTED.",
        )
    if data.get("state") not in ("APPROVED", "DISABLED", "PAUSED", "REJECTED") and status not in ("DRAFT", "REJECTED"):
        raise PapiError(
            409,
            "template_not_updatable",
            "Template is not updatable.",
            "Updates are only supported by templates with state: APPROVED, DISABLED, PAUSED, REJECTED.",
        )
    category_open = (data.get("state") is None and status == "DRAFT") or (
        data.get("state") == "REJECTED" and data.get("rejectionCode") == "INCORRECT_CATEGORY"
    )
    resolution = "Updates are only supported by template with state: DRAFT or with state: REJECTED and rejectionCode: INCORRECT_CATEGORY."
    if fields.get("category", data["category"]) != data["category"] and not category_open:
        raise PapiError(409, "template_category_not_updatable", "Template category is not updatable.", resolution)
    if "allowCategoryChange" in fields and not category_open:
        raise PapiError(
            409,
            "template_allow_category_change_not_updatable",
            "Template allowCategoryChange is not updatable.",
            resolution,
        )
    pending = dict(data.get("pending") or data.get("details") or {})
    pending.update(fields.get("details") or {})
    data |= {"pending": pending, **{k: fields[k] for k in ("category", "allowCategoryChange") if k in fields}}
    template.record("EDITED")
    template.move("submit" if submit else "draft")
    if submit:
        _review(request, template)
    return JSONResponse(render_template(template))


async def delete_template(request: Request) -> Response:
    template = _template(request)
    if request.query_params.get("deleteSubmitted", "false").lower() == "true":
        if template.data.get("approved"):
            _lock(template.project, template.data["name"], template.data["language"])
        _delete(template)
    elif template.states["changes"] == "DRAFT" and template.data.get("state") is None:
        _delete(template)
    elif template.states["changes"] == "DRAFT":
        template.move("discard")
        template.data.pop("pending")
    else:
        raise PapiError(
            409,
            "template_not_deletable_due_to_input_config",
            "Template is not deletable due to input config.",
            "Only draft templates will be deleted by name and language code if `deleteSubmitted` is `false` or not provided. "
            "Be aware that templates deleted for a language cannot be recreated for 30 days with the same template name. "
            "If you need the template in this language soon, update the submitted template for the language instead of trying "
            "to delete and recreate it again.",
        )
    return Response(status_code=204)


def delete_drafts(project: ProjectState) -> None:
    """What deleting the account takes with it: templates never submitted to Meta."""
    for template in list(project.collection(TEMPLATES)):
        if template.data.get("state") is None and template.states["changes"] == "DRAFT":
            template.delete()


# --------------------------------------------------------------------------- fixtures

FIXTURE_TEMPLATE = ("order_update", "EN_US")
FIXTURE_DRAFT_TEMPLATE = ("welcome_offer", "EN")


def _prepare(state: SandboxState) -> None:
    templates = state.project(SANDBOX_PROJECT_ID).collection(TEMPLATES)
    if len(templates):
        return
    templates.place(
        {
            "name": FIXTURE_TEMPLATE[0],
            "language": FIXTURE_TEMPLATE[1],
            "category": "UTILITY",
            "state": "APPROVED",
            "approved": True,
            "rejectionCode": "NONE",
            "qualityScore": "QUALITY_SCORE_GREEN",
            "whatsappId": "900000000000002",
            "details": {
                "components": [
                    {"type": "BODY", "text": "Hi {{1}}, your order {{2}} has shipped.", "examples": ["Anna", "A-1042"]},
                    {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Track my order"}]},
                ]
            },
        }
    )
    draft = templates.place(
        {
            "name": FIXTURE_DRAFT_TEMPLATE[0],
            "language": FIXTURE_DRAFT_TEMPLATE[1],
            "category": "MARKETING",
            "pending": {"components": [{"type": "BODY", "text": "Welcome! Enjoy 10% off your first order."}]},
        },
        states={"changes": "DRAFT"},
    )
    draft.record("DRAFT", author="Sinch")


_BY_LANGUAGE = "/whatsapp/templates/{templateName}/languages/{languageCode}"
FAMILY = Family(
    routes=(
        Route("/whatsapp/templates", list_templates, methods=["GET"]),
        Route("/whatsapp/templates", create_template, methods=["POST"]),
        Route("/whatsapp/templates/sync", sync_templates, methods=["POST"]),
        Route("/whatsapp/templates/{templateName}", list_by_name, methods=["GET"]),
        Route("/whatsapp/templates/{templateName}", delete_by_name, methods=["DELETE"]),
        Route(_BY_LANGUAGE, get_template, methods=["GET"]),
        Route(_BY_LANGUAGE, update_template, methods=["PATCH"]),
        Route(_BY_LANGUAGE, delete_template, methods=["DELETE"]),
        *activity_routes(_BY_LANGUAGE, _template),
    ),
    resource_types=(TEMPLATES,),
    prepare=_prepare,
)
