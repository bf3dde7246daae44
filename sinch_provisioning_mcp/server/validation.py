"""Argument validation ahead of the SDK's, so a bad call gets a clear, value-free error.

The SDK's own message is pydantic's text, which repeats the rejected input (a mistyped
secret, say) and a link. This middleware validates with the same types first and answers
with each field, the problem and what is allowed; no request is sent.
"""

from __future__ import annotations

import json
from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel, ValidationError


class ArgumentValidator:
    def __init__(self) -> None:
        self._models: dict[str, type[BaseModel]] = {}

    def add(self, tool_name: str, model: type[BaseModel]) -> None:
        self._models[tool_name] = model

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        params = ctx.params or {}
        model = self._models.get(str(params.get("name"))) if ctx.method == "tools/call" else None
        if model is not None:
            problems = _problems(model, params.get("arguments") or {})
            if problems:
                return _rejection(str(params["name"]), problems)
        return await call_next(ctx)


def _problems(model: type[BaseModel], arguments: dict[str, Any]) -> list[dict[str, str]]:
    try:
        model.model_validate(_lenient(model, arguments))
    except ValidationError as exc:
        return [
            {"field": ".".join(str(part) for part in error["loc"]) or "(arguments)", "problem": _describe(error)}
            for error in exc.errors(include_input=False, include_url=False)
        ]
    return []


def _lenient(model: type[BaseModel], arguments: dict[str, Any]) -> dict[str, Any]:
    """Accept lists and objects sent as JSON text, as the SDK does (some clients send them so)."""
    parsed = dict(arguments)
    for name, value in arguments.items():
        field = model.model_fields.get(name)
        if field is not None and isinstance(value, str) and field.annotation is not str and value.startswith(("[", "{")):
            try:
                parsed[name] = json.loads(value)
            except ValueError:
                pass
    return parsed


def _describe(error: Any) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "missing":
        return "required"
    if error["type"] == "extra_forbidden":
        return "not an argument of this tool"
    return message


def _rejection(tool: str, problems: list[dict[str, str]]) -> CallToolResult:
    lines = [f"Invalid arguments for {tool}; nothing was sent:"] + [f"- {p['field']}: {p['problem']}" for p in problems]
    return CallToolResult(
        content=[TextContent(type="text", text="\n".join(lines))],
        structured_content={"error": {"errorCode": "invalid_arguments", "problems": problems}, "outcome_unknown": False},
        is_error=True,
    )
