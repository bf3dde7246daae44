"""WhatsApp senders: creation (Embedded Signup, partner-initiated, new number), profile
changes, deletion, and the OTP order: the sender reaches PENDING_VERIFICATION, then
`register_whatsapp_sender` (Meta sends a code), then `verify_whatsapp_sender` with it.

Register and verify read the sender first: outside PENDING_VERIFICATION they explain the
next step instead of sending a request the API would refuse (409 `not_allowed_register`,
`not_allowed_verify`).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, SecretStr, model_serializer, model_validator
from pydantic.alias_generators import to_camel

from sinch_provisioning_mcp.api import operations as ops
from sinch_provisioning_mcp.api.errors import ApiError
from sinch_provisioning_mcp.api.models.whatsapp import WHATSAPP_PAGE_MAX, Registration, Sender, SuggestedUsernames
from sinch_provisioning_mcp.tools.declare import Comment, ReadBack, Toolset, paged
from sinch_provisioning_mcp.tools.spec import Arguments, Call, InvalidArguments, Preview, Verification
from sinch_provisioning_mcp.tools.whatsapp_common import MetaLocalStorage, Placement, Region, Vertical

toolset = Toolset("whatsapp", "WhatsApp: account, senders (OTP), templates, flows, solutions.")

# Seeded in the sandbox project, for examples: an ACTIVE sender with a DRAFT change, and
# one waiting for its OTP verification (code already sent).
EXAMPLE_SENDER = {"sender_id": "0b6c2f1e-5a4d-4c3b-9e8f-7a6b5c4d3e2f"}
EXAMPLE_PENDING_SENDER = {"sender_id": "7d1e9c3a-2b4f-4e6d-8a0c-1f2e3d4c5b6a"}
# The code the sandbox's Meta "sends"; named only in sandbox results.
SANDBOX_OTP = "123456"

State = Literal["ACTIVE", "IN_PROGRESS", "INACTIVE", "PENDING_VERIFICATION", "SUSPENDED", "ERROR"]
ChangesStatus = Literal["DRAFT", "ERROR", "IN_PROGRESS", "REJECTED"]
Status = Literal["DRAFT", "SUBMIT"]

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_MARKDOWN = re.compile(r"\*[^*\s][^*]*\*|_[^_\s][^_]*_|~[^~\s][^~]*~|```")


def _url(value: str) -> str:
    if not re.match(r"https?://[^\s/]+\.[^\s]+$", value):
        raise ValueError("an absolute http(s) URL")
    return value


def _email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError("an email address")
    return value


def _plain(value: str) -> str:
    if _MARKDOWN.search(value):
        raise ValueError("plain text: no markdown (*bold*, _italic_, ~strike~, ```code```)")
    return value


Url = Annotated[str, Field(max_length=256), AfterValidator(_url)]
Digits = Annotated[str, Field(pattern=r"^[0-9]+$")]


class ProfileText(Arguments):
    description: Annotated[str, Field(min_length=1, max_length=512)] | None = None
    email: Annotated[str, Field(max_length=128), AfterValidator(_email)] | None = None
    address: Annotated[str, Field(min_length=1, max_length=256)] | None = None
    website_one: Url | None = None
    website_two: Url | None = None
    about: Annotated[str, Field(min_length=1, max_length=139), AfterValidator(_plain)] | None = None
    photo_url: (
        Annotated[str, AfterValidator(_url), Field(description="JPEG, PNG or WebP, 192..640 px square, ≤5 MB.")] | None
    ) = None


class PartnerDetails(ProfileText):
    country_code: Annotated[Digits, Field(description="e.g. 48")]
    phone_number: Annotated[Digits, Field(max_length=32, description="Without the country code.")] | None = None
    display_name: Annotated[str, Field(min_length=1, max_length=128)]
    vertical: Vertical


class NumberDetails(Arguments):
    country_code: Digits
    phone_number: Digits
    display_name: Annotated[str, Field(min_length=1, max_length=128)]


Clearable = Literal["description", "email", "address", "website_one", "website_two", "about", "photo_url", "username"]


class ProfileChanges(ProfileText):
    display_name: Annotated[str, Field(min_length=1, max_length=128)] | None = None
    vertical: Vertical | None = None
    username: Annotated[str | None, Field(description="ACTIVE senders only.")] = None
    clear: list[Clearable] | None = Field(None, description="Fields to delete.")

    @model_serializer(mode="wrap")
    def _cleared_as_null(self, handler: Any) -> Any:
        # The API deletes a profile field sent as null (catalog: "null deletes on update").
        data = handler(self)
        for name in data.pop("clear", None) or ():
            data[to_camel(name)] = None
        return data


class SenderRef(Arguments):
    sender_id: Annotated[str, Field(min_length=1, max_length=64)]


def _no_legacy_status(values: Any) -> Any:
    if isinstance(values, list) and "MULTIPLE_WABA_ERROR" in values:
        raise ValueError("MULTIPLE_WABA_ERROR is deprecated (kept for old clients): use ERROR")
    return values


class SenderListing(paged(WHATSAPP_PAGE_MAX)):
    filter_states: list[State] | None = None
    filter_statuses: Annotated[
        list[ChangesStatus] | None, BeforeValidator(_no_legacy_status), Field(description="Of the pending changes.")
    ] = None


class EmbeddedSignupSender(Placement):
    waba_id: Annotated[str, Field(min_length=1, description="From Meta's Embedded Signup.")]
    phone_number_id: Annotated[str, Field(min_length=1, description="From Meta's Embedded Signup.")]
    authentication_code: Annotated[SecretStr | None, Field(description="Single-use code from Embedded Signup.")] = (
        None
    )


class PartnerInitiatedSender(Arguments):
    phone_number_provider: Annotated[Literal["CUSTOMER", "SINCH"], Field(description="Whose number it is.")]
    details: PartnerDetails
    status: Annotated[Status | None, Field(description="SUBMIT (default) sends it to Meta.")] = None
    save_draft_on_failure: bool | None = None
    region: Region | None = None
    meta_local_storage: MetaLocalStorage | None = None


class NewNumberSender(Arguments):
    details: NumberDetails
    region: Region | None = None
    meta_local_storage: MetaLocalStorage | None = None


class SenderChanges(SenderRef):
    details: ProfileChanges | None = None
    status: Annotated[Status | None, Field(description="DRAFT (default), or SUBMIT to Meta's review.")] = None

    @model_validator(mode="after")
    def _something(self) -> SenderChanges:
        if self.details is None and self.status is None:
            raise ValueError("nothing to update: give details or status")
        return self


class RegisterMethod(SenderRef):
    method: Literal["SMS", "VOICE"]


def _code(value: str | None) -> str | None:
    if value is not None and (len(value) != 6 or any(ch.isspace() for ch in value)):
        raise ValueError("exactly 6 characters, no spaces")
    return value


class VerificationCode(SenderRef):
    code: Annotated[
        str | None,
        Field(
            min_length=6,
            max_length=6,
            description="From Meta's SMS or call; leave out if register said no code was sent.",
        ),
        AfterValidator(_code),
    ] = None


class SenderActivities(paged(WHATSAPP_PAGE_MAX, detail=False), SenderRef):
    pass


class SenderComment(SenderRef, Comment):
    pass


# --------------------------------------------------------------------------- the OTP order

_WAIT = "wait for WHATSAPP_SENDER_PENDING_VERIFICATION (or check get_whatsapp_sender)"


def next_step(sender: Sender) -> str:
    """Where a sender stands on its way to ACTIVE, and what to do about it."""
    state = sender.state
    if state == "PENDING_VERIFICATION":
        return "register_whatsapp_sender (SMS or VOICE), then verify_whatsapp_sender with the code"
    if state == "IN_PROGRESS":
        return f"Meta is still processing it: {_WAIT}; after verification, WHATSAPP_SENDER_ACTIVE follows"
    if state == "ACTIVE":
        return "it is ACTIVE: nothing to register or verify"
    if state is None:
        return "a draft: update_whatsapp_sender with status SUBMIT sends it to Meta, then " + _WAIT
    if state == "ERROR":
        return "Meta could not register it: see changes.errorReason and list_whatsapp_sender_activities, then fix or delete it"
    return f"it is {state}: ask Sinch with add_whatsapp_sender_comment"


async def _pending_verification(call: Call, args: SenderRef, action: str) -> Sender:
    sender = Sender.model_validate(await call.read(ops.GET_WHATSAPP_SENDER, args))
    if sender.state != "PENDING_VERIFICATION":
        problem = f"state {sender.state or 'none (draft)'}: {next_step(sender)}"
        raise InvalidArguments(
            f"Sender {sender.id} cannot {action} now; nothing was sent. Only PENDING_VERIFICATION senders can: {problem}",
            [{"field": "sender_id", "problem": problem}],
        )
    return sender


def _sandbox_code(call: Call) -> list[str]:
    return [f"Sandbox: the code is {SANDBOX_OTP}."] if call.environment == "sandbox" else []


@toolset.tool(
    "register_whatsapp_sender",
    ops.REGISTER_WHATSAPP_SENDER,
    RegisterMethod,
    output={"registration": "object", "verified": "object"},
    example=EXAMPLE_PENDING_SENDER | {"method": "SMS"},
)
async def register(call: Call, args: RegisterMethod) -> dict[str, Any]:
    """Use for OTP step 1, once the sender is PENDING_VERIFICATION: Meta sends a 6-character code to the number by SMS or VOICE."""
    await _pending_verification(call, args, "register")
    registration = Registration.model_validate(await call.send(ops.REGISTER_WHATSAPP_SENDER, args))
    after = Sender.model_validate(await call.read(ops.GET_WHATSAPP_SENDER, args))
    sent = registration.verificationCodeSent is not False
    steps = (
        [
            f"Ask the user for the 6-character code sent by {args.method}, then verify_whatsapp_sender with it.",
            *_sandbox_code(call),
        ]
        if sent
        else ["Meta already has this number registered and sent no code: verify_whatsapp_sender without a code."]
    )
    observed = f"read back: state {after.state}; {'a code was sent' if sent else 'no code was needed'}"
    return {
        "registration": registration,
        "verified": Verification(ok=after.state == "PENDING_VERIFICATION", observed=observed),
        "next_steps": steps,
    }


@toolset.tool(
    "verify_whatsapp_sender",
    ops.VERIFY_WHATSAPP_SENDER,
    VerificationCode,
    output={"verified": "object"},
    example=EXAMPLE_PENDING_SENDER | {"code": SANDBOX_OTP},
)
async def verify(call: Call, args: VerificationCode) -> dict[str, Any]:
    """Use for OTP step 2, after register_whatsapp_sender: submits the code Meta sent. Wrong codes count toward Meta's attempt limit."""
    await _pending_verification(call, args, "verify")
    try:
        await call.send(ops.VERIFY_WHATSAPP_SENDER, args)
    except ApiError as exc:
        if exc.error_code != "wrong_otp":
            raise
        advice = " ".join(
            [
                "Check the 6 characters with the user, or register_whatsapp_sender again for a new code.",
                *_sandbox_code(call),
            ]
        )
        raise ApiError(
            exc.status,
            exc.error_code,
            exc.message,
            f"{exc.resolution} {advice}".strip(),
            exc.additional_information,
            exc.operation,
        ) from None
    after = Sender.model_validate(await call.read(ops.GET_WHATSAPP_SENDER, args))
    ok = after.state in ("IN_PROGRESS", "ACTIVE")
    return {
        "verified": Verification(ok=ok, observed=f"read back: state {after.state}"),
        "next_steps": []
        if after.state == "ACTIVE"
        else ["Meta activates the number: wait for WHATSAPP_SENDER_ACTIVE (or get_whatsapp_sender)."],
    }


# --------------------------------------------------------------------------- the rest


def _after_create(args: Any, sender: Sender) -> list[str]:
    return [f"Sender {sender.id}: {next_step(sender)}."]


_read_back = ReadBack(ops.GET_WHATSAPP_SENDER, ids={"senderId": "id"})
_create = {
    "ES": "Use after Meta's Embedded Signup popup: connects its WABA number (waba_id, phone_number_id) as a sender.",
    "PI": "Use to onboard a number without Embedded Signup, into the project's account; Meta reviews the profile.",
    "NN": "Use to get a new Sinch number as a sender (new-number flow).",
}
_then = " Then the OTP order: PENDING_VERIFICATION, register_whatsapp_sender, verify_whatsapp_sender."

toolset.list(
    "list_whatsapp_senders",
    ops.LIST_WHATSAPP_SENDERS,
    SenderListing,
    Sender,
    items="senders",
    summary=("id", "state", "changes.status", "details.displayName", "countryCode", "phoneNumber"),
    description="Use to find the project's WhatsApp senders and their states.",
)
toolset.get(
    "get_whatsapp_sender",
    ops.GET_WHATSAPP_SENDER,
    SenderRef,
    Sender,
    key="sender",
    description="Use to check a sender's state, profile and pending changes.",
    next_steps=_after_create,
    example=EXAMPLE_SENDER,
)
toolset.create(
    "create_whatsapp_sender",
    ops.CREATE_WHATSAPP_SENDER,
    EmbeddedSignupSender,
    Sender,
    key="sender",
    read_back=_read_back,
    description=_create["ES"] + _then,
    next_steps=_after_create,
    example={"waba_id": "100000000000001", "phone_number_id": "300000000000001", "region": "EU"},
)
toolset.create(
    "create_whatsapp_sender_partner_initiated",
    ops.CREATE_WHATSAPP_SENDER,
    PartnerInitiatedSender,
    Sender,
    key="sender",
    read_back=_read_back,
    description=_create["PI"] + _then,
    next_steps=_after_create,
    example={
        "phone_number_provider": "CUSTOMER",
        "details": {
            "country_code": "48",
            "phone_number": "777000123",
            "display_name": "Acme",
            "vertical": "SHOPPING_AND_RETAIL",
        },
    },
)
toolset.create(
    "create_whatsapp_sender_new_number",
    ops.CREATE_WHATSAPP_SENDER,
    NewNumberSender,
    Sender,
    key="sender",
    read_back=_read_back,
    description=_create["NN"] + _then,
    next_steps=_after_create,
    example={"details": {"country_code": "49", "phone_number": "1701234567", "display_name": "Acme"}},
)


@toolset.tool(
    "update_whatsapp_sender",
    ops.UPDATE_WHATSAPP_SENDER,
    SenderChanges,
    output={"sender": "object", "verified": "object"},
    example=EXAMPLE_SENDER | {"details": {"about": "Orders, returns and delivery."}},
)
async def update(call: Call, args: SenderChanges) -> dict[str, Any]:
    """Use to edit a sender's profile (ACTIVE senders, or DRAFT/REJECTED changes): kept as a DRAFT, or status SUBMIT for Meta's review."""
    await call.send(ops.UPDATE_WHATSAPP_SENDER, args)
    sender = Sender.model_validate(await call.read(ops.GET_WHATSAPP_SENDER, args))
    expected = "IN_PROGRESS" if args.status == "SUBMIT" else "DRAFT"
    seen = sender.changes.status if sender.changes else None
    steps = (
        [
            "Meta reviews the change: wait for it to apply, or WHATSAPP_SENDER_REJECTED; discard with discard_whatsapp_sender_changes."
        ]
        if expected == "IN_PROGRESS"
        else ["Saved as a draft: update_whatsapp_sender with status SUBMIT sends it to Meta."]
    )
    observed = f"read back: changes {seen or 'none'}, state {sender.state or 'none'}"
    return {"sender": sender, "verified": Verification(ok=seen == expected, observed=observed), "next_steps": steps}


# Previews name resources by id, number and state only: names others wrote (display names,
# WABA and app names) reach the user fenced, in the target the preview shows beside them.


def _deletion(args: Any, current: Sender) -> Preview:
    number = f"+{current.countryCode} {current.phoneNumber}" if current.phoneNumber else "its number"
    return Preview(
        action=f"Delete WhatsApp sender {current.id} ({number}, state {current.state})",
        consequences=[
            f"It keeps sending for 30 days, then {number} is removed from WhatsApp; the API cannot cancel this."
        ],
    )


def _marked(args: Any, after: Sender | None) -> Verification:
    if after is None:
        return Verification(ok=True, observed="read back: the API answers 404, the sender is gone")
    return Verification(
        ok=True, observed="read back: still listed, as expected: it is removed 30 days after the deletion"
    )


def _changes_deletion(args: Any, current: Sender) -> Preview:
    status = current.changes.status if current.changes else "none"
    return Preview(
        action=f"Discard the pending changes of WhatsApp sender {current.id}",
        changes=[f"changes: {status} → none"],
        consequences=["The drafted or rejected profile changes are lost; the live profile stays as it is."],
    )


def _changes_gone(args: Any, after: Sender | None) -> Verification:
    left = after is not None and after.changes is not None
    return Verification(ok=not left, observed=f"read back: {'changes still pending' if left else 'no pending changes'}")


toolset.delete(
    "delete_whatsapp_sender",
    ops.DELETE_WHATSAPP_SENDER,
    SenderRef,
    read=ops.GET_WHATSAPP_SENDER,
    model=Sender,
    describe=_deletion,
    gone=_marked,
    description="Use to retire a sender: it keeps working 30 days, then is deleted; cannot be cancelled. Asks the user to confirm.",
    example=EXAMPLE_SENDER,
)
toolset.delete(
    "discard_whatsapp_sender_changes",
    ops.DELETE_WHATSAPP_SENDER_CHANGES,
    SenderRef,
    read=ops.GET_WHATSAPP_SENDER,
    model=Sender,
    describe=_changes_deletion,
    gone=_changes_gone,
    description="Use to drop a sender's DRAFT, REJECTED or ERROR profile changes; asks the user to confirm.",
    example=EXAMPLE_SENDER,
)
toolset.get(
    "suggest_whatsapp_sender_usernames",
    ops.GET_WHATSAPP_SENDER_SUGGESTED_USERNAMES,
    SenderRef,
    SuggestedUsernames,
    key="suggestions",
    description="Use before setting a sender's username (update_whatsapp_sender details.username; ACTIVE senders only).",
    example=EXAMPLE_SENDER,
)
toolset.activities(
    "list_whatsapp_sender_activities",
    ops.LIST_WHATSAPP_SENDER_ACTIVITIES,
    SenderActivities,
    description="Use to follow a sender's review, registration and comments, newest first.",
    example=EXAMPLE_SENDER,
)
toolset.comment(
    "add_whatsapp_sender_comment",
    ops.CREATE_WHATSAPP_SENDER_COMMENT,
    SenderComment,
    log=ops.LIST_WHATSAPP_SENDER_ACTIVITIES,
    description="Use to leave a note on a sender for Sinch; permanent, visible to everyone with project access.",
    example=EXAMPLE_SENDER | {"comment": "The display name matches our website."},
)
