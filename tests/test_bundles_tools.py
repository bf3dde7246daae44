"""The bundle tools through MCP client sessions: the order's rules, confirmation, a bundle run to completion."""

from __future__ import annotations

import json

import httpx2
import pytest
from mcp import Client

from conftest import RecordingTransport, answering, unfence
from sinch_provisioning_mcp.sandbox import SandboxState, create_app
from sinch_provisioning_mcp.sandbox.bundles import BUNDLES, FIXTURE_BUNDLE_ID
from sinch_provisioning_mcp.sandbox.faults import Fault
from sinch_provisioning_mcp.server.app import build_server
from sinch_provisioning_mcp.server.config import load_settings

DELAY = 5
HOOK_SECRET = "bundle-hook-secret-4b1d"
CONV_SECRET = "conversation-hook-secret-9e2a"
ORDER = {
    "name": "Support stack",
    "region": "US",
    "subproject": {"labels": {"team": "care"}},
    "sms_app": True,
    "conv_app": {
        "name": "Support bot",
        "processing_mode": "CONVERSATION",
        "retention_policy": {"retention_policy_type": "CONVERSATION_EXPIRE_POLICY", "ttl": 30},
        "webhooks": [{"target": "https://hooks.example.com/conversation", "triggers": ["MESSAGE_INBOUND"], "secret": CONV_SECRET}],
    },
    "webhooks": [{"target": "https://hooks.example.com/bundles", "secret": HOOK_SECRET, "triggers": ["BUNDLE_DONE"]}],
}


@pytest.fixture
def sandbox(clock) -> SandboxState:
    return SandboxState(clock=clock)


@pytest.fixture
def transport(sandbox) -> RecordingTransport:
    return RecordingTransport(httpx2.ASGITransport(app=create_app(sandbox)))


@pytest.fixture
def server(transport):
    return build_server(load_settings(sandbox=True), transport=transport)


async def confirmed(client: Client, arguments: dict) -> tuple[dict, dict]:
    """The preview, then the result of the call made again with its token."""
    preview = (await client.call_tool("create_bundle", arguments)).structured_content
    assert preview["status"] == "confirmation_required", preview
    result = await client.call_tool("create_bundle", {**arguments, "confirmation_token": preview["confirmation_token"]})
    return preview, result.structured_content


async def test_a_bundle_is_previewed_confirmed_and_run_to_completion(server, transport, sandbox):
    async with Client(server) as client:
        preview, created = await confirmed(client, ORDER)
        assert transport.api_calls()[0] == "POST /v1/projects/sandbox-project/bundles"
        bundle = created["bundle"]
        sub = bundle["projectId"]
        sandbox.advance(DELAY)
        done = (await client.call_tool("get_bundle", {"bundle_id": bundle["id"]})).structured_content
        app = (await client.call_tool("get_sms_app", {"sms_app_id": bundle["smsApp"]["id"], "project_id": sub})).structured_content
        hooks = (await client.call_tool("list_webhooks", {"project_id": sub})).structured_content

    changes = preview["preview"]["changes"]
    assert changes[0].startswith("subproject 'Support stack' (labels team=care)")
    assert "SMS app 'Support stack' in US" in changes
    assert "Conversation API app 'Support bot' (CONVERSATION mode, retention CONVERSATION_EXPIRE_POLICY, 30 days); " \
        "Conversation webhook https://hooks.example.com/conversation" in changes
    assert "provisioning webhook https://hooks.example.com/bundles (BUNDLE_DONE)" in changes
    assert any("a retry creates a second set" in line for line in preview["preview"]["consequences"])

    assert created["status"] == "done" and bundle["state"] == "IN_PROGRESS"
    assert created["verified"]["ok"], created["verified"]
    assert bundle["subproject"]["parentProjectId"] == "sandbox-project" and sub == bundle["subproject"]["id"]
    steps = " ".join(created["next_steps"])
    assert "BUNDLE_DONE event to https://hooks.example.com/bundles" in steps and f"get_bundle(bundle_id={bundle['id']})" in steps
    assert f"project_id={sub}" in steps and "Never repeat create_bundle" in steps
    assert transport.api_calls()[:2] == [
        "POST /v1/projects/sandbox-project/bundles",
        f"GET /v1/projects/sandbox-project/bundles/{bundle['id']}",
    ]
    sent = json.loads(next(r for r in transport.requests if r.url.path.endswith("/bundles")).content)
    assert sent["convApp"]["retentionPolicy"] == {"retentionPolicyType": "CONVERSATION_EXPIRE_POLICY", "ttl": 30}
    assert sent["subproject"] == {"labels": {"team": "care"}} and sent["smsApp"] is True
    assert sent["webhooks"][0]["secret"] == HOOK_SECRET and sent["convApp"]["webhooks"][0]["secret"] == CONV_SECRET

    assert done["bundle"]["state"] == "DONE" and done["bundle"]["subproject"]["status"] == "READY"
    assert f"get_sms_app(sms_app_id={bundle['smsApp']['id']}, project_id={sub})" in " ".join(done["next_steps"])
    assert app["sms_app"]["status"] == "ACTIVE"
    assert [unfence(hook["target"]) for hook in hooks["webhooks"]] == ["https://hooks.example.com/bundles"]
    [event] = sandbox.project("sandbox-project").outbox.after(0)
    assert event.trigger == "BUNDLE_DONE" and event.payload["state"] == "DONE" and event.payload["id"] == bundle["id"]
    for shown in (preview, created, done, app, hooks):
        assert HOOK_SECRET not in json.dumps(shown) and CONV_SECRET not in json.dumps(shown)


async def test_the_user_is_asked_with_everything_listed_and_a_refusal_sends_nothing(server, transport):
    asked: list = []
    async with Client(server, elicitation_callback=answering("decline", asked=asked)) as client:
        result = await client.call_tool("create_bundle", ORDER)
    assert result.structured_content["status"] == "declined"
    assert transport.api_calls() == []
    question = asked[0].message
    expected = (
        "Order bundle 'Support stack' in region US",
        "the SANDBOX project sandbox-project",
        "SMS app",
        "Conversation API app",
        "https://hooks.example.com/bundles",
        "There is no bundle delete",
    )
    for line in expected:
        assert line in question
    assert HOOK_SECRET not in question and CONV_SECRET not in question


async def test_an_accepted_order_runs_once(server, transport):
    async with Client(server, elicitation_callback=answering("accept")) as client:
        result = await client.call_tool("create_bundle", {"name": "Quick", "region": "EU", "sms_app": True})
    body = result.structured_content
    assert body["status"] == "done" and body["bundle"]["smsApp"]["status"] == "PENDING_ADD"
    assert body["next_steps"][0].startswith("It is IN_PROGRESS: call get_bundle")
    assert [call for call in transport.api_calls() if call.startswith("POST")] == ["POST /v1/projects/sandbox-project/bundles"]


def _with(path: tuple, value) -> dict:
    """ORDER with one nested value replaced (path of keys and list indexes)."""
    order = json.loads(json.dumps(ORDER))
    node = order
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return order


HOOK = {"target": "https://hooks.example.com/conversation", "triggers": ["MESSAGE_INBOUND"]}


@pytest.mark.parametrize(
    ("arguments", "field", "problem"),
    [
        ({"region": "EU", "name": "x"}, "(arguments)", "nothing to create"),
        ({"region": "EU", "sms_app": False, "name": "x"}, "(arguments)", "nothing to create"),
        ({"region": "EU", "sms_app": True}, "sms_app", "needs a name"),
        ({"region": "EU", "conv_app": {"processing_mode": "DISPATCH"}}, "conv_app", "needs a name"),
        ({"region": "AU", "name": "x", "sms_app": True}, "region", "'BR', 'EU' or 'US'"),
        ({"region": "EU", "name": "x", "sms_app": "yes"}, "sms_app", "true, false or an object"),
        ({"region": "EU", "name": "x", "subproject": {"name": ""}}, "subproject.name", "at least 1 character"),
        ({"region": "EU", "name": "x", "sms_app": {"test": True}}, "sms_app.test", "not an argument"),
        (_with(("conv_app", "webhooks"), [HOOK] * 6), "conv_app.webhooks", "at most 5 items"),
        (
            _with(("conv_app", "webhooks"), [HOOK, HOOK, {**HOOK, "triggers": ["OPT_IN", "OPT_IN"]}]),
            "conv_app.webhooks[2].triggers",
            "once",
        ),
        (_with(("conv_app", "webhooks"), [{**HOOK, "triggers": ["BUNDLE_DONE"]}]), "conv_app.webhooks[0].triggers[0]", "26 allowed"),
        (_with(("conv_app", "webhooks"), [{**HOOK, "triggers": []}]), "conv_app.webhooks[0].triggers", "at least 1 item"),
        (
            _with(("conv_app", "webhooks"), [{**HOOK, "target": "https://conversation-api.us.sinch.com/cb"}]),
            "conv_app.webhooks[0].target",
            "conversation-api.*.sinch.com",
        ),
        (_with(("conv_app", "webhooks"), [{**HOOK, "target": "hooks.example.com/x"}]), "conv_app.webhooks[0].target", "http(s) URL"),
        (
            _with(("conv_app", "processing_mode"), "DISPATCH"),
            "conv_app.retention_policy",
            "in DISPATCH mode: MESSAGE_EXPIRE_POLICY, ttl 0..7",
        ),
        (
            _with(("conv_app", "retention_policy"), {"ttl": 0}),
            "conv_app.retention_policy",
            "in CONVERSATION mode: CONVERSATION_EXPIRE_POLICY or MESSAGE_EXPIRE_POLICY or PERSIST_RETENTION_POLICY, ttl 1..3650",
        ),
        (_with(("conv_app", "retention_policy"), {"ttl": 4000}), "conv_app.retention_policy.ttl", "less than or equal to 3650"),
        (_with(("conv_app", "consent_manager_settings"), {"mode": "ON"}), "conv_app.consent_manager_settings.mode", "'DISABLED'"),
        (_with(("webhooks",), []), "webhooks", "at least 1 item"),
        (_with(("webhooks",), ORDER["webhooks"] * 2), "webhooks", "each target may appear once"),
        (
            _with(("webhooks",), [{**ORDER["webhooks"][0], "target": f"https://hooks.example.com/{n}"} for n in range(16)]),
            "webhooks",
            "at most 15 items",
        ),
        (_with(("webhooks", 0, "triggers"), ["ALL", "BUNDLE_DONE"]), "webhooks[0].triggers", "ALL already covers every event"),
        (_with(("webhooks", 0, "secret"), "x" * 129), "webhooks[0].secret", "at most 128"),
        (_with(("webhooks", 0, "target"), "ftp://hooks.example.com"), "webhooks[0].target", "http(s) URL"),
    ],
)
async def test_the_order_is_refused_before_any_request(server, transport, arguments, field, problem):
    async with Client(server) as client:
        result = await client.call_tool("create_bundle", arguments)
    assert result.is_error and result.structured_content["error"]["errorCode"] == "invalid_arguments"
    problems = result.structured_content["error"]["problems"]
    assert any(p["field"] == field and problem in p["problem"] for p in problems), problems
    assert transport.api_calls() == []


async def test_a_lost_answer_says_to_list_bundles_and_is_never_repeated(server, transport, sandbox):
    sandbox.faults.add(Fault("drop_after", method="POST", path="/v1/projects/{projectId}/bundles", count=1))
    order = {"name": "Lost", "region": "EU", "sms_app": True}
    async with Client(server) as client:
        _, lost = await confirmed(client, order)
        listed = (await client.call_tool("list_bundles", {"filter_states": ["IN_PROGRESS"]})).structured_content
    assert lost["outcome_unknown"] is True and lost["error"]["errorCode"] == "outcome_unknown"
    assert "list_bundles" in lost["next_steps"][0] and "second set" in lost["next_steps"][0]
    assert [call for call in transport.api_calls() if call.startswith("POST")] == ["POST /v1/projects/sandbox-project/bundles"]
    # the order did happen: the list shows it, as the next step says
    assert [(bundle["state"], "Lost" in bundle["name"]) for bundle in listed["bundles"]] == [("IN_PROGRESS", True)]


async def test_a_failed_bundle_says_what_stays(server, sandbox):
    sandbox.set_outcome("sandbox-project", BUNDLES, "failed", reason="failed_to_create_sms_service")
    async with Client(server) as client:
        _, created = await confirmed(client, {"name": "Doomed", "region": "EU", "sms_app": True, "conv_app": True})
        sandbox.advance(DELAY)
        failed = (await client.call_tool("get_bundle", {"bundle_id": created["bundle"]["id"]})).structured_content
    assert failed["bundle"]["state"] == "FAILED" and failed["bundle"]["smsApp"]["status"] == "FAILED_ADD"
    steps = " ".join(failed["next_steps"])
    assert "It failed; what it created stays" in steps
    assert f"get_<channel>_channel_info(conversation_app_id={failed['bundle']['convApp']['id']})" in steps
    assert sandbox.project("sandbox-project").outbox.after(0)[0].comment == "failed_to_create_sms_service"


async def test_list_and_get(server, sandbox):
    async with Client(server) as client:
        _, created = await confirmed(client, {"name": "Second", "region": "BR", "conv_app": True})
        everything = (await client.call_tool("list_bundles", {})).structured_content
        running = (await client.call_tool("list_bundles", {"filter_states": ["IN_PROGRESS"], "detail": "full"})).structured_content
        by_app = (
            await client.call_tool("list_bundles", {"filter_conv_app_ids": [created["bundle"]["convApp"]["id"]]})
        ).structured_content
        fixture = (await client.call_tool("get_bundle", {"bundle_id": FIXTURE_BUNDLE_ID})).structured_content
        missing = await client.call_tool("get_bundle", {"bundle_id": "0" * 24})
        too_big = await client.call_tool("list_bundles", {"page_size": 26})
    assert [b["state"] for b in everything["bundles"]] == ["DONE", "IN_PROGRESS"] and everything["total_size"] == 2
    assert set(everything["bundles"][0]) == {"id", "name", "state", "region", "projectId"}
    assert everything["bundles"][0]["name"].startswith("<untrusted-data")  # names are fenced
    assert [b["id"] for b in running["bundles"]] == [created["bundle"]["id"]] and "convApp" in running["bundles"][0]
    assert [b["id"] for b in by_app["bundles"]] == [created["bundle"]["id"]]
    assert fixture["bundle"]["state"] == "DONE"
    assert "get_sms_app(sms_app_id=5a000000000000000000000000000001)" in " ".join(fixture["next_steps"])
    assert missing.is_error and missing.structured_content["error"]["errorCode"] == "bundle_not_found"
    assert too_big.is_error and too_big.structured_content["error"]["problems"][0]["field"] == "page_size"
