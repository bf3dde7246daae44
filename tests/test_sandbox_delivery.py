"""The sandbox delivers outbox events to subscribed webhooks, signed; only loopback targets are contacted."""

from __future__ import annotations

import json
import time

import httpx2
import pytest

from sinch_provisioning_mcp.api.events import Nonces, RejectedDelivery, verify
from sinch_provisioning_mcp.sandbox import SandboxState, create_app
from sinch_provisioning_mcp.sandbox.delivery import ATTEMPTS, Deliverer
from sinch_provisioning_mcp.sandbox.rcs_accounts import RCS_ACCOUNT
from sinch_provisioning_mcp.sandbox.webhooks import WEBHOOKS

PROJECT = "delivery-project"
SECRET = "delivery-secret-0123456789"


class Receiver:
    """Stands in for the network: records what the deliverer posts and answers `status`."""

    def __init__(self, status: int = 204) -> None:
        self.status = status
        self.requests: list[httpx2.Request] = []

    def client(self) -> httpx2.AsyncClient:
        def handle(request: httpx2.Request) -> httpx2.Response:
            self.requests.append(request)
            return httpx2.Response(self.status)

        return httpx2.AsyncClient(transport=httpx2.MockTransport(handle))


def setup(targets: dict[str, list[str]]) -> SandboxState:
    state = SandboxState(clock=time.time)
    create_app(state)  # prepares the families
    hooks = state.project(PROJECT).collection(WEBHOOKS)
    for target, triggers in targets.items():
        hooks.create({"target": target, "secret": SECRET, "triggers": triggers})
    state.project(PROJECT).collection(RCS_ACCOUNT).place({})
    return state


async def test_a_loopback_target_gets_a_signed_event_the_client_verifies():
    state = setup({"http://127.0.0.1:9000/events": ["ALL"]})
    state.project(PROJECT).collection(RCS_ACCOUNT).get().comment("Logo looks good")
    receiver = Receiver()
    async with receiver.client() as http:
        made = await Deliverer(state, http).deliver_pending()
    assert made == 1 and len(receiver.requests) == 1
    request = receiver.requests[0]
    assert str(request.url) == "http://127.0.0.1:9000/events"
    document = verify([SECRET], request.content, request.headers, time.time(), Nonces())
    assert document["type"] == "RCS_ACCOUNT_COMMENT_ADDED" and document["comment"] == "Logo looks good"
    with pytest.raises(RejectedDelivery, match="signature"):
        verify(["another-secret"], request.content, request.headers, time.time(), Nonces())
    assert [d.outcome for d in state.project(PROJECT).deliveries] == ["delivered"]


async def test_other_targets_are_simulated_never_contacted_and_triggers_filter():
    state = setup({
        "https://hooks.example.com/a": ["ALL"],
        "http://127.0.0.1:9001/b": ["BUNDLE_DONE"],
        "http://[::1]:9002/c": ["RCS_ACCOUNT_COMMENT_ADDED"],
    })
    state.project(PROJECT).collection(RCS_ACCOUNT).get().comment("hello")
    receiver = Receiver()
    async with receiver.client() as http:
        await Deliverer(state, http).deliver_pending()
    assert [str(r.url) for r in receiver.requests] == ["http://[::1]:9002/c"]
    outcomes = {d.target: d.outcome for d in state.project(PROJECT).deliveries}
    assert outcomes == {"https://hooks.example.com/a": "simulated", "http://[::1]:9002/c": "delivered"}


async def test_a_failing_receiver_is_tried_again_then_recorded_failed_and_each_event_goes_once():
    state = setup({"http://127.0.0.1:9003/events": ["ALL"]})
    account = state.project(PROJECT).collection(RCS_ACCOUNT).get()
    account.comment("first")
    receiver = Receiver(status=500)
    async with receiver.client() as http:
        deliverer = Deliverer(state, http)
        await deliverer.deliver_pending()
        await deliverer.deliver_pending()  # nothing new
        account.comment("second")
        receiver.status = 200
        await deliverer.deliver_pending()
    assert len(receiver.requests) == ATTEMPTS + 1
    assert [(d.outcome, d.attempts) for d in state.project(PROJECT).deliveries] == [("failed", ATTEMPTS), ("delivered", 1)]
    assert [json.loads(r.content)["comment"] for r in receiver.requests] == ["first"] * ATTEMPTS + ["second"]


async def test_deliveries_are_visible_through_the_controls():
    state = setup({"https://hooks.example.com/a": ["ALL"]})
    state.project(PROJECT).collection(RCS_ACCOUNT).get().comment("x")
    async with Receiver().client() as http:
        await Deliverer(state, http).deliver_pending()
    app = create_app(state)
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://sandbox") as client:
        response = await client.get(f"/_sandbox/projects/{PROJECT}/deliveries", auth=("sandbox-key-id", "sandbox-key-secret"))
    assert response.json()["deliveries"][0] | {"webhookId": None} == {
        "sequence": 1, "webhookId": None, "target": "https://hooks.example.com/a", "outcome": "simulated", "status": None, "attempts": 0,
    }
