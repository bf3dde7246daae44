"""Guided onboarding prompts and the reference resources, as an MCP client sees them."""

from __future__ import annotations

import json
import re

import pytest
from mcp import Client

from sinch_provisioning_mcp.prompts import PROMPTS
from sinch_provisioning_mcp.reference import DOCUMENTS
from sinch_provisioning_mcp.tools import whatsapp_template_rules
from sinch_provisioning_mcp.tools.whatsapp_common import MANAGERS_BY_REGION

ARGUMENTS = {
    "create_whatsapp_template": {"purpose": "order ready notices"},
    "onboard_kakaotalk": {"plus_friend_id": "acme"},
}
TOOL = re.compile(r"`([a-z]+(?:_[a-z0-9]+)+)`")


@pytest.mark.parametrize("prompt", [prompt for prompt, _ in PROMPTS], ids=lambda p: p.name)
async def test_each_prompt_names_only_served_tools_and_walks_the_four_steps(server, prompt):
    needs = dict((p.name, n) for p, n in PROMPTS)[prompt.name]
    async with Client(server) as client:
        served = {tool.name for tool in (await client.list_tools()).tools}
        listed = {p.name for p in (await client.list_prompts()).prompts}
        rendered = await client.get_prompt(prompt.name, ARGUMENTS.get(prompt.name, {}))
    text = rendered.messages[0].content.text
    named = set(TOOL.findall(text))
    assert named and named <= needs <= served and prompt.name in listed
    assert text.count("\n1. ") == 1 and "\n4. " in text and "Confirm context" in text and "confirmation_token" in text


async def test_a_prompt_is_served_only_with_the_tools_it_names(make_server):
    async with Client(make_server(toolsets="webhooks")) as client:
        listed = [p.name for p in (await client.list_prompts()).prompts]
    assert listed == ["set_up_provisioning_webhook"]


async def test_prompt_arguments_shape_the_guidance(server):
    async with Client(server) as client:
        partner = await client.get_prompt("onboard_whatsapp_sender", {"region": "BR", "flow": "partner_initiated"})
        selective = await client.get_prompt("set_up_provisioning_webhook", {"events": "WhatsApp templates"})
    partner_text = partner.messages[0].content.text
    assert "create_whatsapp_sender_partner_initiated" in partner_text and "region BR" in partner_text
    assert "only the triggers of this family" in selective.messages[0].content.text


async def test_every_reference_is_listed_and_reads_as_json(server):
    async with Client(server) as client:
        listed = {str(r.uri): r for r in (await client.list_resources()).resources}
        documents = {uri: json.loads((await client.read_resource(uri)).contents[0].text) for uri in listed}
    assert set(listed) == {f"sinch://reference/{name}" for name in DOCUMENTS}
    assert all(r.mime_type == "application/json" and r.description for r in listed.values())
    triggers = documents["sinch://reference/webhook-triggers"]["families"]
    assert "WHATSAPP_TEMPLATE_APPROVED" in triggers["WhatsApp templates"] and triggers["Bundles"] == ["BUNDLE_DONE"]
    rules = documents["sinch://reference/whatsapp-template-rules"]
    assert rules["max_lengths"] == whatsapp_template_rules.LIMITS  # what is read is what is checked
    regions = documents["sinch://reference/whatsapp-regions"]["business_managers_by_region"]
    assert regions == {**{r: list(m) for r, m in MANAGERS_BY_REGION.items()}, "US": "any"}
    codes = {entry["code"]: entry for entry in documents["sinch://reference/error-codes"]["api"]}
    assert codes["webhook_exists"]["status"] == 409 and codes["invalid_page_token"]["what_to_do"]
    assert all(entry["what_to_do"] for entry in codes.values())
    assert "POST /v1/projects/{projectId}/bundles" in documents["sinch://reference/async-operations"]["operations"]
    launch = documents["sinch://reference/rcs-launch-requirements"]["requirements"]
    assert any(item["field"] == "details.countries" for item in launch)
