"""Sandbox credentials: the OAuth2 token endpoint and the API's Basic/Bearer check."""

import base64

import httpx
import pytest

from sinch_provisioning_mcp.sandbox import (
    SANDBOX_KEY_ID,
    SANDBOX_KEY_SECRET,
    SANDBOX_PROJECT_ID,
    create_app,
)

KEY = (SANDBOX_KEY_ID, SANDBOX_KEY_SECRET)
WEBHOOKS = f"/v1/projects/{SANDBOX_PROJECT_ID}/webhooks"
UNAUTHORIZED = {
    "errorCode": "unauthorized_error",
    "message": "Unauthorized error.",
    "resolution": "Verify that projectId is correct.",
}


@pytest.fixture
async def client(sandbox_app):
    """Unauthenticated: each test brings its own credentials."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox_app), base_url="http://sandbox") as client:
        yield client


async def issue(client, **kwargs) -> httpx.Response:
    kwargs.setdefault("auth", KEY)
    kwargs.setdefault("data", {"grant_type": "client_credentials"})
    return await client.post("/oauth2/token", **kwargs)


def basic_header(raw: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(raw.encode()).decode()}


async def test_token_endpoint_issues_an_opaque_bearer_token(client):
    response = await issue(client)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "expires_in", "scope", "token_type"}
    assert body["expires_in"] == 3599
    assert body["scope"] == ""
    assert body["token_type"] == "bearer"
    assert len(body["access_token"]) >= 32
    assert response.headers["cache-control"] == "no-store"
    second = (await issue(client)).json()["access_token"]
    assert second != body["access_token"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        basic_header(f"{SANDBOX_KEY_ID}:wrong-secret"),
        basic_header(f"wrong-id:{SANDBOX_KEY_SECRET}"),
        basic_header(f"{SANDBOX_KEY_ID}{SANDBOX_KEY_SECRET}"),
        {"Authorization": "Basic not-base64!!"},
        {"Authorization": f"Bearer {SANDBOX_KEY_SECRET}"},
    ],
    ids=["none", "wrong-secret", "wrong-id", "no-colon", "bad-base64", "bearer"],
)
async def test_token_endpoint_refuses_bad_client_credentials(client, headers):
    response = await client.post("/oauth2/token", data={"grant_type": "client_credentials"}, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["www-authenticate"].startswith("Basic")


async def test_token_endpoint_refuses_other_grant_types(client):
    response = await issue(client, data={"grant_type": "password"})
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


async def test_token_endpoint_requires_a_grant_type(client):
    response = await issue(client, data={})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


async def test_token_endpoint_accepts_only_post(client):
    response = await client.get("/oauth2/token", auth=KEY)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


async def test_issued_token_authorises_api_calls_until_it_expires(client, clock):
    token = (await issue(client)).json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert (await client.get(WEBHOOKS, headers=bearer)).status_code == 200

    clock.now += 3598.9
    assert (await client.get(WEBHOOKS, headers=bearer)).status_code == 200

    clock.now += 0.1
    expired = await client.get(WEBHOOKS, headers=bearer)
    assert expired.status_code == 401
    assert expired.json() == UNAUTHORIZED
    # A fresh token works again: expiry is per token, not per client.
    fresh = (await issue(client)).json()["access_token"]
    assert (await client.get(WEBHOOKS, headers={"Authorization": f"Bearer {fresh}"})).status_code == 200


async def test_basic_auth_with_the_sandbox_key_is_accepted(client):
    response = await client.get(WEBHOOKS, auth=KEY)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer never-issued"},
        {"Authorization": "Bearer "},
        basic_header(f"{SANDBOX_KEY_ID}:wrong-secret"),
        {"Authorization": "Basic %%%"},
        {"Authorization": f"Token {SANDBOX_KEY_SECRET}"},
    ],
    ids=["none", "unknown-token", "empty-token", "wrong-secret", "bad-base64", "other-scheme"],
)
async def test_api_refuses_missing_or_wrong_credentials(client, headers):
    response = await client.get(WEBHOOKS, headers=headers)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


async def test_every_project_route_is_authenticated_even_unknown_ones(client):
    for method, path in [
        ("POST", WEBHOOKS),
        ("GET", f"{WEBHOOKS}/01ARZ3NDEKTSV4RRFFQ69G5FAV"),
        ("GET", f"/v1/projects/{SANDBOX_PROJECT_ID}/rcs/activities"),
        ("POST", f"/v1/projects/{SANDBOX_PROJECT_ID}/rcs/comments"),
        ("GET", "/v1/projects/other/not-a-route"),
    ]:
        response = await client.request(method, path, json={})
        assert response.status_code == 401, (method, path)
        assert response.json()["errorCode"] == "unauthorized_error"


async def test_token_is_not_accepted_as_basic_secret_and_key_not_as_bearer(client):
    token = (await issue(client)).json()["access_token"]
    assert (await client.get(WEBHOOKS, auth=(SANDBOX_KEY_ID, token))).status_code == 401
    assert (await client.get(WEBHOOKS, headers={"Authorization": f"Bearer {SANDBOX_KEY_SECRET}"})).status_code == 401


async def test_tokens_belong_to_the_state_that_issued_them(client):
    token = (await issue(client)).json()["access_token"]
    other_app = create_app()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=other_app), base_url="http://sandbox") as other:
        response = await other.get(WEBHOOKS, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
