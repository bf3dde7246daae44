"""KakaoTalk templates and template categories: `/kakaotalk/senders/{plusFriendId}/templates[/{templateCode}...]`
and `/kakaotalk/categories/senders/{plusFriendId}/templates`.

Rules, from the catalog and the official OAS 1.2.117 (KakaoTalk Templates and Categories
tags): templates belong to a sender (404 `sender_not_found`, then `template_not_found`),
are keyed by a `code` the API mints (20 letters and digits) and listed alphabetically
(first 50, pageSize up to 1000; `filterStates`, `filterStatuses`, `templateName` prefix).
Create takes `details` {name 1..150 (unique per sender, 409 `template_exists`), language,
content 1..1000 (not for a DRAFT), messageType BASIC, emphasizeType EMPHASIZE_TYPE_NONE,
categoryCode 999999, securityFlag false (the defaults), extra 1..500, title and subtitle
1..50, imageName 1..250, imageUrl, buttons (at most 5, each type once; ordering 1..5,
name 1..14, links 1..500)}, `status` (SUBMIT by default) and `saveDraftOnFailure`. A
category code the sender's template categories do not list is 400
`template_invalid_category_code`. PATCH (DRAFT by default; no `language`) is refused while
changes are IN_PROGRESS (409 `template_changes_not_updatable`). A template has a `state`
(APPROVED, REJECTED) once reviewed and `changes` ({status, details}) while details wait.
KakaoTalk's review happens on the clock: approved (state APPROVED, details replaced,
KAKAOTALK_TEMPLATE_APPROVED) or, as the scenario outcome `rejected`, changes REJECTED
with the reason as comment (KAKAOTALK_TEMPLATE_REJECTED). Comments add COMMENT_ADDED and
KAKAOTALK_TEMPLATE_COMMENT_ADDED.

Choices where the catalog is silent:
- The activity types are the OAS ones (CREATED, DRAFT, EDITED, IN_PROGRESS, REJECTED,
  COMMENT_ADDED): an approval records none, it is the event that reports it.
- A rejected new template also gets state REJECTED with the submitted details as its
  details (the OAS KAKAOTALK_TEMPLATE_REJECTED example); its changes stay REJECTED so they
  can be corrected and submitted again. A rejected edit leaves the state as it was.
- Submitting a draft (PATCH with SUBMIT) checks its details as a creation would.
- The sender may be in any state; `saveDraftOnFailure` has no effect (a submission never
  fails); the image URL is never fetched.
- The template categories are the OAS example's (Membership 001001..001003), the Purchase
  > Product subscription code its exclusion text names (002002) and Others 999999, the
  default code.
- OAS 1.2.117 also has `GET .../templates/{templateCode}/activities` and `DELETE
  .../templates/{templateCode}/changes` (delete a draft never submitted); they are outside
  this project's 87 operations and not simulated.

Seeded project fixture: template `SANDBOXTEMPLATE00001` (APPROVED) of `sandbox-plusfriend`.
"""

from __future__ import annotations

import secrets
import string
import uuid
from typing import Any

from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .errors import PapiError
from .family import Family
from .kakaotalk_senders import FIXTURE_ACTIVE_SENDER, SENDERS, STATUSES, comment_on, merge, sender_of, take_pending
from .lifecycle import Lifecycle, after_delay, on_call
from .pagination import Page, PageSizeRule
from .resources import Filter, GeneratedId, Listing, Resource, ResourceType, Unique
from .state import SANDBOX_PROJECT_ID, SandboxState
from .validation import Rule, read_json_object, validate
from .values import IdFormat, iso8601

FIXTURE_TEMPLATE_CODE = "SANDBOXTEMPLATE00001"

# The sandbox's own copy of the 71 input languages (OAS 1.2.117 KakaotalkInputTemplateLanguagesEnum).
LANGUAGES = (
    "AF", "AR", "AZ", "BG", "BN", "CA", "CS", "DA", "DE", "EL", "EN", "EN_GB", "EN_US", "ES", "ES_AR", "ES_ES",
    "ES_MX", "ET", "FA", "FI", "FIL", "FR", "GA", "GU", "HA", "HE", "HI", "HR", "HU", "ID", "IT", "JA", "KA", "KK",
    "KN", "KO", "KY_KG", "LO", "LT", "LV", "MK", "ML", "MR", "MS", "NB", "NL", "PA", "PL", "PT_BR", "PT_PT", "RO",
    "RU", "RW_RW", "SK", "SL", "SQ", "SR", "SV", "SW", "TA", "TE", "TH", "TR", "UK", "UR", "UZ", "VI", "ZH_CN",
    "ZH_HK", "ZH_TW", "ZU",
)
MESSAGE_TYPES = ("AD_INCLUDED", "BASIC", "EXTRA_INFORMATION", "MIXED")
EMPHASIZE_TYPES = ("EMPHASIZE_TYPE_IMAGE", "EMPHASIZE_TYPE_NONE", "EMPHASIZE_TYPE_TEXT")
BUTTON_TYPES = (
    "APP_LINK", "BOT_FOR_CONSULTATION", "BOT_KEYWORD", "BOT_TRANSFER", "BUSINESS_FORM", "CHANNEL_ID_ADDED",
    "DELIVERY_SEARCH", "IMAGE_SECURE_TRANSMISSION_PLUGIN_ID", "MESSAGE_DELIVERY", "ONE_CLICK_PAYMENT_PLUGIN",
    "PERSONAL_INFORMATION_USE_PLUGIN_ID", "WEB_LINK",
)
DEFAULT_DETAILS = {
    "messageType": "BASIC",
    "emphasizeType": "EMPHASIZE_TYPE_NONE",
    "categoryCode": "999999",
    "securityFlag": False,
    "buttons": [],
}
# Fields the update DTO types `string|null` (or `array|null`): null removes them.
NULLABLE = ("extra", "title", "subtitle", "imageName", "imageUrl", "buttons")


def _subcategory(code: str, name: str, english: str, group: str, inclusion: str = "", exclusion: str = "") -> dict:
    return {
        "code": code, "name": name, "nameEnglish": english, "groupName": group,
        "inclusion": inclusion, "exclusion": exclusion,
    }


TEMPLATE_CATEGORIES = [
    {
        "name": "회원",
        "nameEnglish": "Membership",
        "subcategories": [
            _subcategory(
                "001001", "회원가입", "Join membership", "회원",
                "회원가입 완료 내용의 템플릿이 대상입니다. "
                "가입에 따른 축하적립금/쿠폰을 포함합니다.",
                "상품/서비스가입은 구매 > 상품가입 (002002)로 분류합니다.",
            ),
            _subcategory(
                "001002", "인증/비밀번호/로그인", "Authentication/Password/Login", "회원",
                "OTP, 로그인여부, 임시비밀번호, 본인확인 용도의 템플릿이 대상입니다.",
            ),
            _subcategory(
                "001003", "회원정보/회원혜택", "Membership information/Member ship benefits", "회원",
                "회원등급안내, 혜택안내, 생일/기념일 축하 동의 템플릿이 대상입니다.",
            ),
        ],
    },
    {
        "name": "구매",
        "nameEnglish": "Purchase",
        "subcategories": [_subcategory("002002", "상품가입", "Product subscription", "구매")],
    },
    {"name": "기타", "nameEnglish": "Others", "subcategories": [_subcategory("999999", "기타", "Others", "기타")]},
]
CATEGORY_CODES = frozenset(sub["code"] for category in TEMPLATE_CATEGORIES for sub in category["subcategories"])
CATEGORIES_PAGE = PageSizeRule(maximum=100, default=50)


def _template_exists() -> PapiError:
    return PapiError(
        409, "template_exists", "Template already exists.", "Templates must have unique name. Change name and submit again."
    )


def _changes_not_updatable() -> PapiError:
    return PapiError(
        409, "template_changes_not_updatable", "Template is not updatable.",
        "Updates are only supported by template changes with status: DRAFT, REJECTED.",
    )


def _invalid_category() -> PapiError:
    return PapiError(
        400, "template_invalid_category_code", "Invalid template category code.",
        "Verify that the template category code used is supported for the provided project.",
    )


def _approve(template: Resource, reason: str | None) -> None:
    take_pending(template, reason)
    template.data["state"] = "APPROVED"


def _reject(template: Resource, reason: str | None) -> None:
    if template.data["state"] is None:
        template.data.update(state="REJECTED", details=dict(template.data["pending"]))


REVIEW = Lifecycle(
    track="changes",
    states=STATUSES,
    initial=None,
    transitions=(
        on_call("draft", (None, "REJECTED"), "DRAFT", activity="DRAFT"),
        on_call("edit_draft", "DRAFT", "DRAFT", activity="EDITED"),
        on_call("submit", (None, "DRAFT", "REJECTED"), "IN_PROGRESS", activity="IN_PROGRESS"),
        after_delay("approved", "IN_PROGRESS", None, trigger="KAKAOTALK_TEMPLATE_APPROVED", effect=_approve),
        after_delay(
            "rejected", "IN_PROGRESS", "REJECTED", outcome="rejected", activity="REJECTED",
            trigger="KAKAOTALK_TEMPLATE_REJECTED", effect=_reject,
        ),
    ),
)


def render_template(template: Resource) -> dict[str, Any]:
    body: dict[str, Any] = {"id": template.data["id"], "code": template.id}
    if template.data["state"] is not None:
        body["state"] = template.data["state"]
    if template.data["details"]:
        body["details"] = dict(template.data["details"])
    status = template.states["changes"]
    if status is not None:
        body["changes"] = {"status": status, "details": dict(template.data["pending"])}
    body["created"], body["modified"] = iso8601(template.created), iso8601(template.modified)
    return body


def _new_code(now: float) -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(20))


# Codes are minted by the API and only compared: an unknown one is simply not found.
TEMPLATE_CODE = IdFormat(new=_new_code, parse=lambda text: text)


def _template_data(details: dict[str, Any] | None, pending: dict[str, Any] | None, state: str | None) -> dict[str, Any]:
    name = (pending or details or {}).get("name")
    return {"id": str(uuid.uuid4()), "name": name, "state": state, "details": details, "pending": pending}


def _sample(n: int) -> dict[str, Any]:
    details = {**DEFAULT_DETAILS, "name": f"seeded-template-{n:05d}", "language": "EN", "content": f"Seeded content {n}."}
    return _template_data(details, None, "APPROVED")


TEMPLATES = ResourceType(
    name="kakaotalk_template",
    label="Template",
    not_found_code="template_not_found",
    key=GeneratedId("templateCode", format=TEMPLATE_CODE),
    render=render_template,
    items_key="templates",
    page=PageSizeRule(maximum=1000, default=50),
    order=lambda template: (template.data["name"], template.id),
    filters=(
        Filter("filterStates", lambda t: t.data["state"], allowed=("APPROVED", "REJECTED"), error="invalid_filter_states"),
        Filter("filterStatuses", lambda t: t.states["changes"], allowed=STATUSES, error="invalid_filter_statuses"),
        Filter("templateName", lambda template: template.data["name"], match="prefix"),
    ),
    unique=(Unique(("name",), _template_exists),),
    lifecycles=(REVIEW,),
    created_activity="CREATED",
    comment_trigger="KAKAOTALK_TEMPLATE_COMMENT_ADDED",
    sample=_sample,
)


def _button_rules(draft: bool) -> tuple[Rule, ...]:
    return (
        Rule("ordering", type="number", minimum=1, maximum=5),
        Rule("type", enum=BUTTON_TYPES),
        Rule("name", required=not draft, min_length=1, max_length=14),
        Rule("linkMo", required=False, min_length=1, max_length=500, format="url"),
        Rule("linkPc", required=False, min_length=1, max_length=500, format="url"),
        # App schemes (myapp://...) are what these two are for: only their length is checked.
        Rule("schemeIos", required=False, min_length=1, max_length=500),
        Rule("schemeAndroid", required=False, min_length=1, max_length=500),
    )


def _details_rules(*, create: bool, draft: bool) -> tuple[Rule, ...]:
    return (
        Rule("name", required=create, min_length=1, max_length=150),
        *((Rule("language", enum=LANGUAGES),) if create else ()),
        Rule("content", required=create and not draft, min_length=1, max_length=1000),
        Rule("messageType", required=False, enum=MESSAGE_TYPES),
        Rule("emphasizeType", required=False, enum=EMPHASIZE_TYPES),
        Rule("categoryCode", required=False, min_length=1, max_length=6),
        Rule("securityFlag", type="boolean", required=False),
        Rule("extra", required=False, min_length=1, max_length=500),
        Rule("title", required=False, min_length=1, max_length=50),
        Rule("subtitle", required=False, min_length=1, max_length=50),
        Rule("imageName", required=False, min_length=1, max_length=250),
        Rule("imageUrl", required=False, format="url"),
        Rule("buttons", type="array", required=False, max_items=5, unique_by="type", fields=_button_rules(draft)),
    )


_SUBMITTABLE = _details_rules(create=True, draft=False)


def _body_rules(*, create: bool, draft: bool) -> tuple[Rule, ...]:
    return (
        Rule("details", type="object", required=create, fields=_details_rules(create=create, draft=draft)),
        Rule("status", required=False, enum=("DRAFT", "SUBMIT")),
        *((Rule("saveDraftOnFailure", type="boolean", required=False),) if create else ()),
    )


def _check_category(details: dict[str, Any]) -> None:
    if details.get("categoryCode", DEFAULT_DETAILS["categoryCode"]) not in CATEGORY_CODES:
        raise _invalid_category()


def _template(request: Request) -> Resource:
    return sender_of(request).collection(TEMPLATES).get(request.path_params["templateCode"])


class TemplateCollection(HTTPEndpoint):
    async def get(self, request: Request) -> Response:
        listing = Listing.parse(request, TEMPLATES)
        return JSONResponse(listing.render(sender_of(request).collection(TEMPLATES)))

    async def post(self, request: Request) -> Response:
        body = await read_json_object(request)
        draft = body.get("status") == "DRAFT"
        fields = validate(body, _body_rules(create=True, draft=draft))
        templates = sender_of(request).collection(TEMPLATES)
        details = {**DEFAULT_DETAILS, **fields["details"]}
        _check_category(details)
        template = templates.create(_template_data(None, details, None))
        template.move("draft" if draft else "submit")
        return JSONResponse(render_template(template), status_code=201)


class TemplateItem(HTTPEndpoint):
    async def get(self, request: Request) -> Response:
        return JSONResponse(render_template(_template(request)))

    async def patch(self, request: Request) -> Response:
        body = await read_json_object(request)
        fields = validate(body, _body_rules(create=False, draft=body.get("status") != "SUBMIT"), partial=True)
        template = _template(request)
        status = template.states["changes"]
        if status == "IN_PROGRESS":
            raise _changes_not_updatable()
        base = template.data["pending"] if status else template.data["details"]
        pending = merge(base, fields.get("details") or {}, NULLABLE)
        _check_category(pending)
        submit = fields.get("status") == "SUBMIT"
        if submit:  # a draft may lack what a submission needs
            validate({"details": pending}, (Rule("details", type="object", fields=_SUBMITTABLE),))
        template.update({"pending": pending, "name": pending["name"]})
        if submit:
            template.move("submit")
        else:
            template.move("edit_draft" if status == "DRAFT" else "draft")
        return JSONResponse(render_template(template))

    async def delete(self, request: Request) -> Response:
        _template(request).delete()
        return Response(status_code=204)


async def create_comment(request: Request) -> Response:
    return await comment_on(request, _template(request))


async def list_categories(request: Request) -> Response:
    page = Page.parse(request, CATEGORIES_PAGE)
    sender_of(request)
    return JSONResponse(page.render(TEMPLATE_CATEGORIES, "categories", dict))


FIXTURE_DETAILS = {
    **DEFAULT_DETAILS,
    "name": "Sandbox order update",
    "language": "EN",
    "content": "Hello #{name}, your order #{order} has shipped.",
}


def _seed_fixture(state: SandboxState) -> None:
    senders = state.project(SANDBOX_PROJECT_ID).collection(SENDERS)
    sender = next((sender for sender in senders if sender.id == FIXTURE_ACTIVE_SENDER), None)
    if sender is not None and not len(sender.collection(TEMPLATES)):
        sender.collection(TEMPLATES).place(_template_data(FIXTURE_DETAILS, None, "APPROVED"), id=FIXTURE_TEMPLATE_CODE)


FAMILY = Family(
    routes=(
        Route("/kakaotalk/categories/senders/{plusFriendId}/templates", list_categories, methods=["GET"]),
        Route("/kakaotalk/senders/{plusFriendId}/templates", TemplateCollection),
        Route("/kakaotalk/senders/{plusFriendId}/templates/{templateCode}", TemplateItem),
        Route("/kakaotalk/senders/{plusFriendId}/templates/{templateCode}/comments", create_comment, methods=["POST"]),
    ),
    resource_types=(TEMPLATES,),
    prepare=_seed_fixture,
)
