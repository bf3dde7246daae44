"""RCS Senders family: senders (agents), their activity and comments, launch, test devices.

Routes under `/rcs/senders`: list (filters, search, sort), create, get, PATCH, activities,
comments, launch; the test-number routes are in `rcs_test_numbers.py`. Shapes, codes and
messages from the catalog and the OAS 1.2.117 (ids are lower-case UUIDs, `senderId`
malformed is 400 `invalid_id_format`, missing 404 `sender_not_found`).

A sender is `{id, state, region, billingCategory, useCase, hostingRegion, details{brand,
countries, questionnaire{section: {questions, answers}}, testNumbers, callbackUrl},
authName, authToken, testNumberStates, countryStatus, supplierDetails, created, modified,
launched?}`. `authToken` is the agent's secret (the sandbox makes one per sender); it is
never put in event payloads. Region, billing category and use case are fixed: PATCH takes
only `details` (class-validator's whitelist refuses the rest), and deprecated billing
categories (BASIC_MESSAGE, SINGLE_MESSAGE, CONVERSATIONAL_LEGACY) are still accepted, as
the API accepts them.

Lifecycle (`state`): created DRAFT; the Google agent is ready after the transition delay
(IN_TEST, `supplierDetails.google`, test numbers listed at creation invited); launch
(from IN_TEST, LAUNCHING, LAUNCHED, UNLAUNCHED, else 409 `launch_invalid_agent_state`)
first checks the launch requirements (412 `launch_precondition_failed` listing each
missing one), then goes LAUNCHING, or PENDING_LAUNCH when no video URI was given
(catalog); PENDING_LAUNCH goes LAUNCHING after the delay, LAUNCHING goes LAUNCHED, or
back to IN_TEST with every country REJECTED under the scenario outcome `rejected` (its
reason the operators' remark). Each move is an activity named after the new state and a
`RCS_SENDER_STATUS_UPDATED` event; operator statuses changing (PENDING at launch,
LAUNCHED, REJECTED) add `RCS_SENDER_OPERATOR_STATUS_UPDATED`.

Choices where the docs are silent: hostingRegion per region (EU → EUROPE as the OAS
shows; US → NORTH_AMERICA, BR → SOUTH_AMERICA); countryStatus lists the sender's
countries with their operators (the OAS examples' operators for FR, GB and SE, one
operator named after the country elsewhere), NOT_LAUNCHED before any launch; PATCH merges
`details` (brand fields and questionnaire answers one by one, `null` deletes; countries,
testNumbers and callbackUrl replaced), records an UPDATED activity, and is refused (409
`sender_not_updatable`) while a launch is under review; the sandbox never enters
PREPARING_LAUNCH (brand approval) and sends no `RCS_BRAND_REGISTRATION_PROCESS_STATUS_UPDATED`
(its payload carries a registration `status` the outbox does not model); `search` and the
deprecated `filterSenderName` match the brand name.
"""

from __future__ import annotations

import copy
import math
import re
import secrets
import string
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .context import project_of
from .errors import PapiError, invalid_input
from .family import Family
from .lifecycle import Effect, Lifecycle, after_delay, on_call
from .pagination import Page, PageSizeRule
from .rcs_accounts import COMMENT_RULES, comment_created
from .rcs_questionnaire import COUNTRIES, SECTIONS, US_VERSIONS, USE_CASES, missing_answers, questions, sections_for
from .resources import (
    ACTIVITIES_PAGE,
    Filter,
    GeneratedId,
    Listing,
    NaturalKey,
    Resource,
    ResourceType,
    Sort,
    activities_page,
)
from .state import SANDBOX_PROJECT_ID, SandboxState
from .validation import Rule, read_json_object, validate
from .values import UUID, iso8601

# The seeded project's sender, ready to launch (IN_TEST, every requirement met), and its
# test devices: named in the README and by the tools' examples.
FIXTURE_RCS_SENDER_ID = "00000000-0000-4000-8000-000000000051"
FIXTURE_VERIFIED_TEST_NUMBER = "+46700000001"
FIXTURE_DECLINED_TEST_NUMBER = "+46700000002"

STATUS_UPDATED = "RCS_SENDER_STATUS_UPDATED"
OPERATOR_STATUS_UPDATED = "RCS_SENDER_OPERATOR_STATUS_UPDATED"
STATES = (
    "DRAFT", "IN_PROGRESS", "IN_TEST", "PENDING_LAUNCH", "PREPARING_LAUNCH",
    "LAUNCHING", "LAUNCHED", "UNLAUNCHED", "UNKNOWN",
)  # fmt: skip
REGIONS = ("BR", "EU", "US")
# The deprecated three are still accepted (catalog: deprecated, not removed).
BILLING_CATEGORIES = (
    "CONVERSATIONAL", "NON_CONVERSATIONAL", "BASIC_MESSAGE", "SINGLE_MESSAGE", "CONVERSATIONAL_LEGACY",
)  # fmt: skip
_HOSTING_REGIONS = {"EU": "EUROPE", "US": "NORTH_AMERICA", "BR": "SOUTH_AMERICA"}
_LAUNCHABLE = ("IN_TEST", "LAUNCHING", "LAUNCHED", "UNLAUNCHED")
_UNDER_REVIEW = ("PENDING_LAUNCH", "PREPARING_LAUNCH", "LAUNCHING")
_OPERATORS = {
    "FR": ("Coriolis Telecom", "Lycamobile", "Bouygues", "Free", "NRJ Mobile", "SFR", "Orange"),
    "GB": ("EE", "Three", "Sky", "O2", "Vodafone"),
    "SE": ("Tele2", "Telenor", "Telia", "Three"),
}
# Google allows an agent 20 tester invites a day and 200 in all (catalog side effects).
DAILY_INVITES, TOTAL_INVITES, DAY = 20, 200, 86_400.0
_PHONE = re.compile(r"\+[1-9][0-9]{1,14}|[0-9]{1,15}")  # E.164 or national digits (catalog)
_HEX_COLOR = re.compile(r"#?([0-9a-f]{3}|[0-9a-f]{4}|[0-9a-f]{6}|[0-9a-f]{8})", re.IGNORECASE)  # IsHexColor

_BRAND_RULES = (
    Rule("name", required=False),
    Rule("description", required=False, max_length=100),
    Rule("color", required=False),
    Rule("emails", type="array", required=False, fields=(Rule("label"), Rule("address", format="email"))),
    Rule("phones", type="array", required=False, fields=(Rule("label"), Rule("number"))),
    Rule("websites", type="array", required=False, fields=(Rule("label"), Rule("url", format="url"))),
    Rule("bannerUrl", required=False, format="url"),
    Rule("logoUrl", required=False, format="url"),
    Rule("privacyPolicyUrl", required=False, format="url"),
    Rule("termsOfServiceUrl", required=False, format="url"),
)
_QUESTIONNAIRE_RULES = tuple(
    Rule(section, type="object", required=False, fields=(Rule("answers", type="object"),)) for section in SECTIONS
)
_DETAILS_RULES = (
    Rule("brand", type="object", required=False, fields=_BRAND_RULES),
    Rule("countries", type="array", required=False, enum=COUNTRIES, unique_items=True),
    Rule("questionnaire", type="object", required=False, fields=_QUESTIONNAIRE_RULES),
    Rule("testNumbers", type="array", required=False, format="e164", unique_items=True),
    Rule("callbackUrl", required=False, format="url"),
)
CREATE_RULES = (
    Rule("region", enum=REGIONS),
    Rule("billingCategory", enum=BILLING_CATEGORIES),
    Rule("useCase", enum=USE_CASES),
    Rule("details", type="object", required=False, fields=_DETAILS_RULES),
)
UPDATE_RULES = (Rule("details", type="object", fields=_DETAILS_RULES),)


def _details_problems(details: dict[str, Any], us_version: str) -> list[str]:
    """What the declarative rules cannot say: formats of their own, unique addresses, answer keys."""
    problems = []
    brand = details.get("brand") or {}
    if isinstance(brand.get("color"), str) and not _HEX_COLOR.fullmatch(brand["color"]):
        problems.append("details.brand.color must be a hexadecimal color")
    for index, phone in enumerate(brand.get("phones") or []):
        if isinstance(phone.get("number"), str) and not _PHONE.fullmatch(phone["number"]):
            problems.append(f"details.brand.phones.{index}.number must be a valid phone number")
    addresses = [email.get("address") for email in brand.get("emails") or []]
    if len(set(map(str, addresses))) != len(addresses):
        problems.append("details.brand.emails must not contain the same address twice")
    for section, block in (details.get("questionnaire") or {}).items():
        answers = (block or {}).get("answers") or {}
        asked = questions(section, "MULTIUSE", us_version)
        for key in answers:
            if key.removesuffix("Metadata") not in asked:
                problems.append(f"property details.questionnaire.{section}.answers.{key} should not exist")
    return problems


def _checked(body: dict[str, Any], rules: tuple[Rule, ...], us_version: str) -> dict[str, Any]:
    fields = validate(body, rules)
    problems = _details_problems(fields.get("details") or {}, us_version)
    if problems:
        raise invalid_input(problems)
    return fields


def _without_nulls(value: Any) -> Any:
    """A created sender's data: `null` means no value, as in a PATCH."""
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    return value


def _merge(current: dict[str, Any], changes: dict[str, Any], depth: int) -> dict[str, Any]:
    """PATCH semantics: maps merged key by key `depth` levels down, `null` deleting a key."""
    merged = dict(current)
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        elif depth > 0 and isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value, depth - 1)
        else:
            merged[key] = value
    return merged


def _merge_details(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    # brand.<field>, questionnaire.<section>.answers.<key>: the levels a PATCH sets one by one.
    merged = _merge(current, {k: v for k, v in changes.items() if k != "questionnaire"}, 1)
    if changes.get("questionnaire") is not None:
        merged["questionnaire"] = _merge(current.get("questionnaire") or {}, changes["questionnaire"], 2)
    elif "questionnaire" in changes:
        merged.pop("questionnaire", None)
    return merged


# --- rendering ------------------------------------------------------------------------


def _country_status(sender: Resource) -> list[dict[str, Any]]:
    stored = sender.data["countryStatus"]
    shown = []
    for country in sender.data["details"].get("countries") or []:
        status = stored.get(country, {"status": "NOT_LAUNCHED", "modified": sender.created, "remark": None})
        operators = []
        for name in _OPERATORS.get(country, (f"{country} operator",)):
            operator = {"name": name, "status": status["status"], "modified": iso8601(status["modified"])}
            if status["remark"] is not None:
                operator["remark"] = status["remark"]
            operators.append(operator)
        shown.append({"country": country, "status": status["status"], "operators": operators})
    return shown


def _questionnaire(sender: Resource) -> dict[str, Any]:
    details = sender.data["details"]
    answers = details.get("questionnaire") or {}
    version = sender.data["usQuestionnaireVersion"]
    sections = dict.fromkeys([*sections_for(details.get("countries") or []), *answers])
    shown = {}
    for section in sections:
        block: dict[str, Any] = {"questions": questions(section, sender.data["useCase"], version)}
        if (answers.get(section) or {}).get("answers"):
            block["answers"] = answers[section]["answers"]
        shown[section] = block
    return shown


def render_test_number(number: Resource) -> dict[str, Any]:
    return {"number": number.data["number"], "state": number.state, "submitted": iso8601(number.data["submitted"])}


def render_sender(sender: Resource) -> dict[str, Any]:
    data = sender.data
    details = {key: value for key, value in data["details"].items() if key != "questionnaire"}
    details["questionnaire"] = _questionnaire(sender)
    body: dict[str, Any] = {
        "id": sender.id,
        "state": sender.state,
        "region": data["region"],
        "billingCategory": data["billingCategory"],
        "useCase": data["useCase"],
        "hostingRegion": _HOSTING_REGIONS[data["region"]],
        "details": details,
        "authName": data["authName"],
        "authToken": data["authToken"],
        "testNumberStates": [render_test_number(number) for number in sender.collection(TEST_NUMBERS)],
        "countryStatus": _country_status(sender),
        "created": iso8601(sender.created),
        "modified": iso8601(sender.modified),
    }
    if data.get("supplierDetails"):
        body["supplierDetails"] = data["supplierDetails"]
    if data.get("launched") is not None:
        body["launched"] = iso8601(data["launched"])
    return body


# --- test devices -----------------------------------------------------------------------


def _too_many_invites(resolution: str, retry_after: float | None = None) -> PapiError:
    # The OAS's code and message; the resolutions and the Retry-After (sent when waiting
    # helps, so a client retries no sooner) are the sandbox's.
    headers = {"Retry-After": str(max(1, math.ceil(retry_after)))} if retry_after is not None else None
    message = "RCS Business Messaging too many requests."
    return PapiError(429, "rbm_too_many_requests", message, resolution, headers=headers)


def no_google_supplier() -> PapiError:
    return PapiError(
        400, "no_google_supplier", "No google supplier in sender.", "Verify that the sender has google supplier."
    )


def recipient_declined() -> PapiError:
    return PapiError(
        404,
        "blocked_because_the_recipient_declined",
        "Blocked because the recipient declined.",
        "This operation is blocked because the recipient declined the invitation to become a tester.",
    )


TEST_NUMBER = Lifecycle(
    track="state",
    states=("PENDING", "UNVERIFIED", "VERIFIED", "DECLINED", "REJECTED", "INVALID", "UNRECOGNIZED"),
    initial="PENDING",
    seeded="VERIFIED",
    transitions=(
        after_delay("accepted", ("PENDING", "UNVERIFIED"), "VERIFIED"),
        after_delay("declined", ("PENDING", "UNVERIFIED"), "DECLINED", outcome="declined"),
        on_call("reinvited", "VERIFIED", "UNVERIFIED"),
    ),
)
TEST_NUMBERS = ResourceType(
    name="rcs_test_number",
    label="Test number",
    not_found_code="user_is_not_tester_for_agent",
    key=NaturalKey(("number",)),
    render=render_test_number,
    lifecycles=(TEST_NUMBER,),
    sample=lambda n: {"number": f"+4670{n:07d}", "submitted": 0.0},
)


def _check_invites(sender: Resource, numbers: list[str]) -> None:
    """Refuse the whole batch, before anything changes: no agent yet, a declined device, Google's limits."""
    if sender.state == "DRAFT":
        raise no_google_supplier()
    declined = {tester.data["number"] for tester in sender.collection(TEST_NUMBERS) if tester.state == "DECLINED"}
    if declined & set(numbers):
        raise recipient_declined()
    sent = sender.data["invites"]
    if len(sent) + len(numbers) > TOTAL_INVITES:
        left = TOTAL_INVITES - len(sent)
        raise _too_many_invites(f"Google allows an agent {TOTAL_INVITES} tester invites in all; this one has {left} left.")
    if len(numbers) > DAILY_INVITES:
        raise _too_many_invites(f"Google allows an agent {DAILY_INVITES} tester invites a day; send fewer numbers.")
    now = sender.project.state.clock.now()
    today = sorted(moment for moment in sent if moment > now - DAY)
    excess = len(today) + len(numbers) - DAILY_INVITES
    if excess > 0:
        raise _too_many_invites("Please wait and try again.", today[excess - 1] + DAY - now)


def invite(sender: Resource, numbers: list[str]) -> None:
    """Send a tester invite to each number, all or none (`_check_invites`).

    A new number is PENDING; a VERIFIED one is reset to UNVERIFIED (catalog); a pending one
    is invited again. Each invite counts toward 20 a day and 200 in all.
    """
    _check_invites(sender, numbers)
    now = sender.project.state.clock.now()
    testers = sender.collection(TEST_NUMBERS)
    existing = {tester.data["number"]: tester for tester in testers}
    for number in numbers:
        sender.data["invites"].append(now)
        tester = existing.get(number)
        if tester is None:
            testers.create({"number": number, "submitted": now})
            continue
        tester.data["submitted"] = now
        if tester.state == "VERIFIED":
            tester.move("reinvited")
    listed = sender.data["details"].get("testNumbers") or []
    sender.data["details"]["testNumbers"] = [*listed, *(number for number in numbers if number not in listed)]


def _sync_test_numbers(sender: Resource, wanted: list[str] | None) -> None:
    """PATCH `details.testNumbers`: devices no longer listed stop testing, new ones are invited
    (in DRAFT, once the agent is ready). Checked before anything changes."""
    wanted = wanted or []
    testers = sender.collection(TEST_NUMBERS)
    known = {tester.data["number"] for tester in testers}
    fresh = [number for number in wanted if number not in known]
    if sender.state != "DRAFT" and fresh:
        _check_invites(sender, fresh)
    for tester in list(testers):
        if tester.data["number"] not in wanted:
            tester.delete()
    if sender.state == "DRAFT":
        sender.data["details"]["testNumbers"] = wanted
        return
    sender.data["details"]["testNumbers"] = [number for number in wanted if number in known]
    if fresh:
        invite(sender, fresh)


# --- lifecycle effects --------------------------------------------------------------------


def _agent_ready(sender: Resource, reason: str | None) -> None:
    google = {"agentId": f"sandbox_{sender.id[-12:]}_agent", "brandId": sender.id[:8]}
    sender.data["supplierDetails"] = {"google": google}
    listed = sender.data["details"].pop("testNumbers", None) or []
    if listed:
        # A new agent has sent nothing: Google gets what today's allowance takes; the
        # rest stay listed, not invited.
        invite(sender, listed[:DAILY_INVITES])
        sender.data["details"]["testNumbers"] = listed


def _set_countries(status: str) -> Effect:
    """Every launch country (and its operators) moves to `status`: an operator-status event."""

    def effect(sender: Resource, reason: str | None) -> None:
        for country in sender.data["details"].get("countries") or []:
            sender.data["countryStatus"][country] = {"status": status, "modified": sender.modified, "remark": reason}
        if status == "LAUNCHED":
            sender.data["launched"] = sender.modified
        sender.record(None, trigger=OPERATOR_STATUS_UPDATED, comment=reason, at=sender.modified)

    return effect


def _launch_invalid_state() -> PapiError:
    return PapiError(
        409,
        "launch_invalid_agent_state",
        "Sender can't be launched.",
        "Launch are only supported by senders with state: IN_TEST, LAUNCHING, LAUNCHED, UNLAUNCHED.",
    )


SENDER = Lifecycle(
    track="state",
    states=STATES,
    initial="DRAFT",
    seeded="IN_TEST",
    transitions=(
        after_delay("agent_ready", "DRAFT", "IN_TEST", activity="IN_TEST", trigger=STATUS_UPDATED, effect=_agent_ready),
        on_call(
            "launch", _LAUNCHABLE, "LAUNCHING", refused=_launch_invalid_state,
            activity="LAUNCHING", trigger=STATUS_UPDATED, effect=_set_countries("PENDING"),
        ),
        on_call(
            "launch_without_video", _LAUNCHABLE, "PENDING_LAUNCH", refused=_launch_invalid_state,
            activity="PENDING_LAUNCH", trigger=STATUS_UPDATED, effect=_set_countries("PENDING"),
        ),
        after_delay("video_ready", "PENDING_LAUNCH", "LAUNCHING", activity="LAUNCHING", trigger=STATUS_UPDATED),
        after_delay(
            "launched", "LAUNCHING", "LAUNCHED",
            activity="LAUNCHED", trigger=STATUS_UPDATED, effect=_set_countries("LAUNCHED"),
        ),
        after_delay(
            "rejected", "LAUNCHING", "IN_TEST", outcome="rejected",
            activity="IN_TEST", trigger=STATUS_UPDATED, effect=_set_countries("REJECTED"),
        ),
    ),
)  # fmt: skip


def _brand_name(sender: Resource) -> str:
    return str((sender.data["details"].get("brand") or {}).get("name") or "")


def sender_data(fields: dict[str, Any]) -> dict[str, Any]:
    """A new sender's stored data: the request's fields and the agent's credentials."""
    alphabet = string.ascii_letters + string.digits
    return {
        **fields,
        "details": dict(fields.get("details") or {}),
        "authName": "".join(secrets.choice(alphabet) for _ in range(12)),
        "authToken": "".join(secrets.choice(alphabet) for _ in range(20)),
        "usQuestionnaireVersion": "v1",
        "countryStatus": {},
        "invites": [],
    }


SENDERS = ResourceType(
    name="rcs_sender",
    label="Sender",
    not_found_code="sender_not_found",
    key=GeneratedId("senderId", format=UUID),
    render=render_sender,
    items_key="senders",
    page=PageSizeRule(maximum=100, default=50),
    filters=(
        Filter("filterStates", lambda s: s.state, allowed=STATES, error="invalid_filter_states"),
        Filter("filterConversationApiAppId", lambda s: s.data.get("conversationApiApp"), match="equals"),
        Filter("filterSenderIds", lambda s: s.id),
        Filter("filterSenderName", _brand_name, match="contains"),
        Filter("search", _brand_name, match="contains"),
    ),
    sort=Sort(
        {
            "CREATED": lambda s: s.created,
            "MODIFIED": lambda s: s.modified,
            "NAME": lambda s: _brand_name(s).casefold(),
            "STATE": lambda s: s.state or "",
        }
    ),
    lifecycles=(SENDER,),
    created_activity="CREATED",
    comment_trigger="RCS_SENDER_COMMENT_ADDED",
    secret_fields=("authToken",),
    sample=lambda n: sender_data(
        {"region": "EU", "billingCategory": "CONVERSATIONAL", "useCase": "TRANSACTIONAL",
         "details": {"brand": {"name": f"Seeded brand {n}"}}}
    ),  # fmt: skip
)


# --- launch requirements ------------------------------------------------------------------


def launch_problems(sender: Resource) -> list[str]:
    """The sandbox's own reading of the launch requirements (catalog), as validation errors."""
    details = sender.data["details"]
    brand = details.get("brand") or {}
    problems = []
    if not details.get("countries"):
        problems.append("details.countries should not be empty")
    if not brand.get("emails") and not brand.get("phones"):
        problems.append("details.brand.emails or details.brand.phones should not be empty")
    for field in ("logoUrl", "bannerUrl", "privacyPolicyUrl", "termsOfServiceUrl"):
        if not brand.get(field):
            problems.append(f"details.brand.{field} should not be empty")
    sections = (details.get("questionnaire") or {}).items()
    answers = {section: (block or {}).get("answers") or {} for section, block in sections}
    data = sender.data
    missing = missing_answers(data["useCase"], details.get("countries") or [], answers, data["usQuestionnaireVersion"])
    return problems + [f"{path} should not be empty" for path in missing]


def _launch_precondition_failed(problems: list[str]) -> PapiError:
    return PapiError(
        412,
        "launch_precondition_failed",
        "Launch precondition failed.",
        "Correct the precondition errors and launch again.",
        {"validationErrors": problems},
    )


# --- handlers -----------------------------------------------------------------------------


def sender_of(request: Request) -> Resource:
    return project_of(request).collection(SENDERS).get(request.path_params["senderId"])


async def list_senders(request: Request) -> Response:
    listing = Listing.parse(request, SENDERS)
    return JSONResponse(listing.render(project_of(request).collection(SENDERS)))


async def create_sender(request: Request) -> Response:
    fields = _checked(await read_json_object(request), CREATE_RULES, "v1")
    sender = project_of(request).collection(SENDERS).create(sender_data(_without_nulls(fields)))
    return JSONResponse(render_sender(sender), status_code=201)


async def get_sender(request: Request) -> Response:
    return JSONResponse(render_sender(sender_of(request)))


def _not_updatable() -> PapiError:
    return PapiError(409, "sender_not_updatable", "Sender can't be updated.", "Wait until the launch review ends.")


async def update_sender(request: Request) -> Response:
    SENDERS.key_of(request.path_params["senderId"])
    version = request.query_params.get("usQuestionnaireVersion")
    if version is not None and version not in US_VERSIONS:
        raise invalid_input([f"usQuestionnaireVersion must be one of the following values: {', '.join(US_VERSIONS)}"])
    fields = _checked(await read_json_object(request), UPDATE_RULES, version or "v1")
    sender = sender_of(request)
    if sender.state in _UNDER_REVIEW:
        raise _not_updatable()
    changes = fields["details"]
    if "testNumbers" in changes:
        _sync_test_numbers(sender, changes["testNumbers"])  # first: it may refuse (limits)
    if version is not None:
        sender.data["usQuestionnaireVersion"] = version
    merged = _merge_details(sender.data["details"], {k: v for k, v in changes.items() if k != "testNumbers"})
    sender.update({"details": merged})
    sender.record("UPDATED")
    return JSONResponse(render_sender(sender))


async def list_activities(request: Request) -> Response:
    page = Page.parse(request, ACTIVITIES_PAGE)
    return JSONResponse(activities_page(page, sender_of(request)))


async def create_comment(request: Request) -> Response:
    SENDERS.key_of(request.path_params["senderId"])
    fields = validate(await read_json_object(request), COMMENT_RULES)
    return comment_created(sender_of(request).comment(fields["comment"]))


async def launch_sender(request: Request) -> Response:
    sender = sender_of(request)
    if sender.state not in _LAUNCHABLE:
        raise _launch_invalid_state()
    problems = launch_problems(sender)
    if problems:
        raise _launch_precondition_failed(problems)
    general = ((sender.data["details"].get("questionnaire") or {}).get("general") or {}).get("answers") or {}
    sender.move("launch" if general.get("videoUris") else "launch_without_video")
    # 200, not 201: the action creates nothing (the OAS's add-test-numbers POST answers 200 too).
    return JSONResponse(render_sender(sender))


# --- the seeded project's fixture ---------------------------------------------------------

_FIXTURE_DETAILS = {
    "brand": {
        "name": "Sandbox Coffee",
        "description": "Order updates and loyalty offers from Sandbox Coffee.",
        "color": "#6F4E37",
        "emails": [{"label": "Support", "address": "support@sandbox-coffee.example"}],
        "phones": [{"label": "Support", "number": "+46812345678"}],
        "websites": [{"label": "Website", "url": "https://sandbox-coffee.example"}],
        "logoUrl": "https://sandbox-coffee.example/rcs/logo.png",
        "bannerUrl": "https://sandbox-coffee.example/rcs/banner.png",
        "privacyPolicyUrl": "https://sandbox-coffee.example/privacy",
        "termsOfServiceUrl": "https://sandbox-coffee.example/terms",
    },
    "countries": ["FR", "GB"],
    "questionnaire": {
        "general": {
            "answers": {
                "optInDescription": "By creating an account on our website or app",
                "triggerDescription": "User actions (e.g. after making a purchase)",
                "interactionsDescription": "Order updates",
                "optOutDescription": "Thank you for unsubscribing",
            }
        },
        "verification": {
            "answers": {
                "name": "Alex Example",
                "email": "alex@sandbox-coffee.example",
                "title": "Head of Digital",
                "website": "https://sandbox-coffee.example",
            }
        },
        "gb": {
            "answers": {
                "brandIndustry": "Food and groceries",
                "companyLegalName": "Sandbox Coffee Ltd",
                "companyRegistrationNumber": "12345678",
                "fullCompanyAddress": "1 Example Street, London, EC1A 1AA, United Kingdom",
                "messagesVolume": "10K - 100K messages",
                "messagesFrequency": "Once per week",
            }
        },
        "fr": {"answers": {"fullCompanyAddress": "1 rue de l'Exemple, 75001 Paris, France", "siren": "123456789"}},
    },
    "testNumbers": [FIXTURE_VERIFIED_TEST_NUMBER, FIXTURE_DECLINED_TEST_NUMBER],
}


def _seed_fixture(state: SandboxState) -> None:
    senders = state.project(SANDBOX_PROJECT_ID).collection(SENDERS)
    if len(senders):
        return
    data = sender_data({"region": "EU", "billingCategory": "CONVERSATIONAL", "useCase": "TRANSACTIONAL"})
    now = state.clock.now()
    data["details"] = copy.deepcopy(_FIXTURE_DETAILS)
    data["supplierDetails"] = {"google": {"agentId": "sandbox_coffee_agent", "brandId": "sandbox-coffee"}}
    data["invites"] = [now, now]
    sender = senders.place(data, id=FIXTURE_RCS_SENDER_ID)
    testers = sender.collection(TEST_NUMBERS)
    testers.place({"number": FIXTURE_VERIFIED_TEST_NUMBER, "submitted": now})
    testers.place({"number": FIXTURE_DECLINED_TEST_NUMBER, "submitted": now}, states={"state": "DECLINED"})


FAMILY = Family(
    routes=(
        Route("/rcs/senders", list_senders, methods=["GET"]),
        Route("/rcs/senders", create_sender, methods=["POST"]),
        Route("/rcs/senders/{senderId}", get_sender, methods=["GET"]),
        Route("/rcs/senders/{senderId}", update_sender, methods=["PATCH"]),
        Route("/rcs/senders/{senderId}/activities", list_activities, methods=["GET"]),
        Route("/rcs/senders/{senderId}/comments", create_comment, methods=["POST"]),
        Route("/rcs/senders/{senderId}/launch", launch_sender, methods=["POST"]),
    ),
    resource_types=(SENDERS, TEST_NUMBERS),
    prepare=_seed_fixture,
)
