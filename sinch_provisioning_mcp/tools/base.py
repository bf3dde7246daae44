"""What a tool module needs: toolsets, the per-call API handle, and the result shapes.

A tool is an async function `(call, **typed_args) -> result model`, declared on a
`Toolset` with the catalog operation it performs. Registration (server/registration.py)
adds `project_id`, the error mapping, redaction and, for destructive tools, the
confirmation guardrail, so no tool can forget any of them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from sinch_provisioning_mcp.api.client import ProvisioningClient
from sinch_provisioning_mcp.api.errors import ApiError
from sinch_provisioning_mcp.api.operations import Operation

Environment = Literal["sandbox", "sinch"]

ProjectId = Annotated[
    str | None,
    Field(description="Sinch project id. Defaults to SINCH_PROJECT_ID (the sandbox project in sandbox mode)."),
]


class InvalidArguments(Exception):
    """Arguments that pass the schema but cannot make a valid request; raised before any is sent."""


@dataclass(frozen=True)
class Call:
    """One tool call's handle on the API: the resolved project and the shared client."""

    client: ProvisioningClient
    project_id: str
    environment: Environment

    async def api(
        self,
        op: Operation,
        *,
        path: dict[str, str] | None = None,
        query: dict[str, Any] | None = None,
        body: Any = None,
    ) -> Any:
        return await self.client.call(op, self.project_id, path=path, query=query, body=body)

    async def paginate(
        self, op: Operation, items_key: str, *, path: dict[str, str] | None = None, query: dict[str, Any] | None = None
    ) -> tuple[list[Any], int]:
        return await self.client.paginate(op, self.project_id, items_key, path=path, query=query)

    async def exists(self, op: Operation, *, path: dict[str, str]) -> Any | None:
        """Read one resource for verification: its body, or None when the API says 404."""
        try:
            return await self.api(op, path=path)
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise

    def stamp(self) -> dict[str, Any]:
        """The fields every result carries."""
        return {"environment": self.environment, "project_id": self.project_id}


REDACTION_NOTE = "Secret-bearing fields at any depth come back redacted (at most the last 4 characters kept)."


def _note_redaction(schema: dict[str, Any]) -> None:
    schema["description"] = f"{schema.get('description', '')} {REDACTION_NOTE}".strip()


class Result(BaseModel):
    """Fields every tool result carries."""

    model_config = ConfigDict(json_schema_extra=_note_redaction)

    environment: Environment = Field(
        description="Where the data came from. 'sandbox': the embedded simulator; nothing real was read or changed."
    )
    project_id: str
    next_steps: list[str] = Field(default_factory=list, description="What to do next, in order.")


class Verification(BaseModel):
    """What the server observed when it read the resource back after a change."""

    verified: bool = Field(description="True when the read-back matches what the call intended.")
    observed: str = Field(description="What the read-back showed.")


T = TypeVar("T", bound=BaseModel)


class Consequences(BaseModel):
    action: str = Field(description="What will be done, in one sentence.")
    consequences: list[str] = Field(description="What changes for the user once done, irreversibly or for how long.")


class DestructiveResult(Result, Generic[T]):
    """Outcome of a destructive tool: a preview awaiting confirmation, a refusal, or the verified result."""

    status: Literal["done", "confirmation_required", "declined", "cancelled"] = Field(
        description=(
            "'confirmation_required': nothing changed yet; show `preview` to the user and, if they agree, call "
            "again with the same arguments plus `confirmation_token`. 'declined'/'cancelled': the user said no; "
            "nothing changed. 'done': executed and verified."
        )
    )
    target: T | None = Field(description="The resource as read just before acting.")
    preview: Consequences
    confirmation_token: str | None = Field(
        None, description="Single-use token binding this exact call; not a credential. Expires at `token_expires_at`."
    )
    token_expires_at: str | None = None
    verification: Verification | None = None


@dataclass(frozen=True)
class Destructive(Generic[T]):
    """How the confirmation guardrail handles one destructive tool.

    `read` fetches the target first (a missing one fails with the API's own error),
    `describe` says what will happen, `verify` reads again after execution.
    """

    target: type[T]
    read: Callable[..., Awaitable[T]]
    describe: Callable[..., Consequences]
    verify: Callable[..., Awaitable[Verification]]


@dataclass
class ToolDef:
    name: str
    title: str
    description: str
    operation: Operation
    fn: Callable[..., Awaitable[Any]]
    destructive: Destructive[Any] | None = None

    @property
    def read_only(self) -> bool:
        return self.operation.method == "GET"


@dataclass
class Toolset:
    """One API family's tools; `--toolsets` selects by `name`."""

    name: str
    description: str
    deprecated: bool = False
    tools: list[ToolDef] = field(default_factory=list)

    def tool(self, operation: Operation, *, title: str) -> Callable[[Callable[..., Awaitable[Any]]], ToolDef]:
        return self._add(operation, title, None)

    def destructive(
        self, operation: Operation, *, title: str, confirm: Destructive[Any]
    ) -> Callable[[Callable[..., Awaitable[Any]]], ToolDef]:
        return self._add(operation, title, confirm)

    def _add(
        self, operation: Operation, title: str, confirm: Destructive[Any] | None
    ) -> Callable[[Callable[..., Awaitable[Any]]], ToolDef]:
        if operation.method == "DELETE" and confirm is None:
            raise TypeError(f"{operation.key} deletes: declare it with Toolset.destructive so it asks for confirmation")

        def decorator(fn: Callable[..., Awaitable[Any]]) -> ToolDef:
            definition = ToolDef(
                name=fn.__name__,
                title=title,
                description=" ".join((fn.__doc__ or "").split()),
                operation=operation,
                fn=fn,
                destructive=confirm,
            )
            self.tools.append(definition)
            return definition

        return decorator
