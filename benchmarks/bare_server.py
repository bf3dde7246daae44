"""The SDK's floor: a bare MCPServer with one tool making the same authenticated GET as ours.

`python benchmarks/bare_server.py stdio` or `... http PORT [json] [stateless] [quiet]`, with
the SINCH_* variables a server pointed at the loopback sandbox has. Like ours, it fetches an
OAuth token on first use and shares it, keeps one pooled HTTP client for the process, and
returns the API's JSON as the tool's result; it has none of our guardrails.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx2
import uvicorn
from mcp.server.mcpserver import Context, MCPServer

API_URL = os.environ["SINCH_PROVISIONING_URL"]
AUTH_URL = os.environ["SINCH_AUTH_URL"]
KEY = (os.environ["SINCH_KEY_ID"], os.environ["SINCH_KEY_SECRET"])
PROJECT = os.environ["SINCH_PROJECT_ID"]
MAX_SESSIONS = int(os.environ.get("SINCH_MCP_HTTP_MAX_SESSIONS", "100"))  # ours' default, as ours reads it


class Api:
    def __init__(self, http: httpx2.AsyncClient) -> None:
        self.http = http
        self.lock = anyio.Lock()
        self.token: str | None = None

    async def bearer(self) -> str:
        if self.token is None:
            async with self.lock:
                if self.token is None:
                    answer = await self.http.post(AUTH_URL, data={"grant_type": "client_credentials"}, auth=KEY)
                    self.token = answer.raise_for_status().json()["access_token"]
        return f"Bearer {self.token}"


@asynccontextmanager
async def lifespan(_: MCPServer) -> AsyncIterator[Api]:
    async with httpx2.AsyncClient(base_url=API_URL) as http:
        yield Api(http)


server = MCPServer("bare", lifespan=lifespan)
# Logging as the SDK sets it up where rich is not installed (as in a production install; this
# virtual environment has it for twine), and, as ours does, without httpx2's line per request.
logging.basicConfig(level=logging.INFO, format="%(message)s", handlers=[logging.StreamHandler()], force=True)
logging.getLogger("httpx2").setLevel(logging.WARNING)


@server.tool()
async def get_webhook(webhook_id: str, ctx: Context) -> dict[str, Any]:
    """Get a webhook."""
    api: Api = ctx.request_context.lifespan_context
    answer = await api.http.get(f"/v1/projects/{PROJECT}/webhooks/{webhook_id}", headers={"Authorization": await api.bearer()})
    return answer.raise_for_status().json()


if __name__ == "__main__":
    if sys.argv[1] == "stdio":
        server.run("stdio")
    else:
        options = set(sys.argv[3:])
        app = server.streamable_http_app(
            json_response="json" in options, stateless_http="stateless" in options, max_sessions=MAX_SESSIONS
        )
        uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), access_log="quiet" not in options, log_level="info")
