"""RCS launch through MCP sessions: the questionnaire, readiness, the refusal, confirmation, the explained result,
an onboarding from create to LAUNCHED, and the agent's token never shown."""

from __future__ import annotations

import json
import logging

import pytest
from mcp import Client
from mcp_types import ElicitResult

from rcs_support import (  # noqa: F401
    DELAY,
    FIXTURE_SENDER,
    READY_DETAILS,
    rcs_server,
    rcs_state,
    rcs_transport,
    sender_resource,
    server_over,
)

LAUNCH = f"POST /v1/projects/sandbox-project/rcs/senders/{FIXTURE_SENDER}/launch"


def answering(action: str, asked: list, confirm: bool = True):
    async def callback(context, params):
        asked.append(params.message)
        return ElicitResult(action=action, content={"confirm": confirm} if action == "accept" else None)

    return callback


async def new_sender(client: Client, **details) -> str:
    result = await client.call_tool(
        "create_rcs_sender",
        {"region": "EU", "billing_category": "CONVERSATIONAL", "use_case": "TRANSACTIONAL", "details": details},
    )
    assert not result.is_error, result.content[0].text
    return result.structured_content["sender"]["id"]


async def test_questionnaire_for_a_use_case_and_countries(rcs_server, rcs_transport):
    async with Client(rcs_server) as client:
        result = await client.call_tool("get_rcs_questionnaire", {"use_case": "OTP", "countries": ["GB", "FR"]})
        refused = await client.call_tool("get_rcs_questionnaire", {"use_case": "SPAM"})
    sections = result.structured_content["questionnaire"]
    assert list(sections) == ["general", "verification", "gb", "fr"]
    assert sections["general"]["questions"]["triggerDescription"]["suggestedAnswers"] == [
        "User requests a one-time password"
    ]
    request = rcs_transport.requests[-1]
    assert request.url.path.endswith("/rcs/questionnaire/OTP") and request.url.params.get_list("countries") == ["GB", "FR"]
    assert refused.structured_content["error"]["problems"][0]["field"] == "use_case"
    assert len(rcs_transport.api_calls()) == 1


async def test_readiness_of_a_complete_sender(rcs_server, rcs_transport):
    async with Client(rcs_server) as client:
        result = await client.call_tool("check_rcs_launch_readiness", {"sender_id": FIXTURE_SENDER})
    body = result.structured_content
    assert body["ready"] is True and body["missing"] == []
    assert body["sender"] == {"id": FIXTURE_SENDER, "state": "IN_TEST", "useCase": "TRANSACTIONAL", "region": "EU",
                              "countries": ["FR", "GB"]}  # fmt: skip
    assert "launch_rcs_sender" in body["next_steps"][0]
    assert rcs_transport.api_calls() == [
        f"GET /v1/projects/sandbox-project/rcs/senders/{FIXTURE_SENDER}",
        "GET /v1/projects/sandbox-project/rcs/questionnaire/TRANSACTIONAL",
    ]


async def test_readiness_lists_each_missing_requirement_with_its_field(rcs_server, rcs_state):
    async with Client(rcs_server) as client:
        sender_id = await new_sender(client, brand={"name": "Acme", "logo_url": "https://acme.example/l.png"},
                                     countries=["GB"])  # fmt: skip
        draft = (await client.call_tool("check_rcs_launch_readiness", {"sender_id": sender_id})).structured_content
        rcs_state.advance(DELAY)
        in_test = (await client.call_tool("check_rcs_launch_readiness", {"sender_id": sender_id})).structured_content
    assert draft["ready"] is False and draft["missing"][0]["field"] == "state"
    fields = [item["field"] for item in in_test["missing"]]
    assert fields[:5] == [
        "details.brand.phones or details.brand.emails",
        "details.brand.banner_url",
        "details.brand.privacy_policy_url",
        "details.brand.terms_of_service_url",
        "details.questionnaire.general.answers.optInDescription",
    ]
    assert "details.brand.logo_url" not in fields and "state" not in fields
    assert "details.questionnaire.gb.answers.companyLegalName" in fields  # the GB section, for its country
    assert "details.questionnaire.general.answers.videoUris" not in fields  # optional: PENDING_LAUNCH without it
    assert "details.questionnaire.verification.answers.partner" not in fields
    assert in_test["missing"][1] == {
        "requirement": "a banner (JPEG or PNG, 1440x448 px, at most 200 KB)",
        "field": "details.brand.banner_url",
    }


async def test_readiness_needs_a_country(rcs_server, rcs_state):
    async with Client(rcs_server) as client:
        sender_id = await new_sender(client, **{**READY_DETAILS, "countries": None})
        rcs_state.advance(DELAY)
        result = (await client.call_tool("check_rcs_launch_readiness", {"sender_id": sender_id})).structured_content
    assert result["missing"] == [{"requirement": "at least one launch country", "field": "details.countries"}]


@pytest.mark.parametrize("elicit", [False, True])
async def test_launch_refuses_an_incomplete_sender_without_asking_or_sending(rcs_server, rcs_state, rcs_transport, elicit):
    asked: list = []
    async with Client(rcs_server) as setup:
        sender_id = await new_sender(setup, brand={"name": "Acme"}, countries=["SE"])
    rcs_state.advance(DELAY)
    callback = answering("accept", asked) if elicit else None
    async with Client(rcs_server, elicitation_callback=callback) as client:
        result = await client.call_tool("launch_rcs_sender", {"sender_id": sender_id})
    assert result.is_error
    error = result.structured_content["error"]
    assert error["errorCode"] == "precondition_failed"
    logo = {"field": "details.brand.logo_url", "problem": "a logo (JPEG or PNG, 224x224 px, at most 50 KB)"}
    assert logo in error["problems"]
    assert "is not ready to launch; nothing was sent" in result.content[0].text
    assert asked == []
    assert not any(call.endswith("/launch") for call in rcs_transport.api_calls())
    assert sender_resource(rcs_state, sender_id).state == "IN_TEST"


async def test_launch_by_token_previews_then_launches_once_and_explains(rcs_server, rcs_transport, rcs_state):
    async with Client(rcs_server) as client:
        preview = (await client.call_tool("launch_rcs_sender", {"sender_id": FIXTURE_SENDER})).structured_content
        assert LAUNCH not in rcs_transport.api_calls()
        done = await client.call_tool(
            "launch_rcs_sender", {"sender_id": FIXTURE_SENDER, "confirmation_token": preview["confirmation_token"]}
        )
        again = await client.call_tool(
            "launch_rcs_sender", {"sender_id": FIXTURE_SENDER, "confirmation_token": preview["confirmation_token"]}
        )
    assert preview["status"] == "confirmation_required"
    assert preview["preview"]["action"] == f"Launch RCS sender {FIXTURE_SENDER}"
    assert preview["preview"]["changes"] == ["go live in FR, GB (use case TRANSACTIONAL, region EU)"]
    consequences = " ".join(preview["preview"]["consequences"])
    assert "Google and the mobile operators" in consequences and "no way to withdraw or unlaunch" in consequences
    assert "PENDING_LAUNCH" in consequences  # the fixture has no review video
    assert "Sandbox Coffee" in preview["target"]["brand"]
    body = done.structured_content
    assert body["status"] == "done" and body["verified"]["ok"]
    assert body["launch"]["state"] == "PENDING_LAUNCH" and "no review video" in body["launch"]["meaning"]
    assert body["launch"]["webhook_triggers"] == [
        "RCS_SENDER_STATUS_UPDATED",
        "RCS_SENDER_OPERATOR_STATUS_UPDATED",
        "RCS_BRAND_REGISTRATION_PROCESS_STATUS_UPDATED",
    ]
    assert body["sender"]["countryStatus"][0]["status"] == "PENDING"
    assert again.is_error  # the token works once, and the sender has changed since
    assert rcs_transport.api_calls().count(LAUNCH) == 1


async def test_a_token_is_refused_once_the_sender_changed(rcs_server, rcs_transport):
    async with Client(rcs_server) as client:
        token = (await client.call_tool("launch_rcs_sender", {"sender_id": FIXTURE_SENDER})).structured_content[
            "confirmation_token"
        ]
        await client.call_tool("update_rcs_sender", {"sender_id": FIXTURE_SENDER, "details": {"brand": {"color": "#000000"}}})
        refused = await client.call_tool("launch_rcs_sender", {"sender_id": FIXTURE_SENDER, "confirmation_token": token})
    assert refused.structured_content["error"]["errorCode"] == "confirmation_refused"
    assert LAUNCH not in rcs_transport.api_calls()


@pytest.mark.parametrize(
    ("action", "confirm", "launched"), [("accept", True, True), ("decline", True, False), ("accept", False, False)]
)
async def test_launch_by_elicitation(rcs_server, rcs_transport, action, confirm, launched):
    asked: list = []
    async with Client(rcs_server, elicitation_callback=answering(action, asked, confirm)) as client:
        result = await client.call_tool("launch_rcs_sender", {"sender_id": FIXTURE_SENDER})
    (question,) = asked
    for expected in (FIXTURE_SENDER, "SANDBOX project sandbox-project", "FR, GB", "Google and the mobile operators",
                     "no way to withdraw or unlaunch"):  # fmt: skip
        assert expected in question
    assert (result.structured_content["status"] == "done") is launched
    assert (LAUNCH in rcs_transport.api_calls()) is launched


async def test_a_launch_with_a_video_is_launching(rcs_server, rcs_state):
    async with Client(rcs_server) as client:
        await client.call_tool(
            "update_rcs_sender",
            {"sender_id": FIXTURE_SENDER,
             "details": {"questionnaire": {"general": {"answers": {"videoUris": ["https://x.example/demo.mp4"]}}}}},
        )  # fmt: skip
        token = (await client.call_tool("launch_rcs_sender", {"sender_id": FIXTURE_SENDER})).structured_content[
            "confirmation_token"
        ]
        done = await client.call_tool("launch_rcs_sender", {"sender_id": FIXTURE_SENDER, "confirmation_token": token})
    launch = done.structured_content["launch"]
    assert launch["state"] == "LAUNCHING" and "operators are reviewing" in launch["meaning"]


async def test_onboarding_from_create_to_launched(rcs_server, rcs_state, rcs_transport):
    """Create, wait for the agent, invite a tester, complete the details, check, launch with confirmation, LAUNCHED."""
    asked: list = []
    async with Client(rcs_server, elicitation_callback=answering("accept", asked)) as client:
        sender_id = await new_sender(client, brand={"name": "Acme Parcels"})
        rcs_state.advance(DELAY)
        ready = (await client.call_tool("get_rcs_sender", {"sender_id": sender_id})).structured_content
        assert ready["sender"]["state"] == "IN_TEST"
        invited = await client.call_tool("add_rcs_test_numbers", {"sender_id": sender_id, "test_numbers": ["+46701234567"]})
        assert invited.structured_content["verified"]["ok"]
        assert not (await client.call_tool("check_rcs_launch_readiness", {"sender_id": sender_id})).structured_content["ready"]
        updated = await client.call_tool("update_rcs_sender", {"sender_id": sender_id, "details": READY_DETAILS})
        assert updated.structured_content["verified"]["ok"], updated.structured_content["verified"]
        assert (await client.call_tool("check_rcs_launch_readiness", {"sender_id": sender_id})).structured_content["ready"]
        launched = await client.call_tool("launch_rcs_sender", {"sender_id": sender_id})
        assert launched.structured_content["status"] == "done" and len(asked) == 1
        assert launched.structured_content["launch"]["state"] == "PENDING_LAUNCH"
        rcs_state.advance(2 * DELAY)
        final = (await client.call_tool("get_rcs_sender", {"sender_id": sender_id})).structured_content
    assert final["sender"]["state"] == "LAUNCHED" and final["sender"]["launched"]
    assert "Conversation API app" in final["next_steps"][0]
    triggers = [e.trigger for e in rcs_state.project("sandbox-project").outbox.after(0) if e.resource_id == sender_id]
    assert triggers == [
        "RCS_SENDER_STATUS_UPDATED",  # IN_TEST
        "RCS_SENDER_OPERATOR_STATUS_UPDATED",
        "RCS_SENDER_STATUS_UPDATED",  # PENDING_LAUNCH
        "RCS_SENDER_STATUS_UPDATED",  # LAUNCHING
        "RCS_SENDER_OPERATOR_STATUS_UPDATED",
        "RCS_SENDER_STATUS_UPDATED",  # LAUNCHED
    ]


async def test_the_agent_token_never_appears_in_results_logs_or_errors(rcs_state, rcs_transport, caplog, capsys):
    """The sandbox's own authToken of each sender, looked for in everything a session produces."""
    caplog.set_level(logging.DEBUG)
    server = server_over(rcs_transport, log_level="DEBUG")
    outputs: list[str] = []
    async with Client(server, elicitation_callback=answering("accept", outputs)) as client:
        sender_id = await new_sender(client, **READY_DETAILS)
        rcs_state.advance(DELAY)
        calls = [
            ("get_rcs_sender", {"sender_id": sender_id}),
            ("list_rcs_senders", {"detail": "full"}),
            ("list_rcs_senders", {}),
            ("update_rcs_sender", {"sender_id": sender_id, "details": {"brand": {"color": "#000000"}}}),
            ("check_rcs_launch_readiness", {"sender_id": sender_id}),
            ("launch_rcs_sender", {"sender_id": sender_id}),
            ("launch_rcs_sender", {"sender_id": sender_id}),  # refused: already under review
            ("add_rcs_test_numbers", {"sender_id": sender_id, "test_numbers": ["+46701234567"]}),
            ("get_rcs_sender", {"sender_id": FIXTURE_SENDER}),
        ]
        for name, arguments in calls:
            result = await client.call_tool(name, arguments)
            outputs.append(result.model_dump_json())
    tokens = [sender_resource(rcs_state, sid).data["authToken"] for sid in (sender_id, FIXTURE_SENDER)]
    captured = capsys.readouterr()
    everything = "\n".join([*outputs, caplog.text, captured.out, captured.err])
    for token in tokens:
        assert len(token) == 20 and token not in everything
    assert "[redacted …" in outputs[0]  # shown as a marker, not left out
    name = sender_resource(rcs_state, sender_id).data["authName"]
    assert name in outputs[0]  # authName stays visible
    assert any('"is_error":true' in output for output in outputs)  # the errors were looked at too


async def test_compact_mode_finds_checks_and_confirms_the_launch(rcs_transport):
    async with Client(server_over(rcs_transport, mode="compact")) as client:
        found = (await client.call_tool("search_operations", {"query": "launch rcs sender"})).structured_content
        preview = await client.call_tool(
            "call_operation", {"name": "launch_rcs_sender", "arguments": {"sender_id": FIXTURE_SENDER}}
        )
        readiness = await client.call_tool(
            "call_operation", {"name": "check_rcs_launch_readiness", "arguments": {"sender_id": FIXTURE_SENDER}}
        )
    assert any(line.startswith("launch_rcs_sender (irreversible)") for line in json.dumps(found).split('"'))
    assert preview.structured_content["status"] == "confirmation_required"
    assert readiness.structured_content["ready"] is True
    assert LAUNCH not in rcs_transport.api_calls()
