"""One path for every tool call, typed or through compact mode.

validate the arguments → resolve the project → (confirm, when the operation's policy asks
for this call) → run → render: one redaction pass over the structured result, with the
text content derived from it. Failures anywhere become an `isError` result carrying the
API's error fields; nothing raises past this module except programming errors.
"""

from __future__ import annotations

import hashlib
import json
import re
import types
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from mcp.server.mcpserver import AcceptedElicitation, CancelledElicitation, DeclinedElicitation, Elicit
from mcp_types import CallToolResult, ClientCapabilities, TextContent
from pydantic import BaseModel, SecretStr, ValidationError
from pydantic_core import to_jsonable_python

from sinch_provisioning_mcp.api.errors import (
    ApiError,
    AuthError,
    InvalidPathParameter,
    OutcomeUnknownError,
    ProvisioningError,
    TransportError,
    UrlNotAllowedError,
)
from sinch_provisioning_mcp.guardrails.confirm import ConfirmationRefused, ConfirmDecision, can_elicit, canonical
from sinch_provisioning_mcp.guardrails.redact import REDACTOR
from sinch_provisioning_mcp.server.runtime import NotConfigured, Runtime
from sinch_provisioning_mcp.server.toolsets import readers
from sinch_provisioning_mcp.state import StateUnavailable
from sinch_provisioning_mcp.tools.spec import (
    Arguments,
    Call,
    InvalidArguments,
    PreconditionFailed,
    Preview,
    Progress,
    ToolSpec,
    no_progress,
    plain,
)

EXPECTED = (ProvisioningError, InvalidArguments, NotConfigured, ConfirmationRefused, StateUnavailable)
# errorCode of failures that are not the API's own, looked up along the exception's class hierarchy.
_CODES: dict[type[Exception], str] = {
    NotConfigured: "not_configured",
    PreconditionFailed: "precondition_failed",
    InvalidArguments: "invalid_arguments",
    InvalidPathParameter: "invalid_arguments",
    ConfirmationRefused: "confirmation_refused",
    StateUnavailable: "state_unavailable",
    AuthError: "authentication_failed",
    UrlNotAllowedError: "url_not_allowed",
    OutcomeUnknownError: "outcome_unknown",
    TransportError: "api_unreachable",
    ProvisioningError: "provisioning_error",
}
_COMMON = ("project_id", "confirmation_token")


@dataclass(frozen=True)
class Invocation:
    """A call's validated arguments and the common ones every tool takes."""

    spec: ToolSpec
    args: Arguments
    project_id: str | None
    token: str | None


_SURROGATE = re.compile("[\ud800-\udfff]")


def _field(loc: tuple[Any, ...], sent: Any, *, missing: bool = False) -> str:
    """The field as the caller wrote it: the path of `loc` through what was `sent`.

    pydantic's `loc` also names the arm of a union (`BODY` of a tagged one, `bool`, or ""
    for a `true`-or-object field), which is no key of the arguments: such parts are left
    out. Kept although not sent: the last part of a missing field's path, and pydantic's
    `[key]`, which says a key itself was refused.
    """
    text = ""
    for index, part in enumerate(loc):
        if isinstance(part, int) and isinstance(sent, list) and 0 <= part < len(sent):
            sent = sent[part]
        elif isinstance(part, str) and isinstance(sent, Mapping) and part in sent:
            sent = sent[part]
        elif part != "[key]" and not (missing and index == len(loc) - 1 and isinstance(sent, Mapping) and part):
            continue
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    # A name is shown back to the client: a lone surrogate in it could not even be encoded.
    return _SURROGATE.sub("\ufffd", text) or "(arguments)"


_LONG_ENUM = 8


def _problem(error: Mapping[str, Any]) -> str:
    if error["type"] == "missing":
        return "required"
    if error["type"] == "extra_forbidden":
        return "not an argument of this tool"
    ctx = error.get("ctx") or {}
    if error["type"] in ("too_short", "too_long") and ctx.get("field_type") == "Value":
        # A secret (SecretStr): pydantic counts its "items"; say characters, and never the actual length.
        bound, limit = ("at least", ctx["min_length"]) if error["type"] == "too_short" else ("at most", ctx["max_length"])
        return f"{bound} {limit} character{'' if limit == 1 else 's'}"
    expected = str(ctx.get("expected", ""))
    if error["type"] in ("enum", "literal_error") and expected.count("'") > 2 * _LONG_ENUM:
        # A long enum would cost the agent's context on every mistake; the schema states it already.
        allowed = expected.split("'")[1::2]
        return f"not an allowed value ({len(allowed)} allowed, e.g. {', '.join(allowed[:3])}: see the input schema)"
    return str(error["msg"]).removeprefix("Value error, ")


def _structured(annotation: Any) -> bool:
    """Whether a field holds a list or an object (optional or annotated ones included)."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _structured(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return any(_structured(arm) for arm in get_args(annotation))
    if origin in (list, tuple, set, frozenset, dict):
        return True
    return isinstance(annotation, type) and issubclass(annotation, BaseModel | list | dict)


def _lenient(model: type[BaseModel], raw: Mapping[str, Any]) -> dict[str, Any]:
    """Lists and objects sent as JSON text are accepted, as some clients send them so.

    Only for fields that hold lists or objects: a string field (a secret that happens to
    look like JSON) keeps its text.
    """
    parsed = dict(raw)
    for name, value in raw.items():
        field = model.model_fields.get(name)
        if isinstance(value, str) and value[:1] in "[{" and field is not None and _structured(field.annotation):
            try:
                parsed[name] = json.loads(value)
            except ValueError:
                pass
    return parsed


def _common(raw: Mapping[str, Any], name: str, limit: int) -> str | None:
    value = raw.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise InvalidArguments(
            f"Invalid arguments; nothing was sent: {name} must be a string of at most {limit} characters",
            [{"field": name, "problem": f"a string of at most {limit} characters"}],
        )
    return value


def _surrogates(value: Any, loc: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Where `value` holds text with a lone surrogate: not Unicode text, it cannot be encoded to be sent."""
    if isinstance(value, str):
        if _SURROGATE.search(value):
            yield loc
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _surrogates(item, (*loc, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _surrogates(item, (*loc, index))


def bind(spec: ToolSpec, raw: Mapping[str, Any]) -> Invocation:
    """Validate `raw` against the tool; `InvalidArguments` names each field and what is allowed."""
    broken = [_field(loc, raw) for loc in _surrogates(raw)]
    if broken:
        problem = "contains a lone surrogate (U+D800 to U+DFFF), which is not valid Unicode text"
        lines = "\n".join(f"- {name}: {problem}" for name in broken)
        raise InvalidArguments(
            f"Invalid arguments for {spec.name}; nothing was sent:\n{lines}", [{"field": name, "problem": problem} for name in broken]
        )
    project_id = _common(raw, "project_id", 255)
    token = _common(raw, "confirmation_token", 512) if spec.confirmation else None
    own = {key: value for key, value in raw.items() if key not in _COMMON or (key == "confirmation_token" and not spec.confirmation)}
    parsed = _lenient(spec.arguments, own)
    try:
        args = spec.arguments.model_validate(parsed)
    except ValidationError as exc:
        problems = [
            {"field": _field(tuple(e["loc"]), parsed, missing=e["type"] == "missing"), "problem": _problem(e)}
            for e in exc.errors(include_input=False, include_url=False)
        ]
        raise InvalidArguments.of(problems, f"arguments for {spec.name}") from None
    return Invocation(spec, args, project_id, token)


def render(runtime: Runtime, project_id: str | None, body: Mapping[str, Any], *, is_error: bool = False) -> CallToolResult:
    """The result envelope, redacted once; the text content is derived from the redacted data.

    For an error the text is the error in words, written from its redacted fields.
    """
    data = {"environment": runtime.environment, "project_id": project_id or runtime.default_project, **body}
    structured = REDACTOR.data(to_jsonable_python(_dump(data)))
    if is_error:
        shown = _error_text(structured["error"])
    else:
        shown = json.dumps(structured, separators=(",", ":"), ensure_ascii=False)
    return CallToolResult(content=[TextContent(type="text", text=shown)], structured_content=structured, is_error=is_error)


def _error_text(error: Mapping[str, Any]) -> str:
    # The API's own errors name the operation refused (ApiError.to_dict); the server's carry a message.
    if "operation" not in error:
        return str(error["message"])
    text = (
        f"The Provisioning API refused {error['operation']} (HTTP {error['status']} {error['errorCode']}): "
        f"{error['message']}"
    )
    if error.get("resolution"):
        text += f"\nResolution: {error['resolution']}"
    if error.get("additionalInformation"):
        text += f"\nAdditional information: {json.dumps(error['additionalInformation'], ensure_ascii=False)}"
    return text


def _dump(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, Mapping):
        return {key: _dump(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [_dump(item) for item in value]
    return value


def error_result(exc: Exception, runtime: Runtime, project_id: str | None) -> CallToolResult:
    error: dict[str, Any]
    if isinstance(exc, ApiError):
        error = exc.to_dict()
    else:
        code = next(_CODES[kind] for kind in type(exc).__mro__ if kind in _CODES)
        error = {"errorCode": code, "message": str(exc)}
        if isinstance(exc, InvalidArguments):
            error["problems"] = exc.problems
    # A change whose answer was lost or says nothing about it (a 5xx): the state must be read again.
    unknown = isinstance(exc, OutcomeUnknownError) or (isinstance(exc, ApiError) and exc.outcome_unknown)
    body: dict[str, Any] = {"error": error, "outcome_unknown": unknown}
    steps = _after_failure(exc, unknown)
    if steps:
        body["next_steps"] = steps
    return render(runtime, project_id, body, is_error=True)


_TRY_LATER = (
    "Nothing was changed: the API did not answer. Try again in a minute; `sinch-provisioning-mcp doctor` "
    "checks the connection."
)


def _after_failure(exc: Exception, unknown: bool) -> list[str]:
    """What to do after a failure the API's own `resolution` does not cover."""
    if unknown:
        if isinstance(exc, OutcomeUnknownError) and exc.next_steps:
            return exc.next_steps
        names = readers(exc.operation) if isinstance(exc, ApiError | OutcomeUnknownError) and exc.operation else ()
        check = f"call {' or '.join(names)}" if names else "read the resource again"
        return [
            f"Before trying again, {check} to see whether the change was applied: repeating it could apply it twice."
        ]
    return [_TRY_LATER] if isinstance(exc, TransportError) else []


def _secret_values(value: Any) -> Iterator[str]:
    if isinstance(value, SecretStr):
        yield value.get_secret_value()
    elif isinstance(value, BaseModel):
        # The instance's values directly: getattr would warn for fields declared deprecated.
        for item in vars(value).values():
            yield from _secret_values(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _secret_values(item)


def _secrets_of(invocation: Invocation | None) -> AbstractContextManager[None]:
    """While the call runs, the secrets it was given are masked in its own output, errors and logs, nowhere else."""
    return REDACTOR.scoped(_secret_values(invocation.args) if invocation is not None else ())


async def run_plain(runtime: Runtime, spec: ToolSpec, raw: Mapping[str, Any], progress: Progress = no_progress) -> CallToolResult:
    """A tool that never asks for confirmation."""
    try:
        invocation = bind(spec, raw)
    except InvalidArguments as exc:
        return error_result(exc, runtime, None)
    with _secrets_of(invocation):
        try:
            call = runtime.call(invocation.project_id, progress)
            body = await spec.run(call, invocation.args)
        except EXPECTED as exc:
            return error_result(exc, runtime, invocation.project_id)
        return render(runtime, call.project_id, body)


# Confirmed tools: the SDK's resolvers run `preflight`, then `decide`, then the handler runs `finish`.


@dataclass
class Preflight:
    """What the server knows before asking: the call, the target as it is now, what would change."""

    invocation: Invocation | None = None
    call: Call | None = None
    target: Any = None
    preview: Preview | None = None
    needed: bool = False
    failure: Exception | None = None


class NotAsked:
    """No question was put to the user: confirmation is not needed, or goes by token."""


def state_digest(target: Any) -> str:
    """What the preview showed, for binding a token to it: the same state gives the same digest."""
    data = target.model_dump(mode="python") if isinstance(target, BaseModel) else target
    return hashlib.sha256(canonical({"state": data}).encode()).hexdigest()


async def preflight(
    runtime: Runtime, spec: ToolSpec, raw: Mapping[str, Any], progress: Progress = no_progress
) -> Preflight:
    """Everything before the question; for a tool that never confirms (reached through compact mode), only the call."""
    confirmation = spec.confirmation
    try:
        invocation = bind(spec, raw)
    except InvalidArguments as exc:
        return Preflight(failure=exc)
    try:
        call = runtime.call(invocation.project_id, progress)
        if confirmation is None:
            return Preflight(invocation, call)
        with _secrets_of(invocation):
            target = await confirmation.read(call, invocation.args) if confirmation.read else None
    except EXPECTED as exc:
        return Preflight(invocation, failure=exc)
    needed = confirmation.when(invocation.args, target) if confirmation.when else True
    preview = confirmation.describe(invocation.args, target)
    reason = spec.policy.confirm_reason
    if reason and reason not in preview.consequences:
        preview = preview.model_copy(update={"consequences": [*preview.consequences, reason]})
    return Preflight(invocation, call, target, preview, needed)


def decide(capabilities: ClientCapabilities | None, pre: Preflight) -> Elicit[ConfirmDecision] | NotAsked:
    if pre.failure is not None or not pre.needed or pre.invocation.token or not can_elicit(capabilities):
        return NotAsked()
    return Elicit(question(pre), ConfirmDecision)


def question(pre: Preflight) -> str:
    # The question travels to the client outside any result, so it is redacted here.
    assert pre.call is not None and pre.preview is not None
    where = "the SANDBOX project" if pre.call.environment == "sandbox" else "project"
    lines = [f"{pre.preview.action} in {where} {pre.call.project_id}."]
    with _secrets_of(pre.invocation):
        if pre.target is not None:
            state = REDACTOR.data(to_jsonable_python(_dump(pre.target)))
            lines.append(f"Current state: {json.dumps(state, ensure_ascii=False, separators=(',', ':'))}")
        lines += [f"Change: {item}" for item in pre.preview.changes]
        lines += ["Consequences:", *[f"- {item}" for item in pre.preview.consequences]]
        return REDACTOR.text("\n".join(lines))


async def finish(runtime: Runtime, pre: Preflight, decision: Any) -> CallToolResult:
    with _secrets_of(pre.invocation):
        if pre.failure is not None:
            project_id = pre.invocation.project_id if pre.invocation else None
            return error_result(pre.failure, runtime, project_id)
        invocation, call = pre.invocation, pre.call
        assert invocation is not None and call is not None
        spec = invocation.spec
        shown = {"preview": pre.preview, "target": pre.target}
        if pre.needed:
            if isinstance(decision, DeclinedElicitation | CancelledElicitation):
                status = "declined" if isinstance(decision, DeclinedElicitation) else "cancelled"
                return render(runtime, call.project_id, {"status": status, **shown, "next_steps": ["Nothing was changed."]})
            asked = isinstance(decision, AcceptedElicitation) and isinstance(decision.data, ConfirmDecision)
            if asked and not decision.data.confirm:
                return render(runtime, call.project_id, {"status": "declined", **shown, "next_steps": ["Nothing was changed: the user did not confirm."]})
            if not asked:
                try:
                    issued = await _by_token(runtime, pre)
                except ConfirmationRefused as exc:
                    return error_result(exc, runtime, call.project_id)
                if issued is not None:
                    return render(runtime, call.project_id, issued)
        try:
            body = await spec.run(call, invocation.args)
        except EXPECTED as exc:
            return error_result(exc, runtime, call.project_id)
        return render(runtime, call.project_id, {"status": "done", **body} if spec.confirmation else body)


async def _by_token(runtime: Runtime, pre: Preflight) -> dict[str, Any] | None:
    """Confirmation without elicitation: a preview and a token first, the change on the second call."""
    invocation, call = pre.invocation, pre.call
    assert invocation is not None and call is not None
    spec = invocation.spec
    if runtime.settings.confirm == "elicitation":
        raise ConfirmationRefused(
            "This server requires confirmation through MCP elicitation (SINCH_MCP_CONFIRM=elicitation) and this "
            "client cannot elicit; nothing was changed. Use a client with elicitation support."
        )
    bound = plain(invocation.args)
    digest = state_digest(pre.target)
    if invocation.token is None:
        token, expires = await runtime.tokens.issue(spec.name, call.project_id, bound, digest)
        return {
            "status": "confirmation_required",
            "preview": pre.preview,
            "target": pre.target,
            "confirmation_token": token,
            "token_expires_at": expires,
            "next_steps": [
                "Show the user `preview` and ask whether to go ahead.",
                f"If they agree, call {spec.name} again with the same arguments and this confirmation_token.",
            ],
        }
    await runtime.tokens.redeem(invocation.token, spec.name, call.project_id, bound, digest)
    return None
