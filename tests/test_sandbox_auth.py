"""Sandbox credentials: the OAuth2 token endpoint, its JWTs, and the API's Basic/Bearer check."""

import base64
import json
import math

import httpx2
import pytest

from sinch_provisioning_mcp.sandbox import (
    SANDBOX_KEY_ID,
    SANDBOX_KEY_SECRET,
    SANDBOX_PROJECT_ID,
    SandboxState,
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
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=sandbox_app), base_url="http://sandbox") as client:
        yield client


async def issue(client, **kwargs) -> httpx2.Response:
    kwargs.setdefault("auth", KEY)
    kwargs.setdefault("data", {"grant_type": "client_credentials"})
    return await client.post("/oauth2/token", **kwargs)


EXPIRED = 'Bearer realm="sinch", error="invalid_token", error_description="Jwt is expired"'
INVALID = 'Bearer realm="sinch", error="invalid_token", error_description="Invalid token"'


def basic_header(raw: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(raw.encode()).decode()}


def decode_part(part: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def claims_of(token: str) -> dict:
    """What the official Node SDK reads from a token (it decodes `exp` to renew early)."""
    return decode_part(token.split(".")[1])


async def test_token_endpoint_issues_a_signed_jwt(client, clock):
    response = await issue(client)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "expires_in", "scope", "token_type"}
    assert body["expires_in"] == 3599
    assert body["scope"] == ""
    assert body["token_type"] == "bearer"
    assert response.headers["cache-control"] == "no-store"
    header, payload, signature = body["access_token"].split(".")
    assert decode_part(header) == {"alg": "HS256", "typ": "JWT"}
    claims = decode_part(payload)
    assert set(claims) == {"sub", "iat", "exp", "jti"}
    assert claims["sub"] == SANDBOX_KEY_ID
    assert claims["iat"] == math.floor(clock.now)
    assert claims["exp"] == claims["iat"] + body["expires_in"]
    assert len(base64.urlsafe_b64decode(signature + "=")) == 32  # HMAC-SHA256
    second = claims_of((await issue(client)).json()["access_token"])
    assert second["jti"] != claims["jti"]


async def test_token_lifetime_is_a_sandbox_option():
    app = create_app(token_lifetime_seconds=5)
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://sandbox") as client:
        body = (await issue(client)).json()
    assert body["expires_in"] == 5
    claims = claims_of(body["access_token"])
    assert claims["exp"] - claims["iat"] == 5
    with pytest.raises(TypeError):
        create_app(SandboxState(), token_lifetime_seconds=5)
    with pytest.raises(ValueError):
        SandboxState(token_lifetime_seconds=0)


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


async def test_issued_token_authorises_api_calls_until_its_exp(client, clock):
    token = (await issue(client)).json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert (await client.get(WEBHOOKS, headers=bearer)).status_code == 200

    clock.now = claims_of(token)["exp"] - 0.001
    assert (await client.get(WEBHOOKS, headers=bearer)).status_code == 200

    clock.now += 0.001
    expired = await client.get(WEBHOOKS, headers=bearer)
    assert expired.status_code == 401
    assert expired.json() == UNAUTHORIZED
    # The challenge the official SDK refreshes on: it contains "expired".
    assert expired.headers["www-authenticate"] == EXPIRED
    # A fresh token works again: expiry is per token, not per client.
    fresh = (await issue(client)).json()["access_token"]
    assert (await client.get(WEBHOOKS, headers={"Authorization": f"Bearer {fresh}"})).status_code == 200


async def test_a_token_expires_when_the_sandbox_clock_is_advanced(client):
    token = (await issue(client)).json()["access_token"]
    advanced = await client.post("/_sandbox/clock/advance", json={"seconds": 3599}, auth=KEY)
    assert advanced.status_code == 200
    expired = await client.get(WEBHOOKS, headers={"Authorization": f"Bearer {token}"})
    assert expired.headers["www-authenticate"] == EXPIRED


async def test_basic_auth_with_the_sandbox_key_is_accepted(client):
    response = await client.get(WEBHOOKS, auth=KEY)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("headers", "challenge"),
    [
        ({}, 'Bearer realm="sinch"'),
        ({"Authorization": "Bearer never-issued"}, INVALID),
        ({"Authorization": "Bearer "}, INVALID),
        ({"Authorization": "Bearer a.b.c"}, INVALID),
        (basic_header(f"{SANDBOX_KEY_ID}:wrong-secret"), 'Basic realm="sinch"'),
        ({"Authorization": "Basic %%%"}, 'Basic realm="sinch"'),
        ({"Authorization": f"Token {SANDBOX_KEY_SECRET}"}, 'Bearer realm="sinch"'),
    ],
    ids=["none", "unknown-token", "empty-token", "jwt-shaped-garbage", "wrong-secret", "bad-base64", "other-scheme"],
)
async def test_api_refuses_missing_or_wrong_credentials(client, headers, challenge):
    response = await client.get(WEBHOOKS, headers=headers)
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED
    assert response.headers["www-authenticate"] == challenge


async def test_a_forged_token_is_invalid_not_expired(client, clock):
    token = (await issue(client)).json()["access_token"]
    header, payload, signature = token.split(".")
    later = dict(claims_of(token), exp=claims_of(token)["exp"] + 86400)
    longer = base64.urlsafe_b64encode(json.dumps(later).encode()).decode().rstrip("=")
    tampered = signature[:-1] + ("B" if signature[-1] == "A" else "A")
    for forged in (f"{header}.{longer}.{signature}", f"{header}.{payload}.{tampered}", f"{header}.{payload}."):
        response = await client.get(WEBHOOKS, headers={"Authorization": f"Bearer {forged}"})
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == INVALID


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
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=other_app), base_url="http://sandbox") as other:
        response = await other.get(WEBHOOKS, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == INVALID
