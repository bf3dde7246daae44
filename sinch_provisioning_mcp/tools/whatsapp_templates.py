"""WhatsApp templates: create (DRAFT or SUBMIT to Meta's review), edit, inspect, delete.

Components are a union on `type`; the schema keeps to shapes and leaves WhatsApp's rules
(lengths, variables and examples, button limits, authentication and carousel rules) to
`whatsapp_template_rules`, which reports every violation with its path before a request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from sinch_provisioning_mcp.api import operations as ops
from sinch_provisioning_mcp.api.models.whatsapp import (
    TEMPLATE_FIELD_MASK,
    TEMPLATE_PAGE_MAX,
    WHATSAPP_PAGE_MAX,
    Template,
    TemplateLanguage,
    TemplateLanguages,
)
from sinch_provisioning_mcp.tools.declare import Comment, ReadBack, Toolset, compare, paged
from sinch_provisioning_mcp.tools.spec import Arguments, Call, NoArguments, Preview, Verification
from sinch_provisioning_mcp.tools.whatsapp_template_rules import check_template

toolset = Toolset("whatsapp", "WhatsApp: account, senders (OTP), templates, flows, solutions.")

# Seeded in the sandbox project, for examples.
EXAMPLE_TEMPLATE = {"template_name": "order_update", "language_code": "EN_US"}
EXAMPLE_DRAFT = {"template_name": "welcome_offer", "language_code": "EN"}

Category = Literal["AUTHENTICATION", "MARKETING", "UTILITY"]
Status = Literal["DRAFT", "SUBMIT"]


class MediaExample(Arguments):
    url: str
    mime_type: Literal["IMAGE/JPEG", "IMAGE/PNG", "APPLICATION/PDF", "VIDEO/3GP", "VIDEO/MP4"] | None = None


class Header(Arguments):
    type: Literal["HEADER"]
    format: Literal["TEXT", "IMAGE", "VIDEO", "DOCUMENT", "LOCATION"]
    text: str | None = None
    example: str | MediaExample | None = Field(None, description="TEXT: the {{1}} value; media: a sample file.")


class Body(Arguments):
    type: Literal["BODY"]
    text: str | None = Field(None, description="Variables {{1}}, {{2}}...; none for AUTHENTICATION.")
    examples: list[str] | None = Field(None, description="One per variable, in order.")
    add_security_recommendation: bool | None = None


class Footer(Arguments):
    type: Literal["FOOTER"]
    text: str | None = None
    code_expiration_minutes: int | None = None


class App(Arguments):
    package_name: str
    signature_hash: str


class Button(Arguments):
    type: Literal["QUICK_REPLY", "URL", "PHONE_NUMBER", "OTP", "FLOW", "REQUEST_CONTACT_INFO"]
    text: str | None = None
    url: str | None = None
    example: str | None = Field(None, description="URL with {{1}}: the full sample URL.")
    phone_number: str | None = None
    otp_type: Literal["COPY_CODE", "ONE_TAP", "ZERO_TAP"] | None = None
    autofill_text: str | None = None
    supported_apps: list[App] | None = None
    zero_tap_terms_accepted: bool | None = None
    flow_id: str | None = None
    flow_action: Literal["NAVIGATE", "DATA_EXCHANGE"] | None = None
    navigate_screen: str | None = None


class Buttons(Arguments):
    type: Literal["BUTTONS"]
    buttons: list[Button]


class Card(Arguments):
    components: list[Annotated[Header | Body | Buttons, Field(discriminator="type")]]


class Carousel(Arguments):
    type: Literal["CAROUSEL"]
    cards: list[Card]


class Details(Arguments):
    components: list[Annotated[Header | Body | Footer | Buttons | Carousel, Field(discriminator="type")]] | None = None
    message_send_ttl_seconds: int | None = None


def _known_paths(paths: list[str] | None) -> list[str] | None:
    if set(paths or ()) - TEMPLATE_FIELD_MASK:
        raise ValueError("unknown field path; paths are like name, state, changes.status, details.components.0.text")
    return paths


FieldMask = Annotated[
    list[str] | None, AfterValidator(_known_paths), Field(description="Only these fields, e.g. state, changes.status.")
]


class TemplateRef(Arguments):
    template_name: Annotated[str, Field(min_length=1, max_length=512)]
    language_code: TemplateLanguage


class TemplateName(Arguments):
    template_name: Annotated[str, Field(min_length=1, max_length=512)]


class Masked(Arguments):
    field_mask: FieldMask = None


class TemplateListing(paged(TEMPLATE_PAGE_MAX), Masked):
    pass


class NameListing(paged(TEMPLATE_PAGE_MAX), Masked, TemplateName):
    pass


class TemplateLookup(TemplateRef, Masked):
    pass


class NewTemplate(Arguments):
    name: str
    language: TemplateLanguage
    category: Category
    details: Details | None = None
    status: Status | None = Field(None, description="SUBMIT (default) sends it to Meta's review.")
    save_draft_on_failure: bool | None = None
    allow_category_change: bool | None = None


class TemplateChanges(TemplateRef):
    details: Details | None = None
    status: Status | None = Field(None, description="DRAFT (default) or SUBMIT to Meta's review.")
    category: Category | None = None
    allow_category_change: bool | None = None

    @model_validator(mode="after")
    def _something(self) -> TemplateChanges:
        # The API would answer 400 no_fields_to_update.
        if self.details is None and self.status is None and self.category is None and self.allow_category_change is None:
            raise ValueError("nothing to update: give details, status, category or allow_category_change")
        return self


class TemplateActivities(paged(WHATSAPP_PAGE_MAX, detail=False), TemplateRef):
    pass


class TemplateComment(TemplateRef, Comment):
    pass


class LanguageDeletion(TemplateRef):
    delete_submitted: Annotated[bool | None, Field(description="Also the submitted or approved one.")] = None


async def _check_new(call: Call, args: NewTemplate) -> None:
    check_template(name=args.name, category=args.category, details=args.details, submit=args.status != "DRAFT")


async def _check_changes(call: Call, args: TemplateChanges) -> None:
    if args.details is None:
        return  # a status or category change: the stored content is what gets submitted
    category = args.category
    if category is None:
        # AUTHENTICATION, carousel and TTL rules depend on the category: the template's own.
        category = Template.model_validate(await call.read(ops.GET_WHATSAPP_TEMPLATE, args)).category
    check_template(name=None, category=category, details=args.details, submit=args.status == "SUBMIT")


def _after_write(args: Any, template: Template) -> list[str]:
    status = template.changes.status if template.changes else None
    if status == "IN_PROGRESS":
        return [
            "Meta is reviewing it: wait for WHATSAPP_TEMPLATE_APPROVED or WHATSAPP_TEMPLATE_REJECTED, "
            "or check get_whatsapp_template."
        ]
    if status == "DRAFT":
        return ["Saved as a draft: update_whatsapp_template with status SUBMIT sends it to Meta's review."]
    return []


def _after_read(args: Any, template: Template) -> list[str]:
    status = template.changes.status if template.changes else None
    if template.state == "REJECTED" or status == "REJECTED":
        return [
            f"Rejected ({template.rejectionCode or 'see list_whatsapp_template_activities'}): fix it with "
            "update_whatsapp_template (it becomes a draft), then submit again."
        ]
    return _after_write(args, template)


def _as_submitted(sent: Mapping[str, Any] | None, template: Mapping[str, Any], label: str) -> Verification:
    """A change reads back in `changes` (pending or in review), not in the approved `details`."""
    pending = (template.get("changes") or {}).get("details")
    return compare(sent, {**template, "details": pending} if pending is not None else template, label)


_read_back = ReadBack(ops.GET_WHATSAPP_TEMPLATE, ids={"templateName": "name", "languageCode": "language"})
_summary = ("name", "language", "category", "state", "changes.status")

toolset.list(
    "list_whatsapp_templates",
    ops.LIST_WHATSAPP_TEMPLATES,
    TemplateListing,
    Template,
    items="templates",
    summary=_summary,
    description="Use to find templates: every name and language with its state, alphabetical.",
)
toolset.list(
    "list_whatsapp_template_languages",
    ops.LIST_WHATSAPP_TEMPLATES_BY_NAME,
    NameListing,
    Template,
    items="templates",
    summary=_summary,
    description="Use to see every language of one template name.",
    example={"template_name": "order_update"},
)
toolset.get(
    "get_whatsapp_template",
    ops.GET_WHATSAPP_TEMPLATE,
    TemplateLookup,
    Template,
    key="template",
    description="Use to check one template's review state, rejection and content.",
    next_steps=_after_read,
    example=EXAMPLE_TEMPLATE,
)
toolset.create(
    "create_whatsapp_template",
    ops.CREATE_WHATSAPP_TEMPLATE,
    NewTemplate,
    Template,
    key="template",
    read_back=_read_back,
    check=_check_new,
    verify=_as_submitted,
    description="Use to create a message template; WhatsApp's rules are checked first. One per name and language.",
    next_steps=_after_write,
    example={
        "name": "shipping_update",
        "language": "EN_US",
        "category": "UTILITY",
        "details": {
            "components": [{"type": "BODY", "text": "Hi {{1}}, your parcel ships today.", "examples": ["Anna"]}]
        },
    },
)
toolset.update(
    "update_whatsapp_template",
    ops.UPDATE_WHATSAPP_TEMPLATE,
    TemplateChanges,
    Template,
    key="template",
    read_back=_read_back,
    check=_check_changes,
    verify=_as_submitted,
    description="Use to edit a draft, rejected or approved template (rejected ones become drafts); status SUBMIT sends "
    "the change to Meta's review. The category changes only on drafts or INCORRECT_CATEGORY rejections.",
    next_steps=_after_write,
    example=EXAMPLE_TEMPLATE
    | {
        "details": {
            "components": [
                {"type": "BODY", "text": "Hi {{1}}, order {{2}} is on its way.", "examples": ["Anna", "A-1042"]}
            ]
        }
    },
)


async def _sync(call: Call, args: Arguments) -> dict[str, Any]:
    """Use when templates were changed in Meta's WhatsApp Manager: re-reads them from Meta, overwriting the stored copies. Rate-limited."""
    await call.send(ops.SYNC_WHATSAPP_TEMPLATES, args)
    page = await call.api(ops.LIST_WHATSAPP_TEMPLATES, query={"pageSize": 1})
    total = int(page.get("totalSize", 0))
    return {
        "verified": Verification(ok=True, observed=f"read back: the project lists {total} templates after the sync"),
        "next_steps": ["list_whatsapp_templates shows them."],
    }


toolset.tool("sync_whatsapp_templates", ops.SYNC_WHATSAPP_TEMPLATES, NoArguments, output={"verified": "object"})(_sync)


def _deletion(args: LanguageDeletion, current: Template) -> Preview:
    where = f"{current.name} {current.language}"
    never_submitted = current.state is None
    if args.delete_submitted:
        consequences = [f"Template {where} is deleted, including what Meta approved or is reviewing."]
        if current.state in ("APPROVED", "PAUSED", "DISABLED"):
            consequences.append(f"IRREVERSIBLE: name {current.name} in {current.language} is locked for 30 days.")
        return Preview(action=f"Delete WhatsApp template {where}", consequences=consequences)
    lost = "the whole template (it was never submitted)" if never_submitted else "its draft changes only"
    return Preview(
        action=f"Delete the draft of WhatsApp template {where}",
        consequences=[f"Only the draft goes: {lost}. A submitted version stays (delete_submitted=true removes it)."],
    )


def _language_gone(args: LanguageDeletion, after: Template | None) -> Verification:
    if after is None:
        return Verification(ok=True, observed="read back: the API answers 404, the template is gone")
    left = after.changes is None or after.changes.status != "DRAFT"
    return Verification(
        ok=left, observed=f"read back: {'the draft is gone; ' if left else 'still has a draft; '}state {after.state}"
    )


def _by_name_deletion(args: TemplateName, current: TemplateLanguages) -> Preview:
    languages = ", ".join(
        f"{t.language} ({t.state or (t.changes.status if t.changes else '?')})" for t in current.templates
    )
    count = current.totalSize or len(current.templates)
    return Preview(
        action=f"Delete every language of WhatsApp template {args.template_name}",
        changes=[f"{count} language{'s' if count != 1 else ''} deleted: {languages}"],
        consequences=["Approved languages included; messages already sent are still delivered for 30 days."],
    )


toolset.delete(
    "delete_whatsapp_template_language",
    ops.DELETE_WHATSAPP_TEMPLATE,
    LanguageDeletion,
    read=ops.GET_WHATSAPP_TEMPLATE,
    model=Template,
    describe=_deletion,
    gone=_language_gone,
    description="Use to delete one language of a template: by default only its draft; delete_submitted=true also deletes "
    "the submitted or approved one and locks the name in that language for 30 days. Asks the user to confirm.",
    example=EXAMPLE_DRAFT,
)
toolset.delete(
    "delete_whatsapp_template",
    ops.DELETE_WHATSAPP_TEMPLATES_BY_NAME,
    TemplateName,
    read=ops.LIST_WHATSAPP_TEMPLATES_BY_NAME,
    model=TemplateLanguages,
    describe=_by_name_deletion,
    description="Use to delete a template name in every language; the name is locked for 30 days. Asks the user to confirm.",
    example={"template_name": "order_update"},
)
toolset.activities(
    "list_whatsapp_template_activities",
    ops.LIST_WHATSAPP_TEMPLATE_ACTIVITIES,
    TemplateActivities,
    description="Use to follow a template's review and comments, newest first.",
    example=EXAMPLE_TEMPLATE,
)
toolset.comment(
    "add_whatsapp_template_comment",
    ops.CREATE_WHATSAPP_TEMPLATE_COMMENT,
    TemplateComment,
    log=ops.LIST_WHATSAPP_TEMPLATE_ACTIVITIES,
    description="Use to leave a note on a template for Sinch; permanent, visible to everyone with project access.",
    example=EXAMPLE_TEMPLATE | {"comment": "Please review the new wording."},
)
