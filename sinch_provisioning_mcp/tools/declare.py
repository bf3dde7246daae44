"""Declaring tools in a few lines: the shapes most operations share.

`get`, `list`, `create`, `update`, `delete`, `activities` and `comment` cover operations
whose shape repeats; `tool` declares one with logic of its own (OTP order, launch
readiness, template rules) from the same parts. Each returns the `ToolSpec` it added.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, create_model

from sinch_provisioning_mcp.api.models.common import Activity
from sinch_provisioning_mcp.api.operations import Operation
from sinch_provisioning_mcp.guardrails.redact import is_secret_key
from sinch_provisioning_mcp.tools.spec import (
    LOCAL,
    Arguments,
    Call,
    Confirmation,
    Preview,
    Runner,
    ToolSpec,
    Verification,
    wire,
)

NextSteps = Callable[[Any, Any], list[str]]
# How every tool of the `legacy` toolset opens its description.
LEGACY = "Deprecated: use only when a legacy flow is explicitly wanted."
Model = type[BaseModel]
# Fields a summarised list keeps, as dotted paths: "state", "changes.status", "subcategories.*.code"
# (`*`: every item of a list).
Summary = tuple[str, ...]
# Judges a write's read-back: (the body sent, the resource read, its label) -> Verification.
Verify = Callable[[Mapping[str, Any] | None, Mapping[str, Any], str], Verification]
# Runs before a write and raises to stop it (InvalidArguments, PreconditionFailed): a state or a
# value only a read can check.
Check = Callable[[Call, Any], Awaitable[None]]


@cache
def paged(maximum: int, *, detail: bool = True) -> type[Arguments]:
    """Paging arguments for a list whose `pageSize` goes up to `maximum` (the catalog's limit)."""
    fields: dict[str, Any] = {
        "page_size": (Annotated[int | None, Field(ge=1, le=maximum)], None),
        "page_token": (str | None, None),
    }
    if detail:
        fields["detail"] = (
            Annotated[Literal["summary", "full"], LOCAL, Field(description="summary: key fields only.")],
            "summary",
        )
    return create_model(f"Paged{maximum}{'' if detail else 'Plain'}", __base__=Arguments, **fields)



# What `Toolset.comment` posts: every family takes 1 to 65,535 characters. (A comment, not a
# docstring: a model's docstring would go into the tool's inputSchema.)
class Comment(Arguments):
    comment: Annotated[str, Field(min_length=1, max_length=65535)]


@dataclass(frozen=True)
class ReadBack:
    """How to read a resource again after a write: `op`, with identifiers from the arguments
    and, for ones the write created, from its answer (`ids`: path parameter -> answer field)."""

    op: Operation
    ids: Mapping[str, str] = field(default_factory=dict)


def _same(sent: Any, seen: Any) -> bool:
    if isinstance(sent, list) and isinstance(seen, list):
        if all(not isinstance(v, dict | list) for v in sent + seen):
            return sorted(map(str, sent)) == sorted(map(str, seen))
        # Lists of objects (template components) in order, each read back by the same rule.
        return len(sent) == len(seen) and all(_same(a, b) for a, b in zip(sent, seen, strict=True))
    if isinstance(sent, dict) and isinstance(seen, dict):
        return all(key not in seen or _same(value, seen[key]) for key, value in sent.items())
    return sent == seen


def compare(sent: Mapping[str, Any] | None, resource: Mapping[str, Any], label: str) -> Verification:
    """Check that every field the request set (secrets aside) reads back as sent.

    Only field names are reported, never values: a read-back can carry third-party text.
    """
    checked = {key: value for key, value in (sent or {}).items() if not is_secret_key(key) and key in resource}
    differing = sorted(key for key, value in checked.items() if not _same(value, resource[key]))
    if differing:
        return Verification(ok=False, observed=f"read back {label}: {', '.join(differing)} not as requested yet")
    fields = ", ".join(sorted(checked)) or "the resource"
    return Verification(ok=True, observed=f"read back {label}: {fields} as requested")


def summary_fields(paths: tuple[str, ...]) -> dict[str, Any]:
    """Dotted field paths ("details.brand.name", "items.*.code") as a pydantic `include`."""
    include: dict[str, Any] = {}
    for path in paths:
        *parents, leaf = ("__all__" if part == "*" else part for part in path.split("."))
        node = include
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = True
    return include


def _label(resource: Mapping[str, Any], fallback: str) -> str:
    for key in ("id", "name", "plusFriendId", "number"):
        if isinstance(resource.get(key), str):
            return f"{fallback} {resource[key]}"
    return fallback


@dataclass
class Toolset:
    """One family's tools; `--toolsets` selects by `name`."""

    name: str
    description: str
    tools: list[ToolSpec] = field(default_factory=list)

    def add(self, spec: ToolSpec) -> ToolSpec:
        if any(tool.name == spec.name for tool in self.tools):
            raise ValueError(f"tool {spec.name} declared twice")
        spec = replace(spec, toolset=self.name)
        self.tools.append(spec)
        return spec

    def tool(
        self,
        name: str,
        op: Operation | None,
        arguments: type[Arguments],
        *,
        output: Mapping[str, str],
        confirmation: Confirmation | None = None,
        example: Mapping[str, Any] | None = None,
        **extra: Any,
    ) -> Callable[[Runner], ToolSpec]:
        """Decorator for a tool with logic of its own; its docstring is the description."""

        def decorator(run: Runner) -> ToolSpec:
            description = " ".join((run.__doc__ or "").split())
            return self.add(
                ToolSpec(
                    name=name,
                    description=description,
                    arguments=arguments,
                    run=run,
                    output=output,
                    operation=op,
                    confirmation=confirmation,
                    example=example,
                    **extra,
                )
            )

        return decorator

    def get(
        self,
        name: str,
        op: Operation,
        arguments: type[Arguments],
        model: Model,
        *,
        key: str,
        description: str,
        next_steps: NextSteps | None = None,
        example: Mapping[str, Any] | None = None,
    ) -> ToolSpec:
        async def run(call: Call, args: Arguments) -> dict[str, Any]:
            resource = model.model_validate(await call.send(op, args))
            return {key: resource, "next_steps": next_steps(args, resource) if next_steps else []}

        return self.add(ToolSpec(name, description, arguments, run, {key: "object"}, op, example=example))

    def list(
        self,
        name: str,
        op: Operation,
        arguments: type[Arguments],
        model: Model,
        *,
        items: str,
        description: str,
        key: str | None = None,
        summary: Summary = (),
        next_steps: NextSteps | None = None,
        example: Mapping[str, Any] | None = None,
    ) -> ToolSpec:
        """A list endpoint: one page per call, each item summarised to `summary` (field names,
        dotted for nested ones) unless `detail` is full."""
        key = key or items
        if summary and "detail" not in arguments.model_fields:
            raise TypeError(f"{name}: a summarised list needs a `detail` argument (use paged())")

        async def run(call: Call, args: Arguments) -> dict[str, Any]:
            page = await call.send(op, args)
            found = [model.model_validate(item) for item in page.get(items) or []]
            full = not summary or getattr(args, "detail", "full") == "full"
            include = summary_fields(summary)
            shown = [item if full else item.model_dump(mode="json", include=include, exclude_none=True) for item in found]
            result: dict[str, Any] = {key: shown, "total_size": int(page.get("totalSize", len(found)))}
            if page.get("nextPageToken"):
                result["next_page_token"] = page["nextPageToken"]
            result["next_steps"] = next_steps(args, found) if next_steps else []
            return result

        output = {key: "array", "total_size": "integer", "next_page_token": "string"}
        return self.add(ToolSpec(name, description, arguments, run, output, op, example=example))

    def create(
        self,
        name: str,
        op: Operation,
        arguments: type[Arguments],
        model: Model,
        *,
        key: str,
        description: str,
        read_back: ReadBack | None,
        next_steps: NextSteps | None = None,
        confirmation: Confirmation | None = None,
        example: Mapping[str, Any] | None = None,
        check: Check | None = None,
        verify: Verify | None = None,
    ) -> ToolSpec:
        """A write, then the resource read again (`verified`); without `read_back`, the answer stands.

        `check` runs first and may refuse; `verify` judges the read-back (default: `compare`).
        """

        async def run(call: Call, args: Arguments) -> dict[str, Any]:
            if check is not None:
                await check(call, args)
            answer = await call.send(op, args)
            answered = answer if isinstance(answer, dict) else {}
            resource = answered
            if read_back is not None:
                learnt = {param: str(answered[source]) for param, source in read_back.ids.items() if source in answered}
                resource = await call.read(read_back.op, args, **learnt)
            label = _label(resource, key)
            verified = (
                (verify or compare)(wire(op, args).body, resource, label)
                if read_back is not None
                else Verification(ok=True, observed=f"the API accepted the {key}; it has no read endpoint")
            )
            parsed = model.model_validate(resource)
            return {key: parsed, "verified": verified, "next_steps": next_steps(args, parsed) if next_steps else []}

        output = {key: "object", "verified": "object"}
        return self.add(ToolSpec(name, description, arguments, run, output, op, confirmation=confirmation, example=example))

    update = create

    def delete(
        self,
        name: str,
        op: Operation,
        arguments: type[Arguments],
        *,
        read: Operation,
        model: Model,
        describe: Callable[[Any, Any], Preview],
        description: str,
        gone: Callable[[Any, Any], Verification] | None = None,
        next_steps: NextSteps | None = None,
        example: Mapping[str, Any] | None = None,
    ) -> ToolSpec:
        """A deletion: the target is read and shown before asking; afterwards it is read again.

        `gone(args, resource_or_None)` judges the read-back; by default only a 404 counts.
        """

        async def current(call: Call, args: Arguments) -> BaseModel:
            return model.model_validate(await call.read(read, args))

        async def run(call: Call, args: Arguments) -> dict[str, Any]:
            await call.send(op, args)
            after = await call.exists(read, args)
            resource = None if after is None else model.model_validate(after)
            verified = gone(args, resource) if gone else _gone(resource)
            return {"verified": verified, "next_steps": next_steps(args, resource) if next_steps else []}

        confirmation = Confirmation(describe=describe, read=current)
        output = {"verified": "object"}
        return self.add(ToolSpec(name, description, arguments, run, output, op, confirmation=confirmation, example=example))

    def activities(
        self,
        name: str,
        op: Operation,
        arguments: type[Arguments],
        *,
        description: str,
        example: Mapping[str, Any] | None = None,
    ) -> ToolSpec:
        """An activity log, newest first; authors and comments come back fenced as third-party text."""
        return self.list(
            name, op, arguments, Activity, items="notifications", key="activities", description=description, example=example
        )

    def comment(
        self,
        name: str,
        op: Operation,
        arguments: type[Arguments],
        *,
        log: Operation,
        description: str,
        example: Mapping[str, Any] | None = None,
    ) -> ToolSpec:
        """A comment; verified by finding it at the top of the resource's activity log (`log`)."""

        async def run(call: Call, args: Arguments) -> dict[str, Any]:
            created = Activity.model_validate(await call.send(op, args))
            page = await call.api(log, path=wire(log, args).path, query={"pageSize": 5})
            texts = [entry.get("comment") for entry in page.get("notifications") or []]
            sent = wire(op, args).body or {}
            verified = Verification(
                ok=sent.get("comment") in texts,
                observed="the comment is in the activity log"
                if sent.get("comment") in texts
                else "the comment is not in the latest activity yet",
            )
            return {"comment": created, "verified": verified, "next_steps": []}

        output = {"comment": "object", "verified": "object"}
        return self.add(ToolSpec(name, description, arguments, run, output, op, example=example))


def _gone(resource: Any) -> Verification:
    if resource is None:
        return Verification(ok=True, observed="read back: the API answers 404, it is gone")
    return Verification(ok=False, observed="read back: it is still there")
