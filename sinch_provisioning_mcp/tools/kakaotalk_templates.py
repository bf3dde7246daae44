"""KakaoTalk templates (AlimTalk message templates of a sender) and their categories.

Create and update check a category code against the sender's template categories
(`GET .../kakaotalk/categories/senders/{plusFriendId}/templates`) before writing, and
update refuses while KakaoTalk reviews the template. Field rules: OAS 1.2.117
KakaotalkInputTemplateDto, KakaotalkInputUpdateTemplateDto and KakaotalkInputButtonDto
(api-evangelist/sinch@cc26b0a7, openapi/sinch-kakaotalk-templates-api-openapi.yml):
buttons at most 5 with each `type` once, ordering 1..5, name 1..14, links 1..500 with
linkMo and linkPc `format: url`; imageUrl `format: url`; an update has no language.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from sinch_provisioning_mcp.api import operations as ops
from sinch_provisioning_mcp.api.models.common import Activity
from sinch_provisioning_mcp.api.models.kakaotalk import (
    PAGE_MAX,
    TEMPLATE_PAGE_MAX,
    Template,
    TemplateCategory,
    TemplateLanguage,
)
from sinch_provisioning_mcp.tools.declare import ReadBack, Toolset, paged
from sinch_provisioning_mcp.tools.kakaotalk_senders import (
    EXAMPLE_SENDER,
    TOOLSET_DESCRIPTION,
    Action,
    ImageUrl,
    SenderComment,
    SenderRef,
    SomeChange,
    SomeDetail,
    http_url,
    submitted,
)
from sinch_provisioning_mcp.tools.spec import Arguments, Call, InvalidArguments, Preview, PreconditionFailed

toolset = Toolset("kakaotalk", TOOLSET_DESCRIPTION)

# The sandbox's seeded APPROVED template of EXAMPLE_SENDER, for examples.
EXAMPLE_TEMPLATE = "SANDBOXTEMPLATE00001"


def _unique_types(buttons: list[TemplateButton]) -> list[TemplateButton]:
    if len({button.type for button in buttons}) != len(buttons):
        raise ValueError("each button type may be used once")
    return buttons


Link = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(http_url)]
Scheme = Annotated[str, Field(min_length=1, max_length=500)]
Title = Annotated[str, Field(min_length=1, max_length=50)]
TemplateName = Annotated[str, Field(min_length=1, max_length=150)]
Content = Annotated[str, Field(min_length=1, max_length=1000)]


class TemplateButton(Arguments):
    ordering: Annotated[int, Field(ge=1, le=5)]
    type: Literal[
        "APP_LINK", "BOT_FOR_CONSULTATION", "BOT_KEYWORD", "BOT_TRANSFER", "BUSINESS_FORM", "CHANNEL_ID_ADDED",
        "DELIVERY_SEARCH", "IMAGE_SECURE_TRANSMISSION_PLUGIN_ID", "MESSAGE_DELIVERY", "ONE_CLICK_PAYMENT_PLUGIN",
        "PERSONAL_INFORMATION_USE_PLUGIN_ID", "WEB_LINK",
    ]
    name: Annotated[str, Field(min_length=1, max_length=14)]
    link_mo: Link | None = None
    link_pc: Link | None = None
    scheme_ios: Scheme | None = None
    scheme_android: Scheme | None = None


class TemplateFields(Arguments):
    message_type: Literal["AD_INCLUDED", "BASIC", "EXTRA_INFORMATION", "MIXED"] | None = None
    emphasize_type: Literal["EMPHASIZE_TYPE_IMAGE", "EMPHASIZE_TYPE_NONE", "EMPHASIZE_TYPE_TEXT"] | None = None
    category_code: Annotated[str, Field(min_length=1, max_length=6)] | None = None
    security_flag: bool | None = Field(None, description="For codes such as OTPs: the text shows only on the main device.")
    extra: Annotated[str, Field(min_length=1, max_length=500)] | None = None
    title: Title | None = None
    subtitle: Title | None = None
    image_name: Annotated[str, Field(min_length=1, max_length=250)] | None = None
    image_url: ImageUrl | None = Field(None, description="jpeg or png, at most 500 KB, at least 500x250 px, 2:1")
    buttons: Annotated[list[TemplateButton], Field(max_length=5), AfterValidator(_unique_types)] | None = None


class NewTemplateDetails(TemplateFields):
    name: TemplateName
    language: TemplateLanguage
    content: Content


class TemplateDetailChanges(TemplateFields, SomeDetail):
    name: TemplateName | None = None
    content: Content | None = None


class NewTemplate(SenderRef):
    details: NewTemplateDetails
    status: Action | None = Field(
        None, description="SUBMIT (default) sends it to KakaoTalk review; DRAFT keeps it editable."
    )
    save_draft_on_failure: bool | None = None


class TemplateRef(SenderRef):
    template_code: Annotated[str, Field(min_length=1, max_length=64)]


class TemplateChanges(TemplateRef, SomeChange):
    status: Action | None = Field(
        None, description="DRAFT (default) keeps the changes editable; SUBMIT sends them to review."
    )
    details: TemplateDetailChanges | None = None


class TemplateFilters(SenderRef, paged(TEMPLATE_PAGE_MAX)):
    filter_states: list[Literal["APPROVED", "REJECTED"]] | None = None
    filter_statuses: list[Literal["DRAFT", "IN_PROGRESS", "REJECTED"]] | None = None
    template_name: Annotated[str, Field(min_length=1, description="Name prefix.")] | None = None


class CategoryPage(SenderRef, paged(PAGE_MAX)):
    pass


class TemplateComment(TemplateRef, SenderComment):
    pass


def template_steps(args: Any, template: Template) -> list[str]:
    code, status = template.code, template.status
    if status == "DRAFT":
        return [f"Template {code} is a DRAFT: update_kakaotalk_template with status SUBMIT sends it to KakaoTalk review."]
    if status == "IN_PROGRESS":
        return [
            f"Template {code} is in KakaoTalk review: wait for KAKAOTALK_TEMPLATE_APPROVED or KAKAOTALK_TEMPLATE_REJECTED, "
            "or poll get_kakaotalk_template."
        ]
    if "REJECTED" in (status, template.state):
        return [
            f"Template {code} was REJECTED (the KAKAOTALK_TEMPLATE_REJECTED event carries the reason): "
            "update_kakaotalk_template with corrected details and status SUBMIT."
        ]
    return [f"Template {code} is APPROVED: messages can use it by this code."] if template.state == "APPROVED" else []


async def _known_category(call: Call, args: Any) -> None:
    """A category code must be one the sender's template categories list: one read, before any write."""
    code = args.details.category_code if args.details else None
    if code is None:
        return
    pages, _ = await call.client.paginate(
        ops.LIST_KAKAOTALK_TEMPLATE_CATEGORIES, call.project_id, "categories",
        path={"plusFriendId": args.plus_friend_id}, query={"pageSize": PAGE_MAX},
    )
    codes = [sub.code for page in pages for sub in TemplateCategory.model_validate(page).subcategories]
    if code not in codes:
        # Echoed into the message: only what looks like a code, so an odd answer cannot speak through it.
        shown = [known for known in codes if known.isalnum() and len(known) <= 6][:5]
        allowed = f"e.g. {', '.join(shown)}" if shown else "the sender lists none"
        problem = f"not a template category of sender {args.plus_friend_id} ({allowed}; list_kakaotalk_template_categories)"
        raise InvalidArguments(
            f"Invalid arguments; nothing was written:\n- details.category_code: {problem}",
            [{"field": "details.category_code", "problem": problem}],
        )


async def _updatable(call: Call, args: Any) -> None:
    template = Template.model_validate(await call.read(ops.GET_KAKAOTALK_TEMPLATE, args))
    if template.status == "IN_PROGRESS":
        raise PreconditionFailed(f"{template_steps(args, template)[0]} The update was not sent.")
    await _known_category(call, args)


def _deletion(args: Any, template: Template) -> Preview:
    live = template.state == "APPROVED"
    consequences = [f"Messages can no longer be sent with template code {template.code}."] if live else []
    return Preview(
        action=f"Delete KakaoTalk template {template.code} of sender {args.plus_friend_id}",
        changes=[f"state: {template.state or 'not reviewed'}, changes: {template.status or 'none'} → deleted"],
        consequences=consequences,
    )


_template = {"plus_friend_id": EXAMPLE_SENDER, "template_code": EXAMPLE_TEMPLATE}

toolset.list(
    "list_kakaotalk_template_categories",
    ops.LIST_KAKAOTALK_TEMPLATE_CATEGORIES,
    CategoryPage,
    TemplateCategory,
    items="categories",
    summary=("nameEnglish", "subcategories.*.code", "subcategories.*.nameEnglish"),
    description="Use before writing a template: the category codes this sender's templates may use.",
    example={"plus_friend_id": EXAMPLE_SENDER},
)
toolset.list(
    "list_kakaotalk_templates",
    ops.LIST_KAKAOTALK_TEMPLATES,
    TemplateFilters,
    Template,
    items="templates",
    summary=("code", "state", "details.name", "changes.status", "changes.details.name"),
    description="Use to find a sender's templates (alphabetical by name) and their review state.",
    example={"plus_friend_id": EXAMPLE_SENDER},
)
toolset.get(
    "get_kakaotalk_template", ops.GET_KAKAOTALK_TEMPLATE, TemplateRef, Template, key="template",
    description="Use to read one template in full and see its review state and next step.",
    next_steps=template_steps, example=_template,
)
toolset.create(
    "create_kakaotalk_template", ops.CREATE_KAKAOTALK_TEMPLATE, NewTemplate, Template, key="template",
    read_back=ReadBack(ops.GET_KAKAOTALK_TEMPLATE, ids={"templateCode": "code"}),
    description="Use to write a message template for a sender; it goes to KakaoTalk review unless a DRAFT. "
    "category_code must come from list_kakaotalk_template_categories (checked before sending).",
    check=_known_category, verify=submitted("SUBMIT"), next_steps=template_steps,
    example={"plus_friend_id": EXAMPLE_SENDER, "details": {
        "name": "Login code", "language": "EN", "content": "Your login code is #{code}.",
        "category_code": "001002", "security_flag": True}},
)
toolset.update(
    "update_kakaotalk_template", ops.UPDATE_KAKAOTALK_TEMPLATE, TemplateChanges, Template, key="template",
    read_back=ReadBack(ops.GET_KAKAOTALK_TEMPLATE),
    description="Use to correct or resubmit a template (not while in review); the language cannot change. "
    "category_code must come from list_kakaotalk_template_categories.",
    check=_updatable, verify=submitted("DRAFT"), next_steps=template_steps,
    example=_template | {"details": {"content": "Hello #{name}, order #{order} is on its way."}, "status": "SUBMIT"},
)
toolset.delete(
    "delete_kakaotalk_template", ops.DELETE_KAKAOTALK_TEMPLATE, TemplateRef, read=ops.GET_KAKAOTALK_TEMPLATE,
    model=Template, describe=_deletion,
    description="Use to delete a template itself, approved or not; asks the user to confirm.",
    example=_template,
)
toolset.create(
    "add_kakaotalk_template_comment", ops.CREATE_KAKAOTALK_TEMPLATE_COMMENT, TemplateComment, Activity, key="comment",
    read_back=None,
    description="Use to answer Sinch or leave a note on a template's review; everyone with project access sees it, and "
    "it cannot be deleted.",
    example=_template | {"comment": "The button links to our order page."},
)
