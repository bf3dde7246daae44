"""Sandbox KakaoTalk templates and template categories, through HTTP: review, rules, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx2
import pytest

from sinch_provisioning_mcp.sandbox import SANDBOX_PROJECT_ID
from sinch_provisioning_mcp.sandbox.kakaotalk_senders import SENDERS
from sinch_provisioning_mcp.sandbox.kakaotalk_templates import TEMPLATES

PROJECT = "kakao-project"
SENDER = f"/v1/projects/{PROJECT}/kakaotalk/senders/shop"
TEMPLATES_PATH = f"{SENDER}/templates"
CATEGORIES = f"/v1/projects/{PROJECT}/kakaotalk/categories/senders/shop/templates"
CONTROLS = f"/_sandbox/projects/{PROJECT}"
CODE = re.compile(r"[A-Za-z0-9]{20}")
# The catalog's list, so the sandbox's own copy is checked against it.
CATALOG_LANGUAGES = json.loads(
    (Path(__file__).resolve().parents[1] / "sinch_provisioning_mcp" / "api" / "provisioning-api.json").read_text()
)["common"]["enums"]["kakaotalk_template_languages"]
DETAILS = {"name": "Shipping notice", "language": "KO", "content": "#{name}님, 주문하신 상품이 발송되었습니다."}
BUTTON = {"ordering": 1, "type": "WEB_LINK", "name": "배송 조회", "linkMo": "https://shop.example/track"}


@pytest.fixture
async def shop(client):
    sender = {"plusFriendId": "shop", "details": {
        "adminPhoneNo": "+821012345678", "name": "Shop", "topLevelCategoryCode": "002",
        "midLevelCategoryCode": "0001", "subLevelCategoryCode": "0001"}}
    assert (await client.post(f"/v1/projects/{PROJECT}/kakaotalk/senders", json=sender)).status_code == 201
    return client


async def create(client: httpx2.AsyncClient, **details: Any) -> dict[str, Any]:
    response = await client.post(TEMPLATES_PATH, json={"details": {**DETAILS, **details}})
    assert response.status_code == 201, response.text
    return response.json()


def refused(response: httpx2.Response, status: int, code: str) -> dict[str, Any]:
    assert (response.status_code, response.json()["errorCode"]) == (status, code), response.text
    return response.json()


def problems(response: httpx2.Response) -> list[str]:
    return refused(response, 400, "invalid_input")["additionalInformation"]["validationErrors"]


async def triggers(client: httpx2.AsyncClient) -> list[tuple[str, str | None]]:
    return [(e["trigger"], e.get("comment")) for e in (await client.get(f"{CONTROLS}/outbox")).json()["events"]]


async def test_create_fills_the_defaults_and_goes_to_review(shop, sandbox_app):
    created = await create(shop, buttons=[BUTTON])
    assert CODE.fullmatch(created["code"]) and "state" not in created and "details" not in created
    assert created["changes"] == {"status": "IN_PROGRESS", "details": {
        **DETAILS, "messageType": "BASIC", "emphasizeType": "EMPHASIZE_TYPE_NONE", "categoryCode": "999999",
        "securityFlag": False, "buttons": [BUTTON]}}
    sandbox_app.state.sandbox.advance(5)
    approved = (await shop.get(f"{TEMPLATES_PATH}/{created['code']}")).json()
    assert approved["state"] == "APPROVED" and approved["details"] == created["changes"]["details"] and "changes" not in approved
    assert await triggers(shop) == [("KAKAOTALK_TEMPLATE_APPROVED", None)]
    history = (await shop.get(f"{TEMPLATES_PATH}")).json()["templates"][0]
    assert history["code"] == created["code"]
    template = sandbox_app.state.sandbox.project(PROJECT).collection(SENDERS).get("shop").collection(TEMPLATES).get(created["code"])
    assert [a.type for a in template.activities] == ["CREATED", "IN_PROGRESS"]  # approval reported by the event only


async def test_a_rejected_new_template_is_corrected_and_resubmitted(shop, sandbox_app):
    outcome = {"resourceType": "kakaotalk_template", "outcome": "rejected", "reason": "No ads in AlimTalk."}
    assert (await shop.post(f"{CONTROLS}/outcomes", json=outcome)).status_code == 201
    created = await create(shop)
    path = f"{TEMPLATES_PATH}/{created['code']}"
    refused(await shop.patch(path, json={"details": {"content": "x"}}), 409, "template_changes_not_updatable")
    sandbox_app.state.sandbox.advance(5)
    rejected = (await shop.get(path)).json()
    assert rejected["state"] == "REJECTED" and rejected["details"] == rejected["changes"]["details"]
    assert rejected["changes"]["status"] == "REJECTED"
    corrected = (await shop.patch(path, json={"status": "SUBMIT", "details": {"content": "발송되었습니다."}})).json()
    assert corrected["changes"]["status"] == "IN_PROGRESS" and corrected["state"] == "REJECTED"
    sandbox_app.state.sandbox.advance(5)
    approved = (await shop.get(path)).json()
    assert approved["state"] == "APPROVED" and approved["details"]["content"] == "발송되었습니다."
    assert await triggers(shop) == [("KAKAOTALK_TEMPLATE_REJECTED", "No ads in AlimTalk."), ("KAKAOTALK_TEMPLATE_APPROVED", None)]


async def test_a_rejected_edit_leaves_the_approved_template_in_use(shop, sandbox_app):
    created = await create(shop)
    sandbox_app.state.sandbox.advance(5)
    path = f"{TEMPLATES_PATH}/{created['code']}"
    sandbox_app.state.sandbox.set_outcome(PROJECT, TEMPLATES, "rejected", ref=f"shop/{created['code']}")
    await shop.patch(path, json={"status": "SUBMIT", "details": {"title": "광고"}})
    sandbox_app.state.sandbox.advance(5)
    after = (await shop.get(path)).json()
    assert after["state"] == "APPROVED" and after["changes"]["status"] == "REJECTED" and "title" not in after["details"]


async def test_drafts_are_edited_then_submitted_whole(shop):
    draft = (await shop.post(TEMPLATES_PATH, json={"status": "DRAFT", "details": {"name": "Later", "language": "EN"}})).json()
    assert draft["changes"]["status"] == "DRAFT"
    path = f"{TEMPLATES_PATH}/{draft['code']}"
    incomplete = await shop.patch(path, json={"status": "SUBMIT"})
    assert problems(incomplete) == ["details.content must be a string"]
    edited = (await shop.patch(path, json={"details": {"content": "Soon."}})).json()
    assert edited["changes"]["status"] == "DRAFT" and edited["changes"]["details"]["content"] == "Soon."
    assert (await shop.patch(path, json={"status": "SUBMIT"})).json()["changes"]["status"] == "IN_PROGRESS"


@pytest.mark.parametrize(
    ("details", "expected"),
    [
        ({"language": "XX"}, [f"details.language must be one of the following values: {', '.join(CATALOG_LANGUAGES)}"]),
        ({"buttons": [BUTTON, {**BUTTON, "ordering": 2}]}, ["details.All buttons's elements must be unique"]),
        ({"buttons": [{**BUTTON, "name": 1, "ordering": 9}]}, [
            "details.buttons.0.ordering must not be greater than 5", "details.buttons.0.name must be a string"]),
        ({"buttons": [{**BUTTON, "linkPc": "shop"}]}, ["details.buttons.0.linkPc must be a URL address"]),
        ({"buttons": [{**BUTTON, "schemeIos": "shop://track"}], "extra": ""}, ["details.extra must be longer than or equal to 1 characters"]),
        ({"emphasizeType": "BOLD", "ad": "x"}, [
            "details.property ad should not exist",
            "details.emphasizeType must be one of the following values: EMPHASIZE_TYPE_IMAGE, EMPHASIZE_TYPE_NONE, EMPHASIZE_TYPE_TEXT"]),
    ],
)
async def test_create_checks_nested_details_in_class_validator_wording(shop, details, expected):
    assert problems(await shop.post(TEMPLATES_PATH, json={"details": {**DETAILS, **details}})) == expected


async def test_create_errors(shop):
    await create(shop)
    refused(await shop.post(TEMPLATES_PATH, json={"details": DETAILS}), 409, "template_exists")
    wrong = await shop.post(TEMPLATES_PATH, json={"details": {**DETAILS, "name": "Other", "categoryCode": "123456"}})
    assert refused(wrong, 400, "template_invalid_category_code")["message"] == "Invalid template category code."
    refused(await shop.post(f"/v1/projects/{PROJECT}/kakaotalk/senders/nobody/templates", json={"details": DETAILS}), 404, "sender_not_found")


async def test_update_rules(shop, sandbox_app):
    first = await create(shop)
    second = await create(shop, name="Second", extra="More", buttons=[BUTTON])
    path = f"{TEMPLATES_PATH}/{second['code']}"
    refused(await shop.patch(path, json={"details": {"title": "x"}}), 409, "template_changes_not_updatable")
    sandbox_app.state.sandbox.advance(5)
    assert problems(await shop.patch(path, json={"details": {"language": "EN"}})) == ["details.property language should not exist"]
    refused(await shop.patch(path, json={"details": {"name": "Shipping notice"}}), 409, "template_exists")
    refused(await shop.patch(path, json={"details": {"categoryCode": "000000"}}), 400, "template_invalid_category_code")
    refused(await shop.patch(f"{TEMPLATES_PATH}/NOPE", json={}), 404, "template_not_found")
    # null removes what the update DTO lets be null, and leaves the others as they were
    cleared = (await shop.patch(path, json={"details": {"extra": None, "buttons": None, "content": None}})).json()
    assert cleared["changes"]["status"] == "DRAFT"
    assert "extra" not in cleared["changes"]["details"] and "buttons" not in cleared["changes"]["details"]
    assert cleared["changes"]["details"]["content"] == DETAILS["content"] and cleared["details"]["extra"] == "More"
    minimal = (await shop.patch(f"{TEMPLATES_PATH}/{first['code']}", json={})).json()  # the OAS minimal example
    assert minimal["changes"] == {"status": "DRAFT", "details": minimal["details"]}


async def test_list_is_alphabetical_filtered_and_paged(shop, sandbox_app):
    for name in ("Charlie", "alpha", "Bravo"):
        await create(shop, name=name)
    sandbox_app.state.sandbox.advance(5)
    await shop.post(TEMPLATES_PATH, json={"status": "DRAFT", "details": {**DETAILS, "name": "Brief"}})
    listed = (await shop.get(TEMPLATES_PATH)).json()["templates"]
    names = [t.get("details", {}).get("name") or t["changes"]["details"]["name"] for t in listed]
    assert names == ["Bravo", "Brief", "Charlie", "alpha"]  # by name as stored
    prefixed = (await shop.get(TEMPLATES_PATH, params={"templateName": "Br"})).json()
    assert prefixed["totalSize"] == 2
    drafts = (await shop.get(TEMPLATES_PATH, params={"filterStatuses": "DRAFT"})).json()["templates"]
    assert [t["changes"]["details"]["name"] for t in drafts] == ["Brief"]
    approved = (await shop.get(TEMPLATES_PATH, params={"filterStates": "APPROVED", "pageSize": 2})).json()
    assert approved["totalSize"] == 3 and len(approved["templates"]) == 2 and approved["nextPageToken"]
    refused(await shop.get(TEMPLATES_PATH, params={"filterStates": "PENDING"}), 400, "invalid_filter_states")
    refused(await shop.get(TEMPLATES_PATH, params={"pageSize": 1001}), 400, "invalid_page_size")
    assert (await shop.get(TEMPLATES_PATH, params={"pageSize": 1000})).status_code == 200


async def test_delete_and_comment(shop):
    created = await create(shop)
    path = f"{TEMPLATES_PATH}/{created['code']}"
    commented = await shop.post(f"{path}/comments", json={"comment": "Please review soon."})
    assert commented.status_code == 201 and commented.json()["type"] == "CREATED"
    assert (await triggers(shop))[-1] == ("KAKAOTALK_TEMPLATE_COMMENT_ADDED", "Please review soon.")
    assert (await shop.delete(path)).status_code == 204
    refused(await shop.get(path), 404, "template_not_found")
    refused(await shop.delete(path), 404, "template_not_found")
    refused(await shop.post(f"{path}/comments", json={"comment": "x"}), 404, "template_not_found")


async def test_template_categories_are_paged_per_sender(shop):
    first = (await shop.get(CATEGORIES, params={"pageSize": 2})).json()
    assert first["totalSize"] == 3 and [c["nameEnglish"] for c in first["categories"]] == ["Membership", "Purchase"]
    rest = (await shop.get(CATEGORIES, params={"pageToken": first["nextPageToken"]})).json()
    assert rest["categories"] == [{"name": "기타", "nameEnglish": "Others", "subcategories": [{
        "code": "999999", "name": "기타", "nameEnglish": "Others", "groupName": "기타", "inclusion": "", "exclusion": ""}]}]
    refused(await shop.get(f"/v1/projects/{PROJECT}/kakaotalk/categories/senders/nobody/templates"), 404, "sender_not_found")
    refused(await shop.get(CATEGORIES, params={"pageSize": 0}), 400, "invalid_page_size")


async def test_the_seeded_template_and_seeding_many(client, sandbox_app):
    path = f"/v1/projects/{SANDBOX_PROJECT_ID}/kakaotalk/senders/sandbox-plusfriend/templates"
    (fixture,) = (await client.get(path)).json()["templates"]
    assert (fixture["code"], fixture["state"], fixture["details"]["name"]) == ("SANDBOXTEMPLATE00001", "APPROVED", "Sandbox order update")
    sender = sandbox_app.state.sandbox.project(SANDBOX_PROJECT_ID).collection(SENDERS).get("sandbox-plusfriend")
    sender.collection(TEMPLATES).seed(1000)
    page = (await client.get(path, params={"pageSize": 1000})).json()
    assert page["totalSize"] == 1001 and len(page["templates"]) == 1000 and page["nextPageToken"]
