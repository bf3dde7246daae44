"""`sinch-provisioning-mcp demo`: a real MCP client session over stdio against the server in
sandbox mode, walking a provisioning-webhook set-up the way an agent should."""

from __future__ import annotations

import json
import os
import secrets
import sys
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

_WIDTH = 78


class DemoFailed(Exception):
    pass


def _show(title: str) -> None:
    print(f"\n{'=' * _WIDTH}\n{title}\n{'=' * _WIDTH}")


async def _call(client: Client, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    shown = {k: ("<secret, not shown>" if k == "secret" else v) for k, v in arguments.items()}
    print(f"\n→ {tool}({json.dumps(shown)})")
    result = await client.call_tool(tool, arguments)
    body = result.structured_content or {}
    print(("✗ error: " if result.is_error else "← ") + json.dumps(body, indent=2))
    if result.is_error:
        raise DemoFailed(f"{tool} failed: {result.content[0].text if result.content else body}")
    return body


def _expect(condition: bool, what: str) -> None:
    print(f"  {'✓' if condition else '✗'} {what}")
    if not condition:
        raise DemoFailed(what)


async def _walk() -> None:
    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "sinch_provisioning_mcp", "--sandbox"],
        env={**os.environ, "SINCH_MCP_LOG_LEVEL": "WARNING"},
    )
    async with Client(server) as client:
        tools = await client.list_tools()
        print(f"Connected over stdio: {len(tools.tools)} tools, protocol {client.protocol_version}.")

        _show("1. Confirm context: what is already registered?")
        listed = await _call(client, "list_webhooks", {})
        _expect(listed["environment"] == "sandbox", "results say they come from the sandbox")
        before = len(listed["webhooks"])

        _show("2-3. Choose and execute: create a webhook for every event (ALL)")
        target = "https://example.com/sinch/provisioning-events"
        created = await _call(
            client, "create_webhook", {"target": target, "secret": secrets.token_urlsafe(32), "triggers": ["ALL"]}
        )
        webhook_id = created["webhook"]["id"]
        _expect(created["verified"]["ok"], "the server read the new webhook back")

        _show("4. Verify: list again")
        listed = await _call(client, "list_webhooks", {})
        _expect(len(listed["webhooks"]) == before + 1, "one more webhook is listed")

        _show("Narrow the triggers to WhatsApp template events")
        triggers = ["WHATSAPP_TEMPLATE_APPROVED", "WHATSAPP_TEMPLATE_REJECTED"]
        updated = await _call(client, "update_webhook", {"webhook_id": webhook_id, "triggers": triggers})
        _expect(sorted(updated["webhook"]["triggers"]) == sorted(triggers), "the triggers read back as requested")

        _show("A guardrail at work: ALL mixed with other triggers is refused before any request")
        refused = await client.call_tool(
            "update_webhook", {"webhook_id": webhook_id, "triggers": ["ALL", "BUNDLE_DONE"]}
        )
        print(refused.content[0].text if refused.content else "")
        _expect(refused.is_error, "the call was refused")

        _show("Delete: this client cannot elicit, so the first call only previews")
        preview = await _call(client, "delete_webhook", {"webhook_id": webhook_id})
        _expect(preview["status"] == "confirmation_required", "nothing deleted yet; a confirmation token came back")
        print("  (an agent shows the preview to its user here; the demo answers 'yes')")
        done = await _call(
            client, "delete_webhook", {"webhook_id": webhook_id, "confirmation_token": preview["confirmation_token"]}
        )
        _expect(done["status"] == "done" and done["verified"]["ok"], "deleted and verified gone")

        _show("Verify: the project is back where it started")
        listed = await _call(client, "list_webhooks", {})
        _expect(len(listed["webhooks"]) == before, "the webhook is no longer listed")


def run_demo() -> int:
    try:
        anyio.run(_walk)
    except DemoFailed as exc:
        print(f"\nDemo failed: {exc}", file=sys.stderr)
        return 1
    print("\nDemo complete: webhook created, verified, updated, deleted with confirmation, and verified gone.")
    return 0
