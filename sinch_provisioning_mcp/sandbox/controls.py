"""The sandbox's own controls over HTTP, under `/_sandbox` (never part of the real API).

Authenticated like the API (the sandbox key, or a token from `/oauth2/token`); bodies are
JSON, checked and refused like the API's, errors in the PAPI shape.

| route | what it does |
|---|---|
| `GET /_sandbox/clock` | `{now, transitionDelaySeconds}` |
| `GET /_sandbox/tokens` | `{issued}`: access tokens `/oauth2/token` has issued (servers sharing one token fetch once) |
| `POST /_sandbox/clock/advance` `{seconds}` | moves the clock, applies due transitions: `{now, applied}` |
| `POST /_sandbox/projects/{projectId}/outcomes` `{resourceType, outcome, reason?, resourceId?, count?}` | the next timed decision(s) end in `outcome` |
| `POST /_sandbox/projects/{projectId}/seed` `{resourceType, count}` | adds `count` settled resources: `{resourceType, resourceIds}` |
| `GET /_sandbox/projects/{projectId}/outbox?after=N` | `{events, lastSequence}`: webhook events after sequence N |
| `GET /_sandbox/projects/{projectId}/deliveries` | `{deliveries}`: what became of each event per webhook (delivered, simulated, failed) |
| `GET`, `POST`, `DELETE /_sandbox/faults`; `DELETE /_sandbox/faults/{faultId}` | list, add (`faults.Fault` in camelCase), clear, remove faults |
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .context import state_of
from .errors import invalid_input, not_found
from .faults import FAULT_RULES, fault_from
from .resources import ResourceType
from .validation import Rule, read_json_object, validate
from .values import iso8601

MAX_SEED = 100_000  # one call's worth: enough for any list benchmark, bounded memory


def _resource_types(request: Request) -> dict[str, ResourceType]:
    return request.app.state.resource_types


def _resource_type_rule(request: Request, usable: Callable[[ResourceType], bool]) -> Rule:
    names = tuple(name for name, type_ in _resource_types(request).items() if usable(type_))
    return Rule("resourceType", enum=names)


async def get_clock(request: Request) -> Response:
    state = state_of(request)
    return JSONResponse(
        {"now": iso8601(state.clock.now()), "transitionDelaySeconds": state.transition_delay_seconds}
    )


async def advance_clock(request: Request) -> Response:
    fields = validate(await read_json_object(request), (Rule("seconds", type="number", minimum=0),))
    state = state_of(request)
    applied = state.advance(fields["seconds"])
    return JSONResponse({"now": iso8601(state.clock.now()), "applied": applied})


async def tokens(request: Request) -> Response:
    return JSONResponse({"issued": state_of(request).tokens.issued})


async def set_outcome(request: Request) -> Response:
    body = await read_json_object(request)
    rules = (
        _resource_type_rule(request, lambda type_: bool(type_.outcomes)),
        Rule("outcome", not_empty=True),
        Rule("reason", required=False),
        Rule("resourceId", required=False, not_empty=True),
        Rule("count", type="integer", required=False, minimum=1),
    )
    fields = validate(body, rules)
    type_ = _resource_types(request)[fields["resourceType"]]
    validate({"outcome": fields["outcome"]}, (Rule("outcome", enum=tuple(sorted(type_.outcomes))),))
    state_of(request).set_outcome(
        request.path_params["projectId"],
        type_,
        fields["outcome"],
        reason=fields.get("reason"),
        ref=fields.get("resourceId"),
        count=fields.get("count", 1),
    )
    return JSONResponse(fields, status_code=201)


async def seed(request: Request) -> Response:
    rules = (
        _resource_type_rule(request, lambda type_: type_.sample is not None),
        Rule("count", type="integer", minimum=1, maximum=MAX_SEED),
    )
    fields = validate(await read_json_object(request), rules)
    type_ = _resource_types(request)[fields["resourceType"]]
    created = state_of(request).seed(request.path_params["projectId"], type_, fields["count"])
    return JSONResponse({"resourceType": type_.name, "resourceIds": [r.ref for r in created]}, status_code=201)


async def outbox(request: Request) -> Response:
    after = request.query_params.get("after", "0")
    if not after.isdigit():
        raise invalid_input(["after must be an integer number", "after must not be less than 0"])
    events = state_of(request).project(request.path_params["projectId"]).outbox
    return JSONResponse(
        {"events": [event.public() for event in events.after(int(after))], "lastSequence": events.last_sequence}
    )


async def deliveries(request: Request) -> Response:
    project = state_of(request).project(request.path_params["projectId"])
    return JSONResponse({"deliveries": [delivery.public() for delivery in project.deliveries]})


async def list_faults(request: Request) -> Response:
    return JSONResponse({"faults": [fault.public() for fault in state_of(request).faults.active]})


async def add_fault(request: Request) -> Response:
    fields = validate(await read_json_object(request), FAULT_RULES)
    try:
        fault = fault_from(fields)
    except ValueError as exc:
        raise invalid_input([str(exc)]) from None
    return JSONResponse(state_of(request).faults.add(fault).public(), status_code=201)


async def clear_faults(request: Request) -> Response:
    state_of(request).faults.clear()
    return Response(status_code=204)


async def remove_fault(request: Request) -> Response:
    if not state_of(request).faults.remove(request.path_params["faultId"]):
        raise not_found("fault_not_found", "Fault")
    return Response(status_code=204)


routes = [
    Route("/clock", get_clock, methods=["GET"]),
    Route("/clock/advance", advance_clock, methods=["POST"]),
    Route("/tokens", tokens, methods=["GET"]),
    Route("/projects/{projectId}/outcomes", set_outcome, methods=["POST"]),
    Route("/projects/{projectId}/seed", seed, methods=["POST"]),
    Route("/projects/{projectId}/outbox", outbox, methods=["GET"]),
    Route("/projects/{projectId}/deliveries", deliveries, methods=["GET"]),
    Route("/faults", list_faults, methods=["GET"]),
    Route("/faults", add_fault, methods=["POST"]),
    Route("/faults", clear_faults, methods=["DELETE"]),
    Route("/faults/{faultId}", remove_fault, methods=["DELETE"]),
]
