"""Leading the provisioning flow: the project's state in one call, and waiting on asynchronous work.

Neither tool has a catalog operation of its own: both only read, through the operations
the family tools use.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import anyio
from pydantic import Field, model_validator

from sinch_provisioning_mcp.api import operations as ops
from sinch_provisioning_mcp.api.errors import ApiError, ProvisioningError
from sinch_provisioning_mcp.api.events import Events, ReceivedEvent
from sinch_provisioning_mcp.api.operations import Operation
from sinch_provisioning_mcp.guardrails.untrusted import as_code, shaped
from sinch_provisioning_mcp.state import StateUnavailable
from sinch_provisioning_mcp.tools.declare import Toolset
from sinch_provisioning_mcp.tools.spec import Arguments, Call, NoArguments

toolset = Toolset("guide", "The project's provisioning state in one call, and waits on asynchronous work.")

# Largest pages the list endpoints allow: an overview counts one page per family.
_SENDERS_PAGE, _TEMPLATES_PAGE, _BUNDLES_PAGE = 100, 1000, 5
# KakaoTalk templates are listed per sender: the overview looks at this many senders' templates.
_KAKAOTALK_SENDERS_WITH_TEMPLATES = 5


# An id as the API mints them; anything else is shown fenced.
_as_id = shaped(r"[A-Za-z0-9_.:+-]{1,128}")


def status_of(resource: dict[str, Any]) -> str:
    """A resource's state, or while it has none yet (a first review), the status of its changes;
    shown as is only when shaped like a code (it comes from the API's answer)."""
    changes = resource.get("changes")
    pending = changes.get("status") if isinstance(changes, dict) else None
    return as_code(str(resource.get("state") or pending or "UNKNOWN"))


def _tally(items: list[dict[str, Any]], total: int | None) -> dict[str, Any]:
    counted = dict(Counter(status_of(item) for item in items))
    summary: dict[str, Any] = {"total": total if total is not None else len(items), "by_state": counted}
    if total is not None and total > len(items):
        summary["counted"] = len(items)
    return summary


async def _page(call: Call, op: Operation, items: str, size: int, **path: str) -> tuple[list[dict[str, Any]], int]:
    page = await call.api(op, path=path, query={"pageSize": size})
    return list(page.get(items) or []), int(page.get("totalSize", 0))


async def _whatsapp(call: Call) -> dict[str, Any]:
    try:
        account = await call.api(ops.GET_WHATSAPP_ACCOUNT)
    except ApiError as exc:
        if exc.error_code not in ("account_not_found", "project_not_initialized"):
            raise
        return {"account": "none"}
    senders, sender_total = await _page(call, ops.LIST_WHATSAPP_SENDERS, "senders", _SENDERS_PAGE)
    templates, template_total = await _page(call, ops.LIST_WHATSAPP_TEMPLATES, "templates", _TEMPLATES_PAGE)
    return {"account": status_of(account), "senders": _tally(senders, sender_total), "templates": _tally(templates, template_total)}


async def _rcs(call: Call) -> dict[str, Any]:
    senders, total = await _page(call, ops.LIST_RCS_SENDERS, "senders", _SENDERS_PAGE)
    return {"senders": _tally(senders, total)}


async def _kakaotalk(call: Call) -> dict[str, Any]:
    senders, total = await _page(call, ops.LIST_KAKAOTALK_SENDERS, "senders", _SENDERS_PAGE)
    templates: list[dict[str, Any]] = []
    template_total = 0
    for sender in senders[:_KAKAOTALK_SENDERS_WITH_TEMPLATES]:
        found, count = await _page(
            call, ops.LIST_KAKAOTALK_TEMPLATES, "templates", _TEMPLATES_PAGE, plusFriendId=str(sender["plusFriendId"])
        )
        templates += found
        template_total += count
    summary = {"senders": _tally(senders, total), "templates": _tally(templates, template_total)}
    if len(senders) > _KAKAOTALK_SENDERS_WITH_TEMPLATES:
        summary["templates"]["of_senders"] = _KAKAOTALK_SENDERS_WITH_TEMPLATES
    return summary


async def _webhooks(call: Call) -> dict[str, Any]:
    hooks, total = await _page(call, ops.LIST_WEBHOOKS, "webhooks", 15)
    triggers = sorted({trigger for hook in hooks for trigger in hook.get("triggers") or []})
    return {"total": total, "triggers": triggers}


async def _bundles(call: Call) -> dict[str, Any]:
    bundles, total = await _page(call, ops.LIST_BUNDLES, "bundles", _BUNDLES_PAGE)
    return {"total": total, "recent": [{"id": _as_id(str(b.get("id"))), "state": status_of(b)} for b in bundles]}


_FAMILIES: dict[str, Callable[[Call], Awaitable[dict[str, Any]]]] = {
    "whatsapp": _whatsapp,
    "rcs": _rcs,
    "kakaotalk": _kakaotalk,
    "webhooks": _webhooks,
    "bundles": _bundles,
}


def _hints(overview: dict[str, Any]) -> list[str]:
    steps = []
    whatsapp = overview.get("whatsapp", {})
    if whatsapp.get("account") == "none":
        steps.append("No WhatsApp account: create_whatsapp_sender (Embedded Signup) or create_whatsapp_account.")
    if whatsapp.get("senders", {}).get("by_state", {}).get("PENDING_VERIFICATION"):
        steps.append("A WhatsApp sender waits for its OTP: register_whatsapp_sender, then verify_whatsapp_sender.")
    if overview.get("webhooks", {}).get("total") == 0:
        steps.append("No provisioning webhook: create_webhook to hear about approvals and state changes.")
    failed = [family for family, part in overview.items() if "error" in part]
    if failed:
        steps.append(f"Could not read {', '.join(failed)}: see each one's error.")
    return steps


@toolset.tool("get_project_overview", None, NoArguments, output={"overview": "object"})
async def get_project_overview(call: Call, args: NoArguments) -> dict[str, Any]:
    """Use first, to confirm context: the project's WhatsApp, RCS, KakaoTalk, webhooks and bundles, counted by
    state, in one call."""
    overview: dict[str, Any] = {}

    async def read(family: str) -> None:
        try:
            overview[family] = await _FAMILIES[family](call)
        except ProvisioningError as exc:
            # One family failing (not onboarded, throttled, down) must not sink the others.
            code = exc.error_code if isinstance(exc, ApiError) else type(exc).__name__
            overview[family] = {"error": {"errorCode": code, "message": str(exc)}}

    async with anyio.create_task_group() as tasks:
        for family in _FAMILIES:
            tasks.start_soon(read, family)
    ordered = {family: overview[family] for family in _FAMILIES}
    return {"overview": ordered, "next_steps": _hints(ordered)}


@dataclass(frozen=True)
class Waitable:
    get: Operation
    ids: tuple[str, ...]  # the arguments that name the resource
    failed: frozenset[str]  # states after which the wanted one will not come


WAITABLE: dict[str, Waitable] = {
    "whatsapp_account": Waitable(ops.GET_WHATSAPP_ACCOUNT, (), frozenset({"REJECTED"})),
    "whatsapp_sender": Waitable(ops.GET_WHATSAPP_SENDER, ("sender_id",), frozenset({"REJECTED", "ERROR"})),
    "whatsapp_template": Waitable(
        ops.GET_WHATSAPP_TEMPLATE, ("template_name", "language_code"), frozenset({"REJECTED", "DISABLED"})
    ),
    "rcs_sender": Waitable(ops.GET_RCS_SENDER, ("sender_id",), frozenset({"UNLAUNCHED"})),
    "kakaotalk_sender": Waitable(ops.GET_KAKAOTALK_SENDER, ("plus_friend_id",), frozenset({"REJECTED", "BLOCKED"})),
    "kakaotalk_template": Waitable(
        ops.GET_KAKAOTALK_TEMPLATE, ("plus_friend_id", "template_code"), frozenset({"REJECTED"})
    ),
    "bundle": Waitable(ops.GET_BUNDLE, ("bundle_id",), frozenset({"FAILED"})),
}
MAX_WAIT_SECONDS = 600
_FIRST_POLL_SECONDS, _MAX_POLL_SECONDS = 1.0, 15.0
Id = Annotated[str | None, Field(min_length=1, max_length=512)]


class Wait(Arguments):
    resource: Literal[
        "whatsapp_account", "whatsapp_sender", "whatsapp_template", "rcs_sender",
        "kakaotalk_sender", "kakaotalk_template", "bundle",
    ]  # fmt: skip
    sender_id: Id = None
    template_name: Id = None
    language_code: Annotated[str | None, Field(pattern=r"^[A-Z]{2,3}(_[A-Z]{2})?$")] = None
    plus_friend_id: Id = None
    template_code: Id = None
    bundle_id: Id = None
    states: Annotated[list[Annotated[str, Field(pattern=r"^[A-Z_]{2,40}$")]], Field(min_length=1, max_length=10)]
    timeout_seconds: Annotated[int, Field(ge=1, le=MAX_WAIT_SECONDS)] = 120

    @model_validator(mode="after")
    def _names_the_resource(self) -> Wait:
        wanted = set(WAITABLE[self.resource].ids)
        given = {name for name in ("sender_id", "template_name", "language_code", "plus_friend_id", "template_code",
                                   "bundle_id") if getattr(self, name) is not None}  # fmt: skip
        if given != wanted:
            names = ", ".join(sorted(wanted)) or "no identifier"
            raise ValueError(f"a {self.resource} is named by {names}")
        return self


def _matches(event: Any, args: Wait) -> bool:
    """An event about this resource (WHATSAPP_SENDER_* for a WhatsApp sender, BUNDLE_DONE for a bundle)."""
    ids = {getattr(args, name) for name in WAITABLE[args.resource].ids}
    return event.trigger.startswith(args.resource.upper()) and (not ids or bool(ids & event.resource_ids))


def _waited(reached: bool, state: str, started: float, *steps: str) -> dict[str, Any]:
    # Only the state, never the resource itself: its texts are third-party, the get_ tool shows them fenced.
    return {"reached": reached, "state": state, "waited_seconds": round(time.monotonic() - started, 1), "next_steps": list(steps)}


@toolset.tool("wait_for_state", None, Wait, output={"reached": "boolean", "state": "string", "waited_seconds": "number"},
              example={"resource": "bundle", "bundle_id": "65f00000000000000000b001", "states": ["DONE"]})
async def wait_for_state(call: Call, args: Wait) -> dict[str, Any]:
    """Use after a change that finishes later (review, verification, launch, bundle): waits until the resource
    reaches one of `states`, reporting progress; wakes early on a matching provisioning event."""
    kind = WAITABLE[args.resource]
    started = time.monotonic()
    deadline = started + args.timeout_seconds
    pause = _FIRST_POLL_SECONDS
    seen = await _last_event(call)
    while True:
        resource = await call.read(kind.get, args)
        state = status_of(resource)
        await call.progress(round(time.monotonic() - started, 1), float(args.timeout_seconds), f"{args.resource} is {state}")
        if state in args.states:
            return _waited(True, state, started)
        if state in kind.failed:
            return _waited(False, state, started, f"It ended {state}: read its activity or reason, fix, and submit again.")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return _waited(False, state, started, f"Still {state} after {args.timeout_seconds}s: wait again later.")
        pause_until = time.monotonic() + min(pause, remaining)
        pause = min(pause * 2, _MAX_POLL_SECONDS)
        while (left := pause_until - time.monotonic()) > 0:
            if call.events is None:
                await anyio.sleep(left)
                break
            fresh = await _events_after(call.events.log, seen, left)
            seen = fresh[-1].sequence if fresh else seen
            if any(_matches(event, args) for event in fresh):
                break


async def _last_event(call: Call) -> int:
    if call.events is None:
        return 0
    try:
        return await call.events.log.last_sequence()
    except StateUnavailable:
        return 0


async def _events_after(log: Events, seen: int, seconds: float) -> list[ReceivedEvent]:
    """Events after `seen`, once one arrives or `seconds` pass. With the shared event log unreachable, none:
    the wait goes on reading the resource itself (hosted mode's failure behaviour)."""
    try:
        await log.wait(seen, seconds)
        return await log.query(after=seen)
    except StateUnavailable:
        await anyio.sleep(seconds)
        return []
