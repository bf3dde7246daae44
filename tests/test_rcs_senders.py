"""RCS sender tools through an MCP client session against the sandbox: create, update, list, get, activity, comments."""

from __future__ import annotations

import json

import pytest
from mcp import Client

from conftest import unfence
from rcs_support import FIXTURE_SENDER, READY_DETAILS, rcs_server, rcs_state, rcs_transport  # noqa: F401
from sinch_provisioning_mcp.guardrails.untrusted import NOTICE

NEW = {"region": "EU", "billing_category": "CONVERSATIONAL", "use_case": "OTP"}


async def create(client: Client, **details):
    return await client.call_tool("create_rcs_sender", {**NEW, **({"details": details} if details else {})})


async def test_create_sends_the_api_shape_and_verifies_by_reading_back(rcs_server, rcs_transport):
    async with Client(rcs_server) as client:
        result = await create(client, **READY_DETAILS, test_numbers=["+46701234567"])
    assert not result.is_error, result.content[0].text
    body = result.structured_content
    sender = body["sender"]
    assert sender["state"] == "DRAFT" and body["verified"]["ok"]
    assert body["verified"]["observed"] == (
        f"read back sender {sender['id']}: billingCategory, details, region, useCase as requested"
    )
    assert "wait for IN_TEST" in body["next_steps"][0]
    sent = json.loads(rcs_transport.requests[-2].content)
    assert sent["billingCategory"] == "CONVERSATIONAL" and sent["useCase"] == "OTP"
    assert sent["details"]["brand"]["logoUrl"] == "https://acme.example/logo.png"
    assert sent["details"]["testNumbers"] == ["+46701234567"]
    assert rcs_transport.api_calls() == [
        "POST /v1/projects/sandbox-project/rcs/senders",
        f"GET /v1/projects/sandbox-project/rcs/senders/{sender['id']}",
    ]


def with_details(**details) -> dict:
    return {**NEW, "details": details}


def with_brand(**brand) -> dict:
    return with_details(brand=brand)


def with_answers(**answers) -> dict:
    return with_details(questionnaire={"general": {"answers": answers}})


E164 = "must be E.164: + then 8 to 15 digits, the first not 0, e.g. +46701234567"
TWICE = "each value may be listed once"


@pytest.mark.parametrize(
    ("arguments", "field", "problem"),
    [
        ({**NEW, "billing_category": "BASIC_MESSAGE"}, "billing_category",
         "BASIC_MESSAGE is deprecated: use NON_CONVERSATIONAL"),
        ({**NEW, "billing_category": "SINGLE_MESSAGE"}, "billing_category",
         "SINGLE_MESSAGE is deprecated: use NON_CONVERSATIONAL"),
        ({**NEW, "billing_category": "CONVERSATIONAL_LEGACY"}, "billing_category",
         "CONVERSATIONAL_LEGACY is deprecated: use CONVERSATIONAL"),
        ({**NEW, "region": "APAC"}, "region", "Input should be 'BR', 'EU' or 'US'"),
        (with_details(countries=["SE", "SE"]), "details.countries", TWICE),
        (with_details(countries=["XX"]), "details.countries[0]",
         "not an allowed value (24 allowed, e.g. AT, BE, BR: see the input schema)"),
        (with_details(test_numbers=["0701234567"]), "details.test_numbers[0]", E164),
        (with_details(test_numbers=["+0701234567"]), "details.test_numbers[0]", E164),
        (with_details(test_numbers=["+4670123"]), "details.test_numbers[0]", E164),
        (with_brand(description="x" * 101), "details.brand.description", "String should have at most 100 characters"),
        (with_brand(color="brown"), "details.brand.color", "must be a hex colour, e.g. #000000"),
        (with_brand(logo_url="ftp://acme.example/l.png"), "details.brand.logo_url",
         "must be an absolute http(s) URL, e.g. https://example.com/logo.png"),
        (with_brand(emails=[{"label": "a", "address": "nope"}]), "details.brand.emails[0].address",
         "must be an e-mail address"),
        (with_brand(emails=[{"label": "a", "address": "a@b.co"}, {"label": "b", "address": "A@b.co"}]),
         "details.brand.emails", TWICE),
        (with_brand(phones=[{"label": "a", "number": "07-01"}]), "details.brand.phones[0].number",
         "must be E.164 (+46701234567) or national digits only"),
        (with_details(questionnaire={"de": {"answers": {}}}), "details.questionnaire.de.[key]",
         "Input should be 'general', 'verification', 'gb', 'fr' or 'us'"),
        (with_answers(**{"opt in": "x"}), "details.questionnaire.general.answers",
         "keys are the question keys get_rcs_questionnaire returns, e.g. optInDescription"),
        (with_answers(videoUris=[1]), "details.questionnaire.general.answers",
         "answers are text, numbers, true/false, lists of text, or (partner) a map of text"),
    ],
)  # fmt: skip
async def test_bad_input_is_refused_before_any_request(rcs_server, rcs_transport, arguments, field, problem):
    async with Client(rcs_server) as client:
        result = await client.call_tool("create_rcs_sender", arguments)
    assert result.is_error
    error = result.structured_content["error"]
    assert error["errorCode"] == "invalid_arguments"
    assert {"field": field, "problem": problem} in error["problems"]
    assert rcs_transport.api_calls() == []


@pytest.mark.parametrize("fixed", [{"region": "US"}, {"billing_category": "NON_CONVERSATIONAL"}, {"useCase": "OTP"}])
async def test_update_refuses_what_is_fixed_after_creation(rcs_server, rcs_transport, fixed):
    async with Client(rcs_server) as client:
        result = await client.call_tool(
            "update_rcs_sender", {"sender_id": FIXTURE_SENDER, **fixed, "details": {"brand": {"name": "New"}}}
        )
    assert result.is_error
    (problem,) = result.structured_content["error"]["problems"]
    assert "cannot change after creation; create a new sender with create_rcs_sender" in problem["problem"]
    assert rcs_transport.api_calls() == []


async def test_update_needs_something_to_set(rcs_server, rcs_transport):
    async with Client(rcs_server) as client:
        result = await client.call_tool("update_rcs_sender", {"sender_id": FIXTURE_SENDER, "details": {}})
    assert result.structured_content["error"]["problems"][0]["problem"] == (
        "nothing to update: set at least one field of details"
    )
    assert rcs_transport.api_calls() == []


async def test_update_sets_only_what_is_given_and_reads_it_back(rcs_server, rcs_transport):
    async with Client(rcs_server) as client:
        result = await client.call_tool(
            "update_rcs_sender",
            {
                "sender_id": FIXTURE_SENDER,
                "us_questionnaire_version": "v2",
                "details": {
                    "brand": {"color": "#112233"},
                    "questionnaire": {"general": {"answers": {"videoUris": ["https://a.example/demo.mp4"]}}},
                },
            },
        )
    body = result.structured_content
    assert body["verified"] == {"ok": True, "observed": f"read back sender {FIXTURE_SENDER}: details as requested"}
    brand = body["sender"]["details"]["brand"]
    assert brand["color"] == "#112233" and unfence(brand["logoUrl"]) == "https://sandbox-coffee.example/rcs/logo.png"
    patch = next(r for r in rcs_transport.requests if r.method == "PATCH")
    assert patch.url.params["usQuestionnaireVersion"] == "v2"
    assert json.loads(patch.content) == {
        "details": {
            "brand": {"color": "#112233"},
            "questionnaire": {"general": {"answers": {"videoUris": ["https://a.example/demo.mp4"]}}},
        }
    }


async def test_list_filters_and_summarises(rcs_server, rcs_transport):
    async with Client(rcs_server) as client:
        await create(client, brand={"name": "Acme Parcels"})
        listed = await client.call_tool(
            "list_rcs_senders",
            {"filter_states": ["IN_TEST", "DRAFT"], "search": "coffee", "sort_column": "NAME", "sort_direction": "ASC",
             "filter_sender_ids": [FIXTURE_SENDER, "11111111-2222-4333-8444-555555555555"], "page_size": 10},
        )  # fmt: skip
        full = await client.call_tool("list_rcs_senders", {"detail": "full", "filter_states": ["DRAFT"]})
    body = listed.structured_content
    assert body["total_size"] == 1
    (summary,) = body["senders"]
    assert set(summary) == {"id", "state", "region", "useCase", "billingCategory", "details", "modified"}
    assert set(summary["details"]) == {"brand", "countries"} and set(summary["details"]["brand"]) == {"name"}
    assert "Sandbox Coffee" in summary["details"]["brand"]["name"] and NOTICE in summary["details"]["brand"]["name"]
    request = next(r for r in rcs_transport.requests if r.url.params.get("search") == "coffee")
    assert request.url.params.get_list("filterStates") == ["IN_TEST", "DRAFT"]
    assert request.url.params["filterSenderIds"] == f"{FIXTURE_SENDER},11111111-2222-4333-8444-555555555555"
    assert request.url.params["sortColumn"] == "NAME" and request.url.params["pageSize"] == "10"
    assert "filterSenderName" not in request.url.params
    (draft,) = full.structured_content["senders"]
    assert draft["state"] == "DRAFT" and "questionnaire" in draft["details"]


async def test_the_deprecated_name_filter_is_not_an_argument(rcs_server, rcs_transport):
    async with Client(rcs_server) as client:
        result = await client.call_tool("list_rcs_senders", {"filter_sender_name": "coffee"})
    assert result.structured_content["error"]["problems"] == [
        {"field": "filter_sender_name", "problem": "not an argument of this tool"}
    ]
    assert rcs_transport.api_calls() == []


async def test_get_shows_the_sender_with_third_party_text_fenced(rcs_server):
    async with Client(rcs_server) as client:
        result = await client.call_tool("get_rcs_sender", {"sender_id": FIXTURE_SENDER})
        missing = await client.call_tool("get_rcs_sender", {"sender_id": "11111111-2222-4333-8444-555555555555"})
    sender = result.structured_content["sender"]
    assert sender["state"] == "IN_TEST" and sender["authName"]
    assert sender["details"]["brand"]["description"].count(NOTICE) == 1
    assert sender["details"]["brand"]["emails"][0]["label"].count(NOTICE) == 1
    assert unfence(sender["details"]["brand"]["emails"][0]["address"]) == "support@sandbox-coffee.example"
    answers = sender["details"]["questionnaire"]["general"]["answers"]
    assert all(NOTICE in answer for answer in answers.values())
    assert NOTICE not in json.dumps(sender["details"]["questionnaire"]["general"]["questions"])  # Sinch's own text
    assert any("add_rcs_test_numbers" in step for step in result.structured_content["next_steps"])
    assert missing.is_error and missing.structured_content["error"]["errorCode"] == "sender_not_found"


async def test_activities_and_comments(rcs_server):
    async with Client(rcs_server) as client:
        comment = await client.call_tool(
            "add_rcs_sender_comment", {"sender_id": FIXTURE_SENDER, "comment": "Banner replaced."}
        )
        activities = await client.call_tool("list_rcs_sender_activities", {"sender_id": FIXTURE_SENDER, "page_size": 5})
        empty = await client.call_tool("add_rcs_sender_comment", {"sender_id": FIXTURE_SENDER, "comment": ""})
    assert comment.structured_content["verified"]["ok"]
    assert "Banner replaced." in comment.structured_content["comment"]["comment"]
    latest, created = activities.structured_content["activities"]
    assert latest["type"] == "COMMENT_ADDED" and NOTICE in latest["comment"]
    assert created["type"] == "CREATED"
    assert empty.structured_content["error"]["problems"][0]["field"] == "comment"
