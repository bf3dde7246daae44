"""RCS: senders (agents), their test devices, the launch questionnaire, launch requirements.

The catalog summarises the sender; its full shape comes from the OAS 1.2.117
(`RcsSenderDto` and its examples in api-evangelist/sinch
`openapi/_original/sinch-provisioning-api-openapi.yaml`) and the `sinch/sinch-mcp-server`
RCS types (`src/tools/rcs/types/rcs-api.ts`, `prompt-schemas/index.ts`): `details`
{brand, countries, questionnaire{section: {questions, answers}}, testNumbers,
callbackUrl}, `authName`/`authToken` (the agent's credentials for a Conversation API
app), `testNumberStates`, `countryStatus[{country, status, operators[{name, status,
remark?, modified}]}]`, `supplierDetails`, `created`/`modified`/`launched`.

`authToken` is a secret: the redactor masks it by its key wherever it appears;
`authName` is not and stays visible (it names the agent when connecting it to an app).
Text other people write (brand name, description, contact labels, email addresses and
URLs, questionnaire answers, operators' remarks) is fenced as untrusted when rendered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from sinch_provisioning_mcp.api.models.common import ApiModel, catalog_enum
from sinch_provisioning_mcp.guardrails.untrusted import UntrustedData, UntrustedText

# GET /rcs/activities and /rcs/senders/{id}/activities, GET /rcs/senders: pageSize 1..100.
RCS_ACTIVITY_PAGE_MAX = 100
RCS_SENDER_PAGE_MAX = 100


# The launch countries (common.enums.rcs_countries).
RcsCountry = catalog_enum("RcsCountry", "rcs_countries")


class Labelled(ApiModel):
    label: UntrustedText | None = None


# Addresses and URLs are whatever the brand's editor typed (nothing here fetches or checks
# them): third-party text, fenced like the brand's name.
class Email(Labelled):
    address: UntrustedText | None = None


class Phone(Labelled):
    number: str | None = None


class Website(Labelled):
    url: UntrustedText | None = None


class Brand(ApiModel):
    name: UntrustedText | None = None
    description: UntrustedText | None = None
    color: str | None = None
    emails: list[Email] | None = None
    phones: list[Phone] | None = None
    websites: list[Website] | None = None
    bannerUrl: UntrustedText | None = None
    logoUrl: UntrustedText | None = None
    privacyPolicyUrl: UntrustedText | None = None
    termsOfServiceUrl: UntrustedText | None = None


class QuestionnaireSection(ApiModel):
    """Sinch's questions (first-party) and the answers given."""

    questions: dict[str, Any] | None = None
    answers: UntrustedData | None = None


class SenderDetails(ApiModel):
    brand: Brand | None = None
    countries: list[str] | None = None
    questionnaire: dict[str, QuestionnaireSection] | None = None
    testNumbers: list[str] | None = None
    callbackUrl: str | None = None


class TestNumberState(ApiModel):
    number: str
    state: str | None = None
    submitted: str | None = None


class OperatorStatus(ApiModel):
    name: str | None = None
    status: str | None = None
    remark: UntrustedText | None = None
    modified: str | None = None


class CountryStatus(ApiModel):
    country: str | None = None
    status: str | None = None
    operators: list[OperatorStatus] | None = None


class RcsSender(ApiModel):
    id: str
    state: str | None = None
    region: str | None = None
    billingCategory: str | None = None
    useCase: str | None = None
    hostingRegion: str | None = None
    details: SenderDetails | None = None
    authName: str | None = None
    authToken: str | None = None  # masked by the redactor (key ends in "token")
    conversationApiApp: str | None = None
    testNumberStates: list[TestNumberState] | None = None
    countryStatus: list[CountryStatus] | None = None
    created: str | None = None
    modified: str | None = None
    launched: str | None = None

    @property
    def brand(self) -> Brand:
        return (self.details and self.details.brand) or Brand()

    @property
    def countries(self) -> list[str]:
        return list((self.details and self.details.countries) or [])

    def answers(self, section: str) -> dict[str, Any]:
        found = ((self.details and self.details.questionnaire) or {}).get(section)
        return dict((found and found.answers) or {})

    def questions(self, section: str) -> dict[str, Any] | None:
        found = ((self.details and self.details.questionnaire) or {}).get(section)
        return found.questions if found and found.questions else None


class Questionnaire(BaseModel):
    """`{section: {questions: {key: {question, suggestedAnswers}}}}`: Sinch's own questions, kept as sent.

    Not an `ApiModel`: its sections are all unknown keys, which `ApiModel` would fence, yet this is
    first-party text whose suggested answers an agent copies into a sender's answers.
    """

    model_config = ConfigDict(extra="allow")


class TestNumbers(ApiModel):
    testNumbers: list[TestNumberState] = []


class Capabilities(ApiModel):
    features: list[str] = []


# --- launch requirements --------------------------------------------------------------


@dataclass(frozen=True)
class Missing:
    """One unmet launch requirement: what is missing and the update_rcs_sender argument that sets it."""

    requirement: str
    field: str

    def as_dict(self) -> dict[str, str]:
        return {"requirement": self.requirement, "field": self.field}


@dataclass(frozen=True)
class Requirement:
    name: str
    field: str  # the update_rcs_sender argument, as a path
    met: Callable[[RcsSender], bool]


def _brand(field: str) -> Callable[[RcsSender], bool]:
    return lambda sender: bool(getattr(sender.brand, field))


LAUNCHABLE_STATES = ("IN_TEST", "LAUNCHING", "LAUNCHED", "UNLAUNCHED")
UNDER_REVIEW_STATES = ("PENDING_LAUNCH", "PREPARING_LAUNCH", "LAUNCHING")

# The catalog's launch requirements (POST .../launch summary), one place: the readiness
# check, the launch tool's refusal and anything listing them read this. The completed
# questionnaire is the last, checked against the questions the API asks (`missing_answers`).
LAUNCH_REQUIREMENTS: tuple[Requirement, ...] = (
    # OAS 1.2.117 launch_invalid_agent_state; not a field to set, a state to wait for.
    Requirement(
        "state IN_TEST (a new sender gets there on its own), LAUNCHING, LAUNCHED or UNLAUNCHED", "state",
        lambda s: s.state in LAUNCHABLE_STATES,
    ),
    Requirement("at least one launch country", "details.countries", lambda s: bool(s.countries)),
    Requirement(
        "a contact phone or email", "details.brand.phones or details.brand.emails",
        lambda s: bool(s.brand.phones or s.brand.emails),
    ),
    Requirement("a logo (JPEG or PNG, 224x224 px, at most 50 KB)", "details.brand.logo_url", _brand("logoUrl")),
    Requirement("a banner (JPEG or PNG, 1440x448 px, at most 200 KB)", "details.brand.banner_url", _brand("bannerUrl")),
    Requirement("a privacy policy URL", "details.brand.privacy_policy_url", _brand("privacyPolicyUrl")),
    Requirement("a terms of service URL", "details.brand.terms_of_service_url", _brand("termsOfServiceUrl")),
)
# The completed questionnaire for the use case and countries: one entry per unanswered question.
QUESTIONNAIRE_REQUIREMENT = "an answer to this launch question (get_rcs_questionnaire words it)"

# Questions a launch may go without: the review video and screenshots (no video means
# PENDING_LAUNCH, catalog), the ASP reseller's partner block, and questions that apply
# only to some companies or launches. Unsure cases are left to the API (its 412 names
# them), so the check never blocks a launch the API would take.
_OPTIONAL_ANSWERS = {
    "general": {"videoUris", "screenshotUris"},
    "verification": {"phone", "partner"},
    "gb": {"campaignLength"},
    "us": {"legalForm", "taxIdCountry", "taxId", "addressState", "stockExchange", "stockSymbol"},
}


def _answered(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def missing_answers(sender: RcsSender, asked: dict[str, Any]) -> list[Missing]:
    """Unanswered questions of each section `asked` (a GET questionnaire answer), the
    sender's own questions for a section taking precedence (they follow its US version)."""
    missing = []
    for section, block in asked.items():
        questions = sender.questions(section) or (block or {}).get("questions") or {}
        answers = sender.answers(section)
        for key, question in questions.items():
            worded = isinstance(question, dict) and bool(question.get("question"))
            if worded and key not in _OPTIONAL_ANSWERS.get(section, ()) and not _answered(answers.get(key)):
                missing.append(Missing(QUESTIONNAIRE_REQUIREMENT, f"details.questionnaire.{section}.answers.{key}"))
    return missing


def missing_requirements(sender: RcsSender, asked: dict[str, Any]) -> list[Missing]:
    """Everything a launch still needs; empty when the sender is ready."""
    unmet = [Missing(req.name, req.field) for req in LAUNCH_REQUIREMENTS if not req.met(sender)]
    return unmet + missing_answers(sender, asked)
