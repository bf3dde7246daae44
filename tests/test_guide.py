"""Leading the flow: the overview in one call (one family failing alone), and waiting on asynchronous work."""

from __future__ import annotations

import time

import anyio
import httpx2
from mcp import Client

from conftest import RecordingTransport
from sinch_provisioning_mcp.api.events import EventLog, Receiver
from sinch_provisioning_mcp.sandbox import SandboxState, create_app
from sinch_provisioning_mcp.sandbox.whatsapp_templates import TEMPLATES
from sinch_provisioning_mcp.server.app import build_server
from sinch_provisioning_mcp.server.config import load_settings

TEMPLATE = {
    "name": "order_ready",
    "language": "EN_US",
    "category": "UTILITY",
    "details": {"components": [{"type": "BODY", "text": "Hi {{1}}, order {{2}} is ready.", "examples": ["Ann", "A-7"]}]},
}
WAIT = {"resource": "whatsapp_template", "template_name": "order_ready", "language_code": "EN_US", "states": ["APPROVED"]}


def served(state: SandboxState, **options):
    transport = RecordingTransport(httpx2.ASGITransport(app=create_app(state)))
    return build_server(load_settings(sandbox=True), transport=transport, **options), transport


async def test_the_overview_counts_every_family_by_state():
    server, _ = served(SandboxState())
    async with Client(server) as client:
        result = await client.call_tool("get_project_overview", {})
        empty = await client.call_tool("get_project_overview", {"project_id": "brand-new-project"})
    overview = result.structured_content["overview"]
    assert list(overview) == ["whatsapp", "rcs", "kakaotalk", "webhooks", "bundles"]
    assert overview["whatsapp"]["account"] == "ONBOARDED"
    assert overview["whatsapp"]["senders"] == {"total": 2, "by_state": {"ACTIVE": 1, "PENDING_VERIFICATION": 1}}
    assert overview["rcs"]["senders"]["by_state"] == {"IN_TEST": 1}
    assert overview["kakaotalk"]["templates"]["by_state"] == {"APPROVED": 1}
    assert overview["webhooks"] == {"total": 1, "triggers": ["ALL"]}
    assert overview["bundles"]["recent"] == [{"id": "65f00000000000000000b001", "state": "DONE"}]
    assert any("register_whatsapp_sender" in step for step in result.structured_content["next_steps"])
    nothing = empty.structured_content
    assert nothing["overview"]["whatsapp"] == {"account": "none"}
    assert any("create_webhook" in step for step in nothing["next_steps"])


class RcsDown(httpx2.AsyncBaseTransport):
    """The sandbox, but RCS answers every call with the API's error: one family failing."""

    def __init__(self, inner: httpx2.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if "/rcs/" in request.url.path:
            body = {"errorCode": "forbidden", "message": "RCS is not enabled.", "resolution": "Ask Sinch."}
            return httpx2.Response(403, json=body)
        return await self.inner.handle_async_request(request)


async def test_one_family_failing_does_not_sink_the_overview():
    transport = RcsDown(httpx2.ASGITransport(app=create_app()))
    async with Client(build_server(load_settings(sandbox=True), transport=transport)) as client:
        result = await client.call_tool("get_project_overview", {})
    assert not result.is_error
    overview = result.structured_content["overview"]
    assert overview["rcs"] == {"error": {"errorCode": "forbidden", "message": "HTTP 403 forbidden: RCS is not enabled."}}
    assert overview["whatsapp"]["account"] == "ONBOARDED" and overview["webhooks"]["total"] == 1
    assert any("Could not read rcs" in step for step in result.structured_content["next_steps"])


async def test_wait_returns_at_once_when_the_state_is_there_and_names_what_identifies_a_resource():
    server, _ = served(SandboxState())
    async with Client(server) as client:
        done = await client.call_tool("wait_for_state", {"resource": "bundle", "bundle_id": "65f00000000000000000b001", "states": ["DONE"]})
        unnamed = await client.call_tool("wait_for_state", {"resource": "whatsapp_template", "template_name": "x", "states": ["APPROVED"]})
    assert done.structured_content["reached"] is True and done.structured_content["state"] == "DONE"
    problem = unnamed.structured_content["error"]["problems"][0]["problem"]
    assert "language_code" in problem and "template_name" in problem


async def test_wait_times_out_with_the_current_state_and_reports_progress():
    clock = [1_800_000_000.0]
    state = SandboxState(clock=lambda: clock[0])
    server, _ = served(state)
    progress: list[tuple[float, float | None, str | None]] = []

    async def record(value: float, total: float | None, message: str | None) -> None:
        progress.append((value, total, message))

    async with Client(server) as client:
        await client.call_tool("create_whatsapp_template", TEMPLATE)
        result = await client.call_tool("wait_for_state", {**WAIT, "timeout_seconds": 1}, progress_callback=record)
    body = result.structured_content
    assert body["reached"] is False and body["state"] == "IN_PROGRESS"
    assert "wait again later" in body["next_steps"][0]
    assert progress and all(total == 1.0 and message == "whatsapp_template is IN_PROGRESS" for _, total, message in progress)


async def test_wait_ends_early_when_the_resource_fails():
    clock = [1_800_000_000.0]
    state = SandboxState(clock=lambda: clock[0])
    server, _ = served(state)
    async with Client(server) as client:
        await client.call_tool("create_whatsapp_template", TEMPLATE)
        state.set_outcome("sandbox-project", TEMPLATES, "rejected", reason="INVALID_FORMAT")
        state.advance(10)
        result = await client.call_tool("wait_for_state", {**WAIT, "timeout_seconds": 30})
    assert result.structured_content["reached"] is False and result.structured_content["state"] == "REJECTED"


async def test_a_matching_provisioning_event_wakes_the_wait_before_its_next_poll():
    clock = [1_800_000_000.0]
    state = SandboxState(clock=lambda: clock[0])
    log = EventLog()
    server, transport = served(state, events=Receiver(log, "http://127.0.0.1:8000/events", "s" * 32))
    async with Client(server) as client:
        await client.call_tool("create_whatsapp_template", TEMPLATE)
        results = []

        async def wait() -> None:
            results.append(await client.call_tool("wait_for_state", {**WAIT, "timeout_seconds": 60}))

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(wait)
            while not any(r.url.path.endswith("/languages/EN_US") for r in transport.requests):
                await anyio.sleep(0.01)  # the first poll has seen IN_PROGRESS
            started = time.monotonic()
            state.advance(10)  # Meta approves; Sinch then posts the event to this server
            for event in state.project("sandbox-project").outbox.after(0):
                if event.trigger == "WHATSAPP_TEMPLATE_APPROVED":
                    await log.add({"type": event.trigger, "payload": event.payload}, time.time())
    body = results[0].structured_content
    assert body["reached"] is True and body["state"] == "APPROVED"
    # The first poll pause is a second: the event, not the pause, ended the wait.
    assert time.monotonic() - started < 0.9
