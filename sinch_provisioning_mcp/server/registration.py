"""Turns each `ToolDef` into an MCP tool, wrapping it in what every tool must pass through.

Every tool gets: an optional `project_id`; its catalog operation in `_meta`; annotations
derived from that operation; API and configuration failures as `isError` results carrying
every PAPI field. Destructive tools also get the confirmation guardrail: read the target,
ask (elicitation) or preview with a token, execute, read again.
"""

from __future__ import annotations

import inspect
import json
import typing
from dataclasses import dataclass
from typing import Annotated, Any

from mcp.server.mcpserver import (
    AcceptedElicitation,
    CancelledElicitation,
    Context,
    DeclinedElicitation,
    Elicit,
    ElicitationResult,
    MCPServer,
    Resolve,
)
from mcp_types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, ConfigDict, Field, create_model

from sinch_provisioning_mcp.api.errors import (
    ApiError,
    AuthError,
    InvalidPathParameter,
    OutcomeUnknownError,
    ProvisioningError,
    TransportError,
    UrlNotAllowedError,
)
from sinch_provisioning_mcp.guardrails.confirm import ConfirmationRefused, ConfirmDecision, can_elicit
from sinch_provisioning_mcp.guardrails.redact import REDACTOR
from sinch_provisioning_mcp.server.runtime import NotConfigured, Runtime
from sinch_provisioning_mcp.tools.base import (
    Call,
    Consequences,
    DestructiveResult,
    InvalidArguments,
    ProjectId,
    ToolDef,
)

META_KEY = "sinch-provisioning-mcp/operation"

ConfirmationToken = Annotated[
    str | None,
    Field(description="Only when a previous call returned status 'confirmation_required' and the user agreed."),
]

_INJECTED = frozenset({"ctx", "pre", "decision"})
_EXPECTED = (ProvisioningError, InvalidArguments, NotConfigured, ConfirmationRefused)
# errorCode of failures that are not the API's own; looked up along the exception's class hierarchy.
_CODES: dict[type[Exception], str] = {
    NotConfigured: "not_configured",
    InvalidArguments: "invalid_arguments",
    InvalidPathParameter: "invalid_arguments",
    ConfirmationRefused: "confirmation_refused",
    AuthError: "authentication_failed",
    UrlNotAllowedError: "url_not_allowed",
    OutcomeUnknownError: "outcome_unknown",
    TransportError: "api_unreachable",
    ProvisioningError: "provisioning_error",
}


def annotations_for(tool: ToolDef) -> ToolAnnotations:
    method = tool.operation.method
    return ToolAnnotations(
        title=tool.title,
        read_only_hint=method == "GET",
        destructive_hint=tool.destructive is not None,
        idempotent_hint=method != "POST",
        open_world_hint=True,
    )


def register(server: MCPServer, tool: ToolDef) -> type[BaseModel]:
    """Adds the tool to `server`; returns the model of its arguments, for `ArgumentValidator`."""
    handler = _destructive_handler(tool) if tool.destructive else _plain_handler(tool)
    server.add_tool(
        handler,
        name=tool.name,
        title=tool.title,
        description=tool.description,
        annotations=annotations_for(tool),
        meta={META_KEY: tool.operation.key},
        structured_output=True,
    )
    arguments = [p for p in handler.__signature__.parameters.values() if p.name not in _INJECTED]
    fields: dict[str, Any] = {
        p.name: (p.annotation, ... if p.default is inspect.Parameter.empty else p.default) for p in arguments
    }
    return create_model(f"{tool.name}_arguments", __config__=ConfigDict(extra="forbid"), **fields)


def error_result(exc: Exception, runtime: Runtime, project_id: str | None) -> CallToolResult:
    error: dict[str, Any]
    if isinstance(exc, ApiError):
        error = exc.to_dict()
        text = f"The Provisioning API refused {exc.operation} (HTTP {exc.status} {exc.error_code}): {exc.message}"
        if exc.resolution:
            text += f"\nResolution: {exc.resolution}"
        if exc.additional_information:
            text += f"\nAdditional information: {exc.additional_information}"
    else:
        code = next(_CODES[kind] for kind in type(exc).__mro__ if kind in _CODES)
        error = {"errorCode": code, "message": str(exc)}
        text = str(exc)
    payload = {
        "environment": runtime.environment,
        "project_id": project_id or runtime.default_project,
        "error": error,
        # A lost answer to a change is the one failure after which the state must be read again.
        "outcome_unknown": isinstance(exc, OutcomeUnknownError),
    }
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=payload, is_error=True)


def _tool_params(tool: ToolDef) -> tuple[list[inspect.Parameter], dict[str, Any], Any]:
    """The developer's own parameters (after `call`), their types, and the return type."""
    hints = typing.get_type_hints(tool.fn, include_extras=True)
    params = list(inspect.signature(tool.fn).parameters.values())
    if not params or hints.get(params[0].name) is not Call:
        raise TypeError(f"tool {tool.name}: the first parameter must be `call: Call`")
    own = [
        inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, default=p.default, annotation=hints[p.name])
        for p in params[1:]
    ]
    return own, {p.name: hints[p.name] for p in params[1:]}, hints.get("return")


def _kw(name: str, annotation: Any, default: Any = inspect.Parameter.empty) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)


def _with_signature(fn: Any, tool: ToolDef, params: list[inspect.Parameter], returns: Any) -> Any:
    fn.__name__ = fn.__qualname__ = tool.name
    fn.__module__ = tool.fn.__module__
    fn.__signature__ = inspect.Signature(params, return_annotation=returns)
    fn.__annotations__ = {p.name: p.annotation for p in params} | {"return": returns}
    return fn


def _plain_handler(tool: ToolDef) -> Any:
    own, _, returns = _tool_params(tool)

    async def handler(ctx: Context, project_id: str | None = None, **arguments: Any) -> Any:
        runtime: Runtime = ctx.request_context.lifespan_context
        try:
            return await tool.fn(runtime.call(project_id), **arguments)
        except _EXPECTED as exc:
            return error_result(exc, runtime, project_id)

    params = [*own, _kw("project_id", ProjectId, None), _kw("ctx", Context)]
    return _with_signature(handler, tool, params, returns)


@dataclass
class _Preflight:
    """What the destructive flow learned before asking: the target as it is now, or why it can't go on."""

    call: Call | None = None
    target: Any = None
    preview: Consequences | None = None
    failure: Exception | None = None


class _NotAsked:
    """The client cannot elicit, or the agent brought a token: confirmation goes by token."""


def _destructive_handler(tool: ToolDef) -> Any:
    spec = tool.destructive
    assert spec is not None
    own, own_types, _ = _tool_params(tool)
    returns = DestructiveResult[spec.target]  # type: ignore[name-defined]

    async def preflight(ctx: Context, project_id: str | None = None, **arguments: Any) -> _Preflight:
        runtime: Runtime = ctx.request_context.lifespan_context
        try:
            call = runtime.call(project_id)
            target = await spec.read(call, **arguments)
        except _EXPECTED as exc:
            return _Preflight(failure=exc)
        return _Preflight(call=call, target=target, preview=spec.describe(target))

    async def decide(ctx: Context, pre: _Preflight, confirmation_token: str | None = None) -> Any:
        if pre.failure is not None or confirmation_token or not can_elicit(ctx.client_capabilities):
            return _NotAsked()
        assert pre.call is not None and pre.preview is not None
        return Elicit(_elicitation_message(pre.call, pre.preview, pre.target), ConfirmDecision)

    preflight_params = [_kw("ctx", Context), _kw("project_id", ProjectId, None)] + [
        _kw(name, annotation) for name, annotation in own_types.items()
    ]
    _with_signature(preflight, tool, preflight_params, _Preflight)
    decide_params = [
        _kw("ctx", Context),
        _kw("pre", Annotated[_Preflight, Resolve(preflight)]),
        _kw("confirmation_token", ConfirmationToken, None),
    ]
    _with_signature(decide, tool, decide_params, Any)
    # Resolvers are keyed on the wire by qualified name, so each needs its own.
    preflight.__qualname__ = f"{tool.name}.preflight"
    decide.__qualname__ = f"{tool.name}.decide"

    async def handler(
        ctx: Context,
        pre: _Preflight,
        decision: ElicitationResult[Any],
        project_id: str | None = None,
        confirmation_token: str | None = None,
        **arguments: Any,
    ) -> Any:
        runtime: Runtime = ctx.request_context.lifespan_context
        if pre.failure is not None:
            return error_result(pre.failure, runtime, project_id)
        call, preview = pre.call, pre.preview
        assert call is not None and preview is not None
        outcome = {"target": pre.target, "preview": preview, **call.stamp()}
        if isinstance(decision, DeclinedElicitation | CancelledElicitation):
            status = "declined" if isinstance(decision, DeclinedElicitation) else "cancelled"
            return returns(status=status, **outcome, next_steps=["Nothing was changed. Ask the user before trying again."])
        asked = isinstance(decision, AcceptedElicitation) and isinstance(decision.data, ConfirmDecision)
        if asked and not decision.data.confirm:
            return returns(status="declined", **outcome, next_steps=["Nothing was changed: the user did not confirm."])
        try:
            if not asked:
                bound = {"arguments": arguments}
                if runtime.settings.confirm == "elicitation":
                    raise ConfirmationRefused(
                        "This server requires confirmation through MCP elicitation (SINCH_MCP_CONFIRM=elicitation) "
                        "and this client cannot elicit; nothing was changed. Use a client with elicitation support."
                    )
                if not confirmation_token:
                    token, expires = runtime.tokens.issue(tool.name, call.project_id, bound)
                    return returns(
                        status="confirmation_required",
                        **outcome,
                        confirmation_token=token,
                        token_expires_at=expires,
                        next_steps=[
                            "Show the user `preview` (action and consequences) and ask whether to go ahead.",
                            f"If they agree, call {tool.name} again with the same arguments and this confirmation_token.",
                        ],
                    )
                runtime.tokens.redeem(confirmation_token, tool.name, call.project_id, bound)
            await tool.fn(call, **arguments)
            verification = await spec.verify(call, **arguments)
        except _EXPECTED as exc:
            return error_result(exc, runtime, project_id)
        later = [] if verification.verified else ["Read the resource again later: the change is not visible yet."]
        return returns(status="done", **outcome, verification=verification, next_steps=later)

    params = [
        *own,
        _kw("project_id", ProjectId, None),
        _kw("confirmation_token", ConfirmationToken, None),
        _kw("ctx", Context),
        _kw("pre", Annotated[_Preflight, Resolve(preflight)]),
        _kw("decision", Annotated[ElicitationResult[Any], Resolve(decide)]),
    ]
    return _with_signature(handler, tool, params, returns)


def _elicitation_message(call: Call, preview: Consequences, target: BaseModel) -> str:
    # The question travels to the client outside any result, so it is redacted here.
    state = json.dumps(REDACTOR.data(target.model_dump(mode="json", exclude_none=True)), ensure_ascii=False)
    where = "the SANDBOX project" if call.environment == "sandbox" else "project"
    lines = [f"{preview.action} in {where} {call.project_id}.", f"Current state: {state}", "Consequences:"]
    lines += [f"- {item}" for item in preview.consequences]
    return "\n".join(lines)
