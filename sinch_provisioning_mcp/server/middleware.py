"""The last passes over what the server sends outside tool results.

Tool results are redacted once, where they are rendered (server/pipeline.py); here:
redaction of prompts, resources and errors, and the error code of a bad prompt request.
"""

from __future__ import annotations

from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS
from pydantic import BaseModel

from sinch_provisioning_mcp.guardrails.redact import REDACTOR

# Methods whose results may carry API data; listings carry only our own text.
_DATA_METHODS = frozenset({"prompts/get", "resources/read", "completion/complete"})


async def redact_results(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
    try:
        result = await call_next(ctx)
    except MCPError as exc:
        raise MCPError(code=exc.error.code, message=REDACTOR.text(exc.error.message), data=REDACTOR.data(exc.error.data)) from None
    if ctx.method not in _DATA_METHODS or result is None:
        return result
    data = result.model_dump(mode="json", by_alias=True, exclude_none=True) if isinstance(result, BaseModel) else result
    # The SDK's sealed multi-round state is opaque: rewriting any byte of it would break the call.
    sealed = data.pop("requestState", None) if isinstance(data, dict) else None
    redacted = REDACTOR.data(data)
    if sealed is not None:
        redacted["requestState"] = sealed
    return type(result).model_validate(redacted) if isinstance(result, BaseModel) else redacted


async def invalid_prompt_params(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
    """An unknown prompt or bad prompt arguments are the client's mistake: JSON-RPC -32602, as the MCP schema asks.

    The SDK reports both as a ValueError, which would reach the client as code 0 with a
    traceback in the log; our prompts render plain text and raise nothing else.
    """
    try:
        return await call_next(ctx)
    except ValueError as exc:
        if ctx.method != "prompts/get":
            raise
        raise MCPError(code=INVALID_PARAMS, message=str(exc)) from None
