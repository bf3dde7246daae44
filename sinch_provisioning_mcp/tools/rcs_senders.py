"""RCS senders (agents): create, update, list, read, and the activity and comments on each.

Bodies follow the catalog, completed from the OAS 1.2.117 and the sinch-mcp-server RCS
types (see `api/models/rcs.py`). Rules the API applies that the catalog writes only in
notes are checked here, before any request: region, billing category and use case are
fixed after creation (update refuses them), deprecated billing categories are refused
with their replacement, E.164 test numbers, URLs, e-mail addresses, hex colours, unique
countries and addresses.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, field_serializer, field_validator, model_validator
from pydantic.alias_generators import to_camel

from sinch_provisioning_mcp.api import operations as ops
from sinch_provisioning_mcp.api.models.rcs import RCS_ACTIVITY_PAGE_MAX, RCS_SENDER_PAGE_MAX, RcsCountry, RcsSender
from sinch_provisioning_mcp.tools.declare import Comment, ReadBack, Toolset, paged
from sinch_provisioning_mcp.tools.rcs_accounts import DESCRIPTION
from sinch_provisioning_mcp.tools.spec import IN_QUERY, Arguments

toolset = Toolset("rcs", DESCRIPTION)

# The sandbox's seeded sender (IN_TEST, ready to launch) and its test devices, for examples.
EXAMPLE_SENDER_ID = "00000000-0000-4000-8000-000000000051"
EXAMPLE_VERIFIED_NUMBER = "+46700000001"

SenderState = Literal[
    "DRAFT", "IN_PROGRESS", "IN_TEST", "PENDING_LAUNCH", "PREPARING_LAUNCH",
    "LAUNCHING", "LAUNCHED", "UNLAUNCHED", "UNKNOWN",
]  # fmt: skip
UseCase = Literal["MULTIUSE", "OTP", "PROMOTIONAL", "TRANSACTIONAL"]
# Deprecated billing categories the API still takes, and what replaces each (catalog notes).
_REPLACED_BILLING = {
    "BASIC_MESSAGE": "NON_CONVERSATIONAL",
    "SINGLE_MESSAGE": "NON_CONVERSATIONAL",
    "CONVERSATIONAL_LEGACY": "CONVERSATIONAL",
}
_E164 = re.compile(r"\+[1-9][0-9]{7,14}")
_PHONE = re.compile(r"\+[1-9][0-9]{7,14}|[0-9]{4,15}")
_EMAIL = re.compile(r"[^@\s]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,63}")
_ANSWER_KEY = re.compile(r"[A-Za-z][A-Za-z0-9]{0,63}")


def _matching(pattern: re.Pattern[str], allowed: str) -> AfterValidator:
    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(f"must be {allowed}")
        return value

    return AfterValidator(check)


def _url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname or any(c.isspace() for c in value):
        raise ValueError("must be an absolute http(s) URL, e.g. https://example.com/logo.png")
    return value


def unique_values(values: list[Any]) -> list[Any]:
    if len(set(values)) != len(values):
        raise ValueError("each value may be listed once")
    return values


SenderId = Annotated[str, Field(min_length=1, max_length=64)]
E164 = Annotated[str, _matching(_E164, "E.164: + then 8 to 15 digits, the first not 0, e.g. +46701234567")]
Url = Annotated[str, AfterValidator(_url)]
Label = Annotated[str, Field(min_length=1)]


class Email(Arguments):
    label: Label
    address: Annotated[str, _matching(_EMAIL, "an e-mail address")]


class Phone(Arguments):
    label: Label
    number: Annotated[str, _matching(_PHONE, "E.164 (+46701234567) or national digits only")]


class Website(Arguments):
    label: Label
    url: Url


class Brand(Arguments):
    name: Annotated[str, Field(min_length=1)] | None = None
    description: Annotated[str, Field(max_length=100)] | None = None
    color: Annotated[str, _matching(re.compile(r"#[0-9A-Fa-f]{6}"), "a hex colour, e.g. #000000")] | None = None
    emails: list[Email] | None = None
    phones: list[Phone] | None = None
    websites: list[Website] | None = None
    banner_url: Annotated[Url, Field(description="JPEG/PNG, 1440x448 px, <=200 KB.")] | None = None
    logo_url: Annotated[Url, Field(description="JPEG/PNG, 224x224 px, <=50 KB.")] | None = None
    privacy_policy_url: Url | None = None
    terms_of_service_url: Url | None = None

    @field_validator("emails")
    @classmethod
    def _unique_addresses(cls, emails: list[Email] | None) -> list[Email] | None:
        if emails is not None:
            unique_values([email.address.lower() for email in emails])
        return emails


def _answers(answers: dict[str, Any]) -> dict[str, Any]:
    if not all(_ANSWER_KEY.fullmatch(key) for key in answers):
        raise ValueError("keys are the question keys get_rcs_questionnaire returns, e.g. optInDescription")
    if not all(_is_answer(value) for value in answers.values()):
        raise ValueError("answers are text, numbers, true/false, lists of text, or (partner) a map of text")
    return answers


def _is_answer(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(item, str) for item in value.values())
    if isinstance(value, list):
        return all(isinstance(item, str) for item in value)
    return value is None or isinstance(value, str | int | float | bool)


class Section(Arguments):
    answers: Annotated[dict[str, Any], AfterValidator(_answers)]


class Details(Arguments):
    brand: Brand | None = None
    countries: Annotated[list[RcsCountry], AfterValidator(unique_values)] | None = None
    questionnaire: Annotated[
        dict[Literal["general", "verification", "gb", "fr", "us"], Section],
        Field(description="Keys and answers as get_rcs_questionnaire names them."),
    ] | None = None
    test_numbers: Annotated[
        list[E164],
        Field(max_length=200, description="Each new one gets a tester invite."),
        AfterValidator(unique_values),
    ] | None = None
    callback_url: Url | None = None


class SenderRef(Arguments):
    sender_id: SenderId


class NewSender(Arguments):
    region: Literal["BR", "EU", "US"]
    billing_category: Literal["CONVERSATIONAL", "NON_CONVERSATIONAL"]
    use_case: UseCase
    details: Details | None = None

    @field_validator("billing_category", mode="before")
    @classmethod
    def _not_deprecated(cls, value: Any) -> Any:
        if value in _REPLACED_BILLING:
            raise ValueError(f"{value} is deprecated: use {_REPLACED_BILLING[value]}")
        return value


_FIXED = ("region", "billing_category", "use_case")


class SenderChanges(SenderRef):
    us_questionnaire_version: Annotated[Literal["v1", "v2"] | None, IN_QUERY] = None
    details: Details

    @model_validator(mode="before")
    @classmethod
    def _fixed_after_creation(cls, data: Any) -> Any:
        if isinstance(data, dict):
            sent = [name for name in _FIXED if name in data or to_camel(name) in data]
            if sent:
                raise ValueError(
                    f"{', '.join(sent)} cannot change after creation; create a new sender with create_rcs_sender"
                )
        return data

    @model_validator(mode="after")
    def _something(self) -> SenderChanges:
        if not self.details.model_dump(exclude_none=True):
            raise ValueError("nothing to update: set at least one field of details")
        return self


class SenderFilters(paged(RCS_SENDER_PAGE_MAX)):
    filter_states: list[SenderState] | None = None
    filter_conversation_api_app_id: Annotated[str, Field(max_length=64)] | None = None
    filter_sender_ids: list[SenderId] | None = None
    search: Annotated[str, Field(max_length=255, description="Part of the brand name, any case.")] | None = None
    sort_column: Literal["CREATED", "MODIFIED", "NAME", "STATE"] | None = None
    sort_direction: Literal["ASC", "DESC"] | None = None

    @field_serializer("filter_sender_ids")
    def _comma_separated(self, ids: list[str] | None) -> str | None:
        return ",".join(ids) if ids is not None else None  # the API's parameter is one string


class SenderActivities(SenderRef, paged(RCS_ACTIVITY_PAGE_MAX, detail=False)):
    pass


class SenderComment(SenderRef, Comment):
    pass


def after_sender(args: Any, sender: RcsSender) -> list[str]:
    """What to do next, from the sender's state."""
    state = sender.state
    if state in ("DRAFT", "IN_PROGRESS"):
        return [f"Google is setting up the agent: wait for IN_TEST (get_rcs_sender {sender.id}) before test numbers."]
    if state in ("IN_TEST", "UNLAUNCHED"):
        return [
            "add_rcs_test_numbers invites test devices (20 a day, 200 in all).",
            "check_rcs_launch_readiness lists what launch_rcs_sender still needs.",
        ]
    if state in ("PENDING_LAUNCH", "PREPARING_LAUNCH", "LAUNCHING"):
        return ["Under launch review: watch RCS_SENDER_STATUS_UPDATED and RCS_SENDER_OPERATOR_STATUS_UPDATED."]
    if state == "LAUNCHED":
        return [
            f"Connect it to a Conversation API app as an RCS channel with agent name {sender.authName} and its "
            "token (a secret, never shown here: copy it from the Sinch dashboard)."
        ]
    return []


def _after_list(args: Any, senders: list[RcsSender]) -> list[str]:
    return [] if senders else ["No senders match: create_rcs_sender creates one."]


_read_back = ReadBack(ops.GET_RCS_SENDER, ids={"senderId": "id"})
_ref = {"sender_id": EXAMPLE_SENDER_ID}

toolset.list(
    "list_rcs_senders", ops.LIST_RCS_SENDERS, SenderFilters, RcsSender, items="senders",
    description="Use to find RCS senders by state, name or id.",
    summary=(
        "id", "state", "region", "useCase", "billingCategory", "details.brand.name", "details.countries", "modified",
    ),
    next_steps=_after_list,
)
toolset.get(
    "get_rcs_sender", ops.GET_RCS_SENDER, SenderRef, RcsSender, key="sender",
    description="Use to see one RCS sender: state, brand, questionnaire, test devices, launch status per country.",
    next_steps=after_sender, example=_ref,
)
toolset.create(
    "create_rcs_sender", ops.CREATE_RCS_SENDER, NewSender, RcsSender, key="sender", read_back=_read_back,
    description="Use to start an RCS agent. Region, billing category and use case are final; details can follow "
    "with update_rcs_sender.",
    next_steps=after_sender,
    example={"region": "EU", "billing_category": "CONVERSATIONAL", "use_case": "TRANSACTIONAL",
             "details": {"brand": {"name": "Example Brand"}, "countries": ["SE"]}},
)  # fmt: skip
toolset.update(
    "update_rcs_sender", ops.UPDATE_RCS_SENDER, SenderChanges, RcsSender, key="sender", read_back=_read_back,
    description="Use to set brand details, countries, questionnaire answers or test numbers (the list replaces "
    "the current one; new numbers get invites). Sets only the fields given.",
    next_steps=after_sender,
    example=_ref | {"details": {"brand": {"color": "#6F4E37"}}},
)
toolset.activities(
    "list_rcs_sender_activities", ops.LIST_RCS_SENDER_ACTIVITIES, SenderActivities,
    description="Use to follow a sender's history: state changes and comments, newest first.", example=_ref,
)
toolset.comment(
    "add_rcs_sender_comment", ops.CREATE_RCS_SENDER_COMMENT, SenderComment, log=ops.LIST_RCS_SENDER_ACTIVITIES,
    description="Use to answer Sinch about a sender's onboarding; permanent and visible to the project.",
    example=_ref | {"comment": "Logo updated to the 224x224 version."},
)
