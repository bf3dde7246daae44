"""Sandbox RCS Accounts family: activities and comments."""

import pytest

from conftest import CLOCK_START as START

from sinch_provisioning_mcp.sandbox import SANDBOX_PROJECT_ID

ACTIVITIES = f"/v1/projects/{SANDBOX_PROJECT_ID}/rcs/activities"
COMMENTS = f"/v1/projects/{SANDBOX_PROJECT_ID}/rcs/comments"
ACCOUNT_NOT_FOUND = {
    "errorCode": "account_not_found",
    "message": "Account not found.",
    "resolution": "Verify that the parameters are correct.",
}


async def test_seeded_account_starts_with_its_creation(client):
    response = await client.get(ACTIVITIES)
    assert response.status_code == 200
    assert response.json() == {
        "totalSize": 1,
        "pageSize": 50,
        "notifications": [{"type": "CREATED", "created": "2023-11-14T22:13:20.250Z", "author": "Sinch"}],
    }


async def test_comment_is_created_and_echoed(client, clock):
    clock.now = START + 60
    response = await client.post(COMMENTS, json={"comment": "Please review the brand logo."})
    assert response.status_code == 201
    assert response.json() == {
        "type": "CREATED",
        "comment": "Please review the brand logo.",
        "created": "2023-11-14T22:14:20.250Z",
    }


async def test_comment_appears_first_in_activities_authored_by_the_api_user(client, clock):
    clock.now = START + 60
    await client.post(COMMENTS, json={"comment": "first"})
    clock.now = START + 120
    await client.post(COMMENTS, json={"comment": "second"})
    notifications = (await client.get(ACTIVITIES)).json()["notifications"]
    assert notifications == [
        {
            "type": "COMMENT_ADDED",
            "created": "2023-11-14T22:15:20.250Z",
            "author": "Provisioning API user",
            "comment": "second",
        },
        {
            "type": "COMMENT_ADDED",
            "created": "2023-11-14T22:14:20.250Z",
            "author": "Provisioning API user",
            "comment": "first",
        },
        {"type": "CREATED", "created": "2023-11-14T22:13:20.250Z", "author": "Sinch"},
    ]


async def test_comments_at_the_same_instant_keep_newest_first(client):
    for text in ["one", "two", "three"]:
        await client.post(COMMENTS, json={"comment": text})
    notifications = (await client.get(ACTIVITIES)).json()["notifications"]
    assert [item.get("comment") for item in notifications] == ["three", "two", "one", None]


async def test_activities_are_ordered_by_time_not_by_insertion(client, clock):
    clock.now = START + 100
    await client.post(COMMENTS, json={"comment": "later"})
    clock.now = START + 50  # a clock stepped back: the older entry must still sort below
    await client.post(COMMENTS, json={"comment": "earlier"})
    notifications = (await client.get(ACTIVITIES)).json()["notifications"]
    assert [item.get("comment") for item in notifications] == ["later", "earlier", None]


@pytest.mark.parametrize(
    ("request_kwargs", "path"),
    [({}, "/v1/projects/no-rcs/rcs/activities"), ({"json": {"comment": "hello"}}, "/v1/projects/no-rcs/rcs/comments")],
)
async def test_project_without_rcs_account_is_account_not_found(client, request_kwargs, path):
    method = "POST" if "json" in request_kwargs else "GET"
    response = await client.request(method, path, **request_kwargs)
    assert response.status_code == 404
    assert response.json() == ACCOUNT_NOT_FOUND


async def test_failed_comment_on_missing_account_changes_nothing(client):
    await client.post("/v1/projects/no-rcs/rcs/comments", json={"comment": "hello"})
    assert (await client.get("/v1/projects/no-rcs/rcs/activities")).status_code == 404
    assert (await client.get(ACTIVITIES)).json()["totalSize"] == 1


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"comment": ""}, ["comment must be longer than or equal to 1 characters"]),
        ({"comment": "x" * 65536}, ["comment must be shorter than or equal to 65535 characters"]),
        # Lengths count UTF-16 units as the API's JavaScript runtime does: an emoji is two.
        ({"comment": "\U0001f600" * 32768}, ["comment must be shorter than or equal to 65535 characters"]),
        ({"comment": 42}, ["comment must be a string"]),
        ({}, ["comment must be a string"]),
        ({"comment": "ok", "author": "me"}, ["property author should not exist"]),
    ],
    ids=["empty", "too-long", "too-long-utf16", "not-string", "missing", "unknown-field"],
)
async def test_bad_comment_is_invalid_input(client, payload, expected):
    response = await client.post(COMMENTS, json=payload)
    assert response.status_code == 400
    assert response.json() == {
        "errorCode": "invalid_input",
        "message": "Invalid input.",
        "resolution": "Correct the validation errors and submit again.",
        "additionalInformation": {"validationErrors": expected},
    }
    assert (await client.get(ACTIVITIES)).json()["totalSize"] == 1


async def test_longest_allowed_comment_is_accepted(client):
    response = await client.post(COMMENTS, json={"comment": "x" * 65535})
    assert response.status_code == 201
    assert len(response.json()["comment"]) == 65535


async def test_malformed_comment_body_is_invalid_payload(client):
    response = await client.post(COMMENTS, content=b"comment=hi", headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["errorCode"] == "invalid_payload"


async def test_wrong_methods_are_405(client):
    response = await client.post(ACTIVITIES, json={})
    assert response.status_code == 405
    assert response.json()["errorCode"] == "method_not_allowed"
    response = await client.get(COMMENTS)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


async def test_a_comment_is_a_webhook_event_and_a_refused_one_is_not(client):
    outbox = f"/_sandbox/projects/{SANDBOX_PROJECT_ID}/outbox"
    await client.post(COMMENTS, json={"comment": ""})
    await client.post(COMMENTS, json={"comment": "Brand approved?"})
    (event,) = (await client.get(outbox)).json()["events"]
    assert (event["trigger"], event["comment"]) == ("RCS_ACCOUNT_COMMENT_ADDED", "Brand approved?")
    assert event["created"] == "2023-11-14T22:13:20.250Z"
