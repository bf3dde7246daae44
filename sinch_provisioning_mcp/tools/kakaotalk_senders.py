"""KakaoTalk senders: onboarding a KakaoTalk channel (its plusFriendId) and keeping it up.

The onboarding is create -> register (KakaoTalk sends a numeric code to the admin phone)
-> verify with that code. Register and verify read the sender first and, when its state
does not allow the step, say where it stands and what comes next instead of provoking
the API's 409. Field rules: OAS 1.2.117 KakaotalkInputSenderDto and
KakaotalkInputUpdateSenderDto (api-evangelist/sinch@cc26b0a7,
openapi/sinch-kakaotalk-senders-api-openapi.yml): adminPhoneNo 1..15 `format: phone
number`, category codes of 3, 4 and 4 digits, logoImage `format: url`, verify's
`code: number`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from sinch_provisioning_mcp.api import operations as ops
from sinch_provisioning_mcp.api.models.kakaotalk import PAGE_MAX, Sender, SenderCategory
from sinch_provisioning_mcp.tools.declare import Comment, ReadBack, Toolset, compare, paged
from sinch_provisioning_mcp.tools.spec import (
    Arguments,
    Call,
    Confirmation,
    NoArguments,
    Preview,
    Verification,
    PreconditionFailed,
)

TOOLSET_DESCRIPTION = "KakaoTalk: sender and template categories, senders (OTP registration), templates."
toolset = Toolset("kakaotalk", TOOLSET_DESCRIPTION)

# The sandbox's seeded senders, for examples: ACTIVE, awaiting the OTP, and a draft.
EXAMPLE_SENDER = "sandbox-plusfriend"
EXAMPLE_VERIFYING = "sandbox-verifying"
EXAMPLE_DRAFT = "sandbox-draft"

_E164 = re.compile(r"\+[1-9][0-9]{1,13}")


def _phone(value: str) -> str:
    if not _E164.fullmatch(value):
        raise ValueError("an international number: + and country code, digits only, e.g. +821012345678")
    return value


def http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname or any(char.isspace() for char in value):
        raise ValueError("must be an absolute http(s) URL")
    return value


def _numeric(value: Any) -> Any:
    # The API takes the code as a JSON number; agents often pass the digits as text.
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("the numeric code the admin phone received, e.g. 123456")
    return value


PlusFriendId = Annotated[str, Field(min_length=1, max_length=30)]
AdminPhone = Annotated[
    str, Field(min_length=1, max_length=15, description="E.164, e.g. +821012345678"), AfterValidator(_phone)
]
SenderName = Annotated[str, Field(min_length=1, max_length=512)]
TopCode = Annotated[str, Field(pattern=r"^[0-9]{3}$")]
LevelCode = Annotated[str, Field(pattern=r"^[0-9]{4}$")]
ImageUrl = Annotated[str, AfterValidator(http_url)]
Action = Literal["DRAFT", "SUBMIT"]


class SenderRef(Arguments):
    plus_friend_id: PlusFriendId


class NewSenderDetails(Arguments):
    admin_phone_no: AdminPhone
    name: SenderName
    top_level_category_code: TopCode
    mid_level_category_code: LevelCode
    sub_level_category_code: LevelCode
    logo_image: ImageUrl | None = Field(None, description="jpeg or png, at most 5 MB")


class NewSender(SenderRef):
    details: NewSenderDetails
    status: Action | None = Field(None, description="SUBMIT (default) goes on to register; DRAFT keeps it editable.")
    save_draft_on_failure: bool | None = None


class SomeDetail(Arguments):
    """Details of an update: at least one of them."""

    @model_validator(mode="after")
    def _something(self) -> SomeDetail:
        if not self.model_dump(exclude_none=True):  # null is "left out" for the API too
            raise ValueError("give at least one field to change")
        return self


class SomeChange(Arguments):
    """An update (subclasses declare `status` and `details`): at least one of the two."""

    @model_validator(mode="after")
    def _something(self) -> SomeChange:
        if self.status is None and self.details is None:  # type: ignore[attr-defined]
            raise ValueError("nothing to update: give details, status, or both")
        return self


class SenderDetailChanges(SomeDetail):
    admin_phone_no: AdminPhone | None = None
    name: SenderName | None = None
    top_level_category_code: TopCode | None = None
    mid_level_category_code: LevelCode | None = None
    sub_level_category_code: LevelCode | None = None
    logo_image: ImageUrl | None = None


class SenderChanges(SenderRef, SomeChange):
    status: Action | None = Field(None, description="DRAFT (default) keeps the changes editable; SUBMIT sends them on.")
    details: SenderDetailChanges | None = None


class Otp(SenderRef):
    code: Annotated[int, Field(ge=0), BeforeValidator(_numeric)]


class SenderFilters(paged(PAGE_MAX)):
    filter_states: list[Literal["ACTIVE", "BLOCKED", "INACTIVE", "SUSPENDED", "VERIFYING"]] | None = None
    filter_statuses: list[Literal["DRAFT", "IN_PROGRESS", "REJECTED"]] | None = None


class SenderActivities(SenderRef, paged(PAGE_MAX, detail=False)):
    pass


class SenderComment(Comment, SenderRef):
    pass


# --- where a sender stands ----------------------------------------------------------------

_REGISTER = "register_kakaotalk_sender: KakaoTalk sends a numeric code to the admin phone."
_AFTER_CHANGES = {
    "DRAFT": "update_kakaotalk_sender with status SUBMIT once they are complete.",
    "REJECTED": "list_kakaotalk_sender_activities for the reason, then delete_kakaotalk_sender_changes and submit "
    "corrected details (create_kakaotalk_sender again if it was never active).",
}


def standing(sender: Sender) -> tuple[str, str]:
    """Where the sender stands in its onboarding, and the next step from there."""
    state, status = sender.state, sender.status
    if status in _AFTER_CHANGES:
        return f"{state + ', ' if state else ''}holding {status} details", _AFTER_CHANGES[status]
    if state == "ACTIVE" and status is None:
        return "ACTIVE", "list_kakaotalk_template_categories, then create_kakaotalk_template."
    if state == "ACTIVE":
        return "ACTIVE, with changes in KakaoTalk review", (
            "wait for KAKAOTALK_SENDER_ACTIVE (applied) or KAKAOTALK_SENDER_REJECTED, or poll get_kakaotalk_sender."
        )
    if state == "VERIFYING":
        return "VERIFYING: a code went to the admin phone", (
            "verify_kakaotalk_sender with that numeric code; register_kakaotalk_sender again sends a new one."
        )
    if state in (None, "INACTIVE"):
        return state or "submitted, not registered yet", _REGISTER
    # Only the API's own states are repeated: a value outside them is not echoed.
    shown = state if state in ("BLOCKED", "SUSPENDED") else "in a state this server does not know"
    return shown, "it cannot be used now: ask Sinch with add_kakaotalk_sender_comment."


def sender_steps(args: Any, sender: Sender) -> list[str]:
    where, step = standing(sender)
    return [f"Sender {sender.plusFriendId} is {where}. Next: {step}"]


async def read_sender(call: Call, args: Any) -> Sender:
    return Sender.model_validate(await call.read(ops.GET_KAKAOTALK_SENDER, args))


def _refuse(sender: Sender, step: str) -> PreconditionFailed:
    where, next_step = standing(sender)
    return PreconditionFailed(f"Sender {sender.plusFriendId} is {where}, so {step} was not sent. Next: {next_step}")


def _may_register(sender: Sender) -> bool:
    return sender.state in (None, "INACTIVE", "VERIFYING") and sender.status not in ("DRAFT", "REJECTED")


async def _updatable(call: Call, args: Any) -> None:
    sender = await read_sender(call, args)
    if not (sender.status == "DRAFT" or (sender.status is None and sender.state == "ACTIVE")):
        raise _refuse(sender, "the update")


def submitted(default: Action):
    """Verify a create or update of a resource with pending changes: the details sent are
    the pending ones (or the live ones once applied), and a DRAFT stays a draft."""

    def verify(sent: Mapping[str, Any] | None, resource: Mapping[str, Any], label: str) -> Verification:
        sent = sent or {}
        changes = resource.get("changes") or {}
        found = compare(sent.get("details"), changes.get("details") or resource.get("details") or {}, label)
        wanted, status = sent.get("status", default), changes.get("status")
        if found.ok and (wanted == "DRAFT") != (status == "DRAFT"):
            return Verification(ok=False, observed=f"read back {label}: changes are {status or 'none'}, not as requested")
        return found

    return verify


# --- deletions ------------------------------------------------------------------------------


def _deletion(args: Any, sender: Sender) -> Preview:
    return Preview(
        action=f"Mark KakaoTalk sender {sender.plusFriendId} for removal",
        changes=[f"state: {sender.state or 'not registered'} now, removed after 60 days"],
    )


def _still_listed(args: Any, sender: Sender | None) -> Verification:
    if sender is None:
        return Verification(ok=True, observed="read back: the API answers 404, it is gone")
    # The API shows no removal mark: what can be checked is that it answered 204.
    return Verification(ok=True, observed="read back: unchanged, as documented: it stays for 60 days, then is removed")


async def _changes_to_discard(call: Call, args: Any) -> Sender:
    sender = await read_sender(call, args)
    if sender.status not in ("DRAFT", "REJECTED"):
        what = f"changes {sender.status}" if sender.status else "no pending changes"
        raise PreconditionFailed(f"Sender {sender.plusFriendId} has {what}: only DRAFT or REJECTED changes can be discarded.")
    return sender


def _discarding(args: Any, sender: Sender) -> Preview:
    pending = sender.changes.details if sender.changes else None
    fields = sorted(pending.model_fields_set) if pending else []
    consequences = [] if sender.state else ["This sender was never registered: these details are all there is of it."]
    return Preview(
        action=f"Discard the {sender.status} changes of KakaoTalk sender {sender.plusFriendId}",
        changes=[f"pending: {', '.join(fields)}"] if fields else [],
        consequences=consequences,
    )


# --- the tools, in the order of an onboarding ---------------------------------------------

_read_back = ReadBack(ops.GET_KAKAOTALK_SENDER)
_ref = {"plus_friend_id": EXAMPLE_SENDER}

toolset.list(
    "list_kakaotalk_sender_categories",
    ops.LIST_KAKAOTALK_SENDER_CATEGORIES,
    NoArguments,
    SenderCategory,
    items="categories",
    description="Use before create_kakaotalk_sender: the category tree whose top, mid and sub level codes a sender needs.",
)
toolset.list(
    "list_kakaotalk_senders",
    ops.LIST_KAKAOTALK_SENDERS,
    SenderFilters,
    Sender,
    items="senders",
    summary=("plusFriendId", "state", "changes.status"),
    description="Use first for KakaoTalk: the project's senders, their state and pending changes.",
    next_steps=lambda args, senders: [] if senders else ["No senders: create_kakaotalk_sender onboards a channel."],
)
toolset.get(
    "get_kakaotalk_sender", ops.GET_KAKAOTALK_SENDER, SenderRef, Sender, key="sender",
    description="Use to see where a sender stands (state, pending changes) and its next step.",
    next_steps=sender_steps, example=_ref,
)
toolset.create(
    "create_kakaotalk_sender", ops.CREATE_KAKAOTALK_SENDER, NewSender, Sender, key="sender", read_back=_read_back,
    description="Use to onboard an existing KakaoTalk channel by its plusFriendId; then register_kakaotalk_sender and "
    "verify_kakaotalk_sender. Category codes come from list_kakaotalk_sender_categories.",
    verify=submitted("SUBMIT"), next_steps=sender_steps,
    example={"plus_friend_id": "new-plusfriend", "details": {
        "admin_phone_no": "+821012345678", "name": "Sandbox Clinic",
        "top_level_category_code": "001", "mid_level_category_code": "0001", "sub_level_category_code": "0001"}},
)


@toolset.tool(
    "register_kakaotalk_sender",
    ops.REGISTER_KAKAOTALK_SENDER,
    SenderRef,
    output={"sender": "object", "verified": "object"},
    example={"plus_friend_id": EXAMPLE_VERIFYING},
)
async def register_sender(call: Call, args: SenderRef) -> dict[str, Any]:
    """OTP step 1, after create_kakaotalk_sender: KakaoTalk sends a numeric code to the sender's admin phone. Calling
    it again sends a new code."""
    sender = await read_sender(call, args)
    if not _may_register(sender):
        raise _refuse(sender, "the registration")
    await call.send(ops.REGISTER_KAKAOTALK_SENDER, args)
    after = await read_sender(call, args)
    observed = f"read back sender {after.plusFriendId}: state {after.state}"
    steps = ["Ask the user for the code on the admin phone, then verify_kakaotalk_sender with it."]
    verified = Verification(ok=after.state == "VERIFYING", observed=observed)
    return {"sender": after, "verified": verified, "next_steps": steps}


@toolset.tool(
    "verify_kakaotalk_sender",
    ops.VERIFY_KAKAOTALK_SENDER,
    Otp,
    output={"sender": "object", "verified": "object"},
    example={"plus_friend_id": EXAMPLE_VERIFYING, "code": 123456},
)
async def verify_sender(call: Call, args: Otp) -> dict[str, Any]:
    """OTP step 2: activate the sender with the numeric code its admin phone received after register_kakaotalk_sender."""
    sender = await read_sender(call, args)
    if sender.state != "VERIFYING":
        raise _refuse(sender, "the code")
    await call.send(ops.VERIFY_KAKAOTALK_SENDER, args)
    after = await read_sender(call, args)
    active = after.state == "ACTIVE"
    observed = f"read back sender {after.plusFriendId}: state {after.state}"
    if not active:
        observed += "; KakaoTalk has not activated it yet (KAKAOTALK_SENDER_ACTIVE tells when)"
    verified = Verification(ok=active, observed=observed)
    return {"sender": after, "verified": verified, "next_steps": sender_steps(args, after)}


toolset.update(
    "update_kakaotalk_sender", ops.UPDATE_KAKAOTALK_SENDER, SenderChanges, Sender, key="sender", read_back=_read_back,
    description="Use to edit a DRAFT sender, or an ACTIVE sender's details (they go to KakaoTalk review when submitted).",
    check=_updatable, verify=submitted("DRAFT"), next_steps=sender_steps,
    example={"plus_friend_id": EXAMPLE_DRAFT, "details": {"name": "Sandbox Pharmacy"}},
)
toolset.delete(
    "delete_kakaotalk_sender", ops.DELETE_KAKAOTALK_SENDER, SenderRef, read=ops.GET_KAKAOTALK_SENDER, model=Sender,
    describe=_deletion, gone=_still_listed,
    description="Use to retire a sender: it keeps working 60 days, then is removed, and this cannot be cancelled. Asks "
    "the user to confirm.",
    next_steps=lambda args, sender: ["Move its traffic to another sender within the 60 days."],
    example=_ref,
)


@toolset.tool(
    "delete_kakaotalk_sender_changes",
    ops.DELETE_KAKAOTALK_SENDER_CHANGES,
    SenderRef,
    output={"verified": "object"},
    confirmation=Confirmation(describe=_discarding, read=_changes_to_discard),
    example={"plus_friend_id": EXAMPLE_DRAFT},
)
async def delete_changes(call: Call, args: SenderRef) -> dict[str, Any]:
    """Use to discard a sender's DRAFT or REJECTED changes (its live details stay); asks the user to confirm."""
    await call.send(ops.DELETE_KAKAOTALK_SENDER_CHANGES, args)
    found = await call.exists(ops.GET_KAKAOTALK_SENDER, args)
    after = None if found is None else Sender.model_validate(found)
    if after is None:
        gone = "read back: the API answers 404, the never-registered sender went with them"
        verified = Verification(ok=True, observed=gone)
        return {"verified": verified, "next_steps": ["create_kakaotalk_sender to start again."]}
    verified = Verification(
        ok=after.changes is None, observed=f"read back sender {after.plusFriendId}: changes {after.status or 'none'}"
    )
    return {"verified": verified, "next_steps": sender_steps(args, after)}


toolset.activities(
    "list_kakaotalk_sender_activities", ops.LIST_KAKAOTALK_SENDER_ACTIVITIES, SenderActivities,
    description="Use to follow a sender's onboarding (reasons for a rejection, comments from Sinch), newest first.",
    example=_ref,
)
toolset.comment(
    "add_kakaotalk_sender_comment", ops.CREATE_KAKAOTALK_SENDER_COMMENT, SenderComment,
    log=ops.LIST_KAKAOTALK_SENDER_ACTIVITIES,
    description="Use to answer Sinch or leave a note on a sender's onboarding; everyone with project access sees it, "
    "and it cannot be deleted.",
    example=_ref | {"comment": "Logo updated, please review."},
)
