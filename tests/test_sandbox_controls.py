"""The `/_sandbox` controls over HTTP: authentication, clock, seeding, outbox, and their input checks.

Outcomes are exercised with a family that has a review (tests/test_sandbox_engine.py);
faults in tests/test_sandbox_faults.py.
"""

from __future__ import annotations

import httpx2
import pytest

from conftest import CLOCK_START
from sinch_provisioning_mcp.sandbox import SANDBOX_PROJECT_ID
from sinch_provisioning_mcp.sandbox.app import FAMILIES
from sinch_provisioning_mcp.sandbox.values import iso8601

OUTBOX = f"/_sandbox/projects/{SANDBOX_PROJECT_ID}/outbox"
SEEDABLE = ", ".join(t.name for family in FAMILIES for t in family.resource_types if t.sample is not None)


def validation_errors(response: httpx2.Response) -> list[str]:
    assert response.status_code == 400, response.text
    assert response.json()["errorCode"] == "invalid_input"
    return response.json()["additionalInformation"]["validationErrors"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/_sandbox/clock"),
        ("POST", "/_sandbox/clock/advance"),
        ("GET", "/_sandbox/tokens"),
        ("POST", "/_sandbox/projects/p/outcomes"),
        ("POST", "/_sandbox/projects/p/seed"),
        ("GET", "/_sandbox/projects/p/outbox"),
        ("GET", "/_sandbox/faults"),
        ("POST", "/_sandbox/faults"),
        ("DELETE", "/_sandbox/faults"),
        ("DELETE", "/_sandbox/faults/fault-1"),
    ],
)
async def test_every_control_needs_the_sandbox_credentials(sandbox_app, method, path):
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=sandbox_app), base_url="http://sandbox") as anonymous:
        response = await anonymous.request(method, path, json={"seconds": 1})
    assert response.status_code == 401
    assert response.json()["errorCode"] == "unauthorized_error"


async def test_the_clock_can_be_read_and_advanced(client, clock):
    assert (await client.get("/_sandbox/clock")).json() == {"now": iso8601(CLOCK_START), "transitionDelaySeconds": 5}
    advanced = await client.post("/_sandbox/clock/advance", json={"seconds": 90.5})
    assert advanced.json() == {"now": iso8601(CLOCK_START + 90.5), "applied": 0}
    clock.now += 10  # the injected time source still counts, under the offset
    assert (await client.get("/_sandbox/clock")).json()["now"] == iso8601(CLOCK_START + 100.5)


async def test_the_tokens_issued_are_counted(client):
    """Servers sharing one OAuth token can be told apart from servers fetching one each."""
    assert (await client.get("/_sandbox/tokens")).json() == {"issued": 0}
    for _ in range(2):
        assert (await client.post("/oauth2/token", data={"grant_type": "client_credentials"})).status_code == 200
    assert (await client.get("/_sandbox/tokens")).json() == {"issued": 2}


@pytest.mark.parametrize(
    ("body", "problems"),
    [
        ({"seconds": -1}, ["seconds must not be less than 0"]),
        ({"seconds": "60"}, ["seconds must be a number conforming to the specified constraints"]),
        ({}, ["seconds must be a number conforming to the specified constraints"]),
        ({"seconds": 1, "minutes": 1}, ["property minutes should not exist"]),
    ],
)
async def test_advance_checks_its_body(client, body, problems):
    assert validation_errors(await client.post("/_sandbox/clock/advance", json=body)) == problems
    assert (await client.get("/_sandbox/clock")).json()["now"] == iso8601(CLOCK_START)


async def test_seeding_fills_a_project_within_the_api_rules(client):
    seeded = await client.post("/_sandbox/projects/bench/seed", json={"resourceType": "webhook", "count": 15})
    assert seeded.status_code == 201
    assert len(seeded.json()["resourceIds"]) == 15
    listed = (await client.get("/v1/projects/bench/webhooks")).json()
    assert listed["totalSize"] == 15
    assert all("secret" not in hook for hook in listed["webhooks"])
    # The per-project limit still holds for seeds.
    refused = await client.post("/_sandbox/projects/bench/seed", json={"resourceType": "webhook", "count": 1})
    assert (refused.status_code, refused.json()["errorCode"]) == (424, "webhook_limit_reached")


async def test_seeding_an_rcs_account_gives_a_project_one(client):
    path = "/v1/projects/onboarded/rcs/activities"
    assert (await client.get(path)).status_code == 404
    seeded = await client.post("/_sandbox/projects/onboarded/seed", json={"resourceType": "rcs_account", "count": 1})
    assert seeded.json() == {"resourceType": "rcs_account", "resourceIds": [None]}
    assert (await client.get(path)).json()["notifications"][0]["type"] == "CREATED"
    again = await client.post("/_sandbox/projects/onboarded/seed", json={"resourceType": "rcs_account", "count": 1})
    assert (again.status_code, again.json()["errorCode"]) == (409, "account_exists")


# Every built-in type declares a sample, so every one can be seeded.
SEEDABLE = ", ".join(type_.name for family in FAMILIES for type_ in family.resource_types)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        # Every family's seedable types, whichever families the sandbox serves.
        ({"resourceType": "unicorn", "count": 1}, f"resourceType must be one of the following values: {SEEDABLE}"),
        ({"resourceType": "webhook", "count": 0}, "count must not be less than 1"),
        ({"resourceType": "webhook", "count": 100_001}, "count must not be greater than 100000"),
        ({"resourceType": "webhook", "count": 1.5}, "count must be an integer number"),
    ],
)
async def test_seed_checks_its_body(client, body, problem):
    assert validation_errors(await client.post("/_sandbox/projects/p/seed", json=body)) == [problem]


async def test_outcomes_need_a_type_with_a_timed_decision(client):
    response = await client.post("/_sandbox/projects/p/outcomes", json={"resourceType": "webhook", "outcome": "x"})
    assert validation_errors(response)[0].startswith("resourceType must be one of the following values:")


async def test_the_outbox_lists_events_after_a_sequence(client, clock):
    assert (await client.get(OUTBOX)).json() == {"events": [], "lastSequence": 0}
    for text in ("first", "second"):
        clock.now += 1
        await client.post(f"/v1/projects/{SANDBOX_PROJECT_ID}/rcs/comments", json={"comment": text})
    everything = (await client.get(OUTBOX)).json()
    assert everything["lastSequence"] == 2
    assert everything["events"][1] == {
        "sequence": 2,
        "trigger": "RCS_ACCOUNT_COMMENT_ADDED",
        "payload": {"projectId": SANDBOX_PROJECT_ID},
        "created": iso8601(CLOCK_START + 2),
        "resourceType": "rcs_account",
        "resourceId": None,
        "comment": "second",
    }
    assert [e["comment"] for e in (await client.get(OUTBOX, params={"after": 1})).json()["events"]] == ["second"]
    assert (await client.get(OUTBOX, params={"after": 2})).json() == {"events": [], "lastSequence": 2}
    assert (await client.get("/_sandbox/projects/elsewhere/outbox")).json()["lastSequence"] == 0
    assert validation_errors(await client.get(OUTBOX, params={"after": "-1"}))[0] == "after must be an integer number"


async def test_controls_take_json_bodies_only(client):
    response = await client.post("/_sandbox/clock/advance", content=b"seconds=5")
    assert (response.status_code, response.json()["errorCode"]) == (400, "invalid_payload")
