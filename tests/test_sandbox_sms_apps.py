"""Sandbox SMS Apps family: the five operations, linking to Conversation API apps, and their errors."""

import re

import pytest

from conftest import validation_errors
from sinch_provisioning_mcp.sandbox import SANDBOX_PROJECT_ID
from sinch_provisioning_mcp.sandbox.conversation import FIXTURE_CONVERSATION_APP_ID
from sinch_provisioning_mcp.sandbox.sms_apps import FIXTURE_SMS_APP_ID
from sinch_provisioning_mcp.sandbox.values import hex_id

PROJECT = "sms-project"
APPS = f"/v1/projects/{PROJECT}/sms/smsApps"
HEX32 = re.compile(r"[0-9a-f]{32}")
ABSENT = "0" * 32


async def create(client, **body) -> dict:
    response = await client.post(APPS, json={"name": "Support SMS", "region": "EU", **body})
    assert response.status_code == 201, response.text
    return response.json()


async def test_create_answers_the_active_app_in_its_region(client):
    created = await create(client, test=True)
    assert HEX32.fullmatch(created["id"]) and HEX32.fullmatch(created["smsServiceId"])
    assert created | {"id": "", "smsServiceId": ""} == {
        "id": "",
        "smsServiceId": "",
        "name": "Support SMS",
        "status": "ACTIVE",
        "regions": ["EU"],
        "test": False,  # the deprecated flag is ignored
    }
    assert (await client.get(f"{APPS}/{created['id']}")).json() == created


async def test_apps_of_a_project_share_its_sms_service(client):
    first, second = await create(client), await create(client, name="Marketing SMS")
    assert first["smsServiceId"] == second["smsServiceId"] and first["id"] != second["id"]
    other = (await client.post("/v1/projects/other/sms/smsApps", json={"name": "x", "region": "US"})).json()
    assert other["smsServiceId"] != first["smsServiceId"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, ["name must be a string", "region must be a string"]),
        ({"name": "", "region": "EU"}, ["name must be longer than or equal to 1 characters"]),
        ({"name": "x" * 256, "region": "AU"}, [
            "name must be shorter than or equal to 255 characters",
            "region must be one of the following values: BR, EU, US",
        ]),
        ({"name": "x", "region": "EU", "convApiApp": "yes"}, ["convApiApp must be a boolean value"]),
        ({"name": "x", "region": "EU", "sender": "x"}, ["property sender should not exist"]),
        (
            {"name": "x", "region": "EU", "convApiApp": True, "convApiAppId": FIXTURE_CONVERSATION_APP_ID},
            ["convApiAppId must not be set when convApiApp is true"],
        ),
    ],
)
async def test_create_checks_its_body(client, body, expected):
    assert validation_errors(await client.post(APPS, json=body)) == expected


async def test_conv_api_app_creates_a_conversation_app_without_channels(client):
    created = await create(client, convApiApp=True)
    details = created["conversationApiAppDetails"]
    assert details["projectId"] == PROJECT and details["region"] == "EU" and details["channelStatus"] == "ACTIVE"
    info = await client.get(f"/v1/projects/{PROJECT}/conversation/apps/{details['id']}/instagram")
    assert info.status_code == 404 and info.json()["errorCode"] == "conversation_app_no_instagram_channel"


async def test_linking_an_existing_conversation_app_once(client):
    linked_elsewhere = await client.post(
        f"/v1/projects/{SANDBOX_PROJECT_ID}/sms/smsApps",
        json={"name": "Second", "region": "EU", "convApiAppId": FIXTURE_CONVERSATION_APP_ID},
    )
    assert linked_elsewhere.status_code == 400
    assert linked_elsewhere.json()["errorCode"] == "conversation_app_already_connected_to_sms_app"
    unknown = await client.post(APPS, json={"name": "x", "region": "EU", "convApiAppId": "01ARZ3NDEKTSV4RRFFQ69G5FAV"})
    assert unknown.status_code == 404 and unknown.json()["errorCode"] == "conversation_app_not_found"


async def test_delete_unlinks_the_conversation_app_which_can_then_be_linked_again(client):
    apps = f"/v1/projects/{SANDBOX_PROJECT_ID}/sms/smsApps"
    assert (await client.delete(f"{apps}/{FIXTURE_SMS_APP_ID}")).status_code == 204
    assert (await client.get(f"{apps}/{FIXTURE_SMS_APP_ID}")).json()["errorCode"] == "sms_app_not_found"
    relinked = await client.post(apps, json={"name": "Again", "region": "EU", "convApiAppId": FIXTURE_CONVERSATION_APP_ID})
    assert relinked.status_code == 201
    assert relinked.json()["conversationApiAppDetails"]["id"] == FIXTURE_CONVERSATION_APP_ID


async def test_rename_and_its_errors(client):
    created = await create(client)
    renamed = await client.patch(f"{APPS}/{created['id']}", json={"name": "Renamed"})
    assert renamed.status_code == 200 and renamed.json() == created | {"name": "Renamed"}
    empty = await client.patch(f"{APPS}/{created['id']}", json={})
    assert empty.status_code == 400 and empty.json() == {
        "errorCode": "no_fields_to_update",
        "message": "No fields to be updated.",
        "resolution": "Supply at least one field to be updated.",
    }
    assert validation_errors(await client.patch(f"{APPS}/{created['id']}", json={"region": "US"})) == [
        "property region should not exist"
    ]
    assert (await client.patch(f"{APPS}/{ABSENT}", json={"name": "x"})).status_code == 404


async def test_malformed_ids_as_each_operation_lists_them(client):
    assert (await client.get(f"{APPS}/not-an-id")).json()["errorCode"] == "sms_app_not_found"
    assert (await client.patch(f"{APPS}/not-an-id", json={"name": "x"})).json()["errorCode"] == "sms_app_not_found"
    deleted = await client.delete(f"{APPS}/not-an-id")
    assert deleted.status_code == 400 and deleted.json()["errorCode"] == "invalid_id_format"
    assert "smsAppId" in deleted.json()["resolution"]
    assert (await client.delete(f"{APPS}/{ABSENT}")).status_code == 404


async def test_list_pages_in_creation_order(client):
    names = [f"app {n}" for n in range(3)]
    for name in names:
        await create(client, name=name)
    first = (await client.get(APPS, params={"pageSize": 2})).json()
    assert [app["name"] for app in first["smsApps"]] == names[:2] and first["totalSize"] == 3
    rest = (await client.get(APPS, params={"pageToken": first["nextPageToken"], "pageSize": 2})).json()
    assert [app["name"] for app in rest["smsApps"]] == names[2:]
    assert (await client.get(APPS)).json()["pageSize"] == 50
    assert (await client.get(APPS, params={"pageSize": 101})).json()["errorCode"] == "invalid_page_size"


async def test_the_seeded_project_has_its_fixture(client):
    listed = (await client.get(f"/v1/projects/{SANDBOX_PROJECT_ID}/sms/smsApps")).json()["smsApps"]
    assert [(app["id"], app["status"], app["conversationApiAppDetails"]["id"]) for app in listed] == [
        (FIXTURE_SMS_APP_ID, "ACTIVE", FIXTURE_CONVERSATION_APP_ID)
    ]


def test_hex_ids_are_whole_bytes_and_case_insensitive():
    ids = hex_id(32)
    minted = ids.new(0)
    assert HEX32.fullmatch(minted) and ids.parse(minted.upper()) == minted and ids.parse("g" * 32) is None
    with pytest.raises(ValueError):
        hex_id(25)
