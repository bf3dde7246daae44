"""RCS Questionnaire family: `GET /rcs/questionnaire/{useCase}`, and the questions senders carry.

The launch questionnaire has sections: `general` and `verification` for every sender, plus
one per launch country that has its own (`gb`, `fr`, `us`; OAS 1.2.117 examples), each
`{questions: {key: {question, suggestedAnswers}}}`; a sender's `details.questionnaire`
adds its `answers` beside them. The questions and their wording are the OAS examples';
`usQuestionnaireVersion` picks the US section's v1 (EIN, SMS campaign) or v2 (ownership,
address, tax and campaign details) questions.

Choices where the docs are silent:
- The use case changes only the suggested answers (what triggers messages, how users
  interact), not which questions are asked.
- Without `usQuestionnaireVersion`, the US section is v1: an API that added v2 as an
  option most plausibly kept the old questions as the default.
- Which answers a launch needs (`missing_answers`): every question with a wording, except
  the review material (`videoUris`, `screenshotUris`), the ASP reseller's `partner`
  block, the GB campaign length, the verification phone outside US launches, and the US
  v2 questions that apply only to some companies (legal form, tax id and its country,
  stock exchange and symbol unless the company is PUBLIC, state unless it is in the US).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .errors import invalid_input
from .family import Family

USE_CASES = ("MULTIUSE", "OTP", "PROMOTIONAL", "TRANSACTIONAL")
# catalog common.enums.rcs_countries
COUNTRIES = (
    "AT", "BE", "BR", "CA", "CZ", "DK", "FI", "FR", "DE", "GR", "HU", "IT",
    "MX", "NL", "NO", "PE", "PL", "PT", "SG", "SK", "ES", "SE", "US", "GB",
)  # fmt: skip
US_VERSIONS = ("v1", "v2")
COUNTRY_SECTIONS = ("gb", "fr", "us")
SECTIONS = ("general", "verification", *COUNTRY_SECTIONS)

_INDUSTRIES = (
    "Automotive", "Beauty, spa and salon", "Clothing", "Education", "Entertainment", "Event planning and service",
    "Finance and banking", "Food and groceries", "Public service", "Hotel and lodging", "Medical and health",
    "Charity", "Professional services", "Shopping and retail", "Travel and transportation", "Restaurant",
)  # fmt: skip
_US_INDUSTRIES = (
    "AGRICULTURE", "COMMUNICATION", "CONSTRUCTION", "EDUCATION", "ENERGY", "ENTERTAINMENT", "FINANCIAL",
    "GAMBLING", "GOVERNMENT", "HEALTHCARE", "HOSPITALITY", "HUMAN_RESOURCES", "INSURANCE", "LEGAL",
    "MANUFACTURING", "NON_GOVERNMENTAL_ORGANIZATION", "POLITICAL", "POSTAL", "PROFESSIONAL", "REAL_ESTATE",
    "RETAIL", "TECHNOLOGY", "TRANSPORTATION",
)  # fmt: skip
_VOLUMES = ("0 - 10K messages", "10K - 100K messages", "100K - 1M messages", "1M+ messages")

# What triggers messages and how users interact, per use case (the OAS shows the OTP ones).
_BY_USE_CASE = {
    "OTP": (("User requests a one-time password",), ("OTP/2FA for account login", "Password reset")),
    "TRANSACTIONAL": (
        ("User actions (e.g. after making a purchase)",),
        ("Online Payment", "Order updates", "Upon package delivery"),
    ),
    "PROMOTIONAL": (("Marketing campaigns to subscribed users",), ("Offers and promotions", "Product announcements")),
    "MULTIUSE": (
        ("User actions (e.g. after making a purchase)", "Marketing campaigns to subscribed users"),
        ("Online Payment", "Password reset", "OTP/2FA for account login", "Offers and promotions"),
    ),
}


def _q(question: str, *suggested: str) -> dict[str, Any]:
    return {"question": question, "suggestedAnswers": list(suggested)}


def _general(use_case: str) -> dict[str, Any]:
    triggers, interactions = _BY_USE_CASE[use_case]
    return {
        "optInDescription": _q(
            "How do users agree to receive messages from your business through the agent?",
            "By subscribing to our loyalty program", "By making a purchase in-store or online",
            "By subscribing to a newsletter", "By creating an account on our website or app",
        ),
        "triggerDescription": _q("When does your business send messages to users through the agent?", *triggers),
        "interactionsDescription": _q("How will users interact with your business through the agent?", *interactions),
        "optOutDescription": _q(
            "What message does your business send when a user opts out?",
            "Thank you for opting out", "Thank you for unsubscribing", "We have registered your opt out request",
        ),
        "videoUris": _q(""),
        "screenshotUris": _q(""),
    }


_VERIFICATION = {
    "name": _q("What is the name of your verification contact?"),
    "email": _q("What is the email of your verification contact?"),
    "title": _q("What is the title of your verification contact?"),
    "website": _q("What is the website of your verification contact?"),
    "phone": _q("What is the phone number of your verification contact?"),
    "partner": {
        "companyName": _q("For ASP resellers: what is the name of the brand partner company?"),
        "contactName": _q("For ASP resellers: what is the name of the brand partner contact person?"),
        "contactEmailAddress": _q("For ASP resellers: what is the email of the brand partner contact person?"),
    },
}
_GB = {
    "brandIndustry": _q("What sector or industry does your business operate in?", *_INDUSTRIES),
    "companyLegalName": _q("What is the registered legal name of your company?"),
    "companyRegistrationNumber": _q("What is the registration number of your company?"),
    "fullCompanyAddress": _q("Full Company Address"),
    "messagesVolume": _q("What is the total volume of messages expected to be sent by your agent?", *_VOLUMES),
    "messagesFrequency": _q(
        "How often do you expect to send messages?",
        "Once per day", "Once per week", "Once per month", "Once per 3 months", "Once per 6 months",
    ),
    "campaignLength": _q(
        "What will be the length of the RCS campaign?",
        "1 day or less", "2 to 7 days", "8 to 21 days", "1 month", "3 months", "6 months", "Continuous / ongoing",
    ),
}
_FR = {
    "fullCompanyAddress": _q("Full Company Address"),
    "siren": _q("What is your Company directory identification system number (SIREN)?"),
}
_US_V1 = {
    "companyLegalName": _q("What is the registered legal name of your company?"),
    "ein": _q("What is the Employer Identification Number (EIN) of your company?"),
    "brandIndustry": _q("What sector or industry does your business operate in?", *_INDUSTRIES),
    "fullCompanyAddress": _q("Full Company Address"),
    "smsCampaign": _q("US SMS campaign used as fallback."),
    "messagesVolume": _q("What is the total volume of messages expected to be sent by your agent?", *_VOLUMES),
}
_US_V2 = {
    "ownershipType": _q("What is the ownership type of your company?", "PRIVATE", "PUBLIC"),
    "companyLegalName": _q("What is the registered legal name of your company?"),
    "companyPhoneNumber": _q("What is the primary phone number of your company?"),
    "companyEmailAddress": _q("What is the primary email address of your company?"),
    "brandName": _q("What is your brand name or Doing Business As (DBA)?"),
    "brandIndustry": _q("What sector or industry does your business operate in?", *_US_INDUSTRIES),
    "legalForm": _q(
        "What is the legal form of your company?",
        "CORPORATION", "LIMITED_LIABILITY_COMPANY", "PARTNERSHIP", "S_CORPORATION",
    ),
    "taxIdCountry": _q("In which country is your company's tax ID registered?"),
    "taxId": _q("For non-US companies: what is the tax ID of your company?"),
    "addressLine": _q("What is the primary street address of your company?"),
    "addressCity": _q("In which city is your company located?"),
    "addressCountry": _q("In which country is your company located?"),
    "addressState": _q("In which state is your company located?"),
    "addressPostalCode": _q("What is the postal code for your company address?"),
    "websiteUrl": _q("What is the primary website URL for your company?"),
    "contactFirstName": _q("What is the first name of the responsible contact person for your company?"),
    "contactSurname": _q("What is the surname of the responsible contact person for your company?"),
    "stockExchange": _q("What is the primary home country stock exchange abbreviation?"),
    "stockSymbol": _q("What is the primary home country stock symbol associated with the stock exchange?"),
    "sampleMessages": _q("Please provide sample messages for each use case or message type sent by your brand."),
    "messagesVolume": _q("What is the expected message volume?"),
    "embeddedLink": _q("Does your brand send messages that contain embedded links to external websites?"),
    "embeddedPhone": _q("Does your brand send messages that contain embedded phone numbers for direct calling?"),
    "ageGatedContent": _q("Does your brand send messages that contain age-gated content or require age verification?"),
    "directLending": _q("Does your brand send messages that involve direct lending or financial services?"),
    "optInConfirmationMessage": _q(
        "Does your brand send opt-in confirmation messages to users who have subscribed to receive messages?"
    ),
    "helpMessage": _q("Does your brand send help messages that provide assistance or support information to users?"),
    "callToActionMessage": _q(
        "Does your brand send call-to-action messages that encourage users to take specific actions?"
    ),
}


def questions(section: str, use_case: str, us_version: str = "v1") -> dict[str, Any]:
    """The questions of one section, as the API words them."""
    if section == "general":
        return _general(use_case)
    if section == "us":
        return _US_V2 if us_version == "v2" else _US_V1
    return {"verification": _VERIFICATION, "gb": _GB, "fr": _FR}[section]


def sections_for(countries: list[str]) -> list[str]:
    """The sections asked of a sender launching in `countries`, in the API's order."""
    wanted = {country.lower() for country in countries}
    return ["general", "verification", *(section for section in COUNTRY_SECTIONS if section in wanted)]


_ALWAYS_OPTIONAL = {
    "general": {"videoUris", "screenshotUris"},
    "verification": {"partner"},
    "gb": {"campaignLength"},
    "us": {"legalForm", "taxIdCountry", "taxId"},
}


def _optional(section: str, key: str, answers: dict[str, Any], countries: list[str]) -> bool:
    if key in _ALWAYS_OPTIONAL.get(section, ()):
        return True
    if section == "verification" and key == "phone":
        return "US" not in countries
    if section == "us" and key in ("stockExchange", "stockSymbol"):
        return answers.get("ownershipType") != "PUBLIC"
    if section == "us" and key == "addressState":
        return answers.get("addressCountry") not in (None, "US")
    return False


def _answered(value: Any) -> bool:
    return value is not None and value != "" and value != []


def missing_answers(
    use_case: str, countries: list[str], answers: dict[str, dict[str, Any]], us_version: str
) -> list[str]:
    """Property paths of the answers a launch still needs (`details.questionnaire.general.answers.x`)."""
    missing = []
    for section in sections_for(countries):
        given = answers.get(section) or {}
        for key in questions(section, use_case, us_version):
            if not _answered(given.get(key)) and not _optional(section, key, given, countries):
                missing.append(f"details.questionnaire.{section}.answers.{key}")
    return missing


def _query_list(request: Request, name: str) -> list[str]:
    return [part for raw in request.query_params.getlist(name) for part in raw.split(",") if part]


async def get_questions(request: Request) -> Response:
    use_case = request.path_params["useCase"]
    countries = _query_list(request, "countries")
    version = request.query_params.get("usQuestionnaireVersion", "v1")
    problems = []
    if use_case not in USE_CASES:
        problems.append(f"useCase must be one of the following values: {', '.join(USE_CASES)}")
    if any(country not in COUNTRIES for country in countries):
        problems.append(f"each value in countries must be one of the following values: {', '.join(COUNTRIES)}")
    if version not in US_VERSIONS:
        problems.append(f"usQuestionnaireVersion must be one of the following values: {', '.join(US_VERSIONS)}")
    if problems:
        raise invalid_input(problems)
    body = {section: {"questions": questions(section, use_case, version)} for section in sections_for(countries)}
    return JSONResponse(body)


FAMILY = Family(routes=(Route("/rcs/questionnaire/{useCase}", get_questions, methods=["GET"]),))
