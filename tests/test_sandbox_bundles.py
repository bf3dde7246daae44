"""Sandbox Bundles family: the work order, what it creates where, its end (DONE or FAILED) and its errors."""

import re

import pytest

from conftest import validation_errors
from sinch_provisioning_mcp.sandbox import SANDBOX_PROJECT_ID
from sinch_provisioning_mcp.sandbox.bundles import BUNDLES, FIXTURE_BUNDLE_ID
from sinch_provisioning_mcp.sandbox.conversation import FIXTURE_CONVERSATION_APP_ID
from sinch_provisioning_mcp.sandbox.sms_apps import FIXTURE_SMS_APP_ID

PROJECT = "bundle-project"
BUNDLES_PATH = f"/v1/projects/{PROJECT}/bundles"
DELAY = 5
HEX24 = re.compile(r"[0-9a-f]{24}")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
FORBIDDEN = "https://conversation-api.eu.sinch.com/x"
HOOK = {"target": "https://hooks.example.com/bundles", "secret": "bundle-secret", "triggers": ["BUNDLE_DONE"]}
FULL = {
    "name": "Support stack",
    "region": "US",
    "subproject": {"name": "Support", "labels": {"team": "care"}},
    "smsApp": True,
    "convApp": {
        "webhooks": [{"target": "https://hooks.example.com/conversation", "triggers": ["MESSAGE_INBOUND"], "secret": "cs"}],
        "processingMode": "CONVERSATION",
        "retentionPolicy": {"retentionPolicyType": "PERSIST_RETENTION_POLICY"},
        "consentManagerSettings": {"mode": "PRIMARY"},
    },
    "webhooks": [HOOK],
}


@pytest.fixture
def state(sandbox_app):
    return sandbox_app.state.sandbox


async def order(client, body: dict, path: str = BUNDLES_PATH) -> dict:
    response = await client.post(path, json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def test_the_order_answers_in_progress_with_everything_created_in_the_subproject(client):
    bundle = await order(client, FULL)
    subproject = bundle["subproject"]
    assert HEX24.fullmatch(bundle["id"]) and UUID.fullmatch(subproject["id"])
    assert bundle["state"] == "IN_PROGRESS" and bundle["region"] == "US" and bundle["name"] == "Support stack"
    assert bundle["projectId"] == subproject["id"]
    assert subproject == {
        "id": subproject["id"],
        "name": "Support",
        "labels": {"team": "care"},
        "parentProjectId": PROJECT,
        "status": "PENDING",
    }
    assert bundle["smsApp"]["status"] == "PENDING_ADD" and bundle["smsApp"]["name"] == "Support stack"
    conv = bundle["convApp"]
    assert conv["name"] == "Support stack" and conv["processingMode"] == "CONVERSATION"
    assert conv["retentionPolicy"] == {"retentionPolicyType": "PERSIST_RETENTION_POLICY", "ttl": 180}
    assert conv["consentManagerSettings"] == {"mode": "PRIMARY"}
    assert [hook["target"] for hook in conv["webhooks"]] == ["https://hooks.example.com/conversation"]
    assert "cs" not in str(conv) and "bundle-secret" not in str(bundle)
    assert [(hook["target"], hook["projectId"]) for hook in bundle["webhooks"]] == [(HOOK["target"], subproject["id"])]

    sub = f"/v1/projects/{subproject['id']}"
    assert (await client.get(f"{sub}/sms/smsApps/{bundle['smsApp']['id']}")).json()["status"] == "PENDING_ADD"
    assert (await client.get(f"{sub}/webhooks")).json()["webhooks"] == bundle["webhooks"]
    assert (await client.get(f"/v1/projects/{PROJECT}/sms/smsApps")).json()["totalSize"] == 0
    assert (await client.get(f"{BUNDLES_PATH}/{bundle['id']}")).json() == bundle


async def test_after_the_delay_it_is_done_and_says_so_in_both_outboxes(client, state):
    bundle = await order(client, FULL)
    state.advance(DELAY - 1)
    assert (await client.get(f"{BUNDLES_PATH}/{bundle['id']}")).json()["state"] == "IN_PROGRESS"
    state.advance(1)
    done = (await client.get(f"{BUNDLES_PATH}/{bundle['id']}")).json()
    assert done["state"] == "DONE" and done["subproject"]["status"] == "READY"
    assert done["smsApp"]["status"] == "ACTIVE" and done["convApp"]["smsChannelStatus"] == "ACTIVE"
    sub = done["projectId"]
    app = (await client.get(f"/v1/projects/{sub}/sms/smsApps/{done['smsApp']['id']}")).json()
    assert app["status"] == "ACTIVE" and app["conversationApiAppDetails"]["id"] == done["convApp"]["id"]
    for project in (PROJECT, sub):
        [event] = state.project(project).outbox.after(0)
        assert (event.trigger, event.resource_type, event.resource_id) == ("BUNDLE_DONE", BUNDLES.name, bundle["id"])
        assert event.payload == done


async def test_a_bundle_without_subproject_creates_in_its_own_project(client, state):
    bundle = await order(client, {"name": "Plain", "region": "EU", "smsApp": {"name": "Own name"}})
    assert bundle["projectId"] == PROJECT and "subproject" not in bundle and "convApp" not in bundle
    listed = (await client.get(f"/v1/projects/{PROJECT}/sms/smsApps")).json()["smsApps"]
    assert [(app["name"], app["status"]) for app in listed] == [("Own name", "PENDING_ADD")]
    assert "conversationApiAppDetails" not in listed[0]
    state.advance(DELAY)
    assert [event.trigger for event in state.project(PROJECT).outbox.after(0)] == ["BUNDLE_DONE"]


async def test_a_created_conversation_app_has_no_channel_yet(client):
    bundle = await order(client, {"name": "Conv", "region": "EU", "convApp": True})
    assert bundle["convApp"]["processingMode"] == "DISPATCH"
    assert bundle["convApp"]["retentionPolicy"] == {"retentionPolicyType": "MESSAGE_EXPIRE_POLICY", "ttl": 7}
    info = await client.get(f"/v1/projects/{PROJECT}/conversation/apps/{bundle['convApp']['id']}/viber")
    assert info.status_code == 404 and info.json()["errorCode"] == "conversation_app_no_viber_channel"


async def test_the_failed_outcome_ends_it_failed_with_its_reason(client, state):
    state.set_outcome(PROJECT, BUNDLES, "failed", reason="failed_to_create_sms_service")
    bundle = await order(client, {"name": "Doomed", "region": "EU", "smsApp": True, "convApp": True})
    state.advance(DELAY)
    failed = (await client.get(f"{BUNDLES_PATH}/{bundle['id']}")).json()
    assert failed["state"] == "FAILED"
    assert failed["smsApp"]["status"] == "FAILED_ADD" and failed["convApp"]["smsChannelStatus"] == "FAILING"
    [event] = state.project(PROJECT).outbox.after(0)
    assert (event.trigger, event.comment, event.payload["state"]) == ("BUNDLE_DONE", "failed_to_create_sms_service", "FAILED")
    # the outcome was used up: the next bundle finishes DONE
    following = await order(client, {"name": "Next", "region": "EU", "smsApp": True})
    state.advance(DELAY)
    assert (await client.get(f"{BUNDLES_PATH}/{following['id']}")).json()["state"] == "DONE"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"name": "x"}, ["region must be a string"]),
        ({"region": "AU", "smsApp": True, "name": "x"}, ["region must be one of the following values: BR, EU, US"]),
        ({"region": "EU", "subproject": "yes"}, ["subproject must be boolean or object"]),
        ({"region": "EU", "smsApp": {"name": ""}}, ["smsApp.name must be longer than or equal to 1 characters"]),
        ({"region": "EU", "smsApp": True, "testNumber": True}, ["property testNumber should not exist"]),
        (
            {"region": "EU", "name": "x", "convApp": {"webhooks": [{"target": "https://a.example.com", "triggers": ["BUNDLE_DONE"]}]}},
            [
                "convApp.webhooks.0.each value in triggers must be one of the following values: "
                + "BATCH_DELIVERY_REPORT_FULL, BATCH_DELIVERY_REPORT_SUMMARY, BATCH_STATUS_UPDATE, "
                "BILLING_CREDIT_LIMIT_BREACHED, CAPABILITY, CHANNEL_EVENT, CONSENT_BATCH_COMPLETE, CONTACT_CREATE, "
                "CONTACT_DELETE, CONTACT_IDENTITIES_DUPLICATION, CONTACT_MERGE, CONTACT_UPDATE, CONVERSATION_DELETE, "
                "CONVERSATION_START, CONVERSATION_STOP, EVENT_DELIVERY, EVENT_INBOUND, MESSAGE_DELIVERY, MESSAGE_INBOUND, "
                "MESSAGE_INBOUND_SMART_CONVERSATION_REDACTION, MESSAGE_SUBMIT, OPT_IN, OPT_OUT, RECORD_NOTIFICATION, "
                "SMART_CONVERSATION, UNSUPPORTED"
            ],
        ),
        (
            {"region": "EU", "name": "x", "convApp": {"webhooks": [{"target": "https://a.example.com", "triggers": ["OPT_IN"]}] * 6}},
            ["convApp.webhooks must contain no more than 5 elements"],
        ),
        (
            {"region": "EU", "name": "x", "convApp": {"webhooks": [{"target": FORBIDDEN, "triggers": ["OPT_IN"]}]}},
            ["convApp.webhooks.0.target must not be a conversation-api.*.sinch.com address"],
        ),
        (
            {"region": "EU", "name": "x", "convApp": {"retentionPolicy": {"ttl": 30}}},
            ["convApp.retentionPolicy.ttl must not be greater than 7"],
        ),
        (
            {
                "region": "EU",
                "name": "x",
                "convApp": {"processingMode": "DISPATCH", "retentionPolicy": {"retentionPolicyType": "PERSIST_RETENTION_POLICY"}},
            },
            ["convApp.retentionPolicy.retentionPolicyType must be one of the following values: MESSAGE_EXPIRE_POLICY"],
        ),
        (
            {"region": "EU", "name": "x", "convApp": {"processingMode": "CONVERSATION", "retentionPolicy": {"ttl": 0}}},
            ["convApp.retentionPolicy.ttl must not be less than 1"],
        ),
        ({"region": "EU", "name": "x", "subproject": {"labels": {"n": 1}}}, ["subproject.labels must be an object of strings"]),
        ({"region": "EU", "name": "x", "smsApp": True, "webhooks": []}, ["webhooks must contain at least 1 elements"]),
        ({"region": "EU", "name": "x", "smsApp": True, "webhooks": [HOOK, HOOK]}, ["webhooks must have unique target values"]),
        (
            {"region": "EU", "name": "x", "smsApp": True, "webhooks": [{**HOOK, "target": "not a url"}]},
            ["webhooks.0.target must be a URL address"],
        ),
    ],
)
async def test_the_order_is_checked_at_every_depth(client, state, body, expected):
    assert validation_errors(await client.post(BUNDLES_PATH, json=body)) == expected
    assert state.project(PROJECT).collection(BUNDLES).ordered() == []


async def test_something_must_be_ordered_and_named(client):
    for body in ({"region": "EU", "name": "x"}, {"region": "EU", "smsApp": False, "webhooks": [HOOK]}):
        refused = await client.post(BUNDLES_PATH, json=body)
        assert refused.status_code == 400 and refused.json()["errorCode"] == "no_services_to_create"
    for body in ({"region": "EU", "smsApp": True}, {"region": "EU", "smsApp": {"name": "s"}, "convApp": {}}):
        refused = await client.post(BUNDLES_PATH, json=body)
        assert refused.status_code == 400 and refused.json() == {
            "errorCode": "missing_name",
            "message": "Missing name for bundles.",
            "resolution": "Make sure you have given a separate service name or principal.",
        }


async def test_webhook_conflicts_refuse_the_whole_order(client, state):
    project = f"/v1/projects/{SANDBOX_PROJECT_ID}"
    taken = {**HOOK, "target": "https://hooks.example.com/sinch/provisioning"}  # the seeded webhook's target
    refused = await client.post(f"{project}/bundles", json={"name": "x", "region": "EU", "convApp": True, "webhooks": [HOOK, taken]})
    assert refused.status_code == 409 and refused.json()["errorCode"] == "webhook_exists"
    for n in range(13):
        await client.post(f"{project}/webhooks", json={**HOOK, "target": f"https://hooks.example.com/{n}"})
    two = [HOOK, {**HOOK, "target": "https://b.example.com"}]
    full = await client.post(f"{project}/bundles", json={"name": "x", "region": "EU", "smsApp": True, "webhooks": two})
    assert full.status_code == 424 and full.json()["errorCode"] == "webhook_limit_reached"
    assert (await client.get(f"{project}/webhooks")).json()["totalSize"] == 14
    assert (await client.get(f"{project}/bundles")).json()["totalSize"] == 1  # the fixture only
    assert len((await client.get(f"{project}/sms/smsApps")).json()["smsApps"]) == 1
    # in a new subproject there is room again
    elsewhere = {"name": "x", "region": "EU", "subproject": True, "webhooks": [HOOK, taken]}
    assert (await client.post(f"{project}/bundles", json=elsewhere)).status_code == 201


async def test_list_filters_and_pages(client, state):
    first = await order(client, {"name": "one", "region": "EU", "smsApp": True})
    second = await order(client, {"name": "two", "region": "EU", "convApp": True})
    state.advance(DELAY)
    third = await order(client, {"name": "three", "region": "EU", "smsApp": True, "convApp": True})

    async def ids(**params) -> list[str]:
        listed = (await client.get(BUNDLES_PATH, params=params)).json()
        return [bundle["id"] for bundle in listed["bundles"]]

    assert await ids() == [first["id"], second["id"], third["id"]]
    assert await ids(filterStates="IN_PROGRESS") == [third["id"]]
    assert await ids(filterStates=["DONE", "IN_PROGRESS"]) == [first["id"], second["id"], third["id"]]
    assert await ids(filterSmsAppIds=third["smsApp"]["id"]) == [third["id"]]
    assert await ids(filterConvAppIds=f"{second['convApp']['id']},{third['convApp']['id']}") == [second["id"], third["id"]]
    page = (await client.get(BUNDLES_PATH, params={"pageSize": 2})).json()
    assert page["pageSize"] == 2 and page["totalSize"] == 3 and "nextPageToken" in page
    assert (await client.get(BUNDLES_PATH)).json()["pageSize"] == 10
    assert (await client.get(BUNDLES_PATH, params={"pageSize": 26})).json()["errorCode"] == "invalid_page_size"
    bad = await client.get(BUNDLES_PATH, params={"filterStates": "DELETED"})
    assert bad.status_code == 400 and bad.json()["errorCode"] == "invalid_filter_states"


async def test_get_errors(client):
    malformed = await client.get(f"{BUNDLES_PATH}/not-a-bundle")
    assert malformed.status_code == 400 and malformed.json()["errorCode"] == "invalid_id_format"
    assert "bundleId" in malformed.json()["resolution"]
    missing = await client.get(f"{BUNDLES_PATH}/{'0' * 24}")
    assert missing.status_code == 404 and missing.json() == {
        "errorCode": "bundle_not_found",
        "message": "Bundle not found.",
        "resolution": "Verify that the parameters are correct.",
    }


async def test_the_seeded_project_has_a_done_bundle_of_its_fixtures(client):
    bundle = (await client.get(f"/v1/projects/{SANDBOX_PROJECT_ID}/bundles/{FIXTURE_BUNDLE_ID}")).json()
    assert bundle["state"] == "DONE" and bundle["projectId"] == SANDBOX_PROJECT_ID
    assert bundle["smsApp"]["id"] == FIXTURE_SMS_APP_ID and bundle["convApp"]["id"] == FIXTURE_CONVERSATION_APP_ID
    assert "webhooks" not in bundle  # the seeded webhook is not the bundle's
