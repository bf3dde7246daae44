"""WhatsApp account family: `/whatsapp` (get, create, update, delete), its activities and
comments, and `PUT /whatsapp/enableTemplateAnalytics`; plus what the other WhatsApp
modules share: the enums, and the account every sender, template and flow call needs.

The account is the project's singleton (409 `account_exists` on a second create). Review,
as the OAS 1.2.117 callbacks show it: while pending the account has no `state` and its
details sit in `changes` (`IN_PROGRESS`, then `PENDING_FACEBOOK_VERIFICATION`, event
`WHATSAPP_ACCOUNT_PENDING_VERIFICATION`); once Meta is done it is `state: ONBOARDED` with
`details` (event `WHATSAPP_ACCOUNT_ONBOARDED`). Scenario outcome `rejected` (with a reason)
ends the first step in `changes.status: REJECTED` (event `WHATSAPP_ACCOUNT_REJECTED`); only
then does PATCH work (409 `account_not_updatable` otherwise), sending it back to
`IN_PROGRESS`. An Embedded Signup sender creates an onboarded account implicitly
(`isEmbeddedSignup: true`, see `whatsapp_senders`).

Choices where the catalog is silent (the sandbox's):
- Region × business manager (BR: SINCH_BR or SINCH_MX; EU: SINCH_UK; US: any) is refused
  with 400 `invalid_business_manager`, the code the OAS gives for a manager wrong for the
  project. Without a manager the account gets SINCH_BR for region BR, SINCH_UK otherwise;
  `compatibleRegions` follow the manager (SINCH_UK: eu, us; SINCH_BR/SINCH_MX: br, us;
  SINCH_AMERICA/SINCH_SEP: us).
- Senders, templates, flows and template analytics answer 400 `project_not_initialized`
  in a project without an account; solutions do not (they come before Embedded Signup).
- DELETE is refused with 409 `account_has_senders` while any sender exists, senders in
  their 30-day deletion grace included (catalog: delete senders first); it also removes
  the project's never-submitted template drafts.
- enableTemplateAnalytics answers 204, and 424 `template_insights_not_yet_available`
  until the account is ONBOARDED.

Fixtures: `sandbox-project` has an ONBOARDED partner-initiated account (WABA
`FIXTURE_WABA_ID`, manager SINCH_UK); `sandbox-rejected-project` has a REJECTED one and no
sender (the update and deletion examples); every other project starts without WhatsApp.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .context import project_of
from .errors import PapiError
from .family import Family
from .lifecycle import Lifecycle, after_delay, on_call
from .pagination import Page
from .resources import ACTIVITIES_PAGE, NaturalKey, Resource, ResourceType, activities_page
from .state import SANDBOX_PROJECT_ID, ProjectState, SandboxState
from .validation import Rule, read_json_object, validate
from .values import iso8601

FIXTURE_WABA_ID = "100000000000001"
REJECTED_PROJECT_ID = "sandbox-rejected-project"

# Copies of the catalog's enums (common.enums and the account/sender fields): the sandbox
# keeps its own, so client and simulator check each other.
REGIONS = ("BR", "EU", "US")
ACCOUNT_MANAGERS = ("SINCH_AMERICA", "SINCH_BR", "SINCH_MX", "SINCH_SEP", "SINCH_UK")
SENDER_MANAGERS = ("SINCH_BR", "SINCH_MX", "SINCH_UK")
META_LOCAL_STORAGE = ("AE", "AU", "BH", "BR", "CA", "CH", "DE", "GB", "ID", "IN", "JP", "KR", "SG", "US", "ZA")
VERTICALS = (
    "ALCOHOL", "AUTOMOTIVE", "BEAUTY_SPA_SALON", "CLOTHING_AND_APPAREL", "EDUCATION", "ENTERTAINMENT",
    "EVENT_PLANNING_AND_SERVICE", "FINANCE_AND_BANKING", "FOOD_AND_GROCERY", "HOTEL_AND_LODGING",
    "MEDICAL_AND_HEALTH", "NON_PROFIT", "ONLINE_GAMBLING", "OTC_DRUGS", "OTHER", "PHYSICAL_GAMBLING",
    "PROFESSIONAL_SERVICES", "PUBLIC_SERVICE", "RESTAURANT", "SHOPPING_AND_RETAIL", "TRAVEL_AND_TRANSPORTATION",
)  # fmt: skip
BUSINESS_CATEGORIES = tuple(v for v in VERTICALS if v != "ONLINE_GAMBLING")
_REGION_MANAGERS = {"BR": ("SINCH_BR", "SINCH_MX"), "EU": ("SINCH_UK",)}
_COMPATIBLE = {"SINCH_UK": ["eu", "us"], "SINCH_BR": ["br", "us"], "SINCH_MX": ["br", "us"]}

ACCOUNT_STATUSES = ("IN_PROGRESS", "PENDING_FACEBOOK_VERIFICATION", "ONBOARDED", "REJECTED")


def project_not_initialized() -> PapiError:
    return PapiError(
        400,
        "project_not_initialized",
        "Project not initialized for WhatsApp.",
        "Verify that the project ID is correct and that it has been onboarded for WhatsApp.",
    )


def invalid_business_manager() -> PapiError:
    return PapiError(
        400,
        "invalid_business_manager",
        "Invalid business manager.",
        "Check that business manager is correct for project.",
    )


def check_region_manager(region: str | None, manager: str | None) -> None:
    """The region × business-manager matrix of the sender creation docs (OAS 1.2.117)."""
    if region is not None and manager is not None and manager not in _REGION_MANAGERS.get(region, (manager,)):
        raise invalid_business_manager()


def default_manager(region: str | None) -> str:
    return "SINCH_BR" if region == "BR" else "SINCH_UK"


def compatible_regions(manager: str) -> list[str]:
    return list(_COMPATIBLE.get(manager, ["us"]))


def _account_exists() -> PapiError:
    return PapiError(
        409, "account_exists", "Account already exists.", "A project has one WhatsApp account; update it instead."
    )


def _not_updatable() -> PapiError:
    return PapiError(
        409, "account_not_updatable", "Account is not updatable.", "Only REJECTED accounts can be updated."
    )


REVIEW = Lifecycle(
    track="status",
    states=ACCOUNT_STATUSES,
    initial="IN_PROGRESS",
    seeded="ONBOARDED",
    transitions=(
        after_delay(
            "verification",
            "IN_PROGRESS",
            "PENDING_FACEBOOK_VERIFICATION",
            activity="PENDING_FACEBOOK_VERIFICATION",
            trigger="WHATSAPP_ACCOUNT_PENDING_VERIFICATION",
        ),
        after_delay(
            "rejected",
            "IN_PROGRESS",
            "REJECTED",
            outcome="rejected",
            activity="REJECTED",
            trigger="WHATSAPP_ACCOUNT_REJECTED",
        ),
        after_delay("onboarded", "PENDING_FACEBOOK_VERIFICATION", "ONBOARDED", trigger="WHATSAPP_ACCOUNT_ONBOARDED"),
        on_call("resubmit", "REJECTED", "IN_PROGRESS", refused=_not_updatable, activity="IN_PROGRESS"),
    ),
)


def render_account(account: Resource) -> dict[str, Any]:
    data = account.data
    status = account.states["status"]
    details = {
        key: data[key]
        for key in ("clientBusinessManagerId", "wabaName", "companyLegalName", "senderDetails")
        if key in data
    }
    body: dict[str, Any] = {"state": "ONBOARDED"} if status == "ONBOARDED" else {}
    body |= {
        "isEmbeddedSignup": data["isEmbeddedSignup"],
        "businessManager": data["businessManager"],
        "compatibleRegions": compatible_regions(data["businessManager"]),
        "wabaId": data["wabaId"],
    }
    if status == "ONBOARDED":
        body["details"] = details
    else:
        body["changes"] = {"status": status, "details": details}
    return body | {
        "wabaEnabledForInsights": data.get("wabaEnabledForInsights", False),
        "wabaMaxPriceOnboarded": False,
        "wabaEnabledForDirectSend": False,
        "currency": "EUR",
    }


ACCOUNTS = ResourceType(
    name="whatsapp_account",
    label="Account",
    not_found_code="account_not_found",
    key=NaturalKey((), exists=_account_exists),
    render=render_account,
    lifecycles=(REVIEW,),
    created_activity="CREATED",
    comment_trigger="WHATSAPP_ACCOUNT_COMMENT_ADDED",
    sample=lambda n: _account_data("SINCH_UK", "Sandbox Company", "200000000000001", FIXTURE_WABA_ID),
)


def _account_data(manager: str, waba_name: str | None, client_manager: str, waba_id: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "isEmbeddedSignup": False,
        "businessManager": manager,
        "clientBusinessManagerId": client_manager,
        "wabaId": waba_id,
    }
    if waba_name is not None:
        data["wabaName"] = waba_name
    return data


def account_of(project: ProjectState) -> Resource | None:
    return next(iter(project.collection(ACCOUNTS)), None)


def require_account(request: Request) -> Resource:
    """The project's account, or 400 `project_not_initialized` (senders, templates, flows)."""
    account = account_of(project_of(request))
    if account is None:
        raise project_not_initialized()
    return account


def new_waba_id(project: ProjectState) -> str:
    """A Meta-style numeric id, stable for a project (the sandbox mints no randomness here)."""
    return str(100_000_000_000_000 + sum(map(ord, project.project_id)) * 7919 % 899_999_999_999_999)


_SENDER_DETAILS = (
    Rule("displayName", min_length=1, max_length=255),
    Rule("businessCategory", enum=BUSINESS_CATEGORIES),
    Rule("region", required=False, enum=REGIONS),
    Rule("metaLocalStorage", required=False, enum=META_LOCAL_STORAGE),
)
PARTNER_INITIATED = (
    Rule("wabaName", min_length=1, max_length=255),
    Rule("clientBusinessManagerId", min_length=1, max_length=255),
    Rule("businessManager", required=False, enum=ACCOUNT_MANAGERS),
    Rule("senderDetails", type="object", fields=_SENDER_DETAILS),
)
# WhatsappInputAccountDtoDeprecated (OBO; Meta end of life 2025-09-30): still accepted.
ON_BEHALF_OF = (
    Rule("clientBusinessManagerId", min_length=1, max_length=255),
    Rule("companyLegalName", min_length=1, max_length=255),
    Rule("businessManager", required=False, enum=ACCOUNT_MANAGERS),
)
UPDATE = (
    Rule("companyLegalName", required=False, min_length=1, max_length=255),
    Rule("wabaName", required=False, min_length=1, max_length=255),
    Rule("clientBusinessManagerId", required=False, min_length=1, max_length=255),
    Rule(
        "senderDetails",
        type="object",
        required=False,
        fields=tuple(
            Rule(r.name, required=False, min_length=r.min_length, max_length=r.max_length, enum=r.enum)
            for r in _SENDER_DETAILS
        ),
    ),
)


def no_fields_to_update() -> PapiError:
    return PapiError(400, "no_fields_to_update", "No fields to be updated.", "Supply at least one field to be updated.")


async def get_account(request: Request) -> Response:
    return JSONResponse(render_account(project_of(request).collection(ACCOUNTS).get()))


async def create_account(request: Request) -> Response:
    body = await read_json_object(request)
    obo = "companyLegalName" in body
    fields = validate(body, ON_BEHALF_OF if obo else PARTNER_INITIATED)
    region = (fields.get("senderDetails") or {}).get("region")
    check_region_manager(region, fields.get("businessManager"))
    project = project_of(request)
    data = _account_data(
        fields.get("businessManager") or default_manager(region),
        fields.get("wabaName"),
        fields["clientBusinessManagerId"],
        new_waba_id(project),
    )
    data |= {key: fields[key] for key in ("companyLegalName", "senderDetails") if key in fields}
    account = project.collection(ACCOUNTS).create(data)
    return JSONResponse(render_account(account), status_code=201)


async def update_account(request: Request) -> Response:
    body = await read_json_object(request)
    fields = validate(body, UPDATE, partial=True)
    if not fields:
        raise no_fields_to_update()
    account = project_of(request).collection(ACCOUNTS).get()
    if account.states["status"] != "REJECTED":
        raise _not_updatable()
    sender_details = {**account.data.get("senderDetails", {}), **fields.pop("senderDetails", {})}
    account.update({**fields, **({"senderDetails": sender_details} if sender_details else {})})
    account.record("EDITED")
    account.move("resubmit")
    return JSONResponse(render_account(account))


async def delete_account(request: Request) -> Response:
    from .whatsapp_senders import SENDERS  # the senders module builds on this one
    from .whatsapp_templates import delete_drafts

    project = project_of(request)
    account = require_account(request)
    if len(project.collection(SENDERS)):
        raise PapiError(
            409,
            "account_has_senders",
            "Account has senders.",
            "Delete the senders and resolve sender changes first; a deleted sender is removed 30 days later.",
        )
    delete_drafts(project)
    account.delete()
    return Response(status_code=204)


def activity_routes(path: str, find: Callable[[Request], Resource]) -> tuple[Route, Route]:
    """`GET {path}/activities` and `POST {path}/comments` for the resource `find` looks up.

    A comment answers 201 `{type: "CREATED", comment, created}`: `CREATED` is the comment's
    status (OAS), not an activity type. Input is checked before the lookup, as the API does.
    """

    async def activities(request: Request) -> Response:
        page = Page.parse(request, ACTIVITIES_PAGE)
        return JSONResponse(activities_page(page, find(request)))

    async def comment(request: Request) -> Response:
        fields = validate(await read_json_object(request), (Rule("comment", min_length=1, max_length=65535),))
        activity = find(request).comment(fields["comment"])
        return JSONResponse(
            {"type": "CREATED", "comment": fields["comment"], "created": iso8601(activity.created)}, status_code=201
        )

    return Route(f"{path}/activities", activities, methods=["GET"]), Route(
        f"{path}/comments", comment, methods=["POST"]
    )


async def enable_template_analytics(request: Request) -> Response:
    account = require_account(request)
    if account.states["status"] != "ONBOARDED":
        raise PapiError(
            424,
            "template_insights_not_yet_available",
            "Template insights are not yet available.",
            "Wait until the WhatsApp account is onboarded, then try again.",
        )
    account.data["wabaEnabledForInsights"] = True
    return Response(status_code=204)


def _prepare(state: SandboxState) -> None:
    onboarded, rejected = state.project(SANDBOX_PROJECT_ID), state.project(REJECTED_PROJECT_ID)
    if account_of(onboarded) is None:
        onboarded.collection(ACCOUNTS).place(
            _account_data("SINCH_UK", "Sandbox Company", "200000000000001", FIXTURE_WABA_ID)
        )
    if account_of(rejected) is None:
        account = rejected.collection(ACCOUNTS).place(
            _account_data("SINCH_UK", "Sandbox Compnay", "200000000000002", "100000000000002"),
            states={"status": "REJECTED"},
        )
        account.record(
            "REJECTED", comment="The WABA name does not match the Meta Business Manager name.", author="Sinch"
        )


FAMILY = Family(
    routes=(
        Route("/whatsapp", get_account, methods=["GET"]),
        Route("/whatsapp", create_account, methods=["POST"]),
        Route("/whatsapp", update_account, methods=["PATCH"]),
        Route("/whatsapp", delete_account, methods=["DELETE"]),
        *activity_routes("/whatsapp", lambda request: project_of(request).collection(ACCOUNTS).get()),
        Route("/whatsapp/enableTemplateAnalytics", enable_template_analytics, methods=["PUT"]),
    ),
    resource_types=(ACCOUNTS,),
    prepare=_prepare,
)
