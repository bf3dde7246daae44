"""Sandbox Conversation family: channel info per app, and the OAS's errors for ids, apps and channels."""

import pytest

from sinch_provisioning_mcp.sandbox import SANDBOX_PROJECT_ID
from sinch_provisioning_mcp.sandbox.conversation import CONVERSATION_APPS, FIXTURE_CONVERSATION_APP_ID, new_app_data

APPS = f"/v1/projects/{SANDBOX_PROJECT_ID}/conversation/apps"
ABSENT = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
CHANNELS = ("instagram", "messenger", "telegram", "viber")


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        ("instagram", {"status": "ACTIVE", "username": "sandbox.shop", "followersCount": 1280}),
        ("messenger", {"status": "ACTIVE", "id": "104000000000001", "globalBrandPageName": "Sandbox Shop"}),
        ("telegram", {"status": "ACTIVE", "username": "sandbox_shop_bot", "canJoinGroups": True}),
        ("viber", {"status": "ACTIVE", "uri": "sandboxshop", "location": {"lon": 18.0686, "lat": 59.3293}}),
    ],
)
async def test_the_fixture_app_serves_every_channel(client, channel, expected):
    response = await client.get(f"{APPS}/{FIXTURE_CONVERSATION_APP_ID}/{channel}")
    assert response.status_code == 200
    assert expected.items() <= response.json().items()


async def test_ids_are_case_insensitive(client):
    response = await client.get(f"{APPS}/{FIXTURE_CONVERSATION_APP_ID.lower()}/telegram")
    assert response.status_code == 200


@pytest.mark.parametrize("channel", CHANNELS)
async def test_an_unknown_app_is_not_found(client, channel):
    response = await client.get(f"{APPS}/{ABSENT}/{channel}")
    assert response.status_code == 404
    assert response.json() == {
        "errorCode": "conversation_app_not_found",
        "message": "Conversation app not found.",
        "resolution": "Verify that the parameters are correct.",
    }


@pytest.mark.parametrize("channel", ("instagram", "messenger", "telegram"))
async def test_a_malformed_id_is_invalid(client, channel):
    response = await client.get(f"{APPS}/not-an-app/{channel}")
    assert response.status_code == 400
    assert response.json()["errorCode"] == "conversation_app_id_invalid"
    assert response.json()["message"] == "Conversation app id not valid."


async def test_viber_lists_no_400_so_a_malformed_id_is_not_found(client):
    response = await client.get(f"{APPS}/not-an-app/viber")
    assert response.status_code == 404 and response.json()["errorCode"] == "conversation_app_not_found"


async def test_apps_are_per_project(client):
    response = await client.get(f"/v1/projects/another-project/conversation/apps/{FIXTURE_CONVERSATION_APP_ID}/instagram")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("channel", "label"), [("instagram", "Instagram"), ("messenger", "Messenger"), ("telegram", "Telegram"), ("viber", "Viber")]
)
async def test_an_app_without_the_channel_says_so(client, sandbox_app, channel, label):
    app = sandbox_app.state.sandbox.project(SANDBOX_PROJECT_ID).collection(CONVERSATION_APPS).create(new_app_data("Bare", "EU"))
    response = await client.get(f"{APPS}/{app.id}/{channel}")
    assert response.status_code == 404
    assert response.json()["errorCode"] == f"conversation_app_no_{channel}_channel"
    assert response.json()["message"] == f"Conversation app has no initialized {label} channel."


async def test_there_is_no_line_or_telegram_sender_route(client):
    for path in ("/line/senders", "/telegram/senders", "/conversation/apps"):
        assert (await client.get(f"/v1/projects/{SANDBOX_PROJECT_ID}{path}")).status_code == 404
