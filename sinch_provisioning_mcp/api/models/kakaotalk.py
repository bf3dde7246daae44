"""KakaoTalk senders, templates and their categories (OAS 1.2.117 KakaotalkSenderDto,
KakaotalkTemplateDto, KakaotalkSenderCategoryDto, KakaotalkTemplateCategoryDto).

A sender or template holds its live `details` and, while new details wait for a step
(a draft, a review, the OTP), `changes` {status, details}. Text people write (sender and
template names, template texts, button names, the categories' inclusion and exclusion
notes) is fenced as untrusted. Category names and English names are KakaoTalk's fixed
taxonomy (enums in the OAS) and stay plain.
"""

from __future__ import annotations


from sinch_provisioning_mcp.api.models.common import ApiModel, catalog_enum
from sinch_provisioning_mcp.guardrails.untrusted import UntrustedText

# Page sizes: senders, activities and template categories 1..100, templates 1..1000.
PAGE_MAX = 100
TEMPLATE_PAGE_MAX = 1000


# The 71 template languages (common.enums.kakaotalk_template_languages).
TemplateLanguage = catalog_enum("TemplateLanguage", "kakaotalk_template_languages")


class SenderDetails(ApiModel):
    adminPhoneNo: str | None = None
    name: UntrustedText | None = None
    topLevelCategoryCode: str | None = None
    midLevelCategoryCode: str | None = None
    subLevelCategoryCode: str | None = None
    logoImage: str | None = None  # as stored: never fetched


class SenderChanges(ApiModel):
    status: str | None = None  # DRAFT, IN_PROGRESS, REJECTED
    details: SenderDetails | None = None


class Reviewed(ApiModel):
    """What senders and templates share: live details, and `changes` while new ones wait."""

    id: str | None = None
    created: str | None = None
    modified: str | None = None

    @property
    def status(self) -> str | None:
        """The pending changes' status (DRAFT, IN_PROGRESS, REJECTED), if any."""
        changes = self.changes  # type: ignore[attr-defined]  # declared by each subclass
        return changes.status if changes else None


class Sender(Reviewed):
    plusFriendId: str
    state: str | None = None  # ACTIVE, BLOCKED, INACTIVE, SUSPENDED, VERIFYING; none before registration
    details: SenderDetails | None = None
    changes: SenderChanges | None = None


class SenderCategory(ApiModel):
    code: str
    name: str | None = None
    parentCode: str | None = None
    depth: int | None = None
    subcategories: list[SenderCategory] = []


class Button(ApiModel):
    ordering: int | None = None
    type: str | None = None
    name: UntrustedText | None = None
    linkMo: str | None = None
    linkPc: str | None = None
    schemeIos: str | None = None
    schemeAndroid: str | None = None


class TemplateDetails(ApiModel):
    name: UntrustedText | None = None
    language: str | None = None
    messageType: str | None = None
    emphasizeType: str | None = None
    categoryCode: str | None = None
    securityFlag: bool | None = None
    content: UntrustedText | None = None
    extra: UntrustedText | None = None
    ad: UntrustedText | None = None
    title: UntrustedText | None = None
    subtitle: UntrustedText | None = None
    imageName: UntrustedText | None = None
    imageUrl: str | None = None
    buttons: list[Button] | None = None


class TemplateChanges(ApiModel):
    status: str | None = None
    details: TemplateDetails | None = None


class Template(Reviewed):
    code: str
    state: str | None = None  # APPROVED, REJECTED; none before the first review
    details: TemplateDetails | None = None
    changes: TemplateChanges | None = None


class TemplateSubcategory(ApiModel):
    code: str
    name: str | None = None
    nameEnglish: str | None = None
    groupName: str | None = None
    inclusion: UntrustedText | None = None
    exclusion: UntrustedText | None = None


class TemplateCategory(ApiModel):
    name: str | None = None
    nameEnglish: str | None = None
    subcategories: list[TemplateSubcategory] = []
