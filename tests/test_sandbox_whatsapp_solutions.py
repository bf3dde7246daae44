"""Sandbox WhatsApp solutions and flows over HTTP."""

from __future__ import annotations

from sinch_provisioning_mcp.sandbox import SANDBOX_PROJECT_ID
from sinch_provisioning_mcp.sandbox.whatsapp_solutions import (
    FIXTURE_DRAFT_FLOW_ID,
    FIXTURE_FLOW_ID,
    FIXTURE_SOLUTION_ID,
)

WHATSAPP = f"/v1/projects/{SANDBOX_PROJECT_ID}/whatsapp"
CREATE = {"details": {"name": "Acme"}, "accessToken": "meta-token", "businessManager": "SINCH_UK"}


async def test_solutions_are_created_listed_and_assigned(client):
    created = await client.post(f"{WHATSAPP}/solutions", json=CREATE)
    assert created.status_code == 201
    solution = created.json()["solutions"][0]
    assert (
        created.json()["failedSolutions"] == []
        and solution["details"] == {"name": "Acme"}
        and solution["assigned"] is False
    )
    failed = (await client.post(f"{WHATSAPP}/solutions", json=CREATE | {"accessToken": "fail-token"})).json()
    assert failed["solutions"] == [] and failed["failedSolutions"][0]["errorCode"] == "ACTIVATION_FAILED"
    assert (await client.post(f"{WHATSAPP}/solutions/{FIXTURE_SOLUTION_ID}/assign")).status_code == 204
    assert (await client.post(f"{WHATSAPP}/solutions/{solution['id']}/assign")).status_code == 204
    listed = {s["id"]: s["assigned"] for s in (await client.get(f"{WHATSAPP}/solutions")).json()["solutions"]}
    assert listed == {FIXTURE_SOLUTION_ID: False, solution["id"]: True}
    missing = await client.get(f"{WHATSAPP}/solutions/123")
    assert (missing.status_code, missing.json()["errorCode"]) == (404, "solution_not_found")
    invalid = await client.post(
        f"{WHATSAPP}/solutions", json={"details": {}, "accessToken": "", "businessManager": "SINCH_AMERICA"}
    )
    assert invalid.json()["additionalInformation"]["validationErrors"] == [
        "details.name must be a string",
        "accessToken should not be empty",
        "businessManager must be one of the following values: SINCH_BR, SINCH_MX, SINCH_UK",
    ]


async def test_no_reassignment_once_onboarded_through_embedded_signup(client):
    path = "/v1/projects/es-project/whatsapp"
    solution = (await client.post(f"{path}/solutions", json=CREATE)).json()["solutions"][0]
    assert (await client.post(f"{path}/solutions/{solution['id']}/assign")).status_code == 204
    assert (await client.post(f"{path}/senders", json={"wabaId": "77", "phoneNumberId": "88"})).status_code == 201
    refused = await client.post(f"{path}/solutions/{solution['id']}/assign")
    assert (refused.status_code, refused.json()) == (
        409,
        {
            "errorCode": "solution_cannot_be_reassigned",
            "message": "Project is already onboarded, can't reassign solution",
            "resolution": "Verify that the parameters are correct.",
        },
    )


async def test_flows_and_screens(client):
    flows = (await client.get(f"{WHATSAPP}/flows", params={"pageSize": 1})).json()
    assert (flows["totalSize"], flows["flows"][0]["id"], "nextPageToken" in flows) == (2, FIXTURE_FLOW_ID, True)
    screens = (await client.get(f"{WHATSAPP}/flows/{FIXTURE_FLOW_ID}/screens")).json()
    assert screens == {"screens": [{"id": "WELCOME"}, {"id": "BOOKING"}, {"id": "CONFIRMATION"}]}
    none = await client.get(f"{WHATSAPP}/flows/{FIXTURE_DRAFT_FLOW_ID}/screens")
    assert (none.status_code, none.json()["errorCode"]) == (404, "flow_screens_not_found")
    assert (await client.get(f"{WHATSAPP}/flows/1/screens")).json()["errorCode"] == "flow_not_found"
    assert (await client.get("/v1/projects/elsewhere/whatsapp/flows")).json()["errorCode"] == "project_not_initialized"
