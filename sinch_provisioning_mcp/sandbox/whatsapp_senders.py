"""WhatsApp senders family: `/whatsapp/senders[/{senderId}]` and its changes, activities,
comments, OTP registration and verification, suggested usernames.

A sender has three independent tracks:
- `state`: a new sender is `IN_PROGRESS` (its profile under Meta's review, shown as
  `changes.status: IN_PROGRESS` with the details in `changes.details`), then
  `PENDING_VERIFICATION` (profile applied; event `WHATSAPP_SENDER_PENDING_VERIFICATION`).
  Then the OTP order: `register` (SMS or VOICE; 409 `not_allowed_register` in any other
  state) sends a code, `verify` with it (409 `not_allowed_verify` in any other state, 409
  `wrong_otp` for another code) moves it to `ACTIVE` after Meta's activation (shown as
  `IN_PROGRESS` meanwhile; activity VERIFIED, then ACTIVE with `WHATSAPP_SENDER_ACTIVE`).
  Scenario outcome `error` ends the first review in `state: ERROR` (`WHATSAPP_SENDER_ERROR`,
  the reason in `changes.errorReason`). A sender created as a DRAFT has no state until
  a PATCH submits it.
- `changes`: an edit of a live sender (PATCH): `DRAFT`, or `IN_PROGRESS` under review, then
  applied (display name and username changes emit `WHATSAPP_SENDER_DISPLAY_NAME_UPDATED`
  and `..._USERNAME_UPDATED`) or, with scenario outcome `rejected`, `REJECTED`
  (`WHATSAPP_SENDER_REJECTED`). Display name and username requests are tracked in
  `metadata` (OAS: "except displayName, which is tracked in metadata.displayName").
- `removal`: DELETE marks the sender; it keeps working for 30 days, then disappears
  (`WHATSAPP_SENDER_DELETED`); a second DELETE is 409 `sender_already_deleted`.

Sandbox-only rules, documented in the README:
- The OTP code Meta "sends" is always `123456` (`OTP_CODE`).
- A phone number ending in `0000` counts as already registered at Meta: register answers
  `verificationCodeSent: false` and verify accepts no code (catalog notes).
- Ids are UUIDs as in the OAS examples; an unknown id is 404 `sender_not_found` (no
  `invalid_id_format` is documented for senders).
- Embedded Signup senders (and the deprecated token flow) need `wabaId` + `phoneNumberId`;
  in a project without an account they create an onboarded Embedded Signup account, in
  one with an account another WABA is 409 `wrong_waba_id`; a `phoneNumberId` already
  used by a sender is 409 `used_phone_number_id`. Their number is derived from the
  phoneNumberId (country code 1, its last 10 digits), their display name from Meta.
- Partner-initiated and new-number senders need the project's account (400
  `project_not_initialized`). `saveDraftOnFailure` changes nothing: nothing fails here.
- The deprecated token flow: a Facebook token containing "invalid" is 400
  `invalid_facebook_token`; a Facebook code works once (400 `invalid_facebook_code` after).

Fixtures in `sandbox-project`: `FIXTURE_SENDER_ID` (ACTIVE, with a DRAFT change) and
`FIXTURE_PENDING_SENDER_ID` (PENDING_VERIFICATION, code already sent).
"""

from __future__ import annotations

import re
import secrets
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .context import project_of, state_of
from .errors import PapiError, invalid_input
from .family import Family
from .lifecycle import Lifecycle, after_delay, on_call
from .pagination import PageSizeRule
from .resources import Filter, Listing, NaturalKey, Resource, ResourceType
from .state import SANDBOX_PROJECT_ID, ProjectState, SandboxState
from .validation import Rule, read_json_object, validate
from .values import iso8601
from .whatsapp_accounts import (
    ACCOUNTS,
    META_LOCAL_STORAGE,
    REGIONS,
    SENDER_MANAGERS,
    VERTICALS,
    account_of,
    check_region_manager,
    activity_routes,
    compatible_regions,
    default_manager,
    no_fields_to_update,
    project_not_initialized,
    require_account,
)

FIXTURE_SENDER_ID = "0b6c2f1e-5a4d-4c3b-9e8f-7a6b5c4d3e2f"
FIXTURE_PENDING_SENDER_ID = "7d1e9c3a-2b4f-4e6d-8a0c-1f2e3d4c5b6a"
OTP_CODE = "123456"
GRACE_SECONDS = 30 * 86400
STATES = ("ACTIVE", "IN_PROGRESS", "INACTIVE", "PENDING_VERIFICATION", "SUSPENDED", "ERROR")
STATUSES = ("DRAFT", "ERROR", "IN_PROGRESS", "MULTIPLE_WABA_ERROR", "REJECTED")
_ALREADY_REGISTERED = "0000"


def _not_allowed_verify() -> PapiError:
    return PapiError(
        409,
        "not_allowed_verify",
        "Sender not allowed to be verified.",
        'Only "PENDING_VERIFICATION" sender can be verified.',
    )


def _already_deleted() -> PapiError:
    return PapiError(
        409, "sender_already_deleted", "Sender already deleted.", "The sender is already marked for deletion."
    )


def _not_deletable() -> PapiError:
    return PapiError(
        409,
        "sender_changes_not_deletable",
        "Sender changes is not deletable.",
        "Only DRAFT, REJECTED, ERROR senders changes can be marked for deletion.",
    )


def _apply_profile(sender: Resource, reason: str | None) -> None:
    sender.data["details"] = sender.data.pop("pending", None) or sender.data.get("details", {})


def _keep_error(sender: Resource, reason: str | None) -> None:
    sender.data["errorReason"] = reason or "Meta could not register the phone number."


def _activate(sender: Resource, reason: str | None) -> None:
    sender.data["qualityRating"] = "GREEN"
    sender.data.pop("otp", None)


def _apply_edit(sender: Resource, reason: str | None) -> None:
    _apply_profile(sender, reason)
    for field, trigger in (
        ("displayName", "WHATSAPP_SENDER_DISPLAY_NAME_UPDATED"),
        ("username", "WHATSAPP_SENDER_USERNAME_UPDATED"),
    ):
        review = sender.data.get("metadata", {}).get(field)
        if review and review["status"] == "PENDING":
            review["status"] = "APPROVED"
            sender.data["details"][field] = review["value"]
            sender.record(None, trigger=trigger, author="Sinch", at=sender.modified)


def _reject_edit(sender: Resource, reason: str | None) -> None:
    sender.data["errorReason"] = reason
    for review in sender.data.get("metadata", {}).values():
        if review["status"] == "PENDING":
            review |= {"status": "REJECTED", **({"rejectionReason": reason} if reason else {})}


STATE = Lifecycle(
    track="state",
    states=(*STATES, "ACTIVATING"),  # ACTIVATING: verified, Meta activating; shown as IN_PROGRESS
    initial=None,
    seeded="ACTIVE",
    transitions=(
        on_call("submit", None, "IN_PROGRESS", activity="IN_PROGRESS"),
        after_delay(
            "registered_at_meta",
            "IN_PROGRESS",
            "PENDING_VERIFICATION",
            trigger="WHATSAPP_SENDER_PENDING_VERIFICATION",
            effect=_apply_profile,
        ),
        after_delay(
            "failed",
            "IN_PROGRESS",
            "ERROR",
            outcome="error",
            activity="ERROR",
            trigger="WHATSAPP_SENDER_ERROR",
            effect=_keep_error,
        ),
        on_call("verify", "PENDING_VERIFICATION", "ACTIVATING", refused=_not_allowed_verify, activity="VERIFIED"),
        after_delay(
            "activated", "ACTIVATING", "ACTIVE", activity="ACTIVE", trigger="WHATSAPP_SENDER_ACTIVE", effect=_activate
        ),
    ),
)
CHANGES = Lifecycle(
    track="changes",
    states=("DRAFT", "IN_PROGRESS", "REJECTED"),
    initial=None,
    transitions=(
        on_call("draft", (None, "DRAFT", "REJECTED"), "DRAFT", activity="DRAFT"),
        on_call("submit_changes", (None, "DRAFT", "REJECTED"), "IN_PROGRESS", activity="IN_PROGRESS"),
        on_call("hand_over", "DRAFT", None),  # a new sender's draft goes to the `state` review
        on_call("discard", ("DRAFT", "REJECTED"), None, refused=_not_deletable),
        after_delay("approved", "IN_PROGRESS", None, effect=_apply_edit),
        after_delay(
            "rejected",
            "IN_PROGRESS",
            "REJECTED",
            outcome="rejected",
            activity="REJECTED",
            trigger="WHATSAPP_SENDER_REJECTED",
            effect=_reject_edit,
        ),
    ),
)
REMOVAL = Lifecycle(
    track="removal",
    states=("MARKED", "REMOVED"),
    initial=None,
    transitions=(
        on_call("mark", None, "MARKED", refused=_already_deleted),
        after_delay(
            "removed",
            "MARKED",
            "REMOVED",
            delay=GRACE_SECONDS,
            trigger="WHATSAPP_SENDER_DELETED",
            effect=lambda s, _: s.delete(),
        ),
    ),
)


def shown_state(sender: Resource) -> str | None:
    state = sender.states["state"]
    return "IN_PROGRESS" if state == "ACTIVATING" else state


def changes_status(sender: Resource) -> str | None:
    """The `changes.status` shown: an edit's track, or a new sender's own review."""
    if sender.states["changes"] is not None:
        return sender.states["changes"]
    if "pending" in sender.data and sender.states["state"] in ("IN_PROGRESS", "ERROR"):
        return sender.states["state"]
    return None


def render_sender(sender: Resource) -> dict[str, Any]:
    data = sender.data
    body: dict[str, Any] = {"id": sender.id}
    if shown_state(sender):
        body["state"] = shown_state(sender)
    if data.get("details"):
        body["details"] = data["details"]
    status = changes_status(sender)
    if status is not None:
        changes: dict[str, Any] = {"status": status, "details": data.get("pending", {})}
        if status in ("ERROR", "REJECTED") and data.get("errorReason"):
            changes["errorReason"] = data["errorReason"]
        body["changes"] = changes
    if data.get("metadata"):
        body["metadata"] = data["metadata"]
    app = data["conversationApiApp"]
    return body | {
        "created": iso8601(sender.created),
        "modified": iso8601(sender.modified),
        "region": data["region"],
        "metaLocalStorage": data["metaLocalStorage"],
        "businessManager": data["businessManager"],
        "compatibleRegions": compatible_regions(data["businessManager"]),
        "conversationApiApp": app,
        "conversationApiAppDetails": {
            "id": app,
            "projectId": sender.project.project_id,
            "region": data["region"],
            "channelStatus": "ACTIVE" if sender.states["state"] == "ACTIVE" else "PENDING",
        },
        "maxTps": 80,
        "qualityRating": data.get("qualityRating", "UNKNOWN"),
        "bearerToken": data["bearerToken"],
        "cloudApi": True,
        "countryCode": data["countryCode"],
        "phoneNumber": data["phoneNumber"],
        "numberProvider": data["numberProvider"],
    }


def _sample(n: int) -> dict[str, Any]:
    return _sender_data(f"seeded-{n:05d}", "48", f"{600000000 + n}", "CUSTOMER", "EU", "SINCH_UK") | {
        "details": {"displayName": f"Seeded sender {n}", "vertical": "OTHER"}
    }


SENDERS = ResourceType(
    name="whatsapp_sender",
    label="Sender",
    not_found_code="sender_not_found",
    key=NaturalKey(("id",)),
    render=render_sender,
    items_key="senders",
    page=PageSizeRule(maximum=100, default=50),
    filters=(
        Filter("filterStates", shown_state, allowed=STATES, error="invalid_filter_states"),
        Filter("filterStatuses", changes_status, allowed=STATUSES, error="invalid_filter_statuses"),
    ),
    lifecycles=(STATE, CHANGES, REMOVAL),
    created_activity="CREATED",
    comment_trigger="WHATSAPP_SENDER_COMMENT_ADDED",
    # Events carry the sender without its Conversation API bearer token.
    secret_fields=("bearerToken",),
    sample=lambda n: _sample(n) | {"id": str(uuid.UUID(int=n))},
)


def _sender_data(
    label: str,
    country_code: str,
    phone: str,
    provider: str,
    region: str,
    manager: str,
    *,
    phone_number_id: str | None = None,
) -> dict[str, Any]:
    return {
        "countryCode": country_code,
        "phoneNumber": phone,
        "numberProvider": provider,
        "phoneNumberId": phone_number_id,
        "region": region,
        "metaLocalStorage": {"BR": "BR", "EU": "DE", "US": "US"}[region],
        "businessManager": manager,
        "conversationApiApp": secrets.token_hex(16).upper(),
        "bearerToken": f"sandbox-bearer-{label}-{secrets.token_hex(8)}",
    }


# --------------------------------------------------------------------------- bodies

_DIGITS = r"[0-9]+"


def _profile(*, required: bool) -> tuple[Rule, ...]:
    return (
        Rule("displayName", required=required, min_length=1, max_length=128),
        Rule("vertical", required=required, enum=VERTICALS),
        Rule("description", required=False, min_length=1, max_length=512),
        Rule("email", required=False, max_length=128, format="email"),
        Rule("address", required=False, min_length=1, max_length=256),
        Rule("websiteOne", required=False, max_length=256, format="url"),
        Rule("websiteTwo", required=False, max_length=256, format="url"),
        Rule("about", required=False, min_length=1, max_length=139),
        Rule("photoUrl", required=False, format="url"),
    )


_PLACE = (
    Rule("region", required=False, enum=REGIONS),
    Rule("metaLocalStorage", required=False, enum=META_LOCAL_STORAGE),
)
EMBEDDED_SIGNUP = (
    Rule("wabaId", not_empty=True),
    Rule("phoneNumberId", not_empty=True),
    Rule("authenticationCode", required=False, min_length=1),
    Rule("businessManager", required=False, enum=SENDER_MANAGERS),
    *_PLACE,
)
PARTNER_INITIATED = (
    Rule("phoneNumberProvider", enum=("CUSTOMER", "SINCH")),
    Rule(
        "details",
        type="object",
        fields=(
            Rule("countryCode", pattern=_DIGITS),
            Rule("phoneNumber", required=False, max_length=32, pattern=_DIGITS),
            *_profile(required=True),
        ),
    ),
    Rule("status", required=False, enum=("DRAFT", "SUBMIT")),
    Rule("saveDraftOnFailure", type="boolean", required=False),
    *_PLACE,
)
NEW_NUMBER = (
    Rule(
        "details",
        type="object",
        fields=(
            Rule("countryCode", pattern=_DIGITS),
            Rule("phoneNumber", pattern=_DIGITS),
            Rule("displayName", min_length=1, max_length=128),
        ),
    ),
    *_PLACE,
)
# WhatsappSenderInputDtoDeprecated: the Facebook token flow, still accepted.
TOKEN_FLOW = (
    Rule("name", min_length=1, max_length=128),
    Rule("details", type="object", fields=_profile(required=False)),
    Rule("facebookAccessToken", required=False, not_empty=True),
    Rule("facebookCode", required=False, not_empty=True),
    Rule("wabaId", required=False, not_empty=True),
    Rule("phoneNumberId", required=False, not_empty=True),
    Rule("businessManager", required=False, enum=SENDER_MANAGERS),
    *_PLACE,
)
UPDATE = (
    Rule("status", required=False, enum=("DRAFT", "SUBMIT")),
    Rule(
        "details",
        type="object",
        required=False,
        fields=(
            *(
                r if r.name != "vertical" else Rule("vertical", required=False, enum=(*VERTICALS, "NOT_SET"))
                for r in _profile(required=False)
            ),
            Rule("username", required=False, min_length=1),
        ),
    ),
)


def _variant(body: dict[str, Any]) -> tuple[str, tuple[Rule, ...]]:
    if "phoneNumberProvider" in body:
        return "partner", PARTNER_INITIATED
    if {"name", "facebookAccessToken", "facebookCode"} & body.keys():
        return "token", TOKEN_FLOW
    if "details" in body and not {"wabaId", "phoneNumberId"} & body.keys():
        return "number", NEW_NUMBER
    return "es", EMBEDDED_SIGNUP


def _conflict(code: str, message: str, resolution: str) -> PapiError:
    return PapiError(409, code, message, resolution)


def _embedded_signup_account(project: ProjectState, fields: dict[str, Any]) -> Resource:
    """The project's account for an Embedded Signup sender, created by it if there is none."""
    account = account_of(project)
    waba_id = fields.get("wabaId") or (account.data["wabaId"] if account else None)
    if waba_id is None:
        raise _conflict(
            "not_found_waba_id",
            "Not found wabaId.",
            "Verify that exist any WhatsApp Business Account for sub account / project.",
        )
    if account is None:
        # Meta's Embedded Signup popup onboarded the business: Sinch records the account as it is.
        data = {"isEmbeddedSignup": True, "clientBusinessManagerId": waba_id, "wabaId": waba_id}
        account = project.collection(ACCOUNTS).place(
            data | {"businessManager": fields.get("businessManager") or default_manager(fields.get("region"))},
            states={"status": "ONBOARDED"},
        )
        account.record(None, trigger="WHATSAPP_ACCOUNT_ONBOARDED")
        return account
    if account.data["wabaId"] != waba_id:
        raise _conflict(
            "wrong_waba_id",
            "Different wabaId already exists for sub account / project.",
            "Please check if the WhatsApp Business Account is correct, or don't provide the WhatsApp Business Account in the request for this project.",
        )
    if fields.get("businessManager") not in (None, account.data["businessManager"]):
        raise _conflict(
            "wrong_business_manager",
            "Different business manager already exists for sub account / project.",
            "Please check if the Business Manager is correct, or don't provide the Business Manager in the request for this project.",
        )
    return account


def facebook_token_check(project: ProjectState, fields: dict[str, Any]) -> None:
    if "invalid" in (fields.get("facebookAccessToken") or fields.get("facebookToken") or ""):
        raise PapiError(
            400,
            "invalid_facebook_token",
            "Facebook token is invalid or has expired",
            "Check that token is correct, or create a new one and try again.",
        )
    code = fields.get("facebookCode")
    if code is not None:
        used = project.collection(USED_CODES)
        used.create({"code": code})  # 400 invalid_facebook_code the second time


async def create_sender(request: Request) -> Response:
    body = await read_json_object(request)
    variant, rules = _variant(body)
    fields = validate(body, rules)
    check_region_manager(fields.get("region"), fields.get("businessManager"))
    project = project_of(request)
    if variant in ("es", "token"):
        if variant == "token":
            facebook_token_check(project, fields)
        account = _embedded_signup_account(project, fields)
        number_id = fields.get("phoneNumberId") or f"1{secrets.randbelow(10**14):014d}"
        if any(s.data.get("phoneNumberId") == number_id for s in project.collection(SENDERS)):
            raise _conflict("used_phone_number_id", "Used phoneNumberId.", "PhoneNumberId is used. Choose another one.")
        details = fields.get("details") or {"displayName": f"WhatsApp number {number_id[-4:]}"}
        country_code, phone, provider = "1", number_id[-10:], "CUSTOMER"
    else:
        account = account_of(project)
        if account is None:
            raise project_not_initialized()
        number_id = None
        details = dict(fields["details"])
        country_code, phone = (
            details.pop("countryCode"),
            details.pop("phoneNumber", None) or f"5550{secrets.randbelow(10**6):06d}",
        )
        provider = fields.get("phoneNumberProvider", "SINCH")
    manager = fields.get("businessManager") or account.data["businessManager"]
    region = fields.get("region") or compatible_regions(manager)[0].upper()
    check_region_manager(region, manager)
    data = _sender_data("new", country_code, phone, provider, region, manager, phone_number_id=number_id) | {
        "id": str(uuid.uuid4()),
        "pending": details,
    }
    if fields.get("metaLocalStorage"):
        data["metaLocalStorage"] = fields["metaLocalStorage"]
    sender = project.collection(SENDERS).create(data)
    sender.move("draft" if fields.get("status") == "DRAFT" else "submit")
    return JSONResponse(render_sender(sender), status_code=201)


def _sender(request: Request) -> Resource:
    require_account(request)
    return project_of(request).collection(SENDERS).get(request.path_params["senderId"])


async def list_senders(request: Request) -> Response:
    listing = Listing.parse(request, SENDERS)
    require_account(request)
    return JSONResponse(listing.render(project_of(request).collection(SENDERS)))


async def get_sender(request: Request) -> Response:
    return JSONResponse(render_sender(_sender(request)))


async def update_sender(request: Request) -> Response:
    body = await read_json_object(request)
    fields = validate(body, UPDATE, partial=True)
    if not fields.get("details") and "status" not in fields:
        raise no_fields_to_update()
    sender = _sender(request)
    state, status = sender.states["state"], changes_status(sender)
    if status == "IN_PROGRESS":
        raise _conflict(
            "sender_changes_not_updatable",
            "Sender changes are not updatable.",
            "Wait until the changes in review are approved or rejected.",
        )
    if state != "ACTIVE" and sender.states["changes"] not in ("DRAFT", "REJECTED"):
        raise _conflict(
            "sender_not_updatable",
            "Sender is not updatable.",
            "Only ACTIVE senders, or senders with DRAFT or REJECTED changes, can be updated.",
        )
    details = dict(fields.get("details") or {})
    if "username" in details and state != "ACTIVE":
        raise _conflict(
            "sender_username_update_not_available",
            "Sender username update is not available.",
            "Only an ACTIVE sender can get a username.",
        )
    pending = dict(sender.data.get("pending") or sender.data.get("details") or {})
    for field in ("displayName", "username"):
        if state is not None and field in details:  # a live sender's name changes go through metadata
            sender.data.setdefault("metadata", {})[field] = {"value": details.pop(field), "status": "PENDING"}
    for key, value in details.items():
        if value is None:
            pending.pop(key, None)
        else:
            pending[key] = value
    sender.data["pending"] = pending
    sender.data.pop("errorReason", None)
    sender.record("EDITED")
    submit = fields.get("status", "DRAFT") == "SUBMIT"
    if state is None and submit:  # a new sender's draft: the first review starts
        sender.move("hand_over")
        sender.move("submit")
    else:
        sender.move("submit_changes" if submit else "draft")
    return JSONResponse(render_sender(sender))


async def delete_sender(request: Request) -> Response:
    _sender(request).move("mark")
    return Response(status_code=204)


async def delete_changes(request: Request) -> Response:
    sender = _sender(request)
    status = changes_status(sender)
    if status is None:
        raise PapiError(
            404, "sender_changes_not_found", "Sender changes not found.", "Verify that the parameters are correct."
        )
    if status not in ("DRAFT", "REJECTED", "ERROR"):
        raise _not_deletable()
    if sender.states["changes"] is not None:
        sender.move("discard")
    sender.data.pop("pending", None)
    for field, review in list(sender.data.get("metadata", {}).items()):
        if review["status"] == "PENDING":
            del sender.data["metadata"][field]
    return Response(status_code=204)


def _registered_at_meta(sender: Resource) -> bool:
    return str(sender.data["phoneNumber"]).endswith(_ALREADY_REGISTERED)


async def register(request: Request) -> Response:
    fields = validate(await read_json_object(request), (Rule("method", enum=("SMS", "VOICE")),))
    sender = _sender(request)
    if sender.states["state"] != "PENDING_VERIFICATION":
        raise _conflict(
            "not_allowed_register",
            "Sender not allowed to be registered.",
            'Only "PENDING_VERIFICATION" sender can be registered.',
        )
    sent = not _registered_at_meta(sender)
    sender.data["otp"] = OTP_CODE if sent else None
    sender.record("REGISTERED")
    accepted = state_of(request).clock.now()
    return JSONResponse(
        {"id": sender.id, "method": fields["method"], "accepted": iso8601(accepted), "verificationCodeSent": sent}
    )


async def verify(request: Request) -> Response:
    body = await read_json_object(request)
    fields = validate(body, (Rule("code", required=False),))
    code = fields.get("code")
    if code is not None and len(code) != 6:
        raise invalid_input(["code must be exactly 6 characters"])
    sender = _sender(request)
    if sender.states["state"] != "PENDING_VERIFICATION":
        raise _not_allowed_verify()
    expected = sender.data.get("otp", "")  # "": no code was ever sent, so none can match
    if expected is not None and code != expected:
        raise _conflict(
            "wrong_otp",
            "Sender verification failed due to wrong OTP.",
            "Please make sure that the correct OTP code is entered.",
        )
    sender.move("verify")
    return Response(status_code=204)


def _usernames(display_name: str) -> list[str]:
    base = re.sub(r"[^a-z0-9]", "", display_name.lower())[:30] or "business"
    return [base, f"{base}.official", f"{base}_hq"]


async def suggested_usernames(request: Request) -> Response:
    sender = _sender(request)
    name = (sender.data.get("details") or sender.data.get("pending") or {}).get("displayName", "")
    return JSONResponse({"usernames": _usernames(name)})


# --------------------------------------------------------------------------- deprecated helpers


def _invalid_facebook_code() -> PapiError:
    return PapiError(
        400,
        "invalid_facebook_code",
        "Facebook code is invalid or was already used.",
        "Run the Embedded Signup flow again to get a new code.",
    )


# A Facebook code is single-use: each one used is kept, a second use refused.
USED_CODES = ResourceType(
    name="whatsapp_facebook_code",
    label="Facebook code",
    not_found_code="facebook_code_not_found",
    key=NaturalKey(("code",), exists=_invalid_facebook_code),
    render=lambda used: {},
)
# --------------------------------------------------------------------------- fixtures


def _prepare(state: SandboxState) -> None:
    senders = state.project(SANDBOX_PROJECT_ID).collection(SENDERS)
    if len(senders):
        return
    active = senders.place(
        _sender_data("fixture", "48", "777000001", "CUSTOMER", "EU", "SINCH_UK")
        | {
            "id": FIXTURE_SENDER_ID,
            "details": {
                "displayName": "Sandbox Shop",
                "vertical": "SHOPPING_AND_RETAIL",
                "about": "Orders and delivery updates.",
            },
            "pending": {
                "displayName": "Sandbox Shop",
                "vertical": "SHOPPING_AND_RETAIL",
                "about": "Orders, returns and delivery updates.",
            },
            "qualityRating": "GREEN",
        },
        states={"state": "ACTIVE", "changes": "DRAFT"},
    )
    active.record("DRAFT", author="Sinch")
    pending = senders.place(
        _sender_data("pending", "48", "777000002", "CUSTOMER", "EU", "SINCH_UK")
        | {
            "id": FIXTURE_PENDING_SENDER_ID,
            "details": {"displayName": "Sandbox Support", "vertical": "PROFESSIONAL_SERVICES"},
            "otp": OTP_CODE,
        },
        states={"state": "PENDING_VERIFICATION"},
    )
    pending.record("REGISTERED", author="Sinch")


FAMILY = Family(
    routes=(
        Route("/whatsapp/senders", list_senders, methods=["GET"]),
        Route("/whatsapp/senders", create_sender, methods=["POST"]),
        Route("/whatsapp/senders/{senderId}", get_sender, methods=["GET"]),
        Route("/whatsapp/senders/{senderId}", update_sender, methods=["PATCH"]),
        Route("/whatsapp/senders/{senderId}", delete_sender, methods=["DELETE"]),
        Route("/whatsapp/senders/{senderId}/changes", delete_changes, methods=["DELETE"]),
        *activity_routes("/whatsapp/senders/{senderId}", _sender),
        Route("/whatsapp/senders/{senderId}/register", register, methods=["POST"]),
        Route("/whatsapp/senders/{senderId}/verify", verify, methods=["POST"]),
        Route("/whatsapp/senders/{senderId}/suggestedUsernames", suggested_usernames, methods=["GET"]),
    ),
    resource_types=(SENDERS,),
    prepare=_prepare,
)
