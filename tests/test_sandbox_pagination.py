"""Sandbox pagination: page sizes, opaque page tokens and the list envelope."""

import httpx2
import pytest

from sinch_provisioning_mcp.sandbox import SANDBOX_KEY_ID, SANDBOX_KEY_SECRET, SANDBOX_PROJECT_ID, create_app

WEBHOOKS = "/v1/projects/paged/webhooks"
ACTIVITIES = f"/v1/projects/{SANDBOX_PROJECT_ID}/rcs/activities"


async def add_webhooks(client, count: int, path: str = WEBHOOKS) -> list[str]:
    targets = [f"https://hooks.example.com/{n:02d}" for n in range(count)]
    for target in targets:
        response = await client.post(path, json={"target": target, "secret": "s", "triggers": ["ALL"]})
        assert response.status_code == 201
    return targets


async def add_comments(client, count: int) -> None:
    for n in range(count):
        response = await client.post(f"/v1/projects/{SANDBOX_PROJECT_ID}/rcs/comments", json={"comment": f"c{n}"})
        assert response.status_code == 201


def assert_error(response: httpx2.Response, code: str) -> None:
    assert response.status_code == 400, response.text
    assert response.json()["errorCode"] == code
    assert response.json()["message"]
    assert response.json()["resolution"]


async def test_webhooks_default_page_is_all_of_them(client):
    targets = await add_webhooks(client, 15)
    listed = (await client.get(WEBHOOKS)).json()
    assert listed["totalSize"] == 15
    assert listed["pageSize"] == 15
    assert [hook["target"] for hook in listed["webhooks"]] == targets
    assert "nextPageToken" not in listed


async def test_walking_pages_forward_and_back(client):
    targets = await add_webhooks(client, 5)
    first = (await client.get(WEBHOOKS, params={"pageSize": 2})).json()
    assert first["totalSize"] == 5
    assert first["pageSize"] == 2
    assert [hook["target"] for hook in first["webhooks"]] == targets[0:2]
    assert "previousPageToken" not in first

    second = (await client.get(WEBHOOKS, params={"pageSize": 2, "pageToken": first["nextPageToken"]})).json()
    assert [hook["target"] for hook in second["webhooks"]] == targets[2:4]
    third = (await client.get(WEBHOOKS, params={"pageSize": 2, "pageToken": second["nextPageToken"]})).json()
    assert [hook["target"] for hook in third["webhooks"]] == targets[4:5]
    assert "nextPageToken" not in third
    assert third["totalSize"] == 5

    back = (await client.get(WEBHOOKS, params={"pageSize": 2, "pageToken": third["previousPageToken"]})).json()
    assert back["webhooks"] == second["webhooks"]
    back_to_start = (await client.get(WEBHOOKS, params={"pageSize": 2, "pageToken": back["previousPageToken"]})).json()
    assert back_to_start["webhooks"] == first["webhooks"]
    assert "previousPageToken" not in back_to_start


@pytest.mark.parametrize("size", ["0", "16", "-1", "abc", "1.5", "", " 3"])
async def test_webhooks_page_size_outside_1_to_15_is_refused(client, size):
    assert_error(await client.get(WEBHOOKS, params={"pageSize": size}), "invalid_page_size")


async def test_non_numeric_page_size_says_so(client):
    response = await client.get(WEBHOOKS, params={"pageSize": "ten"})
    assert response.json()["message"] == "Page size must be numeric."


@pytest.mark.parametrize("size", ["1", "15"])
async def test_webhooks_page_size_bounds_are_accepted(client, size):
    response = await client.get(WEBHOOKS, params={"pageSize": size})
    assert response.status_code == 200
    assert response.json()["pageSize"] == int(size)


@pytest.mark.parametrize(
    "token", ["garbage", "AAAAAQ", "AAAAAQbq2cGGfYzzk2yhQGwqFx0", "!!!", "AAAAAAAAAAAAAAAAAAAAAAAAAAA"]
)
async def test_unknown_or_forged_page_token_is_refused(client, token):
    assert_error(await client.get(WEBHOOKS, params={"pageToken": token}), "invalid_page_token")


async def test_tampered_page_token_is_refused(client):
    await add_webhooks(client, 3)
    token = (await client.get(WEBHOOKS, params={"pageSize": 1})).json()["nextPageToken"]
    tampered = ("B" if token[0] != "B" else "C") + token[1:]
    assert_error(await client.get(WEBHOOKS, params={"pageSize": 1, "pageToken": tampered}), "invalid_page_token")


async def test_page_token_only_works_on_the_list_that_issued_it(client):
    await add_webhooks(client, 3)
    await add_webhooks(client, 3, path="/v1/projects/elsewhere/webhooks")
    token = (await client.get(WEBHOOKS, params={"pageSize": 1})).json()["nextPageToken"]
    assert_error(await client.get("/v1/projects/elsewhere/webhooks", params={"pageToken": token}), "invalid_page_token")
    assert_error(await client.get(ACTIVITIES, params={"pageToken": token}), "invalid_page_token")


async def test_page_token_from_another_sandbox_is_refused(client):
    await add_webhooks(client, 3)
    token = (await client.get(WEBHOOKS, params={"pageSize": 1})).json()["nextPageToken"]
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=create_app()),
        base_url="http://sandbox",
        auth=(SANDBOX_KEY_ID, SANDBOX_KEY_SECRET),
    ) as other:
        await add_webhooks(other, 3)
        assert_error(await other.get(WEBHOOKS, params={"pageToken": token}), "invalid_page_token")


async def test_activities_default_page_is_50_and_max_100(client):
    await add_comments(client, 60)
    default = (await client.get(ACTIVITIES)).json()
    assert default["totalSize"] == 61
    assert default["pageSize"] == 50
    assert len(default["notifications"]) == 50
    rest = (await client.get(ACTIVITIES, params={"pageToken": default["nextPageToken"]})).json()
    assert len(rest["notifications"]) == 11
    assert rest["notifications"][-1]["type"] == "CREATED"

    everything = (await client.get(ACTIVITIES, params={"pageSize": 100})).json()
    assert len(everything["notifications"]) == 61
    assert "nextPageToken" not in everything
    assert_error(await client.get(ACTIVITIES, params={"pageSize": 101}), "invalid_page_size")
    assert_error(await client.get(ACTIVITIES, params={"pageSize": 0}), "invalid_page_size")


async def test_page_size_is_checked_before_the_account_exists(client):
    response = await client.get("/v1/projects/no-rcs/rcs/activities", params={"pageSize": "x"})
    assert_error(response, "invalid_page_size")
