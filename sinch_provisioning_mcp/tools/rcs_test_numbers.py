"""RCS test devices: invite phones to test a sender before launch, follow and remove them.

Google allows an agent 20 tester invites a day and 200 in all; re-adding a VERIFIED
number resets it to UNVERIFIED and sends a new invite (catalog: `additive: false`, so
the tool is marked destructive). Numbers are E.164, checked before any request.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field

from sinch_provisioning_mcp.api import operations as ops
from sinch_provisioning_mcp.api.models.rcs import Capabilities, RcsSender, TestNumbers, TestNumberState
from sinch_provisioning_mcp.tools.declare import Toolset
from sinch_provisioning_mcp.tools.rcs_accounts import DESCRIPTION
from sinch_provisioning_mcp.tools.rcs_senders import (
    E164,
    EXAMPLE_SENDER_ID,
    EXAMPLE_VERIFIED_NUMBER,
    SenderRef,
    unique_values,
)
from sinch_provisioning_mcp.tools.spec import Call, Preview, Verification

toolset = Toolset("rcs", DESCRIPTION)

DAILY_INVITES = 20  # Google's limit per agent and day (catalog side effects)


class TestNumberRef(SenderRef):
    test_number: E164


class NewTestNumbers(SenderRef):
    test_numbers: Annotated[
        list[E164],
        Field(min_length=1, max_length=DAILY_INVITES, description="At most 20: Google's daily invite limit."),
        AfterValidator(unique_values),
    ]


def after_state(args: Any, tester: TestNumberState) -> list[str]:
    if tester.state in ("PENDING", "UNVERIFIED"):
        return ["The device has an invite to accept in its messaging app; check again later."]
    if tester.state == "VERIFIED":
        return ["get_rcs_test_number_capabilities shows which rich features the device supports."]
    if tester.state == "DECLINED":
        return ["The device declined: it cannot be invited again; use another number."]
    return ["The invite failed: check the number, delete_rcs_test_number, then add it again."]


@toolset.tool(
    "add_rcs_test_numbers", ops.ADD_RCS_TEST_NUMBER, NewTestNumbers,
    output={"test_numbers": "array", "verified": "object"},
    example={"sender_id": EXAMPLE_SENDER_ID, "test_numbers": ["+46700000009"]},
)  # fmt: skip
async def add_test_numbers(call: Call, args: NewTestNumbers) -> dict[str, Any]:
    """Use to invite test phones to a sender in IN_TEST: 20 invites a day, 200 in all. Re-adding a VERIFIED
    number resets it to UNVERIFIED and sends a new invite."""
    answer = TestNumbers.model_validate(await call.send(ops.ADD_RCS_TEST_NUMBER, args))
    sender = RcsSender.model_validate(await call.read(ops.GET_RCS_SENDER, args))
    listed = {tester.number for tester in sender.testNumberStates or []}
    absent = [number for number in args.test_numbers if number not in listed]
    verified = Verification(
        ok=not absent,
        observed=f"read back sender {sender.id}: "
        + (f"{', '.join(absent)} not among its test numbers" if absent else "every number is among its test numbers"),
    )
    return {
        "test_numbers": [tester for tester in answer.testNumbers if tester.number in args.test_numbers],
        "verified": verified,
        "next_steps": ["Each phone gets an invite to accept; get_rcs_test_number shows when it is VERIFIED."],
    }


def _removal(args: TestNumberRef, current: TestNumberState) -> Preview:
    return Preview(
        action=f"Remove test device {current.number} ({current.state}) from RCS sender {args.sender_id}",
        consequences=["The device stops receiving the agent's messages before launch."],
    )


_number = {"sender_id": EXAMPLE_SENDER_ID, "test_number": EXAMPLE_VERIFIED_NUMBER}

toolset.get(
    "get_rcs_test_number", ops.GET_RCS_TEST_NUMBER, TestNumberRef, TestNumberState, key="test_number",
    description="Use to see whether a test phone accepted its invite.", next_steps=after_state, example=_number,
)
toolset.delete(
    "delete_rcs_test_number", ops.DELETE_RCS_TEST_NUMBER, TestNumberRef,
    read=ops.GET_RCS_TEST_NUMBER, model=TestNumberState, describe=_removal,
    description="Use to remove a test phone from a sender; asks the user to confirm.", example=_number,
)
toolset.get(
    "get_rcs_test_number_capabilities", ops.GET_RCS_TEST_NUMBER_CAPABILITIES, TestNumberRef, Capabilities,
    key="capabilities",
    description="Use to see which RBM features (rich cards, actions) a VERIFIED test phone supports.",
    example=_number,
)
