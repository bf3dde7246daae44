"""Deprecated RCS operations: resending a tester invite (a GET that sends one, deprecated in docs 1.2.126)."""

from __future__ import annotations

from sinch_provisioning_mcp.api import operations as ops
from sinch_provisioning_mcp.api.models.rcs import TestNumberState
from sinch_provisioning_mcp.tools.declare import LEGACY, ReadBack, Toolset
from sinch_provisioning_mcp.tools.rcs_senders import EXAMPLE_SENDER_ID, EXAMPLE_VERIFIED_NUMBER
from sinch_provisioning_mcp.tools.rcs_test_numbers import TestNumberRef, after_state

toolset = Toolset("legacy", "Deprecated operations and request variants, for legacy flows only.")

toolset.create(
    "resend_rcs_test_number_invite", ops.RETRY_RCS_TEST_NUMBER, TestNumberRef, TestNumberState, key="test_number",
    read_back=ReadBack(ops.GET_RCS_TEST_NUMBER),
    description=f"{LEGACY} Sends the test phone another invite (counts "
    "toward 20 a day, 200 in all); a VERIFIED one becomes UNVERIFIED.",
    next_steps=after_state, example={"sender_id": EXAMPLE_SENDER_ID, "test_number": EXAMPLE_VERIFIED_NUMBER},
)
