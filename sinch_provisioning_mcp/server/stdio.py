"""stdio: the SDK's transport, plus an answer to every line it cannot read.

The SDK drops a line that is not a JSON-RPC message (not JSON, nested deeper than its
parser goes, a lone surrogate escape, a wrong shape) and logs it at debug level, so the
client waits for an answer that never comes. JSON-RPC 2.0 asks for an error with a null
id instead: -32700 when the line is not JSON, -32600 when it is JSON but not a message.
"""

from __future__ import annotations

from typing import Any

from anyio.abc import ObjectReceiveStream, ObjectSendStream
from mcp.server.mcpserver import MCPServer
from mcp.server.stdio import stdio_server
from mcp.shared.message import SessionMessage
from mcp_types import INVALID_REQUEST, PARSE_ERROR, ErrorData, JSONRPCError
from pydantic import ValidationError


def _unreadable(exc: Exception) -> ErrorData:
    errors = exc.errors(include_input=False) if isinstance(exc, ValidationError) else []
    parse = [error for error in errors if error["type"] == "json_invalid"]
    if parse:
        # The parser's message names a position, never content.
        return ErrorData(code=PARSE_ERROR, message=f"Parse error: {parse[0]['msg']}")
    return ErrorData(code=INVALID_REQUEST, message="Invalid Request: not a JSON-RPC 2.0 message")


class _Answering(ObjectReceiveStream[SessionMessage]):
    """The client's messages as the server reads them, each unreadable line answered on the way.

    A wrapper rather than a task relaying into a second stream: a relay would add a hand-over
    (a turn of the event loop) to every message of every call.
    """

    def __init__(self, from_client: ObjectReceiveStream[SessionMessage | Exception], to_client: ObjectSendStream[SessionMessage]) -> None:
        self._from_client = from_client
        self._to_client = to_client

    @property
    def last_context(self) -> Any:
        # Where the SDK looks for the context the message was sent in.
        return getattr(self._from_client, "last_context", None)

    async def receive(self) -> SessionMessage:
        while True:
            item = await self._from_client.receive()
            if not isinstance(item, Exception):
                return item
            await self._to_client.send(SessionMessage(JSONRPCError(jsonrpc="2.0", id=None, error=_unreadable(item))))

    async def aclose(self) -> None:
        await self._from_client.aclose()


async def serve_stdio(server: MCPServer) -> None:
    async with stdio_server() as (from_client, to_client):
        # What MCPServer.run_stdio_async does, on the answering stream; the SDK offers no
        # public hook on unreadable lines.
        lowlevel = server._lowlevel_server
        await lowlevel.run(_Answering(from_client, to_client), to_client, lowlevel.create_initialization_options())
