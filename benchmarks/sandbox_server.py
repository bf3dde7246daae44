"""The sandbox as the benchmarks serve it: on loopback, counting OAuth token fetches.

`python benchmarks/sandbox_server.py PORT`. `GET /_bench/token-fetches` answers how many
times `/oauth2/token` was asked for a token, so a benchmark can check that a server shares
one token among all its sessions. Everything else is the standalone sandbox's own app.
"""

from __future__ import annotations

import json
import sys

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from sinch_provisioning_mcp.sandbox import create_app

TOKEN_FETCHES_PATH = "/_bench/token-fetches"


class CountTokenFetches:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.fetches = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == TOKEN_FETCHES_PATH:
            body = json.dumps({"tokenFetches": self.fetches}).encode()
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": body})
            return
        if scope["type"] == "http" and scope["path"] == "/oauth2/token" and scope["method"] == "POST":
            self.fetches += 1
        await self.app(scope, receive, send)


if __name__ == "__main__":
    uvicorn.run(CountTokenFetches(create_app()), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
