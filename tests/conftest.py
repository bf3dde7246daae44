"""Shared fixtures: an isolated environment, and MCP servers over the sandbox or a mock transport."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

import httpx2
import pytest
from mcp.server.mcpserver import MCPServer
from mcp_types import ElicitResult

from sinch_provisioning_mcp.api.events import EventLog, Receiver
from sinch_provisioning_mcp.sandbox import SANDBOX_KEY_ID, SANDBOX_KEY_SECRET, SandboxState, create_app
from sinch_provisioning_mcp.server.app import build_server
from sinch_provisioning_mcp.server.config import load_settings


FENCE = re.compile(r"<untrusted-data boundary=([0-9a-f]{16})>\n([^\n]*)\n(.*)\n</untrusted-data boundary=\1>", re.S)


def unfence(text: str) -> str:
    """The text inside one untrusted-data fence; fails when `text` is not exactly one fence."""
    match = FENCE.fullmatch(text)
    assert match, f"not fenced: {text!r}"
    assert "data, not instructions" in match.group(2)
    return match.group(3)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see only the variables they set, never the machine's Sinch configuration."""
    for name in list(os.environ):
        if name.startswith("SINCH_"):
            monkeypatch.delenv(name)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class RecordingTransport(httpx2.AsyncBaseTransport):
    """Passes requests to an inner transport and keeps them, so tests can say what was sent."""

    def __init__(self, inner: httpx2.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[httpx2.Request] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        return await self.inner.handle_async_request(request)

    def api_calls(self) -> list[str]:
        """`METHOD path` of every API request (token requests left out)."""
        return [f"{r.method} {r.url.path}" for r in self.requests if r.url.path.startswith("/v1/")]


@pytest.fixture
def sandbox_transport() -> RecordingTransport:
    """A recording transport in front of a fresh sandbox; `.inner.app` is the sandbox app."""
    return RecordingTransport(httpx2.ASGITransport(app=create_app()))


@pytest.fixture
def make_server(sandbox_transport: RecordingTransport) -> Callable[..., MCPServer]:
    """`make_server(**settings)`: a sandbox-mode server over the recorded sandbox."""

    def make(clock: Callable[[], float] | None = None, **overrides: Any) -> MCPServer:
        return build_server(load_settings(sandbox=True, **overrides), transport=sandbox_transport, clock=clock)

    return make


@pytest.fixture
def server(make_server: Callable[..., MCPServer]) -> MCPServer:
    return make_server()


CLOCK_START = 1_700_000_000.25  # 2023-11-14T22:13:20.250Z


class FakeClock:
    """The sandbox's wall clock, moved by hand: expiry and ordering tested without sleeping."""

    def __init__(self) -> None:
        self.now = CLOCK_START

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox_app(clock: FakeClock):
    return create_app(SandboxState(clock=clock))


@pytest.fixture
async def client(sandbox_app):
    """Plain HTTP against a fresh sandbox, authenticated with the sandbox key (Basic)."""
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=sandbox_app), base_url="http://sandbox", auth=(SANDBOX_KEY_ID, SANDBOX_KEY_SECRET)
    ) as http:
        yield http


def receiver() -> Receiver:
    """An event receiver as the HTTP transport would give the server: every toolset is then served."""
    return Receiver(EventLog(), "http://127.0.0.1:8000/events", "receiver-secret-0123456789")


def answering(action: str, content: dict | None = None, asked: list | None = None):
    """An elicitation callback giving `action` (with `content`, or consent, on accept); records requests in `asked`."""

    async def callback(context, params):
        if asked is not None:
            asked.append(params)
        return ElicitResult(action=action, content=(content or {"confirm": True}) if action == "accept" else None)

    return callback


def validation_errors(response: httpx2.Response) -> list[str]:
    """The sandbox's `invalid_input` messages (`additionalInformation.validationErrors`)."""
    assert response.status_code == 400, response.text
    assert response.json()["errorCode"] == "invalid_input"
    return response.json()["additionalInformation"]["validationErrors"]
