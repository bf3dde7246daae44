"""The webhook tools through an in-memory MCP client session against the sandbox."""

from __future__ import annotations

import json

from mcp import Client

from conftest import unfence

SECRET = "whsec-canary-7f3a9c1e5b2d4680"


async def create(client: Client, target: str = "https://example.com/hooks/sinch", triggers: list[str] | None = None):
    return await client.call_tool(
        "create_webhook", {"target": target, "secret": SECRET, "triggers": triggers or ["ALL"]}
    )


async def test_create_verifies_by_reading_back(server, sandbox_transport):
    async with Client(server) as client:
        result = await create(client)
    assert not result.is_error
    body = result.structured_content
    assert body["environment"] == "sandbox" and body["project_id"] == "sandbox-project"
    assert unfence(body["webhook"]["target"]) == "https://example.com/hooks/sinch"
    assert body["verified"]["ok"] is True
    assert body["verified"]["observed"] == f"read back webhook {body['webhook']['id']}: target, triggers as requested"
    # create, then the read-back
    assert sandbox_transport.api_calls() == [
        "POST /v1/projects/sandbox-project/webhooks",
        f"GET /v1/projects/sandbox-project/webhooks/{body['webhook']['id']}",
    ]
    assert body["next_steps"]


async def test_secret_goes_to_the_api_but_never_comes_back(server, sandbox_transport):
    async with Client(server) as client:
        result = await create(client)
        listed = await client.call_tool("list_webhooks", {})
    posts = [r for r in sandbox_transport.requests if r.method == "POST" and r.url.path.endswith("/webhooks")]
    assert json.loads(posts[0].content)["secret"] == SECRET
    for shown in (result, listed):
        assert SECRET not in shown.model_dump_json()


async def test_list_get_replace_update(make_server):
    async with Client(make_server(project_id="webhook-tools")) as client:
        first = (await create(client, "https://b.example.com/x")).structured_content["webhook"]
        await create(client, "https://a.example.com/x", ["BUNDLE_DONE"])
        listed = (await client.call_tool("list_webhooks", {})).structured_content
        assert [unfence(w["target"]) for w in listed["webhooks"]] == ["https://a.example.com/x", "https://b.example.com/x"]
        assert listed["total_size"] == 2

        got = (await client.call_tool("get_webhook", {"webhook_id": first["id"]})).structured_content
        assert got["webhook"] == first

        replacement = {"webhook_id": first["id"], "target": "https://c.example.com/x", "secret": SECRET + "2",
                       "triggers": ["RCS_SENDER_STATUS_UPDATED"]}
        preview = (await client.call_tool("replace_webhook", replacement)).structured_content
        replaced = await client.call_tool(
            "replace_webhook", {**replacement, "confirmation_token": preview["confirmation_token"]}
        )
        assert replaced.structured_content["webhook"]["triggers"] == ["RCS_SENDER_STATUS_UPDATED"]
        assert replaced.structured_content["verified"]["ok"]

        updated = await client.call_tool("update_webhook", {"webhook_id": first["id"], "triggers": ["BUNDLE_DONE"]})
        body = updated.structured_content
        assert unfence(body["webhook"]["target"]) == "https://c.example.com/x"  # left as it was
        assert body["webhook"]["triggers"] == ["BUNDLE_DONE"]
        assert body["verified"]["ok"]


async def test_api_error_carries_every_papi_field(server):
    async with Client(server) as client:
        await create(client)
        duplicate = await create(client)
    assert duplicate.is_error
    error = duplicate.structured_content["error"]
    assert error["status"] == 409 and error["errorCode"] == "webhook_exists"
    assert error["message"] and error["resolution"]
    assert "additionalInformation" in error
    assert error["operation"] == "POST /v1/projects/{projectId}/webhooks"
    text = duplicate.content[0].text
    assert "webhook_exists" in text and error["resolution"] in text


async def test_sixteenth_webhook_hits_the_limit(make_server):
    async with Client(make_server(project_id="webhook-tools")) as client:
        for n in range(15):
            assert not (await create(client, f"https://example.com/{n}")).is_error
        listed = (await client.call_tool("list_webhooks", {})).structured_content
        over = await create(client, "https://example.com/16")
    assert len(listed["webhooks"]) == 15
    assert any("15" in step for step in listed["next_steps"])
    assert over.is_error and over.structured_content["error"]["errorCode"] == "webhook_limit_reached"
    assert over.structured_content["error"]["status"] == 424


async def test_all_with_other_triggers_is_refused_before_any_request(server, sandbox_transport):
    async with Client(server) as client:
        result = await create(client, triggers=["ALL", "BUNDLE_DONE"])
        created = (await create(client)).structured_content["webhook"]
        before = len(sandbox_transport.requests)
        patched = await client.call_tool("update_webhook", {"webhook_id": created["id"], "triggers": ["BUNDLE_DONE", "ALL"]})
    for refused in (result, patched):
        assert refused.is_error
        assert refused.structured_content["error"]["errorCode"] == "invalid_arguments"
        problem = refused.structured_content["error"]["problems"][0]
        assert problem["field"] == "triggers" and "ALL" in problem["problem"]
    assert len(sandbox_transport.requests) == before
    assert not any(r.method == "POST" and b"BUNDLE_DONE" in r.content for r in sandbox_transport.requests)


async def test_bad_arguments_name_the_field_and_what_is_allowed(server, sandbox_transport):
    async with Client(server) as client:
        unknown_trigger = await create(client, triggers=["TEMPLATES_GOT_BETTER"])
        bad_target = await client.call_tool(
            "create_webhook", {"target": "ftp://example.com/x", "secret": SECRET, "triggers": ["ALL"]}
        )
        missing = await client.call_tool("create_webhook", {"target": "https://example.com/x", "triggers": ["ALL"]})
        nothing = await client.call_tool("update_webhook", {"webhook_id": "01ARZ3NDEKTSV4RRFFQ69G5FAV"})
        typo = await client.call_tool("list_webhooks", {"projectid": "x"})
    trigger_problem = unknown_trigger.structured_content["error"]["problems"][0]
    assert trigger_problem["field"].startswith("triggers")
    assert "39 allowed" in trigger_problem["problem"] and "ALL" in trigger_problem["problem"]
    assert "TEMPLATES_GOT_BETTER" not in unknown_trigger.content[0].text  # the rejected value is not echoed
    assert bad_target.structured_content["error"]["problems"][0]["field"] == "target"
    assert "http(s)" in bad_target.structured_content["error"]["problems"][0]["problem"]
    assert missing.structured_content["error"]["problems"] == [{"field": "secret", "problem": "required"}]
    assert nothing.is_error and "nothing to update" in nothing.content[0].text
    assert typo.structured_content["error"]["problems"][0]["field"] == "projectid"
    assert sandbox_transport.api_calls() == []


async def test_project_id_argument_selects_another_project(server):
    async with Client(server) as client:
        await create(client)
        other = (await client.call_tool("list_webhooks", {"project_id": "another-project"})).structured_content
        default = (await client.call_tool("list_webhooks", {})).structured_content
    assert other["project_id"] == "another-project" and other["webhooks"] == []
    assert len(default["webhooks"]) == 2  # the seeded fixture and the new one


async def test_rcs_comment_round_trip(server):
    async with Client(server) as client:
        posted = await client.call_tool("add_rcs_account_comment", {"comment": "Logo uploaded, please review."})
        listed = (await client.call_tool("list_rcs_account_activities", {"page_size": 10})).structured_content
        elsewhere = await client.call_tool("list_rcs_account_activities", {"project_id": "no-rcs-here"})
    assert not posted.is_error
    newest = listed["activities"][0]
    assert newest["type"] == "COMMENT_ADDED" and "Logo uploaded, please review." in newest["comment"]
    assert elsewhere.is_error and elsewhere.structured_content["error"]["errorCode"] == "account_not_found"


async def test_prompt_guides_the_webhook_set_up(server):
    async with Client(server) as client:
        prompts = await client.list_prompts()
        rendered = await client.get_prompt("set_up_provisioning_webhook", {"events": "all"})
    assert "set_up_provisioning_webhook" in [p.name for p in prompts.prompts]
    text = rendered.messages[0].content.text
    assert "list_webhooks" in text and "['ALL']" in text and "x-sinch-webhook-signature" in text


async def test_identifier_that_would_escape_its_path_segment_is_refused(server, sandbox_transport):
    async with Client(server) as client:
        results = [await client.call_tool(tool, {"webhook_id": ".."}) for tool in ("get_webhook", "delete_webhook")]
    for result in results:
        assert result.is_error and "webhookId '..' is not a valid identifier" in result.content[0].text
    assert sandbox_transport.api_calls() == []
