"""WhatsApp: the account, senders, templates, flows and solutions as the API returns them.

Text other people write (profile texts, template texts and examples, rejection reasons,
WABA, flow and app names) is `UntrustedText`: it comes back fenced. Secrets the API returns
(a sender's `bearerToken`, the legacy `longLivedAccessToken`) are masked by key name.
"""

from __future__ import annotations

from sinch_provisioning_mcp.api.models.common import ApiModel, catalog_enum
from sinch_provisioning_mcp.guardrails.untrusted import UntrustedText

# Page sizes (catalog): activities, senders and flows 1..100; templates 1..1000.
WHATSAPP_PAGE_MAX = 100
TEMPLATE_PAGE_MAX = 1000


# The 72 template languages (common.enums.whatsapp_template_languages).
TemplateLanguage = catalog_enum("TemplateLanguage", "whatsapp_template_languages")


# The field-mask paths the API accepts for templates (OAS 1.2.117
# WhatsappTemplateDtoFieldMaskPathsEnum), built from their repeating parts.
_BUTTON_PATHS = (
    "type", "text", "phoneNumber", "url", "example", "otpType", "autofillText", "packageName", "signatureHash",
    "supportedApps", "supportedApps.0.packageName", "supportedApps.0.signatureHash", "zeroTapTermsAccepted",
    "flowId", "flowAction", "navigateScreen",
)  # fmt: skip
_COMPONENT_PATHS = (
    "type", "format", "text", "example", "example.url", "examples", "addSecurityRecommendation",
    "codeExpirationMinutes", "buttons", *(f"buttons.0.{path}" for path in _BUTTON_PATHS), "hasExpiration",
)  # fmt: skip
_DETAILS_PATHS = (
    "components",
    *(f"components.0.{path}" for path in _COMPONENT_PATHS),
    "messageSendTtlSeconds",
    "optimization",
)
TEMPLATE_FIELD_MASK = frozenset(
    {
        "whatsappId", "state", "name", "language", "category", "rejectionCode", "qualityScore", "isMetaGenerated",
        "changes", "changes.status", "changes.allowCategoryChange", "changes.details", "details", "analytics",
        *(f"changes.details.{path}" for path in _DETAILS_PATHS),
        *(f"details.{path}" for path in _DETAILS_PATHS),
        *(f"analytics.0.{path}" for path in ("sent", "delivered", "read", "start", "end", "buttons")),
        *(f"analytics.0.buttons.0.{path}" for path in ("type", "content", "clicks")),
    }
)  # fmt: skip


# --------------------------------------------------------------------------- account


class AccountSenderDetails(ApiModel):
    displayName: UntrustedText | None = None
    businessCategory: str | None = None
    region: str | None = None
    metaLocalStorage: str | None = None


class AccountDetails(ApiModel):
    clientBusinessManagerId: str | None = None
    wabaName: UntrustedText | None = None
    companyLegalName: UntrustedText | None = None
    senderDetails: AccountSenderDetails | None = None


class AccountChanges(ApiModel):
    status: str | None = None
    details: AccountDetails | None = None


class Account(ApiModel):
    state: str | None = None
    isEmbeddedSignup: bool | None = None
    businessManager: str | None = None
    compatibleRegions: list[str] | None = None
    wabaId: str | None = None
    details: AccountDetails | None = None
    changes: AccountChanges | None = None
    wabaEnabledForInsights: bool | None = None


# --------------------------------------------------------------------------- senders


class SenderProfile(ApiModel):
    displayName: UntrustedText | None = None
    description: UntrustedText | None = None
    vertical: str | None = None
    email: str | None = None
    address: UntrustedText | None = None
    websiteOne: str | None = None
    websiteTwo: str | None = None
    about: UntrustedText | None = None
    photoUrl: str | None = None
    username: str | None = None


class SenderChanges(ApiModel):
    status: str | None = None
    details: SenderProfile | None = None
    errorReason: UntrustedText | None = None
    errorCode: str | None = None


class FieldReview(ApiModel):
    value: UntrustedText | None = None
    status: str | None = None
    rejectionReason: UntrustedText | None = None


class SenderMetadata(ApiModel):
    displayName: FieldReview | None = None
    username: FieldReview | None = None


class Sender(ApiModel):
    id: str
    state: str | None = None
    details: SenderProfile | None = None
    changes: SenderChanges | None = None
    metadata: SenderMetadata | None = None
    region: str | None = None
    countryCode: str | None = None
    phoneNumber: str | None = None
    qualityRating: str | None = None
    created: str | None = None
    modified: str | None = None


class Registration(ApiModel):
    id: str | None = None
    method: str | None = None
    accepted: str | None = None
    verificationCodeSent: bool | None = None


class SuggestedUsernames(ApiModel):
    usernames: list[str] = []


# --------------------------------------------------------------------------- templates


class MediaExample(ApiModel):
    url: str | None = None
    mimeType: str | None = None


class TemplateButton(ApiModel):
    type: str | None = None
    text: UntrustedText | None = None
    url: str | None = None
    phoneNumber: str | None = None
    example: UntrustedText | None = None
    otpType: str | None = None
    autofillText: UntrustedText | None = None
    flowId: str | None = None
    flowAction: str | None = None
    navigateScreen: str | None = None


class TemplateComponent(ApiModel):
    type: str | None = None
    format: str | None = None
    text: UntrustedText | None = None
    example: UntrustedText | MediaExample | None = None
    examples: list[UntrustedText | MediaExample] | None = None
    addSecurityRecommendation: bool | None = None
    codeExpirationMinutes: float | None = None
    buttons: list[TemplateButton] | None = None
    cards: list[TemplateCard] | None = None


class TemplateCard(ApiModel):
    components: list[TemplateComponent] | None = None


class TemplateDetails(ApiModel):
    components: list[TemplateComponent] | None = None
    messageSendTtlSeconds: float | None = None


class TemplateChanges(ApiModel):
    status: str | None = None
    allowCategoryChange: bool | None = None
    details: TemplateDetails | None = None


class Template(ApiModel):
    # Every field optional: a `field_mask` answer carries only what was asked for.
    name: str | None = None
    language: str | None = None
    category: str | None = None
    state: str | None = None
    rejectionCode: str | None = None
    qualityScore: str | None = None
    whatsappId: str | None = None
    isMetaGenerated: bool | None = None
    details: TemplateDetails | None = None
    changes: TemplateChanges | None = None


class TemplateLanguages(ApiModel):
    """Every language of one template name (GET .../templates/{templateName})."""

    templates: list[Template] = []
    totalSize: int | None = None


# --------------------------------------------------------------------------- flows and solutions


class Flow(ApiModel):
    id: str
    name: UntrustedText | None = None
    status: str | None = None


class FlowScreen(ApiModel):
    id: str


class FlowScreens(ApiModel):
    screens: list[FlowScreen] = []


class App(ApiModel):
    id: int | str | None = None
    name: UntrustedText | None = None


class SolutionDetails(ApiModel):
    name: UntrustedText | None = None


class Solution(ApiModel):
    id: str
    details: SolutionDetails | None = None
    ownerApp: App | None = None
    partnerApp: App | None = None
    assigned: bool | None = None


class FailedSolution(ApiModel):
    partnerAppId: str | None = None
    errorCode: str | None = None
    errorMessage: UntrustedText | None = None


class CreatedSolutions(ApiModel):
    solutions: list[Solution] = []
    failedSolutions: list[FailedSolution] = []


# --------------------------------------------------------------------------- legacy helpers


class WabaNumber(ApiModel):
    id: str
    displayPhoneNumber: str | None = None
    provisioned: bool | None = None


class Waba(ApiModel):
    id: str
    numbers: list[WabaNumber] = []


class WabaDetails(ApiModel):
    wabas: list[Waba] = []


class LongLivedToken(ApiModel):
    longLivedAccessToken: str | None = None  # masked by key name in every result
