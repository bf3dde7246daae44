"""KakaoTalk senders and sender categories: `/kakaotalk/senders[/{plusFriendId}...]`, `/kakaotalk/categories/senders`.

Rules, from the catalog and the official OAS 1.2.117 (KakaoTalk Senders and Categories tags):
senders are keyed by the caller's `plusFriendId` (1..30 characters; taken is 409
`plus_friend_id_used`); `details` hold `adminPhoneNo` (1..15, a phone number), `name`
(1..512), the three category codes (a path of the sender category tree, else 400
`sender_invalid_category_code`) and an optional `logoImage` URL. A sender has a `state`
(ACTIVE, BLOCKED, INACTIVE, SUSPENDED, VERIFYING) once registered, and `changes`
({status DRAFT | IN_PROGRESS | REJECTED, details}) while details wait for a step.

The onboarding is create -> register (no body; KakaoTalk sends a code to the admin phone;
state VERIFYING) -> verify {code: number} (state ACTIVE, KAKAOTALK_SENDER_ACTIVE). Register
is refused from ACTIVE (409 `not_allowed_register`), verify unless VERIFYING (409
`not_allowed_verify`). PATCH works on a DRAFT (`sender_changes_not_updatable` otherwise)
or on an ACTIVE sender without changes (`sender_not_updatable` otherwise), DRAFT by
default; DELETE .../changes discards DRAFT or REJECTED changes (404
`sender_changes_not_found`, 409 `sender_changes_not_deletable`). DELETE marks the sender
for removal: it stays as it is for 60 days, then is removed with its templates; a second
DELETE meanwhile is 409 `sender_already_deleted`. Comments add COMMENT_ADDED and
KAKAOTALK_SENDER_COMMENT_ADDED.

Choices where the catalog is silent:
- The OTP code the sandbox sent is always 123456 (the OAS example); another number is 409
  `wrong_otp` (the catalog's common code; the KakaoTalk tag lists none for it).
- A new sender's submitted details wait for the OTP (shown as changes IN_PROGRESS; no
  review timer) and become its details when it is verified. Register is also refused
  (`not_allowed_register`) for a new sender whose details are a DRAFT or REJECTED, and for
  BLOCKED or SUSPENDED senders; from VERIFYING it sends a new code.
- Changes submitted for an ACTIVE sender are reviewed on the clock: applied (activity
  EDITED, KAKAOTALK_SENDER_ACTIVE) or, as a scenario outcome `rejected`, REJECTED with the
  reason as comment (KAKAOTALK_SENDER_REJECTED).
- Every sender has an `id` (a UUID, as in the OAS examples) from its creation, drafts
  included; submitting a draft (PATCH with SUBMIT) checks its details as a creation would.
- Discarding the draft of a sender that was never registered leaves nothing: the sender
  goes with it. The removal 60 days after DELETE emits no event (none is documented).
- Every project is initialized for KakaoTalk (no `project_not_initialized`); logo URLs
  are never fetched, so the file errors (mime type, size) do not occur; a submission
  never fails, so `saveDraftOnFailure` is accepted and has no effect.

Seeded project fixtures (README, tools' examples): `sandbox-plusfriend` (ACTIVE),
`sandbox-verifying` (VERIFYING, awaiting the code 123456) and `sandbox-draft` (a new
sender saved as a DRAFT).
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .context import project_of, state_of
from .errors import PapiError, not_found
from .family import Family
from .lifecycle import Lifecycle, after_delay, on_call
from .pagination import Page, PageSizeRule
from .resources import ACTIVITIES_PAGE, Filter, Listing, NaturalKey, Resource, ResourceType, activities_page
from .state import SANDBOX_PROJECT_ID, SandboxState
from .validation import Rule, read_json_object, validate
from .values import iso8601

FIXTURE_ACTIVE_SENDER = "sandbox-plusfriend"
FIXTURE_VERIFYING_SENDER = "sandbox-verifying"
FIXTURE_DRAFT_SENDER = "sandbox-draft"
OTP_CODE = 123456
REMOVAL_GRACE_SECONDS = 60 * 86400

STATES = ("ACTIVE", "BLOCKED", "INACTIVE", "SUSPENDED", "VERIFYING")
STATUSES = ("DRAFT", "IN_PROGRESS", "REJECTED")
# Internal: a new sender's submitted details awaiting the OTP. Shown as IN_PROGRESS.
AWAITING_OTP = "SUBMITTED"
ACTIONS = ("DRAFT", "SUBMIT")

# The sender category tree of the OAS 1.2.117 example: (code, name, children).
_CATEGORIES = (
    ("001", "건강", (
        ("0001", "병원", (("0001", "종합병원", ()), ("0002", "피부과", ()), ("0003", "성형외과", ()))),
        ("0002", "약국", (("0001", "약국", ()),)),
        ("0003", "의료기기/의약품", (("0001", "의료기기/의약품", ()),)),
        ("0004", "건강식품/건강정보", (("0001", "건강식품/건강정보", ()),)),
    )),
    ("002", "교육", (("0001", "학교", (("0001", "유치원", ()),)),)),
)


def _tree(nodes: tuple[Any, ...], parent: str = "", depth: int = 1) -> list[dict[str, Any]]:
    return [
        {"parentCode": parent, "depth": depth, "code": code, "name": name,
         "subcategories": _tree(children, code, depth + 1)}
        for code, name, children in nodes
    ]


SENDER_CATEGORIES = _tree(_CATEGORIES)
_CATEGORY_KEYS = ("topLevelCategoryCode", "midLevelCategoryCode", "subLevelCategoryCode")


def _not_allowed_register() -> PapiError:
    return PapiError(
        409, "not_allowed_register", "Sender not allowed to be registered.",
        'Sender in "ACTIVE" state can\'t be registered.',
    )


def _not_allowed_verify() -> PapiError:
    return PapiError(
        409, "not_allowed_verify", "Sender not allowed to be verified.",
        'Sender has to be in "VERIFYING" state to be verified.',
    )


def _wrong_otp() -> PapiError:
    return PapiError(
        409, "wrong_otp", "Wrong OTP code.", "Use the code sent to the admin phone, or register again for a new one."
    )


def _plus_friend_id_used() -> PapiError:
    return PapiError(
        409, "plus_friend_id_used", "plusFriendId is already used.",
        "plusFriendId is already used by another Sender, verify that the parameters are correct.",
    )


def _changes_not_deletable() -> PapiError:
    return PapiError(
        409, "sender_changes_not_deletable", "Sender changes is not deletable.",
        "Only DRAFT, REJECTED senders changes can be marked for deletion.",
    )


def _changes_not_updatable() -> PapiError:
    return PapiError(
        409, "sender_changes_not_updatable", "Sender is not updatable.",
        "Updates are only supported by sender changes with status: DRAFT",
    )


def _not_updatable() -> PapiError:
    return PapiError(
        409, "sender_not_updatable", "Sender is not updatable.", "Updates are only supported by senders with state: ACTIVE."
    )


def _already_deleted() -> PapiError:
    return PapiError(
        409, "sender_already_deleted", "The sender has been deleted within the last 60 days.", "Wait the required time."
    )


def _invalid_category() -> PapiError:
    return PapiError(
        400, "sender_invalid_category_code", "Invalid sender category code(s).",
        "Verify that the sender category code(s) used is supported.",
    )


def no_fields_to_update() -> PapiError:
    return PapiError(400, "no_fields_to_update", "No fields to be updated.", "Supply at least one field to be updated.")


def merge(base: dict[str, Any] | None, changes: dict[str, Any], nullable: tuple[str, ...]) -> dict[str, Any]:
    """Details after a PATCH: sent fields replace; null removes a nullable field (IsOptional
    lets null through as "left out" for the others, so they stay)."""
    merged = dict(base or {})
    for key, value in changes.items():
        if value is not None:
            merged[key] = value
        elif key in nullable:
            merged.pop(key, None)
    return merged


def take_pending(resource: Resource, reason: str | None) -> None:
    """The details waiting in `changes` become the resource's details."""
    resource.data["details"], resource.data["pending"] = resource.data["pending"], None


def _drop_pending(sender: Resource, reason: str | None) -> None:
    sender.data["pending"] = None


STATE = Lifecycle(
    track="state",
    states=STATES,
    initial=None,
    seeded="ACTIVE",
    transitions=(
        on_call("register", (None, "INACTIVE", "VERIFYING"), "VERIFYING", refused=_not_allowed_register),
        on_call(
            "verify", "VERIFYING", "ACTIVE", refused=_not_allowed_verify,
            activity="ACTIVE", trigger="KAKAOTALK_SENDER_ACTIVE",
        ),
    ),
)
CHANGES = Lifecycle(
    track="changes",
    states=("DRAFT", AWAITING_OTP, "IN_PROGRESS", "REJECTED"),
    initial=None,
    transitions=(
        on_call("draft", None, "DRAFT", activity="DRAFT"),
        on_call("edit_draft", "DRAFT", "DRAFT", activity="EDITED"),
        on_call("submit_new", (None, "DRAFT"), AWAITING_OTP, activity="IN_PROGRESS"),
        on_call("submit_edit", (None, "DRAFT"), "IN_PROGRESS", activity="IN_PROGRESS"),
        on_call("registered", AWAITING_OTP, None, effect=take_pending),
        after_delay(
            "applied", "IN_PROGRESS", None, activity="EDITED", trigger="KAKAOTALK_SENDER_ACTIVE", effect=take_pending
        ),
        after_delay(
            "rejected", "IN_PROGRESS", "REJECTED", outcome="rejected", activity="REJECTED",
            trigger="KAKAOTALK_SENDER_REJECTED",
        ),
        on_call("discard", ("DRAFT", "REJECTED"), None, refused=_changes_not_deletable, effect=_drop_pending),
    ),
)


def changes_status(resource: Resource) -> str | None:
    status = resource.states["changes"]
    return "IN_PROGRESS" if status == AWAITING_OTP else status


def render_sender(sender: Resource) -> dict[str, Any]:
    body: dict[str, Any] = {"id": sender.data["id"], "plusFriendId": sender.data["plusFriendId"]}
    if sender.state is not None:
        body["state"] = sender.state
    if sender.data["details"]:
        body["details"] = dict(sender.data["details"])
    status = changes_status(sender)
    if status is not None:
        body["changes"] = {"status": status, "details": dict(sender.data["pending"])}
    body["created"], body["modified"] = iso8601(sender.created), iso8601(sender.modified)
    return body


def sender_data(
    plus_friend_id: str, *, details: dict[str, Any] | None = None, pending: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {"plusFriendId": plus_friend_id, "id": str(uuid.uuid4()), "details": details, "pending": pending}


def _sample(n: int) -> dict[str, Any]:
    details = {"adminPhoneNo": "+821000000000", "name": f"Seeded sender {n}", "topLevelCategoryCode": "001",
               "midLevelCategoryCode": "0001", "subLevelCategoryCode": "0001"}
    return sender_data(f"seeded-{n:05d}", details=details)


SENDERS = ResourceType(
    name="kakaotalk_sender",
    label="Sender",
    not_found_code="sender_not_found",
    key=NaturalKey(("plusFriendId",), exists=_plus_friend_id_used),
    render=render_sender,
    items_key="senders",
    page=PageSizeRule(maximum=100, default=50),
    filters=(
        Filter("filterStates", lambda sender: sender.state, allowed=STATES, error="invalid_filter_states"),
        Filter("filterStatuses", changes_status, allowed=STATUSES, error="invalid_filter_statuses"),
    ),
    lifecycles=(STATE, CHANGES),
    created_activity="CREATED",
    comment_trigger="KAKAOTALK_SENDER_COMMENT_ADDED",
    sample=_sample,
)


def _details_rules(required: bool) -> tuple[Rule, ...]:
    return (
        Rule("adminPhoneNo", required=required, min_length=1, max_length=15, format="e164"),
        Rule("name", required=required, min_length=1, max_length=512),
        *(Rule(key, required=required) for key in _CATEGORY_KEYS),
        Rule("logoImage", required=False, format="url"),
    )


def _create_rules(draft: bool) -> tuple[Rule, ...]:
    # The details and their fields are "not required for draft" (OAS descriptions).
    return (
        Rule("plusFriendId", min_length=1, max_length=30),
        Rule("details", type="object", required=not draft, fields=_details_rules(not draft)),
        Rule("status", required=False, enum=ACTIONS),
        Rule("saveDraftOnFailure", type="boolean", required=False),
    )


UPDATE_RULES = (
    Rule("status", required=False, enum=ACTIONS),
    Rule("details", type="object", required=False, fields=_details_rules(False)),
)
COMMENT_RULES = (Rule("comment", min_length=1, max_length=65535),)


def _check_categories(details: dict[str, Any]) -> None:
    """The codes given must be a path of the category tree, top level first."""
    level = SENDER_CATEGORIES
    for key in _CATEGORY_KEYS:
        code = details.get(key)
        if code is None:
            return
        node = next((node for node in level if node["code"] == code), None)
        if node is None:
            raise _invalid_category()
        level = node["subcategories"]


def sender_of(request: Request) -> Resource:
    return project_of(request).collection(SENDERS).get(request.path_params["plusFriendId"])


async def comment_on(request: Request, resource: Resource) -> Response:
    """`POST .../comments`, answered as the OAS shows it (`CREATED` is the comment's status)."""
    fields = validate(await read_json_object(request), COMMENT_RULES)
    activity = resource.comment(fields["comment"])
    body = {"type": "CREATED", "comment": activity.comment, "created": iso8601(activity.created)}
    return JSONResponse(body, status_code=201)


class SenderCollection(HTTPEndpoint):
    async def get(self, request: Request) -> Response:
        listing = Listing.parse(request, SENDERS)
        return JSONResponse(listing.render(project_of(request).collection(SENDERS)))

    async def post(self, request: Request) -> Response:
        body = await read_json_object(request)
        draft = body.get("status") == "DRAFT"
        fields = validate(body, _create_rules(draft))
        details = fields.get("details") or {}
        _check_categories(details)
        sender = project_of(request).collection(SENDERS).create(sender_data(fields["plusFriendId"], pending=details))
        sender.move("draft" if draft else "submit_new")
        return JSONResponse(render_sender(sender), status_code=201)


class SenderItem(HTTPEndpoint):
    async def get(self, request: Request) -> Response:
        return JSONResponse(render_sender(sender_of(request)))

    async def patch(self, request: Request) -> Response:
        fields = validate(await read_json_object(request), UPDATE_RULES, partial=True)
        if not fields.get("details") and "status" not in fields:
            raise no_fields_to_update()
        sender = sender_of(request)
        status = sender.states["changes"]
        if status is not None and status != "DRAFT":
            raise _changes_not_updatable()
        if status is None and sender.state != "ACTIVE":
            raise _not_updatable()
        base = sender.data["pending"] if status else sender.data["details"]
        pending = merge(base, fields.get("details") or {}, ("logoImage",))
        _check_categories(pending)
        submit = fields.get("status") == "SUBMIT"
        if submit:  # a draft may lack what a submission needs
            validate({"details": pending}, (Rule("details", type="object", fields=_details_rules(True)),))
        sender.update({"pending": pending})
        if submit:
            sender.move("submit_new" if sender.state is None else "submit_edit")
        else:
            sender.move("edit_draft" if status == "DRAFT" else "draft")
        return JSONResponse(render_sender(sender))

    async def delete(self, request: Request) -> Response:
        sender = sender_of(request)
        if sender.data.get("removalDue") is not None:
            raise _already_deleted()
        state = state_of(request)
        due = state.clock.now() + REMOVAL_GRACE_SECONDS
        sender.data["removalDue"] = due
        state.scheduler.schedule(due, lambda when: _remove(sender))
        return Response(status_code=204)


def _remove(sender: Resource) -> bool:
    if sender.removed:
        return False
    sender.delete()
    return True


async def delete_changes(request: Request) -> Response:
    sender = sender_of(request)
    if sender.states["changes"] is None:
        raise not_found("sender_changes_not_found", "Sender changes")
    sender.move("discard")
    if sender.state is None and not sender.data["details"]:
        sender.delete()  # never registered: its draft was all there was of it
    return Response(status_code=204)


async def register(request: Request) -> Response:
    sender = sender_of(request)
    if sender.state is None and sender.states["changes"] != AWAITING_OTP:
        raise _not_allowed_register()
    sender.move("register")
    return JSONResponse(render_sender(sender))


async def verify(request: Request) -> Response:
    fields = validate(await read_json_object(request), (Rule("code", type="number"),))
    sender = sender_of(request)
    if sender.state != "VERIFYING":
        raise _not_allowed_verify()
    if fields["code"] != OTP_CODE:
        raise _wrong_otp()
    if sender.states["changes"] == AWAITING_OTP:
        sender.move("registered")
    sender.move("verify")
    return JSONResponse(render_sender(sender))


async def list_activities(request: Request) -> Response:
    page = Page.parse(request, ACTIVITIES_PAGE)
    return JSONResponse(activities_page(page, sender_of(request)))


async def create_comment(request: Request) -> Response:
    return await comment_on(request, sender_of(request))


async def list_categories(request: Request) -> Response:
    return JSONResponse({"categories": SENDER_CATEGORIES})


FIXTURE_DETAILS = {
    "adminPhoneNo": "+821012345678",
    "name": "Sandbox Clinic",
    "topLevelCategoryCode": "001",
    "midLevelCategoryCode": "0001",
    "subLevelCategoryCode": "0001",
}


def _seed_fixtures(state: SandboxState) -> None:
    senders = state.project(SANDBOX_PROJECT_ID).collection(SENDERS)
    if len(senders):
        return
    senders.place(sender_data(FIXTURE_ACTIVE_SENDER, details=FIXTURE_DETAILS))
    awaiting = {**FIXTURE_DETAILS, "name": "Sandbox Dermatology", "subLevelCategoryCode": "0002"}
    senders.place(
        sender_data(FIXTURE_VERIFYING_SENDER, pending=awaiting), states={"state": "VERIFYING", "changes": AWAITING_OTP}
    )
    draft = {**FIXTURE_DETAILS, "name": "Sandbox Pharmacy", "midLevelCategoryCode": "0002"}
    senders.place(sender_data(FIXTURE_DRAFT_SENDER, pending=draft), states={"state": None, "changes": "DRAFT"})


FAMILY = Family(
    routes=(
        Route("/kakaotalk/categories/senders", list_categories, methods=["GET"]),
        Route("/kakaotalk/senders", SenderCollection),
        Route("/kakaotalk/senders/{plusFriendId}", SenderItem),
        Route("/kakaotalk/senders/{plusFriendId}/changes", delete_changes, methods=["DELETE"]),
        Route("/kakaotalk/senders/{plusFriendId}/register", register, methods=["POST"]),
        Route("/kakaotalk/senders/{plusFriendId}/verify", verify, methods=["POST"]),
        Route("/kakaotalk/senders/{plusFriendId}/activities", list_activities, methods=["GET"]),
        Route("/kakaotalk/senders/{plusFriendId}/comments", create_comment, methods=["POST"]),
    ),
    resource_types=(SENDERS,),
    prepare=_seed_fixtures,
)
