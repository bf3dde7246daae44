"""What a tool is: one declared operation, its arguments as one model, what it runs, how it is confirmed.

A `ToolSpec` is data. The server turns it into an MCP tool (server/registration.py) and
runs every call of it through one pipeline (server/pipeline.py): argument validation,
the project, confirmation when the operation's catalog policy asks for it, the run,
redaction and the result envelope. No tool can skip any of them.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic.alias_generators import to_camel
from pydantic_core import to_jsonable_python

from sinch_provisioning_mcp.api.catalog import Policy, entry
from sinch_provisioning_mcp.api.client import ProvisioningClient
from sinch_provisioning_mcp.api.errors import ApiError
from sinch_provisioning_mcp.api.events import Receiver
from sinch_provisioning_mcp.api.operations import Operation

Environment = Literal["sandbox", "sinch"]


class InvalidArguments(Exception):
    """Arguments the API would refuse; raised before any request is sent.

    `problems` are `{"field", "problem"}` pairs: the field and what is allowed, never the
    rejected value (it might be a secret).
    """

    def __init__(self, message: str, problems: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []

    @classmethod
    def of(cls, problems: list[dict[str, str]], subject: str = "arguments") -> InvalidArguments:
        """Every problem, one line each, under "Invalid <subject>; nothing was sent"."""
        lines = "\n".join(f"- {p['field']}: {p['problem']}" for p in problems)
        return cls(f"Invalid {subject}; nothing was sent:\n{lines}", problems)


class PreconditionFailed(InvalidArguments):
    """The resource is not in a state the call needs (launch requirements unmet, an OTP step out
    of order, changes under review); found by reading it, so the step's request was not sent.
    The message says the state it is in and what to do next; `problems` name what to set."""


class InQuery:
    """Marks an argument of a write that travels in the query string (`Annotated[T, IN_QUERY]`)."""


class Local:
    """Marks an argument of the tool itself (paging, detail level), never sent to the API."""


IN_QUERY = InQuery()
LOCAL = Local()


class Arguments(BaseModel):
    """A tool's arguments: snake_case names for agents, the API's camelCase on the wire.

    Path parameters are the fields whose camelCase name is a `{param}` of the operation's
    path; on GET and DELETE every other field is a query parameter; on writes every other
    field is the JSON body, except fields marked `IN_QUERY`. Nested objects subclass this
    too, so the whole body follows the same rule.
    """

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=False,
        serialize_by_alias=True,
        loc_by_alias=False,
        frozen=True,
    )


class NoArguments(Arguments):
    pass


@functools.cache  # per model class, which never changes: every call of a tool asks again
def _marked(model: type[BaseModel], marker: type) -> frozenset[str]:
    return frozenset(
        info.alias or name
        for name, info in model.model_fields.items()
        if any(isinstance(item, marker) for item in info.metadata)
    )


def _reveal(value: Any) -> Any:
    """JSON for the wire: secrets as their real value (the API needs them), enums as theirs."""
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {key: _reveal(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_reveal(item) for item in value]
    return to_jsonable_python(value)


@dataclass(frozen=True)
class Wire:
    """One request's parts, as the API expects them."""

    path: dict[str, str]
    query: dict[str, Any]
    body: dict[str, Any] | None


def wire(op: Operation, args: Arguments) -> Wire:
    """Where each argument goes: the single place that maps a tool's arguments to a request."""
    model = type(args)
    data = _reveal(args.model_dump(mode="python", by_alias=True, exclude_none=True, exclude=_local_names(model)))
    path = {name: str(data.pop(name)) for name in op.param_names if name in data}
    if op.method in ("GET", "DELETE"):
        return Wire(path, data, None)
    query = {name: data.pop(name) for name in _marked(model, InQuery) if name in data}
    has_body = entry(op.key).get("body") is not None
    return Wire(path, query, data if has_body else None)


@functools.cache  # per model class, as _marked
def _local_names(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(
        name for name, info in model.model_fields.items() if any(isinstance(item, Local) for item in info.metadata)
    )


# Reports progress to the client: (progress so far, total if known, a short message).
Progress = Callable[[float, float | None, str], Awaitable[None]]


async def no_progress(progress: float, total: float | None, message: str) -> None:
    return None


@dataclass(frozen=True)
class Call:
    """One tool call's handle on the API: the resolved project and the shared client.

    `events` is this server's event receiver when it runs one (HTTP mode), `progress`
    reports progress notifications to the client for long calls (waits).
    """

    client: ProvisioningClient
    project_id: str
    environment: Environment
    events: Receiver | None = None
    progress: Progress = no_progress

    async def api(
        self,
        op: Operation,
        *,
        path: Mapping[str, str] | None = None,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> Any:
        return await self.client.call(op, self.project_id, path=dict(path or {}), query=dict(query or {}), body=body)

    async def send(self, op: Operation, args: Arguments, **path: str) -> Any:
        """Perform `op` with `args` mapped by `wire`; `path` adds identifiers learnt on the way."""
        parts = wire(op, args)
        return await self.api(op, path={**parts.path, **path}, query=parts.query, body=parts.body)

    async def read(self, op: Operation, args: Arguments, **path: str) -> Any:
        """GET `op` with only the path identifiers of `args` (no query, no body)."""
        return await self.api(op, path={**wire(op, args).path, **path})

    async def exists(self, op: Operation, args: Arguments, **path: str) -> Any | None:
        """Read one resource for verification: its body, or None when the API answers 404."""
        try:
            return await self.read(op, args, **path)
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise


class Verification(BaseModel):
    """What the server saw when it read the resource back after a change."""

    ok: bool = Field(description="True when the read-back shows the change as intended.")
    observed: str


class Preview(BaseModel):
    """What a confirmed call will do, shown to the user before anything changes."""

    action: str
    changes: list[str] = Field(default_factory=list)
    consequences: list[str] = Field(default_factory=list)


Runner = Callable[[Call, Any], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Confirmation:
    """How the confirmation guardrail handles a tool whose operation's policy asks for it.

    `read` fetches the target as it is now (a missing one fails with the API's own error;
    None for a creation, which has no target), `describe` says what the call will change,
    and `when` (only for operations the catalog confirms conditionally) decides per call.
    """

    describe: Callable[[Any, Any], Preview]
    read: Callable[[Call, Any], Awaitable[Any]] | None = None
    when: Callable[[Any, Any], bool] | None = None


# Tools with no catalog operation of their own (overview, waits) declare their policy.
READ_HELPER = Policy(effect="read", idempotent=True)


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    arguments: type[Arguments]
    run: Runner
    # The JSON type of each key the result carries beside the envelope, for the output schema.
    output: Mapping[str, str]
    operation: Operation | None = None
    policy: Policy = READ_HELPER
    confirmation: Confirmation | None = None
    # Arguments that work against the sandbox's seeded project, for the contract test and describe.
    example: Mapping[str, Any] | None = None
    toolset: str = ""

    def __post_init__(self) -> None:
        if self.operation is not None:
            object.__setattr__(self, "policy", self.operation.policy)
        policy = self.policy
        if policy.confirm_reason is not None and self.confirmation is None:
            raise TypeError(f"{self.name}: {self.operation and self.operation.key} must be confirmed; declare confirmation=")
        if policy.confirm_reason is None and self.confirmation is not None:
            raise TypeError(f"{self.name}: the catalog asks no confirmation for this operation")
        if self.confirmation is not None and policy.conditional != (self.confirmation.when is not None):
            raise TypeError(f"{self.name}: declare confirmation.when exactly when the catalog confirms conditionally")


def plain(args: Arguments) -> dict[str, Any]:
    """The arguments as JSON data, secrets revealed: what a confirmation binds to, never output."""
    return _reveal(args.model_dump(mode="python", exclude_none=True))
