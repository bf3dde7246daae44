"""Compact mode: the whole surface as three tools, for clients with tool limits or small contexts.

search_operations finds tools by plain words, describe_operation gives one tool's input
schema and effect, call_operation calls it by name. The call runs through exactly the
pipeline the typed tool uses (validation, confirmation, redaction, verification, error
mapping), so no guardrail depends on the mode. The footprint is fixed whatever the
number of operations.
"""

import re
from collections.abc import Mapping
from typing import Any

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.tools.base import Tool
from mcp_types import CallToolResult, ToolAnnotations

from sinch_provisioning_mcp.server import pipeline
from sinch_provisioning_mcp.server.registration import build_tool, confirmed_handler, runtime_of
from sinch_provisioning_mcp.server.schema import input_schema
from sinch_provisioning_mcp.tools.spec import InvalidArguments, ToolSpec

_WORD = re.compile(r"[a-z0-9]+")
# Words people use for an action, mapped onto the verbs tool names use.
_SYNONYMS = {
    "remove": "delete", "drop": "delete", "add": "create", "new": "create", "make": "create", "register": "create",
    "show": "get", "see": "get", "read": "get", "view": "get", "find": "list", "all": "list", "change": "update",
    "edit": "update", "modify": "update", "set": "update", "submit": "launch", "publish": "launch",
    "events": "webhook", "callback": "webhook", "notification": "webhook", "hook": "webhook",
    "kakao": "kakaotalk", "wa": "whatsapp", "otp": "verify", "code": "verify", "history": "activities",
    "log": "activities", "note": "comment",
}
_LOCAL = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)


def _words(text: str) -> list[str]:
    found = []
    for word in _WORD.findall(text.lower()):
        word = _SYNONYMS.get(word, word)
        found.append(word[:-1] if len(word) > 4 and word.endswith("s") else word)
    return found


def _summary(spec: ToolSpec) -> str:
    first = spec.description.split(". ")[0].rstrip(".")
    return f"{spec.name} ({spec.policy.effect}): {first}"


def _search(specs: list[ToolSpec], query: str, limit: int) -> list[str]:
    wanted = set(_words(query))
    scored = []
    for order, spec in enumerate(specs):
        name = set(_words(spec.name))
        text = set(_words(f"{spec.description} {spec.toolset} {spec.operation.path if spec.operation else ''}"))
        score = sum(3 if word in name else 1 for word in wanted if word in name or word in text)
        if score:
            scored.append((-score, order, spec))
    return [_summary(spec) for _, _, spec in sorted(scored, key=lambda item: item[:2])[:limit]]


def _describe(spec: ToolSpec) -> dict[str, Any]:
    described: dict[str, Any] = {
        "name": spec.name,
        "description": spec.description,
        "effect": spec.policy.effect,
        "input_schema": input_schema(spec),
    }
    if spec.operation:
        described["operation"] = spec.operation.key
    if spec.confirmation:
        described["confirmation"] = (
            "asks the user first" + (" for some calls" if spec.policy.conditional else "") + f": {spec.policy.confirm_reason}"
        )
    if spec.example:
        described["example"] = dict(spec.example)
    return described


def _string(raw: Mapping[str, Any], name: str, *, limit: int) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise InvalidArguments(
            f"Invalid arguments; nothing was sent:\n- {name}: a non-empty string of at most {limit} characters",
            [{"field": name, "problem": f"a non-empty string of at most {limit} characters"}],
        )
    return value


def _unexpected(raw: Mapping[str, Any], allowed: set[str]) -> None:
    extra = sorted(set(raw) - allowed)
    if extra:
        raise InvalidArguments(
            "Invalid arguments; nothing was sent:\n" + "\n".join(f"- {name}: not an argument of this tool" for name in extra),
            [{"field": name, "problem": "not an argument of this tool"} for name in extra],
        )


def compact_tools(specs: list[ToolSpec]) -> list[Tool]:
    index = {spec.name: spec for spec in specs}

    def served(raw: Mapping[str, Any]) -> ToolSpec:
        name = _string(raw, "name", limit=100)
        if name not in index:
            close = ", ".join(_search(specs, name.replace("_", " "), 3)) or "use search_operations"
            raise InvalidArguments(
                f"Invalid arguments; nothing was sent:\n- name: no operation {name!r} is served here (closest: {close})",
                [{"field": "name", "problem": "not a served operation; search_operations lists them"}],
            )
        return index[name]

    async def search(raw: dict[str, Any], ctx: Context) -> CallToolResult:
        runtime = runtime_of(ctx)
        try:
            _unexpected(raw, {"query", "limit"})
            query = _string(raw, "query", limit=300)
            limit = raw.get("limit", 8)
            if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 20:
                raise InvalidArguments(
                    "Invalid arguments; nothing was sent:\n- limit: an integer from 1 to 20",
                    [{"field": "limit", "problem": "an integer from 1 to 20"}],
                )
        except InvalidArguments as exc:
            return pipeline.error_result(exc, runtime, None)
        found = _search(specs, query, limit)
        steps = ["describe_operation gives the input schema of one; call_operation runs it."] if found else [
            "Nothing matched: try other words (e.g. 'whatsapp template', 'delete webhook')."
        ]
        return pipeline.render(runtime, None, {"operations": found, "next_steps": steps})

    async def describe(raw: dict[str, Any], ctx: Context) -> CallToolResult:
        runtime = runtime_of(ctx)
        try:
            _unexpected(raw, {"name"})
            spec = served(raw)
        except InvalidArguments as exc:
            return pipeline.error_result(exc, runtime, None)
        return pipeline.render(runtime, None, {"operation": _describe(spec)})

    def spec_of(raw: Mapping[str, Any]) -> tuple[ToolSpec, Mapping[str, Any]]:
        _unexpected(raw, {"name", "arguments"})
        spec = served(raw)
        arguments = raw.get("arguments", {})
        if not isinstance(arguments, dict):
            raise InvalidArguments(
                "Invalid arguments; nothing was sent:\n- arguments: an object, as describe_operation's input_schema says",
                [{"field": "arguments", "problem": "an object matching describe_operation's input_schema"}],
            )
        return spec, arguments

    reads_only = all(spec.policy.read_only for spec in specs)
    call_annotations = ToolAnnotations(
        read_only_hint=reads_only,
        destructive_hint=any(spec.policy.destructive_hint for spec in specs),
        idempotent_hint=all(spec.policy.idempotent for spec in specs),
        open_world_hint=True,
    )
    envelope = {"type": "object", "required": ["environment"], "properties": {"environment": {"enum": ["sandbox", "sinch"]}}}
    return [
        build_tool(
            name="search_operations",
            description="Start here: finds the Sinch provisioning operations (WhatsApp, RCS, KakaoTalk, webhooks, "
            "bundles, SMS apps) matching plain words, one line each with its effect.",
            handler=search,
            parameters={
                "type": "object",
                "properties": {"query": {"type": "string"}, "limit": {"type": "integer", "minimum": 1, "maximum": 20}},
                "required": ["query"],
                "additionalProperties": False,
            },
            output=envelope,
            annotations=_LOCAL,
        ),
        build_tool(
            name="describe_operation",
            description="Gives one operation's input schema, effect, confirmation rule and an example, before calling it.",
            handler=describe,
            parameters={
                "type": "object",
                "properties": {"name": {"type": "string"}},
                "required": ["name"],
                "additionalProperties": False,
            },
            output=envelope,
            annotations=_LOCAL,
        ),
        build_tool(
            name="call_operation",
            description="Runs one operation by name with `arguments` as describe_operation's schema says (project_id "
            "and confirmation_token included). Changes that need confirmation ask the user, or return a preview and a "
            "confirmation_token: show the preview, and call again with the token only if the user agrees.",
            handler=confirmed_handler(spec_of),
            parameters={
                "type": "object",
                "properties": {"name": {"type": "string"}, "arguments": {"type": "object"}},
                "required": ["name"],
                "additionalProperties": False,
            },
            output=envelope,
            annotations=call_annotations,
        ),
    ]
