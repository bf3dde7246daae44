"""Sandbox WhatsApp templates over HTTP: validation in the API's wording, review, the
update and delete rules, 30-day locks, field masks, sync."""

from __future__ import annotations

from sinch_provisioning_mcp.sandbox import SANDBOX_PROJECT_ID

TEMPLATES = f"/v1/projects/{SANDBOX_PROJECT_ID}/whatsapp/templates"
APPROVED = f"{TEMPLATES}/order_update/languages/EN_US"
DRAFT = f"{TEMPLATES}/welcome_offer/languages/EN"
BODY = {"type": "BODY", "text": "Hi {{1}}", "examples": ["Ann"]}


def new(name: str, **extra) -> dict:
    return {"name": name, "language": "EN_US", "category": "UTILITY", "details": {"components": [BODY]}, **extra}


async def advance(client, seconds: float) -> None:
    assert (await client.post("/_sandbox/clock/advance", json={"seconds": seconds})).status_code == 200


async def triggers(client) -> list[str]:
    return [
        e["trigger"] for e in (await client.get(f"/_sandbox/projects/{SANDBOX_PROJECT_ID}/outbox")).json()["events"]
    ]


async def test_validation_speaks_the_apis_language(client):
    body = new(
        "Bad",
        details={
            "components": [
                {"type": "HEADER", "format": "TEXT", "text": "x" * 61},
                {"type": "BUTTONS", "buttons": [{"type": "URL", "text": "y"}]},
            ]
        },
    )
    response = await client.post(TEMPLATES, json=body)
    assert response.status_code == 400
    assert response.json()["additionalInformation"]["validationErrors"] == [
        "name must match /^[a-z0-9][a-z0-9_]*[a-z0-9]$/ regular expression",
        "details.components.0.text must be shorter than or equal to 60 characters",
        "details.components.1.buttons.0.url must be a string",
        "details.components.1.buttons.0.url must be a URL address",
        "details.components must contain a BODY component",
    ]
    no_details = await client.post(TEMPLATES, json={"name": "a_b", "language": "EN", "category": "UTILITY"})
    assert no_details.json()["additionalInformation"]["validationErrors"] == ["details should not be null or undefined"]
    drafted = await client.post(
        TEMPLATES, json={"name": "a_b", "language": "EN", "category": "UTILITY", "status": "DRAFT"}
    )
    assert drafted.status_code == 201 and drafted.json()["changes"] == {
        "status": "DRAFT",
        "allowCategoryChange": False,
        "details": {},
    }
    twice = await client.post(
        TEMPLATES,
        json={"name": "x_y", "language": "EN", "category": "UTILITY", "details": {"components": [BODY, BODY]}},
    )
    assert (
        "details.components field 'type' must have unique values across items"
        in twice.json()["additionalInformation"]["validationErrors"]
    )


async def test_review_approves_or_rejects(client):
    created = (await client.post(TEMPLATES, json=new("shipping_update"))).json()
    assert "state" not in created and created["changes"]["status"] == "IN_PROGRESS"
    await client.post(TEMPLATES, json=new("reject_this"))
    await client.post(
        TEMPLATES,
        json=new("meta_says_no", details={"components": [{"type": "BODY", "text": "Hi {{2}}", "examples": ["a"]}]}),
    )
    await advance(client, 5)
    approved = (await client.get(f"{TEMPLATES}/shipping_update/languages/EN_US")).json()
    assert (
        approved["state"] == "APPROVED" and approved["details"] == {"components": [BODY]} and "changes" not in approved
    )
    for name in ("reject_this", "meta_says_no"):
        rejected = (await client.get(f"{TEMPLATES}/{name}/languages/EN_US")).json()
        assert (rejected["state"], rejected["rejectionCode"], rejected["changes"]["status"]) == (
            "REJECTED",
            "INVALID_FORMAT",
            "REJECTED",
        )
    assert sorted(await triggers(client)) == [
        "WHATSAPP_TEMPLATE_APPROVED",
        "WHATSAPP_TEMPLATE_REJECTED",
        "WHATSAPP_TEMPLATE_REJECTED",
    ]


async def test_update_rules(client):
    in_review = await client.patch(APPROVED, json={"status": "SUBMIT", "details": {"components": [BODY]}})
    assert in_review.json()["changes"]["status"] == "IN_PROGRESS" and in_review.json()["state"] == "APPROVED"
    blocked = await client.patch(APPROVED, json={"details": {"components": [BODY]}})
    assert (blocked.status_code, blocked.json()["errorCode"]) == (409, "template_changes_not_updatable")
    category = await client.patch(f"{TEMPLATES}/order_update/languages/EN_US", json={"category": "MARKETING"})
    assert category.json()["errorCode"] == "template_changes_not_updatable"
    await advance(client, 5)
    closed = await client.patch(APPROVED, json={"category": "MARKETING"})
    assert closed.json()["errorCode"] == "template_category_not_updatable"
    draft_category = await client.patch(DRAFT, json={"category": "UTILITY", "allowCategoryChange": True})
    assert (
        draft_category.json()["category"] == "UTILITY"
        and draft_category.json()["changes"]["allowCategoryChange"] is True
    )
    missing = await client.patch(f"{TEMPLATES}/nope/languages/EN", json={"status": "DRAFT"})
    bad_language = await client.patch(f"{TEMPLATES}/nope/languages/XX", json={"status": "DRAFT"})
    assert (
        missing.json()["errorCode"] == "template_not_found"
        and bad_language.json()["errorCode"] == "template_invalid_language_code"
    )


async def test_one_template_per_name_and_language_and_one_category_per_name(client):
    duplicate = await client.post(TEMPLATES, json=new("order_update"))
    assert (duplicate.status_code, duplicate.json()["errorCode"]) == (409, "template_exists")
    other_category = await client.post(TEMPLATES, json=new("order_update", language="DE", category="MARKETING"))
    assert other_category.json()["errorCode"] == "template_incorrect_category"


async def test_deletion_rules_and_locks(client):
    submitted = await client.delete(APPROVED)
    assert submitted.json()["errorCode"] == "template_not_deletable_due_to_input_config"
    assert (await client.delete(DRAFT)).status_code == 204
    assert (await client.get(DRAFT)).json()["errorCode"] == "template_not_found"
    assert (await client.delete(APPROVED, params={"deleteSubmitted": "true"})).status_code == 204
    locked = await client.post(TEMPLATES, json=new("order_update"))
    assert (locked.status_code, locked.json()["errorCode"]) == (409, "template_language_recently_deleted")
    await advance(client, 30 * 86400)
    assert (await client.post(TEMPLATES, json=new("order_update"))).status_code == 201
    assert (await client.delete(f"{TEMPLATES}/order_update")).status_code == 204
    name_locked = await client.post(TEMPLATES, json=new("order_update", language="FR"))
    assert name_locked.json()["errorCode"] == "template_name_recently_used"
    missing = await client.delete(f"{TEMPLATES}/order_update")
    assert missing.json()["errorCode"] == "template_not_found"
    assert await triggers(client) == ["WHATSAPP_TEMPLATE_DELETED"] * 3


async def test_field_masks_and_lists(client):
    masked = (await client.get(TEMPLATES, params={"fieldMask": ["name", "details.components.0.type"]})).json()
    assert masked["templates"] == [
        {"name": "order_update", "details": {"components": [{"type": "BODY"}, {"type": "BUTTONS"}]}},
        {"name": "welcome_offer"},
    ]
    bad = await client.get(APPROVED, params={"fieldMask": "password"})
    assert (bad.status_code, bad.json()["errorCode"]) == (400, "invalid_fields")
    by_prefix = (await client.get(TEMPLATES, params={"templateName": "welc"})).json()
    assert [t["name"] for t in by_prefix["templates"]] == ["welcome_offer"]
    approved = (await client.get(TEMPLATES, params={"filterStates": "APPROVED"})).json()
    assert [t["name"] for t in approved["templates"]] == ["order_update"]
    await client.post(
        f"/_sandbox/projects/{SANDBOX_PROJECT_ID}/seed", json={"resourceType": "whatsapp_template", "count": 1000}
    )
    page = (await client.get(TEMPLATES, params={"pageSize": 1000})).json()
    assert (len(page["templates"]), page["totalSize"]) == (1000, 1002)
    assert (await client.get(TEMPLATES, params={"pageSize": 1001})).json()["errorCode"] == "invalid_page_size"


async def test_sync_and_rate_limit(client):
    assert (await client.post(f"{TEMPLATES}/sync")).status_code == 200
    hello = (await client.get(f"{TEMPLATES}/hello_world/languages/EN_US")).json()
    assert hello["isMetaGenerated"] is True and hello["state"] == "APPROVED"
    limited = await client.post(f"{TEMPLATES}/sync")
    assert (limited.status_code, limited.json()["errorCode"]) == (429, "too_many_requests")
    await advance(client, 60)
    assert (await client.post(f"{TEMPLATES}/sync")).status_code == 200


async def test_activities_and_comments(client):
    assert (await client.post(f"{APPROVED}/comments", json={"comment": "Looks good"})).status_code == 201
    log = (await client.get(f"{APPROVED}/activities")).json()
    assert [a["type"] for a in log["notifications"]] == ["COMMENT_ADDED", "CREATED"]
    assert await triggers(client) == ["WHATSAPP_TEMPLATE_COMMENT_ADDED"]
    bad = await client.get(f"{TEMPLATES}/order_update/languages/en_us/activities")
    assert bad.json()["errorCode"] == "template_invalid_language_code"
