"""Sandbox RCS test numbers over HTTP: invites and Google's limits, states, re-adding, capabilities, removal."""

from __future__ import annotations

from sinch_provisioning_mcp.sandbox.rcs_senders import TEST_NUMBERS

BASE = "/v1/projects/sandbox-project/rcs/senders"
FIXTURE = "00000000-0000-4000-8000-000000000051"
VERIFIED, DECLINED = "+46700000001", "+46700000002"
NUMBERS = f"{BASE}/{FIXTURE}/testNumbers"


def numbers(start: int, count: int) -> list[str]:
    return [f"+4671{n:07d}" for n in range(start, start + count)]


async def add(client, *batch: str, sender: str = FIXTURE):
    return await client.post(f"{BASE}/{sender}/testNumbers", json={"testNumbers": list(batch)})


async def state_of(client, number: str) -> str:
    response = await client.get(f"{NUMBERS}/{number}")
    assert response.status_code == 200, response.text
    return response.json()["state"]


async def new_sender(client, sandbox_app, **details) -> str:
    body = {"region": "EU", "billingCategory": "CONVERSATIONAL", "useCase": "OTP"}
    if details:
        body["details"] = details
    sender = (await client.post(BASE, json=body)).json()
    sandbox_app.state.sandbox.advance(5)
    return sender["id"]


async def test_an_invited_device_is_pending_then_verified(client, sandbox_app):
    response = await add(client, "+46711111111")
    assert response.status_code == 200
    assert response.json() == {
        "testNumbers": [
            {"number": VERIFIED, "state": "VERIFIED", "submitted": "2023-11-14T22:13:20.250Z"},
            {"number": DECLINED, "state": "DECLINED", "submitted": "2023-11-14T22:13:20.250Z"},
            {"number": "+46711111111", "state": "PENDING", "submitted": "2023-11-14T22:13:20.250Z"},
        ]
    }
    sandbox_app.state.sandbox.advance(5)
    assert await state_of(client, "+46711111111") == "VERIFIED"
    sender = (await client.get(f"{BASE}/{FIXTURE}")).json()
    assert sender["details"]["testNumbers"] == [VERIFIED, DECLINED, "+46711111111"]


async def test_re_adding_a_verified_number_resets_it_and_invites_again(client, sandbox_app):
    (await add(client, VERIFIED)).raise_for_status()
    assert await state_of(client, VERIFIED) == "UNVERIFIED"
    sandbox_app.state.sandbox.advance(5)
    assert await state_of(client, VERIFIED) == "VERIFIED"


async def test_a_device_that_declined_cannot_be_invited_again(client):
    response = await add(client, DECLINED, "+46711111111")
    assert (response.status_code, response.json()["errorCode"]) == (404, "blocked_because_the_recipient_declined")
    assert (await client.get(f"{NUMBERS}/+46711111111")).status_code == 404  # all or nothing


async def test_the_scenario_outcome_makes_a_device_decline(client, sandbox_app):
    state = sandbox_app.state.sandbox
    state.set_outcome("sandbox-project", TEST_NUMBERS, "declined")
    await add(client, "+46711111111")
    state.advance(5)
    assert await state_of(client, "+46711111111") == "DECLINED"


async def test_twenty_invites_a_day(client, sandbox_app):
    sender = await new_sender(client, sandbox_app)
    state = sandbox_app.state.sandbox
    assert (await add(client, *numbers(0, 15), sender=sender)).status_code == 200
    state.advance(3600)
    assert (await add(client, *numbers(15, 5), sender=sender)).status_code == 200
    refused = await add(client, "+46719999999", sender=sender)
    assert refused.status_code == 429 and refused.json()["errorCode"] == "rbm_too_many_requests"
    # the first 15 leave the 24-hour window 23 hours from now
    assert refused.headers["Retry-After"] == str(86_400 - 3600)
    assert (await client.get(f"{BASE}/{sender}/testNumbers/+46719999999")).status_code == 404
    state.advance(86_400 - 3600 - 1)
    assert (await add(client, "+46719999999", sender=sender)).status_code == 429
    state.advance(1)
    assert (await add(client, "+46719999999", sender=sender)).status_code == 200


async def test_more_than_twenty_at_once_never_fits_a_day(client, sandbox_app):
    sender = await new_sender(client, sandbox_app)
    refused = await add(client, *numbers(0, 21), sender=sender)
    assert refused.status_code == 429 and "Retry-After" not in refused.headers
    assert "20 tester invites a day" in refused.json()["resolution"]


async def test_two_hundred_invites_in_all(client, sandbox_app):
    sender = await new_sender(client, sandbox_app)
    state = sandbox_app.state.sandbox
    for day in range(10):
        assert (await add(client, *numbers(day * 20, 20), sender=sender)).status_code == 200
        state.advance(86_400)
    refused = await add(client, "+46719999999", sender=sender)
    assert refused.status_code == 429 and "Retry-After" not in refused.headers
    assert "200 tester invites in all" in refused.json()["resolution"]
    # removing a device gives no invite back
    assert (await client.delete(f"{BASE}/{sender}/testNumbers/{numbers(0, 1)[0]}")).status_code == 204
    assert (await add(client, "+46719999999", sender=sender)).status_code == 429


async def test_no_invites_before_the_google_agent_exists(client):
    draft = (await client.post(BASE, json={"region": "EU", "billingCategory": "CONVERSATIONAL", "useCase": "OTP"})).json()
    response = await add(client, "+46711111111", sender=draft["id"])
    assert (response.status_code, response.json()["errorCode"]) == (400, "no_google_supplier")


async def test_numbers_listed_at_creation_are_invited_when_the_agent_is_ready(client, sandbox_app):
    sender = (
        await client.post(
            BASE,
            json={"region": "EU", "billingCategory": "CONVERSATIONAL", "useCase": "OTP",
                  "details": {"testNumbers": ["+46711111111"]}},
        )
    ).json()  # fmt: skip
    assert sender["testNumberStates"] == [] and sender["details"]["testNumbers"] == ["+46711111111"]
    sandbox_app.state.sandbox.advance(5)
    ready = (await client.get(f"{BASE}/{sender['id']}")).json()
    assert [(t["number"], t["state"]) for t in ready["testNumberStates"]] == [("+46711111111", "PENDING")]


async def test_patching_test_numbers_replaces_the_testers(client):
    response = await client.patch(f"{BASE}/{FIXTURE}", json={"details": {"testNumbers": [VERIFIED, "+46711111111"]}})
    assert response.status_code == 200, response.text
    states = {t["number"]: t["state"] for t in response.json()["testNumberStates"]}
    assert states == {VERIFIED: "VERIFIED", "+46711111111": "PENDING"}  # declined one removed, verified kept
    assert response.json()["details"]["testNumbers"] == [VERIFIED, "+46711111111"]


async def test_body_and_path_checks(client):
    bad = await add(client, "0701234567", "0701234567")
    assert bad.json()["additionalInformation"]["validationErrors"] == [
        "each value in testNumbers must be a valid phone number",
        "All testNumbers's elements must be unique",
    ]
    empty = await client.post(NUMBERS, json={"testNumbers": []})
    assert empty.json()["additionalInformation"]["validationErrors"] == ["testNumbers should not be empty"]
    not_e164 = await client.get(f"{NUMBERS}/0701234567")
    assert not_e164.json()["additionalInformation"]["validationErrors"] == ["testNumber must be a valid phone number"]
    unknown = await client.get(f"{NUMBERS}/+46799999999")
    assert unknown.json() == {
        "errorCode": "user_is_not_tester_for_agent",
        "message": "Test number not found.",
        "resolution": "Add test number to agent.",
    }
    bad_sender = await client.get(f"{BASE}/nope/testNumbers/{VERIFIED}")
    assert bad_sender.json()["errorCode"] == "invalid_id_format"


async def test_capabilities_only_for_a_verified_device(client, sandbox_app):
    verified = (await client.get(f"{NUMBERS}/{VERIFIED}/capabilities")).json()
    assert "RICHCARD_CAROUSEL" in verified["features"] and "REVOCATION" not in verified["features"]
    declined = await client.get(f"{NUMBERS}/{DECLINED}/capabilities")
    assert declined.json()["errorCode"] == "blocked_because_the_recipient_declined"
    await add(client, "+46711111111")
    pending = await client.get(f"{NUMBERS}/+46711111111/capabilities")
    assert (pending.status_code, pending.json()["errorCode"]) == (404, "user_has_not_accepted_invite")


async def test_retry_is_another_invite(client, sandbox_app):
    retried = await client.get(f"{NUMBERS}/{VERIFIED}/retry")
    assert retried.json() == {"number": VERIFIED, "state": "UNVERIFIED", "submitted": "2023-11-14T22:13:20.250Z"}
    sender = sandbox_app.state.sandbox.project("sandbox-project").collection(TEST_NUMBERS)
    assert len(sender) == 0  # test numbers live under their sender, not the project
    declined = await client.get(f"{NUMBERS}/{DECLINED}/retry")
    assert declined.json()["errorCode"] == "blocked_because_the_recipient_declined"


async def test_delete_removes_the_device(client):
    assert (await client.delete(f"{NUMBERS}/{DECLINED}")).status_code == 204
    assert (await client.get(f"{NUMBERS}/{DECLINED}")).status_code == 404
    sender = (await client.get(f"{BASE}/{FIXTURE}")).json()
    assert sender["details"]["testNumbers"] == [VERIFIED]
    again = await client.delete(f"{NUMBERS}/{DECLINED}")
    assert again.json()["errorCode"] == "user_is_not_tester_for_agent"
