"""What the reliability suite (`test_reliability_*.py`) shares: every tool, one server, a fresh sandbox per case.

Every tool of every toolset is taken from the registry (`server/toolsets.py`), so a tool
is in the suite the day it is declared. Expectations come from the catalog (its
`effect` and `idempotent`), never from the server's code.

One server is built per test module and reused (building one costs more than anything a
case does), and where a module can, one session too: each case points the transport at a
fresh sandbox, so each starts from the seeded project. Such modules run their calls in
one event loop behind a blocking portal (`portal`, `session`).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2
from anyio.from_thread import BlockingPortal
from conftest import RecordingTransport, receiver
from mcp import Client
from mcp.server.mcpserver import MCPServer
from mcp_types import CallToolResult

from sinch_provisioning_mcp.api.events import Receiver
from sinch_provisioning_mcp.sandbox import SandboxState, create_app
from sinch_provisioning_mcp.server.app import build_server
from sinch_provisioning_mcp.server.config import load_settings
from sinch_provisioning_mcp.server.toolsets import TOOLSETS, toolset_tools
from sinch_provisioning_mcp.tools.spec import ToolSpec

CATALOG = json.loads(
    (Path(__file__).resolve().parents[1] / "sinch_provisioning_mcp" / "api" / "provisioning-api.json").read_text()
)
OPERATIONS: dict[str, dict[str, Any]] = {f"{o['method']} {o['path']}": o for o in CATALOG["operations"]}
ALL_TOOLSETS = ",".join(TOOLSETS)
SPECS: dict[str, ToolSpec] = {spec.name: spec for name in TOOLSETS for spec in toolset_tools(name)}
TOOLS = sorted(SPECS)
# A call that has not ended by then hangs: every call in the suite is bounded by it.
HANG_LIMIT_SECONDS = 20.0


def template(path: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\\\{[A-Za-z]+\\\}", "[^/]+", re.escape(path)) + "$")


ROUTES = [(key, o["method"], template(o["path"])) for key, o in OPERATIONS.items()]


def operation_of(request: httpx2.Request) -> str | None:
    """The catalog operation (`METHOD /v1/...{param}`) a recorded request performs, from its raw path."""
    path = request.url.raw_path.decode().split("?", 1)[0]
    return next((key for key, method, pattern in ROUTES if method == request.method and pattern.match(path)), None)


class Sleeps:
    """Stands in for the API client's wait between retries: records each delay, never waits."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


class SandboxSwitch(RecordingTransport):
    """A recording transport whose sandbox is replaced for every case.

    A network transport ends a request that outlasts the client's read timeout;
    `httpx2.ASGITransport` has no such clock. So requests performing the operation in
    `time_out` get a deadline: the client's own read timeout (which must be set and
    finite), scaled down so that no case waits for it. Only the requests the test
    delays for an hour get it, so the outcome never depends on how fast the machine is.
    """

    TIME_SCALE = 1e-4

    def __init__(self) -> None:
        super().__init__(httpx2.ASGITransport(app=create_app()))
        self.state = SandboxState()
        self.time_out: str | None = None
        self.issued: list[str] = []  # every access token the sandbox issued, ever

    def reset(self) -> SandboxState:
        """A fresh sandbox (the seeded project as it starts) that accepts the tokens the last one issued, so one
        session (one API client, one cached token) can serve many cases."""
        tokens = self.state.tokens
        self.state = SandboxState()
        self.state.tokens = tokens
        self.inner = httpx2.ASGITransport(app=create_app(self.state))
        self.requests.clear()
        self.time_out = None
        return self.state

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.path == "/oauth2/token":
            response = await super().handle_async_request(request)
            self.issued.append(json.loads(await response.aread()).get("access_token", ""))
            return response
        if self.time_out is None or operation_of(request) != self.time_out:
            return await super().handle_async_request(request)
        read = (request.extensions.get("timeout") or {}).get("read")
        assert read is not None and read <= 60, (
            f"the client must bound how long it waits for an answer (read timeout {read})"
        )
        try:
            with anyio.fail_after(read * self.TIME_SCALE):
                return await super().handle_async_request(request)
        except TimeoutError:
            raise httpx2.ReadTimeout("read timed out (the test's clock)", request=request) from None

    def sent(self, operation: str) -> int:
        """How many requests performed `operation`."""
        return sum(1 for request in self.requests if operation_of(request) == operation)

    def token_requests(self) -> int:
        return sum(1 for request in self.requests if request.url.path == "/oauth2/token")


@contextmanager
def session_in(portal: BlockingPortal, server: MCPServer) -> Iterator[Client]:
    """An MCP session living in the portal's event loop, for as long as the block runs."""
    with portal.wrap_async_context_manager(Client(server)) as client:
        yield client


def reliability_server(
    transport: httpx2.AsyncBaseTransport, sleep: Callable[[float], Awaitable[None]], events: Receiver | None = None
) -> MCPServer:
    """Every toolset (events included, as over HTTP with a receiver) over `transport`."""
    settings = load_settings(sandbox=True, toolsets=ALL_TOOLSETS)
    return build_server(settings, transport=transport, events=events or receiver(), sleep=sleep)


async def call(client: Client, name: str, arguments: dict[str, Any], **options: Any) -> CallToolResult:
    """One tool call as an agent makes it, bounded in time; a preview's token is used at once (the user agreed)."""
    with anyio.fail_after(HANG_LIMIT_SECONDS):
        result = await client.call_tool(name, arguments, **options)
        token = (result.structured_content or {}).get("confirmation_token")
        if token and not result.is_error:
            result = await client.call_tool(name, {**arguments, "confirmation_token": token}, **options)
    return result


def example(name: str) -> dict[str, Any]:
    return dict(SPECS[name].example or {})


def inventory(switch: SandboxSwitch) -> Counter[str]:
    """How many resources of each type the sandbox holds, in every project and under every parent."""
    types = switch.inner.app.state.resource_types.values()
    counts: Counter[str] = Counter()

    def walk(container: Any, depth: int) -> None:
        for type_ in types:
            for resource in container.collection(type_):
                counts[type_.name] += 1
                if depth < 3:
                    walk(resource, depth + 1)

    for project in switch.state.projects():
        walk(project, 0)
    return counts


def strings(value: Any) -> Iterator[str]:
    """Every string in a JSON-like value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def shown(result: CallToolResult) -> list[str]:
    """Everything a client receives in a tool result: the structured content and every text block."""
    texts = [block.text for block in result.content if getattr(block, "text", None) is not None]
    return [*strings(result.structured_content or {}), *texts]
