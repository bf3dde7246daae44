"""The KakaoTalk template tools through MCP client sessions against the sandbox, and a whole onboarding."""

from __future__ import annotations

import json

import pytest
from mcp import Client

from mcp_calls import error, ok
from sinch_provisioning_mcp.sandbox import SANDBOX_PROJECT_ID
from sinch_provisioning_mcp.sandbox.kakaotalk_senders import SENDERS
from sinch_provisioning_mcp.sandbox.kakaotalk_templates import TEMPLATES
from sinch_provisioning_mcp.tools.kakaotalk_senders import submitted

SENDER = "sandbox-plusfriend"
CODE = "SANDBOXTEMPLATE00001"
TEMPLATES_PATH = f"/v1/projects/{SANDBOX_PROJECT_ID}/kakaotalk/senders/{SENDER}/templates"
CATEGORIES_PATH = f"/v1/projects/{SANDBOX_PROJECT_ID}/kakaotalk/categories/senders/{SENDER}/templates"
OTP = {"name": "Login code", "language": "EN", "content": "Your login code is #{code}.", "category_code": "001002"}


def sandbox(transport):
    return transport.inner.app.state.sandbox


def triggers(transport) -> list[str]:
    return [e.trigger for e in sandbox(transport).project(SANDBOX_PROJECT_ID).outbox.after(0)]


async def test_a_kakaotalk_onboarding_from_sender_to_approved_template(server, sandbox_transport):
    """Create the sender, register, verify with the code, pick a category, write a template, see it approved."""
    shop = {"plus_friend_id": "seoul-dental"}
    details = {
        "admin_phone_no": "+821098765432", "name": "Seoul Dental",
        "top_level_category_code": "001", "mid_level_category_code": "0001", "sub_level_category_code": "0002",
    }
    async with Client(server) as client:
        tree = await ok(client, "list_kakaotalk_sender_categories", {})
        assert "0002" in [c["code"] for c in tree["categories"][0]["subcategories"][0]["subcategories"]]
        await ok(client, "create_kakaotalk_sender", shop | {"details": details})
        await ok(client, "register_kakaotalk_sender", shop)
        active = await ok(client, "verify_kakaotalk_sender", shop | {"code": 123456})
        categories = await ok(client, "list_kakaotalk_template_categories", shop)
        codes = [sub["code"] for category in categories["categories"] for sub in category["subcategories"]]
        created = await ok(client, "create_kakaotalk_template", shop | {"details": OTP | {"security_flag": True}})
        code = created["template"]["code"]
        sandbox(sandbox_transport).advance(5)
        approved = await ok(client, "get_kakaotalk_template", shop | {"template_code": code})
        listed = await ok(client, "list_kakaotalk_templates", shop | {"filter_states": ["APPROVED"]})
    assert active["sender"]["state"] == "ACTIVE"
    assert "001002" in codes
    assert created["template"]["changes"]["status"] == "IN_PROGRESS" and created["verified"]["ok"]
    assert "KAKAOTALK_TEMPLATE_APPROVED" in created["next_steps"][0]
    assert approved["template"]["state"] == "APPROVED" and "changes" not in approved["template"]
    assert approved["template"]["details"]["securityFlag"] is True
    assert "messages can use it" in approved["next_steps"][0]
    assert [t["code"] for t in listed["templates"]] == [code]
    assert triggers(sandbox_transport) == ["KAKAOTALK_SENDER_ACTIVE", "KAKAOTALK_TEMPLATE_APPROVED"]


async def test_a_category_code_is_checked_against_the_senders_categories(server, sandbox_transport):
    async with Client(server) as client:
        refused = await error(client, "create_kakaotalk_template", {"plus_friend_id": SENDER, "details": OTP | {"category_code": "123456"}})
    assert refused["errorCode"] == "invalid_arguments"
    (problem,) = refused["problems"]
    assert problem["field"] == "details.category_code"
    assert "e.g. 001001, 001002, 001003, 002002, 999999" in problem["problem"]
    assert "list_kakaotalk_template_categories" in problem["problem"]
    assert sandbox_transport.api_calls() == [f"GET {CATEGORIES_PATH}"]  # one read, no write
    assert sandbox_transport.requests[-1].url.params["pageSize"] == "100"


async def test_without_a_category_code_there_is_nothing_to_check(server, sandbox_transport):
    details = {key: value for key, value in OTP.items() if key != "category_code"}
    async with Client(server) as client:
        created = await ok(client, "create_kakaotalk_template", {"plus_friend_id": SENDER, "details": details, "status": "DRAFT"})
    assert created["template"]["changes"] == {"status": "DRAFT", "details": created["template"]["changes"]["details"]}
    assert created["template"]["changes"]["details"]["categoryCode"] == "999999"  # the API's default
    assert [call.split()[0] for call in sandbox_transport.api_calls()] == ["POST", "GET"]
    post = next(r for r in sandbox_transport.requests if r.method == "POST" and r.url.path == TEMPLATES_PATH)
    assert json.loads(post.content) == {"details": details, "status": "DRAFT"}


@pytest.mark.parametrize(
    ("details", "field", "problem"),
    [
        ({"language": "XX"}, "details.language", "not an allowed value (71 allowed"),
        ({"content": ""}, "details.content", "at least 1 character"),
        ({"name": "n" * 151}, "details.name", "at most 150 characters"),
        ({"title": "t" * 51}, "details.title", "at most 50 characters"),
        ({"image_url": "not a url"}, "details.image_url", "absolute http(s) URL"),
        ({"buttons": [{"ordering": 1, "type": "WEB_LINK", "name": "A"}, {"ordering": 2, "type": "WEB_LINK", "name": "B"}]},
         "details.buttons", "each button type may be used once"),
        ({"buttons": [{"ordering": n % 5 + 1, "type": t, "name": "A"} for n, t in enumerate(
            ["APP_LINK", "WEB_LINK", "BOT_KEYWORD", "BOT_TRANSFER", "BUSINESS_FORM", "DELIVERY_SEARCH"])]},
         "details.buttons", "at most 5 items"),
        ({"buttons": [{"ordering": 6, "type": "WEB_LINK", "name": "A"}]}, "details.buttons[0].ordering", "less than or equal to 5"),
        ({"buttons": [{"ordering": 1, "type": "WEB_LINK", "name": "fifteen chars!!"}]}, "details.buttons[0].name", "at most 14"),
        ({"buttons": [{"ordering": 1, "type": "WEB_LINK", "name": "A", "link_mo": "javascript:alert(1)"}]},
         "details.buttons[0].link_mo", "absolute http(s) URL"),
        ({"category_code": "1234567"}, "details.category_code", "at most 6 characters"),
    ],
)
async def test_template_details_are_refused_before_any_request(server, sandbox_transport, details, field, problem):
    async with Client(server) as client:
        refused = await error(client, "create_kakaotalk_template", {"plus_friend_id": SENDER, "details": OTP | details})
    assert refused["problems"][0]["field"] == field and problem in refused["problems"][0]["problem"]
    assert sandbox_transport.api_calls() == []


async def test_an_update_cannot_change_the_language(server, sandbox_transport):
    async with Client(server) as client:
        ref = {"plus_friend_id": SENDER, "template_code": CODE}
        refused = await error(client, "update_kakaotalk_template", ref | {"details": {"language": "KO"}})
        nothing = await error(client, "update_kakaotalk_template", ref)
    assert refused["problems"][0] == {"field": "details.language", "problem": "not an argument of this tool"}
    assert "nothing to update" in nothing["message"]
    assert sandbox_transport.api_calls() == []


async def test_an_approved_template_edited_as_a_draft_keeps_its_live_text(server):
    ref = {"plus_friend_id": SENDER, "template_code": CODE}
    async with Client(server) as client:
        drafted = await ok(client, "update_kakaotalk_template", ref | {"details": {"content": "Hi #{name}, it shipped."}})
    template = drafted["template"]
    assert template["state"] == "APPROVED" and template["changes"]["status"] == "DRAFT"
    assert "it shipped" in template["changes"]["details"]["content"] and "has shipped" in template["details"]["content"]
    assert drafted["verified"] == {"ok": True, "observed": f"read back template {template['id']}: content as requested"}
    assert "status SUBMIT" in drafted["next_steps"][0]


async def test_a_rejected_template_is_corrected_and_approved(server, sandbox_transport):
    state = sandbox(sandbox_transport)
    state.set_outcome(SANDBOX_PROJECT_ID, TEMPLATES, "rejected", reason="Advertising is not allowed in AlimTalk.")
    async with Client(server) as client:
        created = await ok(client, "create_kakaotalk_template", {"plus_friend_id": SENDER, "details": OTP})
        ref = {"plus_friend_id": SENDER, "template_code": created["template"]["code"]}
        in_review = await error(client, "update_kakaotalk_template", ref | {"details": {"content": "x"}})
        state.advance(5)
        rejected = await ok(client, "get_kakaotalk_template", ref)
        resubmitted = await ok(client, "update_kakaotalk_template", ref | {"details": {"content": "Your code: #{code}"}, "status": "SUBMIT"})
        state.advance(5)
        approved = await ok(client, "get_kakaotalk_template", ref)
    assert in_review["errorCode"] == "precondition_failed" and "in KakaoTalk review" in in_review["message"]
    assert rejected["template"]["state"] == "REJECTED" and rejected["template"]["changes"]["status"] == "REJECTED"
    assert "KAKAOTALK_TEMPLATE_REJECTED event carries the reason" in rejected["next_steps"][0]
    assert resubmitted["template"]["changes"]["status"] == "IN_PROGRESS" and resubmitted["verified"]["ok"]
    assert approved["template"]["state"] == "APPROVED" and "Your code" in approved["template"]["details"]["content"]
    outbox = state.project(SANDBOX_PROJECT_ID).outbox.after(0)
    assert [(e.trigger, e.comment) for e in outbox] == [
        ("KAKAOTALK_TEMPLATE_REJECTED", "Advertising is not allowed in AlimTalk."),
        ("KAKAOTALK_TEMPLATE_APPROVED", None),
    ]
    assert sum(r.method == "PATCH" for r in sandbox_transport.requests) == 1


async def test_update_checks_the_category_too(server, sandbox_transport):
    ref = {"plus_friend_id": SENDER, "template_code": CODE}
    async with Client(server) as client:
        refused = await error(client, "update_kakaotalk_template", ref | {"details": {"category_code": "000000"}})
        moved = await ok(client, "update_kakaotalk_template", ref | {"details": {"category_code": "001001"}})
    assert refused["problems"][0]["field"] == "details.category_code"
    assert moved["template"]["changes"]["details"]["categoryCode"] == "001001"
    assert sandbox_transport.api_calls()[:2] == [f"GET {TEMPLATES_PATH}/{CODE}", f"GET {CATEGORIES_PATH}"]


async def test_template_errors_of_the_api(server):
    async with Client(server) as client:
        taken = await error(client, "create_kakaotalk_template", {"plus_friend_id": SENDER, "details": OTP | {"name": "Sandbox order update"}})
        no_template = await error(client, "get_kakaotalk_template", {"plus_friend_id": SENDER, "template_code": "NOPE"})
        no_sender = await error(client, "list_kakaotalk_templates", {"plus_friend_id": "nobody"})
        no_categories = await error(client, "create_kakaotalk_template", {"plus_friend_id": "nobody", "details": OTP})
    assert (taken["status"], taken["errorCode"]) == (409, "template_exists")
    assert (no_template["status"], no_template["errorCode"]) == (404, "template_not_found")
    assert (no_sender["status"], no_sender["errorCode"]) == (404, "sender_not_found")
    assert no_categories["errorCode"] == "sender_not_found"  # the category read fails first, nothing written


async def test_list_templates_summarises_filters_and_pages(server):
    async with Client(server) as client:
        await ok(client, "create_kakaotalk_template", {"plus_friend_id": SENDER, "details": OTP, "status": "DRAFT"})
        listed = await ok(client, "list_kakaotalk_templates", {"plus_friend_id": SENDER, "page_size": 1})
        second = await ok(client, "list_kakaotalk_templates", {"plus_friend_id": SENDER, "page_token": listed["next_page_token"]})
        drafts = await ok(client, "list_kakaotalk_templates", {"plus_friend_id": SENDER, "filter_statuses": ["DRAFT"]})
        prefixed = await ok(client, "list_kakaotalk_templates", {"plus_friend_id": SENDER, "template_name": "Sandbox", "detail": "full"})
        too_big = await error(client, "list_kakaotalk_templates", {"plus_friend_id": SENDER, "page_size": 1001})
    (first,) = listed["templates"]
    assert set(first) == {"code", "changes"} and "Login code" in first["changes"]["details"]["name"]  # alphabetical
    assert listed["total_size"] == 2
    (other,) = second["templates"]
    assert other["code"] == CODE and other["state"] == "APPROVED" and "Sandbox order update" in other["details"]["name"]
    assert [t["changes"]["status"] for t in drafts["templates"]] == ["DRAFT"]
    assert [t["code"] for t in prefixed["templates"]] == [CODE] and "content" in prefixed["templates"][0]["details"]
    assert too_big["problems"][0]["field"] == "page_size"


async def test_template_categories_summary_and_full(server):
    async with Client(server) as client:
        summary = await ok(client, "list_kakaotalk_template_categories", {"plus_friend_id": SENDER})
        full = await ok(client, "list_kakaotalk_template_categories", {"plus_friend_id": SENDER, "detail": "full", "page_size": 1})
    assert summary["categories"][0] == {
        "nameEnglish": "Membership",
        "subcategories": [
            {"code": "001001", "nameEnglish": "Join membership"},
            {"code": "001002", "nameEnglish": "Authentication/Password/Login"},
            {"code": "001003", "nameEnglish": "Membership information/Member ship benefits"},
        ],
    }
    membership = full["categories"][0]["subcategories"][0]
    assert membership["name"] == "회원가입" and membership["inclusion"].startswith("<untrusted-data")
    assert full["total_size"] == 3 and full["next_page_token"]


async def test_deleting_a_template_is_confirmed(server, sandbox_transport):
    ref = {"plus_friend_id": SENDER, "template_code": CODE}
    async with Client(server) as client:
        preview = await ok(client, "delete_kakaotalk_template", ref)
        done = await ok(client, "delete_kakaotalk_template", ref | {"confirmation_token": preview["confirmation_token"]})
        gone = await error(client, "get_kakaotalk_template", ref)
    assert preview["preview"]["action"] == f"Delete KakaoTalk template {CODE} of sender {SENDER}"
    assert preview["preview"]["consequences"][0] == f"Messages can no longer be sent with template code {CODE}."
    assert "a replacement needs a new KakaoTalk review" in preview["preview"]["consequences"][1]
    assert done["status"] == "done" and done["verified"]["ok"]
    assert gone["errorCode"] == "template_not_found"
    assert sum(r.method == "DELETE" for r in sandbox_transport.requests) == 1


async def test_a_template_comment(server, sandbox_transport):
    ref = {"plus_friend_id": SENDER, "template_code": CODE}
    async with Client(server) as client:
        posted = await ok(client, "add_kakaotalk_template_comment", ref | {"comment": "The button links to our order page."})
    assert posted["comment"]["type"] == "CREATED" and "order page" in posted["comment"]["comment"]
    assert posted["verified"]["ok"]
    assert triggers(sandbox_transport) == ["KAKAOTALK_TEMPLATE_COMMENT_ADDED"]
    sender = sandbox(sandbox_transport).project(SANDBOX_PROJECT_ID).collection(SENDERS).get(SENDER)
    newest = sender.collection(TEMPLATES).get(CODE).activities[-1]
    assert (newest.type, newest.comment) == ("COMMENT_ADDED", "The button links to our order page.")


async def test_template_texts_come_back_fenced(server):
    async with Client(server) as client:
        got = await ok(client, "get_kakaotalk_template", {"plus_friend_id": SENDER, "template_code": CODE})
    details = got["template"]["details"]
    for field in ("name", "content"):
        assert details[field].startswith("<untrusted-data"), field
    assert details["language"] == "EN" and details["categoryCode"] == "999999"


@pytest.mark.parametrize(
    ("sent", "resource", "ok_"),
    [
        ({"details": {"content": "a"}}, {"changes": {"status": "DRAFT", "details": {"content": "a"}}}, True),
        ({"details": {"content": "a"}}, {"changes": {"status": "IN_PROGRESS", "details": {"content": "a"}}}, False),
        ({"details": {"content": "a"}, "status": "SUBMIT"}, {"details": {"content": "a"}}, True),  # already applied
        ({"details": {"content": "a"}, "status": "SUBMIT"}, {"changes": {"status": "DRAFT", "details": {"content": "a"}}}, False),
        ({"details": {"content": "a"}}, {"changes": {"status": "DRAFT", "details": {"content": "b"}}}, False),
    ],
)
def test_a_submission_reads_back_as_sent_or_says_not(sent, resource, ok_):
    assert submitted("DRAFT")(sent, resource, "template x").ok is ok_
