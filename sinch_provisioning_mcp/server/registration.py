"""From a `ToolSpec` to an MCP tool: one explicit path, no signature rebuilding.

The SDK receives each tool as a `Tool` built here: our own lean input schema, our own
output schema, and a handler that takes the raw arguments and hands them to the pipeline,
which validates them against the spec's model (so typed tools and compact mode validate
the same way). A tool that may ask for confirmation gets the SDK's `Resolve`/`Elicit`
resolvers, which elicit correctly on protocol eras before and after 2026-07-28.

This module deliberately does not use `from __future__ import annotations`: the SDK reads
the resolvers' annotations at registration, and closures' names only resolve when the
annotations are real objects.
"""

from collections.abc import Callable, Mapping
from typing import Annotated, Any

from mcp.server.mcpserver import Context, ElicitationResult, Resolve
from mcp.server.mcpserver.resolve import build_resolver_plans, find_resolved_parameters
from mcp.server.mcpserver.tools.base import Tool
from mcp.server.mcpserver.utilities.func_metadata import ArgModelBase, FuncMetadata
from mcp_types import CallToolResult, ToolAnnotations
from mcp_types.version import MODERN_PROTOCOL_VERSIONS, is_version_at_least
from pydantic import ConfigDict

from sinch_provisioning_mcp.api.catalog import Policy
from sinch_provisioning_mcp.guardrails.confirm import ConfirmDecision
from sinch_provisioning_mcp.server import pipeline
from sinch_provisioning_mcp.server.runtime import Runtime
from sinch_provisioning_mcp.server.schema import input_schema, output_schema
from sinch_provisioning_mcp.tools.spec import Progress, ToolSpec

META_KEY = "sinch-provisioning-mcp/operation"

# Chooses the spec and its arguments for one call: fixed for a typed tool, named by the
# arguments in compact mode. Raises InvalidArguments when it cannot.
SpecOf = Callable[[Mapping[str, Any]], tuple[ToolSpec, Mapping[str, Any]]]


class RawArguments(ArgModelBase):
    """Accepts any arguments object and passes it on whole: the pipeline validates it."""

    model_config = ConfigDict(extra="allow")

    def model_dump_one_level(self) -> dict[str, Any]:
        return {"raw": dict(self.__pydantic_extra__ or {})}


def annotations_for(policy: Policy) -> ToolAnnotations:
    """MCP hints from the operation's catalog policy, never from its HTTP method."""
    return ToolAnnotations(
        read_only_hint=policy.read_only,
        destructive_hint=policy.destructive_hint,
        idempotent_hint=policy.idempotent,
        open_world_hint=True,
    )


def runtime_of(ctx: Context) -> Runtime:
    return ctx.request_context.lifespan_context


def can_ask(ctx: Context) -> bool:
    """Whether a question can reach the client during this call: inside the call's result from
    protocol 2026-07-28 on; before, as a request over a channel that carries one, which HTTP with
    JSON responses (SINCH_MCP_HTTP_JSON_RESPONSE) does not: confirmation then goes by token."""
    request = ctx.request_context
    modern = is_version_at_least(request.protocol_version, MODERN_PROTOCOL_VERSIONS[0])
    return modern or request.session.can_send_request


def progress_of(ctx: Context) -> Progress:
    async def report(progress: float, total: float | None, message: str) -> None:
        await ctx.report_progress(progress, total, message)

    return report


def build_tool(
    *,
    name: str,
    description: str,
    handler: Callable[..., Any],
    parameters: dict[str, Any],
    output: dict[str, Any],
    annotations: ToolAnnotations,
    meta: dict[str, Any] | None = None,
) -> Tool:
    resolved = find_resolved_parameters(handler)
    return Tool(
        fn=handler,
        name=name,
        description=description,
        parameters=parameters,
        fn_metadata=FuncMetadata(arg_model=RawArguments, output_schema=output),
        is_async=True,
        context_kwarg="ctx",
        resolved_params=resolved,
        resolver_plans=build_resolver_plans(resolved, {"raw"}),
        annotations=annotations,
        meta=meta,
    )


def plain_handler(spec: ToolSpec) -> Callable[..., Any]:
    async def handler(raw: dict[str, Any], ctx: Context) -> CallToolResult:
        return await pipeline.run_plain(runtime_of(ctx), spec, raw, progress_of(ctx))

    return handler


def confirmed_handler(spec_of: SpecOf) -> Callable[..., Any]:
    """The confirmation flow: read and describe the target, ask or go by token, then run."""

    async def preflight(raw: dict[str, Any], ctx: Context) -> pipeline.Preflight:
        try:
            spec, arguments = spec_of(raw)
        except pipeline.EXPECTED as exc:
            return pipeline.Preflight(failure=exc)
        return await pipeline.preflight(runtime_of(ctx), spec, arguments, progress_of(ctx))

    async def decide(ctx: Context, pre: Annotated[pipeline.Preflight, Resolve(preflight)]) -> Any:
        return pipeline.decide(ctx.client_capabilities if can_ask(ctx) else None, pre)

    async def handler(
        raw: dict[str, Any],
        ctx: Context,
        pre: Annotated[pipeline.Preflight, Resolve(preflight)],
        decision: Annotated[ElicitationResult[ConfirmDecision], Resolve(decide)],
    ) -> CallToolResult:
        return await pipeline.finish(runtime_of(ctx), pre, decision)

    return handler


def tool_for(spec: ToolSpec) -> Tool:
    if spec.confirmation is not None:
        handler = confirmed_handler(lambda raw: (spec, raw))
    else:
        handler = plain_handler(spec)
    return build_tool(
        name=spec.name,
        description=spec.description,
        handler=handler,
        parameters=input_schema(spec),
        output=output_schema(spec.output, confirmed=spec.confirmation is not None),
        annotations=annotations_for(spec.policy),
        meta={META_KEY: spec.operation.key} if spec.operation else None,
    )
