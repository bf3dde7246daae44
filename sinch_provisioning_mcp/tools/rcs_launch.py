"""RCS launch: the questionnaire, the readiness check, and the launch itself.

Launch is irreversible (Google and the operators review the sender; the API cannot
withdraw it). So `launch_rcs_sender` first reads the sender and the questions asked of it
and refuses, with the list of what is missing and nothing sent, unless every launch
requirement (`api/models/rcs.py`, one list) is met; then asks the user to confirm; then
launches and reads the sender back to explain where the review stands.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel

from sinch_provisioning_mcp.api import operations as ops
from sinch_provisioning_mcp.api.models.rcs import (
    UNDER_REVIEW_STATES,
    Missing,
    Questionnaire,
    RcsCountry,
    RcsSender,
    missing_requirements,
)
from sinch_provisioning_mcp.guardrails.untrusted import UntrustedText
from sinch_provisioning_mcp.tools.declare import Toolset
from sinch_provisioning_mcp.tools.rcs_accounts import DESCRIPTION
from sinch_provisioning_mcp.tools.rcs_senders import EXAMPLE_SENDER_ID, SenderRef, UseCase, unique_values
from sinch_provisioning_mcp.tools.spec import (
    READ_HELPER,
    Arguments,
    Call,
    Confirmation,
    PreconditionFailed,
    Preview,
    Verification,
)

toolset = Toolset("rcs", DESCRIPTION)

PROGRESS_TRIGGERS = (
    "RCS_SENDER_STATUS_UPDATED",
    "RCS_SENDER_OPERATOR_STATUS_UPDATED",
    "RCS_BRAND_REGISTRATION_PROCESS_STATUS_UPDATED",
)
_MEANINGS = {
    "PENDING_LAUNCH": "Launch requested and waiting: no review video was given (questionnaire general videoUris), "
    "so Sinch prepares the review material before Google and the operators start. It moves on by itself.",
    "PREPARING_LAUNCH": "Launch requested: the brand is being registered and approved before the operators' review.",
    "LAUNCHING": "Google and each country's operators are reviewing the sender; countryStatus shows each operator.",
    "LAUNCHED": "Launched: the agent can message users in its countries.",
}
_ref = {"sender_id": EXAMPLE_SENDER_ID}
_LAUNCH_FIELDS = {"id", "state", "countryStatus", "launched"}


class QuestionnaireQuery(Arguments):
    use_case: UseCase
    countries: Annotated[list[RcsCountry], AfterValidator(unique_values)] | None = None
    us_questionnaire_version: Literal["v1", "v2"] | None = None


async def readiness(call: Call, args: SenderRef) -> tuple[RcsSender, list[Missing]]:
    """The sender and what its launch still needs, from the questions asked for its use case and countries."""
    sender = RcsSender.model_validate(await call.read(ops.GET_RCS_SENDER, args))
    asked: Any = {}
    if sender.useCase:
        query = {"countries": sender.countries} if sender.countries else {}
        asked = await call.api(ops.GET_RCS_QUESTIONNAIRE, path={"useCase": sender.useCase}, query=query)
    return sender, missing_requirements(sender, asked if isinstance(asked, dict) else {})


def _overview(sender: RcsSender) -> dict[str, Any]:
    return sender.model_dump(mode="json", include={"id", "state", "useCase", "region"}, exclude_none=True) | {
        "countries": sender.countries
    }


@toolset.tool(
    "check_rcs_launch_readiness", None, SenderRef,
    output={"sender": "object", "ready": "boolean", "missing": "array"}, policy=READ_HELPER, example=_ref,
)  # fmt: skip
async def check_launch_readiness(call: Call, args: SenderRef) -> dict[str, Any]:
    """Use before launch_rcs_sender: lists what a sender still needs to launch, each with the update_rcs_sender
    field that sets it. Reads only."""
    sender, missing = await readiness(call, args)
    if missing:
        steps = ["Set each missing field with update_rcs_sender, then check again."]
    else:
        steps = [f"Ready: launch_rcs_sender {sender.id} submits it for review (irreversible; asks the user first)."]
    missing_fields = [m.as_dict() for m in missing]
    return {"sender": _overview(sender), "ready": not missing, "missing": missing_fields, "next_steps": steps}


class LaunchTarget(BaseModel):
    """What the confirmation shows, and binds a token to: `submission` fingerprints everything
    the review would receive, so any edit after the preview voids the token."""

    id: str
    state: str | None
    brand: UntrustedText | None
    region: str | None
    useCase: str | None
    countries: list[str]
    reviewVideo: bool
    submission: str


def _fingerprint(sender: RcsSender) -> str:
    seen = sender.model_dump(mode="python", include={"state", "region", "useCase", "billingCategory", "details"})
    return hashlib.sha256(json.dumps(seen, sort_keys=True, default=str).encode()).hexdigest()[:16]


async def _ready_target(call: Call, args: SenderRef) -> LaunchTarget:
    sender, missing = await readiness(call, args)
    if missing:
        lines = "\n".join(f"- {m.field}: {m.requirement}" for m in missing)
        raise PreconditionFailed(
            f"RCS sender {sender.id} is not ready to launch; nothing was sent. Missing:\n{lines}",
            [{"field": m.field, "problem": m.requirement} for m in missing],
        )
    return LaunchTarget(
        id=sender.id,
        state=sender.state,
        brand=sender.brand.name,
        region=sender.region,
        useCase=sender.useCase,
        countries=sender.countries,
        reviewVideo=bool(sender.answers("general").get("videoUris")),
        submission=_fingerprint(sender),
    )


def _launch_preview(args: SenderRef, target: LaunchTarget) -> Preview:
    consequences = [
        "Google and the mobile operators of each country review the brand, the questionnaire and the agent; "
        "it can take weeks."
    ]
    if not target.reviewVideo:
        consequences.append("No review video was given: the sender waits in PENDING_LAUNCH first.")
    return Preview(
        action=f"Launch RCS sender {target.id}",
        changes=[f"go live in {', '.join(target.countries)} (use case {target.useCase}, region {target.region})"],
        consequences=consequences,
    )


@toolset.tool(
    "launch_rcs_sender", ops.LAUNCH_RCS_SENDER, SenderRef,
    output={"sender": "object", "launch": "object", "verified": "object"},
    confirmation=Confirmation(describe=_launch_preview, read=_ready_target), example=_ref,
)  # fmt: skip
async def launch_sender(call: Call, args: SenderRef) -> dict[str, Any]:
    """Use to go live after a clean check_rcs_launch_readiness. Refuses, sending nothing, while requirements are
    missing; irreversible review by Google and operators, so it asks the user to confirm."""
    await call.send(ops.LAUNCH_RCS_SENDER, args)
    sender = RcsSender.model_validate(await call.read(ops.GET_RCS_SENDER, args))
    state = sender.state or "UNKNOWN"
    launched = state in (*UNDER_REVIEW_STATES, "LAUNCHED")
    return {
        "sender": sender.model_dump(mode="json", include=_LAUNCH_FIELDS, exclude_none=True),
        "launch": {"state": state, "meaning": _MEANINGS.get(state, "Unexpected state after launch."),
                   "webhook_triggers": list(PROGRESS_TRIGGERS)},
        "verified": Verification(
            ok=launched,
            observed=f"read back sender {sender.id}: state {state}" + ("" if launched else ", not under review"),
        ),
        "next_steps": [
            "Follow the review with a webhook on these triggers (create_webhook), or get_rcs_sender now and then.",
        ],
    }  # fmt: skip


toolset.get(
    "get_rcs_questionnaire", ops.GET_RCS_QUESTIONNAIRE, QuestionnaireQuery, Questionnaire, key="questionnaire",
    description="Use to see the launch questions for a use case and countries; answer them with update_rcs_sender.",
    example={"use_case": "TRANSACTIONAL", "countries": ["GB"]},
)
