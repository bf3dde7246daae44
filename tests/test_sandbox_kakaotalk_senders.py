"""Sandbox KakaoTalk senders and sender categories, through HTTP: the OTP order, changes, deletion, errors."""

from __future__ import annotations

import re
from typing import Any

import httpx2
import pytest

from conftest import CLOCK_START
from sinch_provisioning_mcp.sandbox import SANDBOX_PROJECT_ID
from sinch_provisioning_mcp.sandbox.values import iso8601

PROJECT = "kakao-project"
SENDERS = f"/v1/projects/{PROJECT}/kakaotalk/senders"
SEEDED = f"/v1/projects/{SANDBOX_PROJECT_ID}/kakaotalk/senders"
CONTROLS = f"/_sandbox/projects/{PROJECT}"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
DETAILS = {
    "adminPhoneNo": "+821098765432",
    "name": "Seoul Dental",
    "topLevelCategoryCode": "001",
    "midLevelCategoryCode": "0001",
    "subLevelCategoryCode": "0002",
}


async def create(client: httpx2.AsyncClient, plus_friend_id: str = "dental", **extra: Any) -> dict[str, Any]:
    response = await client.post(SENDERS, json={"plusFriendId": plus_friend_id, "details": DETAILS, **extra})
    assert response.status_code == 201, response.text
    return response.json()


async def onboard(client: httpx2.AsyncClient, plus_friend_id: str = "dental") -> dict[str, Any]:
    await create(client, plus_friend_id)
    assert (await client.post(f"{SENDERS}/{plus_friend_id}/register")).status_code == 200
    response = await client.post(f"{SENDERS}/{plus_friend_id}/verify", json={"code": 123456})
    assert response.status_code == 200, response.text
    return response.json()


def refused(response: httpx2.Response, status: int, code: str) -> dict[str, Any]:
    assert (response.status_code, response.json()["errorCode"]) == (status, code), response.text
    return response.json()


def validation_errors(response: httpx2.Response) -> list[str]:
    return refused(response, 400, "invalid_input")["additionalInformation"]["validationErrors"]


async def events(client: httpx2.AsyncClient) -> list[dict[str, Any]]:
    return (await client.get(f"{CONTROLS}/outbox")).json()["events"]


async def activity_types(client: httpx2.AsyncClient, plus_friend_id: str = "dental") -> list[str]:
    return [a["type"] for a in (await client.get(f"{SENDERS}/{plus_friend_id}/activities")).json()["notifications"]]


async def test_create_answers_the_new_sender_with_its_details_pending(client):
    created = await create(client)
    assert UUID.fullmatch(created.pop("id"))
    assert created == {
        "plusFriendId": "dental",
        "changes": {"status": "IN_PROGRESS", "details": DETAILS},
        "created": iso8601(CLOCK_START),
        "modified": iso8601(CLOCK_START),
    }
    assert (await client.get(f"{SENDERS}/dental")).json()["changes"]["status"] == "IN_PROGRESS"


async def test_the_otp_order_create_register_verify(client):
    await create(client)
    registered = await client.post(f"{SENDERS}/dental/register")
    assert registered.json()["state"] == "VERIFYING"
    wrong = await client.post(f"{SENDERS}/dental/verify", json={"code": 111111})
    assert refused(wrong, 409, "wrong_otp")["resolution"].startswith("Use the code sent to the admin phone")
    verified = (await client.post(f"{SENDERS}/dental/verify", json={"code": 123456})).json()
    assert verified["state"] == "ACTIVE" and verified["details"] == DETAILS and "changes" not in verified
    assert await activity_types(client) == ["ACTIVE", "IN_PROGRESS", "CREATED"]
    (event,) = await events(client)
    assert (event["trigger"], event["resourceType"], event["resourceId"]) == ("KAKAOTALK_SENDER_ACTIVE", "kakaotalk_sender", "dental")
    assert event["payload"]["state"] == "ACTIVE" and event["payload"]["details"] == DETAILS


async def test_the_otp_steps_refuse_out_of_order(client):
    await create(client)
    early = await client.post(f"{SENDERS}/dental/verify", json={"code": 123456})
    assert refused(early, 409, "not_allowed_verify")["resolution"] == 'Sender has to be in "VERIFYING" state to be verified.'
    await create(client, "drafty", status="DRAFT")
    refused(await client.post(f"{SENDERS}/drafty/register"), 409, "not_allowed_register")
    await client.post(f"{SENDERS}/dental/register")
    again = await client.post(f"{SENDERS}/dental/register")  # a new code while verifying
    assert again.json()["state"] == "VERIFYING"
    await client.post(f"{SENDERS}/dental/verify", json={"code": 123456})
    active = await client.post(f"{SENDERS}/dental/register")
    assert refused(active, 409, "not_allowed_register")["resolution"] == "Sender in \"ACTIVE\" state can't be registered."
    refused(await client.post(f"{SENDERS}/dental/verify", json={"code": 123456}), 409, "not_allowed_verify")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"code": "123456"}, ["code must be a number conforming to the specified constraints"]),
        ({}, ["code must be a number conforming to the specified constraints"]),
        ({"code": 123456, "token": "x"}, ["property token should not exist"]),
    ],
)
async def test_verify_takes_a_numeric_code(client, body, expected):
    await create(client)
    await client.post(f"{SENDERS}/dental/register")
    response = await client.post(f"{SENDERS}/dental/verify", json=body)
    assert validation_errors(response) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"plusFriendId": "", "details": DETAILS}, ["plusFriendId must be longer than or equal to 1 characters"]),
        ({"plusFriendId": "p" * 31, "details": DETAILS}, ["plusFriendId must be shorter than or equal to 30 characters"]),
        ({"plusFriendId": "p"}, ["nested property details must be either object or array"]),
        (
            {"plusFriendId": "p", "details": {**DETAILS, "adminPhoneNo": "010-9876-5432", "logoImage": "logo.png"}},
            ["details.adminPhoneNo must be a valid phone number", "details.logoImage must be a URL address"],
        ),
        ({"plusFriendId": "p", "details": {"name": "x"}}, [
            "details.adminPhoneNo must be a string",
            "details.adminPhoneNo must be a valid phone number",
            "details.topLevelCategoryCode must be a string",
            "details.midLevelCategoryCode must be a string",
            "details.subLevelCategoryCode must be a string",
        ]),
        ({"plusFriendId": "p", "details": DETAILS, "status": "LATER"}, ["status must be one of the following values: DRAFT, SUBMIT"]),
    ],
)
async def test_create_checks_its_body_in_class_validator_wording(client, body, expected):
    assert validation_errors(await client.post(SENDERS, json=body)) == expected


async def test_a_draft_needs_no_details(client):
    response = await client.post(SENDERS, json={"plusFriendId": "bare", "status": "DRAFT"})
    assert response.status_code == 201 and response.json()["changes"] == {"status": "DRAFT", "details": {}}
    incomplete = await client.patch(f"{SENDERS}/bare", json={"status": "SUBMIT"})
    assert "details.name must be a string" in validation_errors(incomplete)


async def test_create_errors(client):
    await create(client)
    refused(await client.post(SENDERS, json={"plusFriendId": "dental", "details": DETAILS}), 409, "plus_friend_id_used")
    unknown = ({"topLevelCategoryCode": "009"}, {"midLevelCategoryCode": "0009"})
    not_a_path = {"topLevelCategoryCode": "002", "subLevelCategoryCode": "0002"}  # 002 > 0001 has only 0001
    for codes in (*unknown, not_a_path):
        response = await client.post(SENDERS, json={"plusFriendId": "x", "details": {**DETAILS, **codes}})
        refused(response, 400, "sender_invalid_category_code")
    refused(await client.post(SENDERS, content=b"plusFriendId=x"), 400, "invalid_payload")


async def test_an_active_senders_edit_is_reviewed_and_applied(client, sandbox_app):
    await onboard(client)
    draft = (await client.patch(f"{SENDERS}/dental", json={"details": {"name": "Busan Dental"}})).json()
    assert draft["changes"] == {"status": "DRAFT", "details": {**DETAILS, "name": "Busan Dental"}} and draft["details"] == DETAILS
    submitted = (await client.patch(f"{SENDERS}/dental", json={"status": "SUBMIT"})).json()
    assert submitted["changes"]["status"] == "IN_PROGRESS"
    refused(await client.patch(f"{SENDERS}/dental", json={"status": "SUBMIT"}), 409, "sender_changes_not_updatable")
    sandbox_app.state.sandbox.advance(5)
    applied = (await client.get(f"{SENDERS}/dental")).json()
    assert applied["details"]["name"] == "Busan Dental" and "changes" not in applied and applied["state"] == "ACTIVE"
    assert await activity_types(client) == ["EDITED", "IN_PROGRESS", "DRAFT", "ACTIVE", "IN_PROGRESS", "CREATED"]
    activities = (await client.get(f"{SENDERS}/dental/activities")).json()["notifications"]
    assert (activities[0]["author"], activities[1]["author"]) == ("Sinch", "Provisioning API user")
    assert [e["trigger"] for e in await events(client)] == ["KAKAOTALK_SENDER_ACTIVE"] * 2


async def test_a_rejected_edit_keeps_the_live_details_until_discarded(client, sandbox_app):
    await onboard(client)
    outcome = {"resourceType": "kakaotalk_sender", "outcome": "rejected", "reason": "Category does not match.", "resourceId": "dental"}
    assert (await client.post(f"{CONTROLS}/outcomes", json=outcome)).status_code == 201
    await client.patch(f"{SENDERS}/dental", json={"status": "SUBMIT", "details": {"subLevelCategoryCode": "0003"}})
    sandbox_app.state.sandbox.advance(5)
    rejected = (await client.get(f"{SENDERS}/dental")).json()
    assert rejected["changes"]["status"] == "REJECTED" and rejected["details"] == DETAILS
    event = (await events(client))[-1]
    assert (event["trigger"], event["comment"]) == ("KAKAOTALK_SENDER_REJECTED", "Category does not match.")
    refused(await client.patch(f"{SENDERS}/dental", json={"details": {"name": "x"}}), 409, "sender_changes_not_updatable")
    listed = (await client.get(SENDERS, params={"filterStatuses": "REJECTED"})).json()
    assert [s["plusFriendId"] for s in listed["senders"]] == ["dental"]
    assert (await client.delete(f"{SENDERS}/dental/changes")).status_code == 204
    after = (await client.get(f"{SENDERS}/dental")).json()
    assert "changes" not in after and after["details"] == DETAILS
    refused(await client.delete(f"{SENDERS}/dental/changes"), 404, "sender_changes_not_found")


async def test_changes_under_way_cannot_be_discarded_or_updated(client):
    await create(client)
    response = await client.delete(f"{SENDERS}/dental/changes")
    resolution = refused(response, 409, "sender_changes_not_deletable")["resolution"]
    assert resolution == "Only DRAFT, REJECTED senders changes can be marked for deletion."
    refused(await client.patch(f"{SENDERS}/dental", json={"details": {"name": "x"}}), 409, "sender_changes_not_updatable")


async def test_a_sender_without_changes_must_be_active_to_update(client):
    await create(client, "drafty", status="DRAFT")
    assert (await client.delete(f"{SENDERS}/drafty/changes")).status_code == 204
    refused(await client.get(f"{SENDERS}/drafty"), 404, "sender_not_found")  # nothing remained of it
    refused(await client.patch(f"{SEEDED}/sandbox-verifying", json={"details": {"name": "x"}}), 409, "sender_changes_not_updatable")


async def test_update_checks(client):
    await onboard(client)
    refused(await client.patch(f"{SENDERS}/dental", json={}), 400, "no_fields_to_update")
    refused(await client.patch(f"{SENDERS}/dental", json={"details": {}}), 400, "no_fields_to_update")
    bad = await client.patch(f"{SENDERS}/dental", json={"details": {"adminPhoneNo": "12"}})
    assert validation_errors(bad) == ["details.adminPhoneNo must be a valid phone number"]
    refused(await client.patch(f"{SENDERS}/dental", json={"details": {"midLevelCategoryCode": "0009"}}), 400, "sender_invalid_category_code")
    refused(await client.patch(f"{SENDERS}/nobody", json={"status": "SUBMIT"}), 404, "sender_not_found")


async def test_a_null_logo_removes_it(client):
    await onboard(client)
    await client.patch(f"{SENDERS}/dental", json={"details": {"logoImage": "https://example.com/logo.png"}})
    with_logo = (await client.get(f"{SENDERS}/dental")).json()["changes"]["details"]
    assert with_logo["logoImage"] == "https://example.com/logo.png"
    without = (await client.patch(f"{SENDERS}/dental", json={"details": {"logoImage": None, "name": None}})).json()
    assert "logoImage" not in without["changes"]["details"] and without["changes"]["details"]["name"] == "Seoul Dental"


async def test_deletion_keeps_the_sender_60_days_then_removes_it_with_its_templates(client, sandbox_app):
    await onboard(client)
    template = await client.post(f"{SENDERS}/dental/templates", json={"details": {"name": "t", "language": "KO", "content": "c"}})
    assert template.status_code == 201
    assert (await client.delete(f"{SENDERS}/dental")).status_code == 204
    assert (await client.get(f"{SENDERS}/dental")).json()["state"] == "ACTIVE"
    again = await client.delete(f"{SENDERS}/dental")
    assert refused(again, 409, "sender_already_deleted")["message"] == "The sender has been deleted within the last 60 days."
    sandbox_app.state.sandbox.advance(60 * 86400 - 1)
    assert (await client.get(f"{SENDERS}/dental")).status_code == 200
    sandbox_app.state.sandbox.advance(1)
    refused(await client.get(f"{SENDERS}/dental"), 404, "sender_not_found")
    refused(await client.get(f"{SENDERS}/dental/templates"), 404, "sender_not_found")
    await create(client)  # the plusFriendId is free again


async def test_list_filters_pages_and_refuses_unknown_values(client):
    for n in range(3):
        await onboard(client, f"s{n}")
    await create(client, "pending")
    page = (await client.get(SENDERS, params={"pageSize": 2, "filterStates": "ACTIVE,VERIFYING"})).json()
    assert [s["plusFriendId"] for s in page["senders"]] == ["s0", "s1"] and page["totalSize"] == 3
    rest = (await client.get(SENDERS, params={"pageToken": page["nextPageToken"], "pageSize": 2, "filterStates": ["ACTIVE"]})).json()
    assert [s["plusFriendId"] for s in rest["senders"]] == ["s2"]
    statuses = (await client.get(SENDERS, params=[("filterStatuses", "IN_PROGRESS"), ("filterStatuses", "DRAFT")])).json()
    assert [s["plusFriendId"] for s in statuses["senders"]] == ["pending"]
    bad = await client.get(SENDERS, params={"filterStates": "GONE"})
    assert refused(bad, 400, "invalid_filter_states")["message"] == "Invalid filterStates: GONE."
    refused(await client.get(SENDERS, params={"filterStatuses": "DONE"}), 400, "invalid_filter_statuses")
    refused(await client.get(SENDERS, params={"pageSize": 101}), 400, "invalid_page_size")


async def test_comments_are_recorded_and_announced(client):
    await create(client)
    response = await client.post(f"{SENDERS}/dental/comments", json={"comment": "Logo attached."})
    assert response.status_code == 201
    assert response.json() == {"type": "CREATED", "comment": "Logo attached.", "created": iso8601(CLOCK_START)}
    newest = (await client.get(f"{SENDERS}/dental/activities")).json()["notifications"][0]
    assert newest == {"type": "COMMENT_ADDED", "created": iso8601(CLOCK_START), "author": "Provisioning API user", "comment": "Logo attached."}
    (event,) = await events(client)
    assert (event["trigger"], event["comment"]) == ("KAKAOTALK_SENDER_COMMENT_ADDED", "Logo attached.")
    empty = await client.post(f"{SENDERS}/dental/comments", json={"comment": ""})
    refused(empty, 400, "invalid_input")
    refused(await client.post(f"{SENDERS}/nobody/comments", json={"comment": "x"}), 404, "sender_not_found")


async def test_the_category_tree(client):
    tree = (await client.get(f"/v1/projects/{PROJECT}/kakaotalk/categories/senders")).json()["categories"]
    assert [(c["code"], c["name"], c["parentCode"], c["depth"]) for c in tree] == [("001", "건강", "", 1), ("002", "교육", "", 1)]
    hospital = tree[0]["subcategories"][0]
    assert (hospital["code"], hospital["parentCode"], hospital["depth"]) == ("0001", "001", 2)
    assert [(c["code"], c["parentCode"], c["depth"], c["subcategories"]) for c in hospital["subcategories"]][0] == ("0001", "0001", 3, [])


async def test_the_seeded_project_has_its_fixtures(client):
    listed = (await client.get(SEEDED)).json()["senders"]
    assert [(s["plusFriendId"], s.get("state"), (s.get("changes") or {}).get("status")) for s in listed] == [
        ("sandbox-plusfriend", "ACTIVE", None),
        ("sandbox-verifying", "VERIFYING", "IN_PROGRESS"),
        ("sandbox-draft", None, "DRAFT"),
    ]
    verified = (await client.post(f"{SEEDED}/sandbox-verifying/verify", json={"code": 123456})).json()
    assert verified["state"] == "ACTIVE" and verified["details"]["name"] == "Sandbox Dermatology"
    history = (await client.get(f"{SEEDED}/sandbox-plusfriend/activities")).json()["notifications"]
    assert [(a["type"], a["author"]) for a in history] == [("CREATED", "Sinch")]
    assert (await client.get(f"/_sandbox/projects/{SANDBOX_PROJECT_ID}/outbox")).json()["events"][0]["trigger"] == "KAKAOTALK_SENDER_ACTIVE"


async def test_seeding_many_senders(client):
    seeded = await client.post(f"{CONTROLS}/seed", json={"resourceType": "kakaotalk_sender", "count": 120})
    assert seeded.status_code == 201 and seeded.json()["resourceIds"][:2] == ["seeded-00000", "seeded-00001"]
    listed = (await client.get(SENDERS, params={"pageSize": 100, "filterStates": "ACTIVE"})).json()
    assert listed["totalSize"] == 120 and len(listed["senders"]) == 100
