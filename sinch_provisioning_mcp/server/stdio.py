"""stdio: the SDK's transport, plus an answer to every line it cannot read.

The SDK drops a line that is not a JSON-RPC message (not JSON, nested deeper than its
parser goes, a lone surrogate escape, a wrong shape) and logs it at debug level, so the
client waits for an answer that never comes. JSON-RPC 2.0 asks for an error with a null
id instead: -32700 when the line is not JSON, -32600 when it is JSON but not a message.
"""

from __future__ import annotations

import anyio
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


async def serve_stdio(server: MCPServer) -> None:
    async with stdio_server() as (from_client, to_client):
        readable_send, readable = anyio.create_memory_object_stream[SessionMessage | Exception](0)

        async def answer_unreadable() -> None:
            async with readable_send:
                async for item in from_client:
                    if isinstance(item, Exception):
                        await to_client.send(SessionMessage(JSONRPCError(jsonrpc="2.0", id=None, error=_unreadable(item))))
                    else:
                        await readable_send.send(item)

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(answer_unreadable)
            # What MCPServer.run_stdio_async does, on the filtered stream; the SDK offers no
            # public hook on unreadable lines.
            lowlevel = server._lowlevel_server
            await lowlevel.run(readable, to_client, lowlevel.create_initialization_options())
