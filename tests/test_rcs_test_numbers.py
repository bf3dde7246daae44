"""RCS test-number tools through MCP sessions: invites and their limits, states, removal, capabilities, the legacy retry."""

from __future__ import annotations

import pytest
from mcp import Client

from rcs_support import (  # noqa: F401
    DECLINED,
    DELAY,
    FIXTURE_SENDER,
    VERIFIED,
    rcs_server,
    rcs_state,
    rcs_transport,
    server_over,
    device_state,
)

E164_PROBLEM = "must be E.164: + then 8 to 15 digits, the first not 0, e.g. +46701234567"


async def tool(client: Client, name: str, **arguments):
    return await client.call_tool(name, {"sender_id": FIXTURE_SENDER, **arguments})


async def test_add_invites_and_reads_back(rcs_server, rcs_transport, rcs_state):
    async with Client(rcs_server) as client:
        result = await tool(client, "add_rcs_test_numbers", test_numbers=["+46701234567", "+12223334444"])
        rcs_state.advance(DELAY)
        state = await tool(client, "get_rcs_test_number", test_number="+46701234567")
    body = result.structured_content
    states = [(t["number"], t["state"]) for t in body["test_numbers"]]
    assert states == [("+46701234567", "PENDING"), ("+12223334444", "PENDING")]
    assert body["verified"] == {
        "ok": True, "observed": f"read back sender {FIXTURE_SENDER}: every number is among its test numbers"
    }
    assert state.structured_content["test_number"]["state"] == "VERIFIED"
    assert "capabilities" in state.structured_content["next_steps"][0]
    assert rcs_transport.api_calls()[:2] == [
        f"POST /v1/projects/sandbox-project/rcs/senders/{FIXTURE_SENDER}/testNumbers",
        f"GET /v1/projects/sandbox-project/rcs/senders/{FIXTURE_SENDER}",
    ]


async def test_re_adding_a_verified_number_resets_it(rcs_server, rcs_state):
    async with Client(rcs_server) as client:
        listed = await client.list_tools()
        result = await tool(client, "add_rcs_test_numbers", test_numbers=[VERIFIED])
    add = next(t for t in listed.tools if t.name == "add_rcs_test_numbers")
    assert add.annotations.destructive_hint is True and add.annotations.read_only_hint is False
    assert "resets it to UNVERIFIED" in add.description
    assert result.structured_content["test_numbers"] == [
        {"number": VERIFIED, "state": "UNVERIFIED", "submitted": "2023-11-14T22:13:20.250Z"}
    ]
    assert device_state(rcs_state, FIXTURE_SENDER, VERIFIED) == "UNVERIFIED"


@pytest.mark.parametrize(
    ("numbers", "field", "problem"),
    [
        (["0701234567"], "test_numbers[0]", E164_PROBLEM),
        (["+46 70 123 45 67"], "test_numbers[0]", E164_PROBLEM),
        (["+4670123"], "test_numbers[0]", E164_PROBLEM),  # 7 digits
        (["+4670123456789012"], "test_numbers[0]", E164_PROBLEM),  # 16 digits
        ([], "test_numbers", "List should have at least 1 item after validation, not 0"),
        (["+46701234567", "+46701234567"], "test_numbers", "each value may be listed once"),
        ([f"+467012345{n:02d}" for n in range(21)], "test_numbers", "List should have at most 20 items after validation, not 21"),
    ],
)
async def test_bad_numbers_are_refused_before_any_request(rcs_server, rcs_transport, numbers, field, problem):
    async with Client(rcs_server) as client:
        result = await tool(client, "add_rcs_test_numbers", test_numbers=numbers)
    assert result.structured_content["error"]["problems"] == [{"field": field, "problem": problem}]
    assert rcs_transport.api_calls() == []


async def test_path_numbers_are_e164_too(rcs_server, rcs_transport):
    async with Client(rcs_server) as client:
        results = [await tool(client, name, test_number="46700000001") for name in
                   ("get_rcs_test_number", "delete_rcs_test_number", "get_rcs_test_number_capabilities")]  # fmt: skip
    for result in results:
        assert result.structured_content["error"]["problems"] == [{"field": "test_number", "problem": E164_PROBLEM}]
    assert rcs_transport.api_calls() == []


async def test_the_daily_limit_comes_back_from_the_api(rcs_server, rcs_state, rcs_transport):
    async with Client(rcs_server) as client:
        first = await tool(client, "add_rcs_test_numbers", test_numbers=[f"+467011100{n:02d}" for n in range(18)])
        over = await tool(client, "add_rcs_test_numbers", test_numbers=["+46701119999"])
    assert not first.is_error, first.content[0].text
    error = over.structured_content["error"]
    assert (error["status"], error["errorCode"]) == (429, "rbm_too_many_requests")
    assert "RCS Business Messaging too many requests." in over.content[0].text
    # the Retry-After (a day away) is beyond the retry cap: the client does not wait, it reports
    assert rcs_transport.api_calls().count(f"POST /v1/projects/sandbox-project/rcs/senders/{FIXTURE_SENDER}/testNumbers") == 2


async def test_a_declined_device_is_blocked(rcs_server):
    async with Client(rcs_server) as client:
        result = await tool(client, "add_rcs_test_numbers", test_numbers=[DECLINED])
        state = await tool(client, "get_rcs_test_number", test_number=DECLINED)
        capabilities = await tool(client, "get_rcs_test_number_capabilities", test_number=DECLINED)
    assert result.structured_content["error"]["errorCode"] == "blocked_because_the_recipient_declined"
    assert "cannot be invited again" in state.structured_content["next_steps"][0]
    assert capabilities.structured_content["error"]["errorCode"] == "blocked_because_the_recipient_declined"


async def test_capabilities_of_a_verified_device(rcs_server):
    async with Client(rcs_server) as client:
        result = await tool(client, "get_rcs_test_number_capabilities", test_number=VERIFIED)
        unknown = await tool(client, "get_rcs_test_number_capabilities", test_number="+46799999999")
    assert "RICHCARD_STANDALONE" in result.structured_content["capabilities"]["features"]
    assert unknown.structured_content["error"]["errorCode"] == "user_is_not_tester_for_agent"


async def test_delete_asks_then_removes(rcs_server, rcs_state, rcs_transport):
    async with Client(rcs_server) as client:
        preview = (await tool(client, "delete_rcs_test_number", test_number=VERIFIED)).structured_content
        assert device_state(rcs_state, FIXTURE_SENDER, VERIFIED) == "VERIFIED"
        done = await tool(client, "delete_rcs_test_number", test_number=VERIFIED,
                          confirmation_token=preview["confirmation_token"])  # fmt: skip
        missing = await tool(client, "delete_rcs_test_number", test_number=VERIFIED)
    assert preview["status"] == "confirmation_required"
    assert preview["preview"]["action"] == f"Remove test device {VERIFIED} (VERIFIED) from RCS sender {FIXTURE_SENDER}"
    assert any("counts toward the invite limits" in c for c in preview["preview"]["consequences"])
    assert done.structured_content["status"] == "done" and done.structured_content["verified"]["ok"]
    assert missing.structured_content["error"]["errorCode"] == "user_is_not_tester_for_agent"  # read before asking
    assert [c for c in rcs_transport.api_calls() if c.startswith("DELETE")] == [
        f"DELETE /v1/projects/sandbox-project/rcs/senders/{FIXTURE_SENDER}/testNumbers/{VERIFIED}"
    ]


async def test_the_legacy_retry_is_a_write_served_only_in_legacy(rcs_transport, rcs_state):
    async with Client(server_over(rcs_transport, toolsets="rcs")) as plain:
        assert "resend_rcs_test_number_invite" not in {t.name for t in (await plain.list_tools()).tools}
    async with Client(server_over(rcs_transport, toolsets="legacy")) as client:
        (listed,) = [t for t in (await client.list_tools()).tools if t.name == "resend_rcs_test_number_invite"]
        result = await tool(client, "resend_rcs_test_number_invite", test_number=VERIFIED)
    assert listed.annotations.read_only_hint is False and listed.annotations.idempotent_hint is False
    assert listed.description.startswith("Deprecated: use only when a legacy flow is explicitly wanted.")
    body = result.structured_content
    assert body["test_number"]["state"] == "UNVERIFIED" and body["verified"]["ok"]
    assert device_state(rcs_state, FIXTURE_SENDER, VERIFIED) == "UNVERIFIED"


async def test_legacy_is_refused_in_read_only_mode(rcs_transport):
    async with Client(server_over(rcs_transport, toolsets="rcs,legacy", read_only=True)) as client:
        names = {t.name for t in (await client.list_tools()).tools}
    assert "resend_rcs_test_number_invite" not in names and "add_rcs_test_numbers" not in names
    assert {"get_rcs_test_number", "check_rcs_launch_readiness", "get_rcs_questionnaire"} <= names
