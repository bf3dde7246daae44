"""`sinch-provisioning-mcp demo`: a guided WhatsApp onboarding against the sandbox, through a real MCP client.

The server runs in sandbox mode over stdio, exactly as an agent's client starts it. The demo
plays the agent (and, where needed, the user): the project's overview, a provisioning
webhook pointing at a small receiver this process runs on loopback (the sandbox delivers
signed events to it), a WhatsApp sender through the OTP order to ACTIVE, a template through
review with waiting and progress, and a deletion the user confirms.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

from sinch_provisioning_mcp.api.events import Nonces, RejectedDelivery, verify

_WIDTH = 78
PROJECT = "demo-project"  # a fresh project of the sandbox: the onboarding starts from nothing
SANDBOX_OTP = "123456"  # the code the sandbox's Meta always "sends"


class DemoFailed(Exception):
    pass


def _show(title: str) -> None:
    print(f"\n{'=' * _WIDTH}\n{title}\n{'=' * _WIDTH}")


def _expect(condition: bool, what: str) -> None:
    print(f"  {'✓' if condition else '✗'} {what}")
    if not condition:
        raise DemoFailed(what)


async def _progress(value: float, total: float | None, message: str | None) -> None:
    print(f"  … {message} ({value:.0f}s of {total:.0f}s at most)")


async def _call(client: Client, tool: str, arguments: dict[str, Any], *, quiet: bool = False) -> dict[str, Any]:
    shown = {k: ("<secret, not shown>" if k == "secret" else v) for k, v in arguments.items()}
    print(f"\n→ {tool}({json.dumps(shown)})")
    result = await client.call_tool(tool, {**arguments, "project_id": PROJECT}, progress_callback=_progress)
    body = result.structured_content or {}
    if result.is_error:
        print(f"✗ {result.content[0].text if result.content else body}")
        raise DemoFailed(f"{tool} failed")
    if not quiet:
        print("← " + json.dumps({k: v for k, v in body.items() if k not in ("environment", "project_id")}, indent=2))
    return body


class Receiver:
    """The user's backend: a loopback endpoint that verifies each delivery's signature and keeps the events."""

    def __init__(self, secret: str) -> None:
        events: list[dict[str, Any]] = []
        nonces = Nonces()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                try:
                    events.append(verify([secret], body, self.headers, time.time(), nonces))
                    self.send_response(204)
                except RejectedDelivery:
                    self.send_response(401)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.events = events
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/sinch/events"
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._httpd.shutdown()


async def _wait_for(client: Client, states: list[str], **resource: str) -> None:
    waited = await _call(client, "wait_for_state", {**resource, "states": states, "timeout_seconds": 60})
    _expect(waited["reached"], f"{resource['resource']} is {waited['state']}")


async def _walk(receiver: Receiver, secret: str) -> None:
    server = StdioServerParameters(
        command=sys.executable,
        args=["-m", "sinch_provisioning_mcp", "--sandbox"],
        # Reviews take a second instead of five, so the demo moves along.
        env={**os.environ, "SINCH_MCP_LOG_LEVEL": "WARNING", "SINCH_SANDBOX_TRANSITION_DELAY": "1"},
    )
    async with Client(server) as client:
        tools = await client.list_tools()
        print(f"Connected over stdio: {len(tools.tools)} tools, protocol {client.protocol_version}.")

        _show("1. Confirm context: what does the project have?")
        overview = await _call(client, "get_project_overview", {})
        _expect(overview["overview"]["whatsapp"] == {"account": "none"}, "no WhatsApp yet: a fresh project")

        _show("2. Hear about changes: a provisioning webhook to our backend, every event (ALL)")
        hook = await _call(client, "create_webhook", {"target": receiver.url, "secret": secret, "triggers": ["ALL"]})
        _expect(hook["verified"]["ok"], "the server read the webhook back")

        _show("3. A WhatsApp sender, in the OTP order")
        created = await _call(
            client, "create_whatsapp_sender", {"waba_id": "100000000000001", "phone_number_id": "300000000000777", "region": "EU"}
        )
        sender_id = created["sender"]["id"]
        await _wait_for(client, ["PENDING_VERIFICATION"], resource="whatsapp_sender", sender_id=sender_id)
        await _call(client, "register_whatsapp_sender", {"sender_id": sender_id, "method": "SMS"})
        print(f"  (the user reads the code Meta sent: in the sandbox it is always {SANDBOX_OTP})")
        await _call(client, "verify_whatsapp_sender", {"sender_id": sender_id, "code": SANDBOX_OTP})
        await _wait_for(client, ["ACTIVE"], resource="whatsapp_sender", sender_id=sender_id)

        _show("4. A template, through Meta's review")
        template = {
            "name": "order_ready",
            "language": "EN_US",
            "category": "UTILITY",
            "details": {"components": [{"type": "BODY", "text": "Hi {{1}}, order {{2}} is ready.", "examples": ["Ann", "A-7"]}]},
        }
        await _call(client, "create_whatsapp_template", template, quiet=True)
        await _wait_for(client, ["APPROVED"], resource="whatsapp_template", template_name="order_ready", language_code="EN_US")

        _show("5. What our backend received, each delivery's signature checked")
        expected = {"WHATSAPP_SENDER_ACTIVE", "WHATSAPP_TEMPLATE_APPROVED"}
        with anyio.move_on_after(10):  # deliveries are asynchronous, as Sinch's are
            while not expected <= {event["type"] for event in receiver.events}:
                await anyio.sleep(0.1)
        for event in receiver.events:
            print(f"  • {event['type']}")
        _expect(expected <= {event["type"] for event in receiver.events}, "signed events arrived for each step")

        _show("6. A deletion the user confirms (this client cannot elicit: preview first, then the token)")
        target = {"template_name": "order_ready", "language_code": "EN_US", "delete_submitted": True}
        preview = await _call(client, "delete_whatsapp_template_language", target)
        _expect(preview["status"] == "confirmation_required", "nothing deleted yet; the preview says what is lost")
        print("  (an agent shows the preview to its user here; the demo answers 'yes')")
        done = await _call(
            client, "delete_whatsapp_template_language", {**target, "confirmation_token": preview["confirmation_token"]}
        )
        _expect(done["status"] == "done" and done["verified"]["ok"], "deleted, and verified gone")

        _show("7. Verify: the project now")
        after = await _call(client, "get_project_overview", {})
        _expect(after["overview"]["whatsapp"]["senders"]["by_state"] == {"ACTIVE": 1}, "one ACTIVE sender")


def run_demo() -> int:
    secret = secrets.token_urlsafe(32)
    receiver = Receiver(secret)
    failures: list[BaseException] = []
    try:
        anyio.run(_walk, receiver, secret)
    except* DemoFailed as failed:  # raised inside the client's task group, so it arrives grouped
        failures += failed.exceptions
    finally:
        receiver.close()
    if failures:
        print(f"\nDemo failed: {failures[0]}", file=sys.stderr)
        return 1
    print("\nDemo complete: a WhatsApp sender ACTIVE, a template approved and deleted with confirmation, events received.")
    return 0
