"""Sandbox RCS senders over HTTP: create and its rules, lists, PATCH, the launch lifecycle, events, questionnaire."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import CLOCK_START
from sinch_provisioning_mcp.sandbox.rcs_senders import SENDERS

BASE = "/v1/projects/sandbox-project/rcs"
FIXTURE = "00000000-0000-4000-8000-000000000051"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
BRAND = {
    "name": "Acme",
    "emails": [{"label": "Support", "address": "help@acme.example"}],
    "logoUrl": "https://acme.example/logo.png",
    "bannerUrl": "https://acme.example/banner.png",
    "privacyPolicyUrl": "https://acme.example/privacy",
    "termsOfServiceUrl": "https://acme.example/terms",
}
ANSWERS = {
    "general": {
        "answers": {
            "optInDescription": "Newsletter",
            "triggerDescription": "Purchases",
            "interactionsDescription": "Order updates",
            "optOutDescription": "Bye",
        }
    },
    "verification": {"answers": {"name": "Kim", "email": "kim@acme.example", "title": "CTO", "website": "https://acme.example"}},
}


def errors(response) -> list[str]:
    return response.json()["additionalInformation"]["validationErrors"]


async def create(client, **details: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"region": "EU", "billingCategory": "CONVERSATIONAL", "useCase": "TRANSACTIONAL"}
    if details:
        body["details"] = details
    response = await client.post(f"{BASE}/senders", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def state_of(sandbox_app):
    return sandbox_app.state.sandbox


async def ready_sender(client, sandbox_app, *, video: bool = False) -> str:
    answers = {**ANSWERS, "general": {"answers": {**ANSWERS["general"]["answers"]}}}
    if video:
        answers["general"]["answers"]["videoUris"] = ["https://acme.example/demo.mp4"]
    sender = await create(client, brand=BRAND, countries=["SE"], questionnaire=answers)
    state_of(sandbox_app).advance(5)
    return sender["id"]


async def test_created_sender_is_a_draft_with_its_own_credentials(client):
    sender = await create(client, brand={"name": "Acme"}, countries=["FR"])
    assert UUID.fullmatch(sender["id"])
    assert sender["state"] == "DRAFT" and sender["hostingRegion"] == "EUROPE"
    assert len(sender["authToken"]) == 20 and len(sender["authName"]) == 12
    assert sender["details"]["brand"] == {"name": "Acme"}
    assert sender["countryStatus"][0]["status"] == "NOT_LAUNCHED"
    # the questions asked of it: general, verification and the French section
    assert list(sender["details"]["questionnaire"]) == ["general", "verification", "fr"]
    other = await create(client)
    assert other["authToken"] != sender["authToken"]


async def test_create_validates_nested_details_with_full_paths(client):
    response = await client.post(
        f"{BASE}/senders",
        json={
            "region": "MARS",
            "billingCategory": "CONVERSATIONAL",
            "useCase": "OTP",
            "details": {
                "brand": {
                    "description": "x" * 101,
                    "color": "brown",
                    "emails": [{"label": "a", "address": "nope"}],
                    "phones": [{"label": "a", "number": "12-34"}],
                    "logoUrl": "not a url",
                    "extra": 1,
                },
                "countries": ["XX"],
                "testNumbers": ["0701234567"],
                "questionnaire": {"general": {"answers": {"favouriteColour": "blue"}}},
            },
        },
    )
    assert response.status_code == 400
    assert errors(response) == [
        "region must be one of the following values: BR, EU, US",
        "details.brand.property extra should not exist",
        "details.brand.description must be shorter than or equal to 100 characters",
        "details.brand.emails.0.address must be an email",
        "details.brand.logoUrl must be a URL address",
        "details.each value in countries must be one of the following values: "
        "AT, BE, BR, CA, CZ, DK, FI, FR, DE, GR, HU, IT, MX, NL, NO, PE, PL, PT, SG, SK, ES, SE, US, GB",
        "details.each value in testNumbers must be a valid phone number",
    ]


async def test_create_checks_colour_phones_unique_addresses_and_answer_keys(client):
    response = await client.post(
        f"{BASE}/senders",
        json={
            "region": "EU",
            "billingCategory": "CONVERSATIONAL",
            "useCase": "OTP",
            "details": {
                "brand": {
                    "color": "brown",
                    "phones": [{"label": "a", "number": "12-34"}],
                    "emails": [{"label": "a", "address": "a@b.co"}, {"label": "b", "address": "a@b.co"}],
                },
                "questionnaire": {"general": {"answers": {"favouriteColour": "blue"}}},
            },
        },
    )
    assert errors(response) == [
        "details.brand.color must be a hexadecimal color",
        "details.brand.phones.0.number must be a valid phone number",
        "details.brand.emails must not contain the same address twice",
        "property details.questionnaire.general.answers.favouriteColour should not exist",
    ]


async def test_deprecated_billing_categories_are_still_accepted_by_the_api(client):
    response = await client.post(
        f"{BASE}/senders", json={"region": "US", "billingCategory": "BASIC_MESSAGE", "useCase": "PROMOTIONAL"}
    )
    assert response.status_code == 201 and response.json()["billingCategory"] == "BASIC_MESSAGE"


async def test_sender_ids_are_uuids(client):
    malformed = await client.get(f"{BASE}/senders/not-a-uuid")
    assert (malformed.status_code, malformed.json()["errorCode"]) == (400, "invalid_id_format")
    missing = await client.get(f"{BASE}/senders/11111111-2222-4333-8444-555555555555")
    assert missing.json() == {
        "errorCode": "sender_not_found",
        "message": "Sender not found.",
        "resolution": "Verify that the parameters are correct.",
    }
    fixture = await client.get(f"{BASE}/senders/{FIXTURE.upper()}")  # UUIDs are case-insensitive
    assert fixture.json()["id"] == FIXTURE


async def test_list_filters_searches_sorts_and_pages(client, sandbox_app):
    zeta = await create(client, brand={"name": "Zeta Travel"})
    await create(client, brand={"name": "alpha foods"})
    state_of(sandbox_app).advance(5)
    draft = await create(client, brand={"name": "Alphabet Soup"})

    async def names(**params: Any) -> list[str]:
        response = await client.get(f"{BASE}/senders", params=params)
        assert response.status_code == 200, response.text
        return [s["details"]["brand"]["name"] for s in response.json()["senders"]]

    assert await names(search="ALPHA", sortColumn="NAME") == ["alpha foods", "Alphabet Soup"]
    assert await names(filterSenderName="zeta") == ["Zeta Travel"]
    assert await names(filterStates="DRAFT") == ["Alphabet Soup"]
    assert await names(filterSenderIds=f"{zeta['id']},{draft['id']}", sortColumn="NAME", sortDirection="DESC") == [
        "Zeta Travel",
        "Alphabet Soup",
    ]
    page = (await client.get(f"{BASE}/senders", params={"pageSize": 2, "sortColumn": "CREATED"})).json()
    assert page["totalSize"] == 4 and len(page["senders"]) == 2 and page["nextPageToken"]
    refused = await client.get(f"{BASE}/senders", params={"filterStates": "LIVE"})
    assert (refused.status_code, refused.json()["errorCode"]) == (400, "invalid_filter_states")
    too_big = await client.get(f"{BASE}/senders", params={"pageSize": 101})
    assert too_big.json()["errorCode"] == "invalid_page_size"


async def test_the_agent_is_ready_after_the_delay_and_says_so(client, sandbox_app):
    sender = await create(client)
    state = state_of(sandbox_app)
    state.advance(4.9)
    assert (await client.get(f"{BASE}/senders/{sender['id']}")).json()["state"] == "DRAFT"
    state.advance(0.1)
    ready = (await client.get(f"{BASE}/senders/{sender['id']}")).json()
    assert ready["state"] == "IN_TEST" and ready["supplierDetails"]["google"]["agentId"]
    (event,) = state.project("sandbox-project").outbox.after(0)
    assert event.trigger == "RCS_SENDER_STATUS_UPDATED" and event.payload["state"] == "IN_TEST"
    assert "authToken" not in event.payload and event.payload["authName"] == sender["authName"]
    activities = (await client.get(f"{BASE}/senders/{sender['id']}/activities")).json()["notifications"]
    assert [a["type"] for a in activities] == ["IN_TEST", "CREATED"]
    assert activities[0]["author"] == "Sinch"


async def test_patch_merges_details_and_refuses_fixed_fields(client):
    sender = await create(client, brand={"name": "Acme", "color": "#000000"}, countries=["FR"], questionnaire=ANSWERS)
    url = f"{BASE}/senders/{sender['id']}"
    fixed = await client.patch(url, json={"region": "US", "useCase": "OTP", "details": {}})
    assert errors(fixed) == ["property region should not exist", "property useCase should not exist"]
    response = await client.patch(
        url,
        json={
            "details": {
                "brand": {"color": "#ffffff", "emails": None},
                "countries": ["GB"],
                "questionnaire": {"general": {"answers": {"optOutDescription": None, "videoUris": ["https://a.example/v"]}}},
            }
        },
    )
    assert response.status_code == 200, response.text
    details = response.json()["details"]
    assert details["brand"] == {"name": "Acme", "color": "#ffffff"}
    assert details["countries"] == ["GB"]
    general = details["questionnaire"]["general"]["answers"]
    assert "optOutDescription" not in general and general["videoUris"] == ["https://a.example/v"]
    assert general["optInDescription"] == "Newsletter"  # untouched answers stay
    assert list(details["questionnaire"]) == ["general", "verification", "gb"]
    activities = (await client.get(f"{url}/activities")).json()["notifications"]
    assert activities[0] == {"type": "UPDATED", "created": "2023-11-14T22:13:20.250Z", "author": "Provisioning API user"}


async def test_the_us_questionnaire_version_is_chosen_on_patch(client):
    sender = await create(client, countries=["US"])
    url = f"{BASE}/senders/{sender['id']}"
    assert "ein" in sender["details"]["questionnaire"]["us"]["questions"]
    answers = {"details": {"questionnaire": {"us": {"answers": {"ownershipType": "PRIVATE"}}}}}
    v2 = await client.patch(url, params={"usQuestionnaireVersion": "v2"}, json=answers)
    assert v2.status_code == 200, v2.text
    assert "ownershipType" in v2.json()["details"]["questionnaire"]["us"]["questions"]
    bad = await client.patch(url, params={"usQuestionnaireVersion": "v3"}, json={"details": {}})
    assert errors(bad) == ["usQuestionnaireVersion must be one of the following values: v1, v2"]


async def test_launch_refuses_a_draft_then_lists_what_is_missing(client, sandbox_app):
    sender = await create(client, brand={"name": "Acme"})
    url = f"{BASE}/senders/{sender['id']}/launch"
    draft = await client.post(url)
    assert (draft.status_code, draft.json()["errorCode"]) == (409, "launch_invalid_agent_state")
    state_of(sandbox_app).advance(5)
    incomplete = await client.post(url)
    assert incomplete.status_code == 412 and incomplete.json()["errorCode"] == "launch_precondition_failed"
    assert errors(incomplete) == [
        "details.countries should not be empty",
        "details.brand.emails or details.brand.phones should not be empty",
        "details.brand.logoUrl should not be empty",
        "details.brand.bannerUrl should not be empty",
        "details.brand.privacyPolicyUrl should not be empty",
        "details.brand.termsOfServiceUrl should not be empty",
        "details.questionnaire.general.answers.optInDescription should not be empty",
        "details.questionnaire.general.answers.triggerDescription should not be empty",
        "details.questionnaire.general.answers.interactionsDescription should not be empty",
        "details.questionnaire.general.answers.optOutDescription should not be empty",
        "details.questionnaire.verification.answers.name should not be empty",
        "details.questionnaire.verification.answers.email should not be empty",
        "details.questionnaire.verification.answers.title should not be empty",
        "details.questionnaire.verification.answers.website should not be empty",
    ]
    assert (await client.get(f"{BASE}/senders/{sender['id']}")).json()["state"] == "IN_TEST"


async def test_country_sections_are_required_for_their_countries(client, sandbox_app):
    sender = await create(client, brand=BRAND, countries=["GB", "US"], questionnaire=ANSWERS)
    state_of(sandbox_app).advance(5)
    missing = errors(await client.post(f"{BASE}/senders/{sender['id']}/launch"))
    assert missing[0] == "details.questionnaire.verification.answers.phone should not be empty"  # US launch
    assert "details.questionnaire.gb.answers.companyLegalName should not be empty" in missing
    assert "details.questionnaire.gb.answers.campaignLength should not be empty" not in missing
    assert "details.questionnaire.us.answers.ein should not be empty" in missing


async def test_launch_without_video_waits_in_pending_launch_then_launches(client, sandbox_app):
    sender_id = await ready_sender(client, sandbox_app)
    state = state_of(sandbox_app)
    start = state.project("sandbox-project").outbox.last_sequence
    launched = await client.post(f"{BASE}/senders/{sender_id}/launch")
    assert launched.status_code == 200 and launched.json()["state"] == "PENDING_LAUNCH"
    assert launched.json()["countryStatus"][0]["status"] == "PENDING"
    state.advance(5)
    assert (await client.get(f"{BASE}/senders/{sender_id}")).json()["state"] == "LAUNCHING"
    state.advance(5)
    done = (await client.get(f"{BASE}/senders/{sender_id}")).json()
    assert done["state"] == "LAUNCHED" and done["launched"] == "2023-11-14T22:13:35.250Z"
    assert done["countryStatus"] == [
        {"country": "SE", "status": "LAUNCHED", "operators": [
            {"name": name, "status": "LAUNCHED", "modified": "2023-11-14T22:13:35.250Z"}
            for name in ("Tele2", "Telenor", "Telia", "Three")
        ]}
    ]  # fmt: skip
    events = [(e.trigger, e.payload["state"]) for e in state.project("sandbox-project").outbox.after(start)]
    assert events == [
        ("RCS_SENDER_OPERATOR_STATUS_UPDATED", "PENDING_LAUNCH"),
        ("RCS_SENDER_STATUS_UPDATED", "PENDING_LAUNCH"),
        ("RCS_SENDER_STATUS_UPDATED", "LAUNCHING"),
        ("RCS_SENDER_OPERATOR_STATUS_UPDATED", "LAUNCHED"),
        ("RCS_SENDER_STATUS_UPDATED", "LAUNCHED"),
    ]


async def test_launch_with_a_video_goes_straight_to_launching(client, sandbox_app):
    sender_id = await ready_sender(client, sandbox_app, video=True)
    launched = await client.post(f"{BASE}/senders/{sender_id}/launch")
    assert launched.json()["state"] == "LAUNCHING"
    activities = (await client.get(f"{BASE}/senders/{sender_id}/activities")).json()["notifications"]
    assert activities[0] == {"type": "LAUNCHING", "created": "2023-11-14T22:13:25.250Z", "author": "Provisioning API user"}


async def test_a_rejected_launch_returns_to_in_test_with_the_operators_remark(client, sandbox_app):
    sender_id = await ready_sender(client, sandbox_app, video=True)
    state = state_of(sandbox_app)
    state.set_outcome("sandbox-project", SENDERS, "rejected", reason="Brand logo is unreadable.", ref=sender_id)
    await client.post(f"{BASE}/senders/{sender_id}/launch")
    state.advance(5)
    sender = (await client.get(f"{BASE}/senders/{sender_id}")).json()
    assert sender["state"] == "IN_TEST"
    operator = sender["countryStatus"][0]["operators"][0]
    assert operator["status"] == "REJECTED" and operator["remark"] == "Brand logo is unreadable."
    event = state.project("sandbox-project").outbox.after(0)[-1]
    assert (event.trigger, event.comment) == ("RCS_SENDER_STATUS_UPDATED", "Brand logo is unreadable.")


async def test_a_sender_under_review_cannot_be_updated(client, sandbox_app):
    sender_id = await ready_sender(client, sandbox_app)
    await client.post(f"{BASE}/senders/{sender_id}/launch")
    response = await client.patch(f"{BASE}/senders/{sender_id}", json={"details": {"brand": {"name": "New"}}})
    assert (response.status_code, response.json()["errorCode"]) == (409, "sender_not_updatable")


async def test_comments_are_activities_and_events(client, clock, sandbox_app):
    clock.now = CLOCK_START + 60
    url = f"{BASE}/senders/{FIXTURE}/comments"
    response = await client.post(url, json={"comment": "Logo replaced."})
    assert response.status_code == 201
    assert response.json() == {"type": "CREATED", "comment": "Logo replaced.", "created": "2023-11-14T22:14:20.250Z"}
    (event,) = state_of(sandbox_app).project("sandbox-project").outbox.after(0)
    assert event.trigger == "RCS_SENDER_COMMENT_ADDED" and event.comment == "Logo replaced."
    empty = await client.post(url, json={"comment": ""})
    assert errors(empty) == ["comment must be longer than or equal to 1 characters"]


@pytest.mark.parametrize(
    ("use_case", "trigger_suggestion"),
    [("OTP", "User requests a one-time password"), ("PROMOTIONAL", "Marketing campaigns to subscribed users")],
)
async def test_questionnaire_per_use_case_and_countries(client, use_case, trigger_suggestion):
    response = await client.get(f"{BASE}/questionnaire/{use_case}", params=[("countries", "FR"), ("countries", "SE")])
    body = response.json()
    assert list(body) == ["general", "verification", "fr"]
    assert body["general"]["questions"]["triggerDescription"]["suggestedAnswers"] == [trigger_suggestion]
    assert list(body["fr"]["questions"]) == ["fullCompanyAddress", "siren"]


async def test_questionnaire_us_versions_and_validation(client):
    v1 = (await client.get(f"{BASE}/questionnaire/OTP", params={"countries": "US"})).json()["us"]["questions"]
    v2 = (await client.get(f"{BASE}/questionnaire/OTP", params={"countries": "US", "usQuestionnaireVersion": "v2"})).json()
    assert "ein" in v1 and "ownershipType" in v2["us"]["questions"]
    bad = await client.get(f"{BASE}/questionnaire/SPAM", params={"countries": "XX"})
    assert errors(bad)[0] == "useCase must be one of the following values: MULTIUSE, OTP, PROMOTIONAL, TRANSACTIONAL"
    assert errors(bad)[1].startswith("each value in countries must be one of the following values: AT, BE")
