"""The sandbox engine, through a family declared here only: gadgets with a review lifecycle.

Everything goes through HTTP against the app (`create_app(families=...)`) and the
`/_sandbox` controls; time moves only when the test moves the clock.
"""

from __future__ import annotations

import time
from typing import Any

import anyio
import httpx2
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conftest import CLOCK_START, FakeClock
from sinch_provisioning_mcp.sandbox import SANDBOX_KEY_ID, SANDBOX_KEY_SECRET, SandboxState, create_app
from sinch_provisioning_mcp.sandbox.app import FAMILIES
from sinch_provisioning_mcp.sandbox.context import project_of
from sinch_provisioning_mcp.sandbox.errors import PapiError
from sinch_provisioning_mcp.sandbox.family import Family
from sinch_provisioning_mcp.sandbox.lifecycle import Lifecycle, after_delay, on_call
from sinch_provisioning_mcp.sandbox.pagination import Page, PageSizeRule
from sinch_provisioning_mcp.sandbox.resources import (
    ACTIVITIES_PAGE,
    Filter,
    GeneratedId,
    Listing,
    NaturalKey,
    Resource,
    ResourceType,
    Sort,
    activities_page,
)
from sinch_provisioning_mcp.sandbox.validation import Rule, read_json_object, validate
from sinch_provisioning_mcp.sandbox.values import iso8601

# --------------------------------------------------------------------------- the gadget family

STATES = ("DRAFT", "IN_REVIEW", "APPROVED", "REJECTED", "LAUNCHING", "LAUNCHED")


def _not_submittable() -> PapiError:
    return PapiError(409, "gadget_not_submittable", "Only a draft or rejected gadget can be submitted.", "Edit it.")


def _not_launchable() -> PapiError:
    return PapiError(409, "gadget_not_launchable", "Only an approved gadget can be launched.", "Wait for approval.")


def _keep_reason(gadget: Resource, reason: str | None) -> None:
    gadget.data["rejectionReason"] = reason


def _merge_changes(gadget: Resource, reason: str | None) -> None:
    gadget.data["name"] = gadget.data.pop("pendingName")


REVIEW = Lifecycle(
    track="state",
    states=STATES,
    initial="DRAFT",
    seeded="APPROVED",
    transitions=(
        on_call("submit", ("DRAFT", "REJECTED"), "IN_REVIEW", refused=_not_submittable, activity="IN_REVIEW"),
        on_call("withdraw", "IN_REVIEW", "DRAFT", activity="DRAFT"),
        after_delay("approve", "IN_REVIEW", "APPROVED", activity="APPROVED", trigger="GADGET_APPROVED"),
        after_delay(
            "reject",
            "IN_REVIEW",
            "REJECTED",
            outcome="rejected",
            activity="REJECTED",
            trigger="GADGET_REJECTED",
            effect=_keep_reason,
        ),
        on_call("launch", "APPROVED", "LAUNCHING", refused=_not_launchable, trigger="GADGET_STATUS_UPDATED"),
        after_delay("launched", "LAUNCHING", "LAUNCHED", activity="LAUNCHED", trigger="GADGET_STATUS_UPDATED"),
    ),
)
# A second track moving independently: an edit under review, as a sender's `changes`.
CHANGES = Lifecycle(
    track="changes",
    states=("IN_PROGRESS",),
    initial=None,
    transitions=(
        on_call("edit", None, "IN_PROGRESS", activity="EDITED"),
        after_delay("accept_edit", "IN_PROGRESS", None, trigger="GADGET_EDIT_APPROVED", effect=_merge_changes),
    ),
)


def render_gadget(gadget: Resource) -> dict[str, Any]:
    body = {
        "id": gadget.id,
        "name": gadget.data["name"],
        "state": gadget.state,
        "apiKey": gadget.data["apiKey"],
        "created": iso8601(gadget.created),
    }
    if gadget.states["changes"]:
        body["changes"] = {"status": gadget.states["changes"], "name": gadget.data["pendingName"]}
    if gadget.data.get("rejectionReason"):
        body["rejectionReason"] = gadget.data["rejectionReason"]
    return body


GADGETS = ResourceType(
    name="gadget",
    label="Gadget",
    not_found_code="gadget_not_found",
    key=GeneratedId("gadgetId"),
    render=render_gadget,
    items_key="gadgets",
    page=PageSizeRule(maximum=100, default=50),
    filters=(
        Filter("filterStates", lambda g: g.state, allowed=STATES, error="invalid_filter_states"),
        Filter("search", lambda g: g.data["name"], match="contains"),
        Filter("namePrefix", lambda g: g.data["name"], match="prefix"),
    ),
    sort=Sort({"name": lambda g: g.data["name"], "created": lambda g: g.created}),
    lifecycles=(REVIEW, CHANGES),
    created_activity="CREATED",
    created_trigger="GADGET_CREATED",
    comment_trigger="GADGET_COMMENT_ADDED",
    secret_fields=("apiKey",),
    sample=lambda n: {"name": f"seeded-{n:05d}", "apiKey": f"key-{n}"},
)


def _part_exists() -> PapiError:
    return PapiError(409, "part_exists", "Part already exists.", "Use another name or language.")


PARTS = ResourceType(
    name="gadget_part",
    label="Part",
    not_found_code="part_not_found",
    key=NaturalKey(("name", "language"), exists=_part_exists),
    render=lambda part: {"name": part.data["name"], "language": part.data["language"]},
    items_key="parts",
    page=PageSizeRule(maximum=10, default=10),
)


def _gadget(request: Request) -> Resource:
    return project_of(request).collection(GADGETS).get(request.path_params["gadgetId"])


async def list_gadgets(request: Request) -> Response:
    listing = Listing.parse(request, GADGETS)
    return JSONResponse(listing.render(project_of(request).collection(GADGETS)))


async def create_gadget(request: Request) -> Response:
    fields = validate(await read_json_object(request), (Rule("name", not_empty=True), Rule("apiKey")))
    gadget = project_of(request).collection(GADGETS).create(fields)
    return JSONResponse(render_gadget(gadget), status_code=201)


async def get_gadget(request: Request) -> Response:
    return JSONResponse(render_gadget(_gadget(request)))


async def delete_gadget(request: Request) -> Response:
    gadget = _gadget(request)
    gadget.delete()
    return Response(status_code=204)


async def move_gadget(request: Request) -> Response:
    gadget = _gadget(request)
    gadget.move(request.path_params["transition"])
    return JSONResponse(render_gadget(gadget))


async def edit_gadget(request: Request) -> Response:
    fields = validate(await read_json_object(request), (Rule("name", not_empty=True),))
    gadget = _gadget(request)
    gadget.move("edit")
    gadget.data["pendingName"] = fields["name"]
    return JSONResponse(render_gadget(gadget))


async def gadget_activities(request: Request) -> Response:
    page = Page.parse(request, ACTIVITIES_PAGE)
    return JSONResponse(activities_page(page, _gadget(request)))


async def comment_gadget(request: Request) -> Response:
    fields = validate(await read_json_object(request), (Rule("comment", min_length=1),))
    activity = _gadget(request).comment(fields["comment"])
    return JSONResponse(activity.public(), status_code=201)


async def list_parts(request: Request) -> Response:
    listing = Listing.parse(request, PARTS)
    return JSONResponse(listing.render(_gadget(request).collection(PARTS)))


async def create_part(request: Request) -> Response:
    fields = validate(await read_json_object(request), (Rule("name"), Rule("language")))
    part = _gadget(request).collection(PARTS).create(fields)
    return JSONResponse(PARTS.render(part), status_code=201)


async def get_part(request: Request) -> Response:
    part = _gadget(request).collection(PARTS).get(request.path_params["name"], request.path_params["language"])
    return JSONResponse(PARTS.render(part))


GADGET_FAMILY = Family(
    routes=(
        Route("/gadgets", list_gadgets, methods=["GET"]),
        Route("/gadgets", create_gadget, methods=["POST"]),
        Route("/gadgets/{gadgetId}", get_gadget, methods=["GET"]),
        Route("/gadgets/{gadgetId}", delete_gadget, methods=["DELETE"]),
        Route("/gadgets/{gadgetId}", edit_gadget, methods=["PATCH"]),
        Route("/gadgets/{gadgetId}/activities", gadget_activities, methods=["GET"]),
        Route("/gadgets/{gadgetId}/comments", comment_gadget, methods=["POST"]),
        Route("/gadgets/{gadgetId}/parts", list_parts, methods=["GET"]),
        Route("/gadgets/{gadgetId}/parts", create_part, methods=["POST"]),
        Route("/gadgets/{gadgetId}/parts/{name}/languages/{language}", get_part, methods=["GET"]),
        Route("/gadgets/{gadgetId}/{transition}", move_gadget, methods=["POST"]),
    ),
    resource_types=(GADGETS, PARTS),
)

# --------------------------------------------------------------------------- fixtures and helpers

PROJECT = "gadget-project"
WITH_OUTCOMES = ", ".join(t.name for family in (*FAMILIES, GADGET_FAMILY) for t in family.resource_types if t.outcomes)
GADGETS_PATH = f"/v1/projects/{PROJECT}/gadgets"
CONTROLS = f"/_sandbox/projects/{PROJECT}"
DELAY = 30.0


@pytest.fixture
def state(clock: FakeClock) -> SandboxState:
    return SandboxState(clock=clock, transition_delay_seconds=DELAY)


@pytest.fixture
async def client(state: SandboxState):
    app = create_app(state, families=(*FAMILIES, GADGET_FAMILY))
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url="http://sandbox", auth=(SANDBOX_KEY_ID, SANDBOX_KEY_SECRET)
    ) as http:
        yield http


def at(seconds: float) -> str:
    return iso8601(CLOCK_START + seconds)


async def create(client: httpx2.AsyncClient, name: str = "widget") -> dict[str, Any]:
    response = await client.post(GADGETS_PATH, json={"name": name, "apiKey": f"secret-of-{name}"})
    assert response.status_code == 201, response.text
    return response.json()


async def move(client: httpx2.AsyncClient, gadget_id: str, transition: str) -> httpx2.Response:
    return await client.post(f"{GADGETS_PATH}/{gadget_id}/{transition}")


async def advance(client: httpx2.AsyncClient, seconds: float) -> dict[str, Any]:
    response = await client.post("/_sandbox/clock/advance", json={"seconds": seconds})
    assert response.status_code == 200, response.text
    return response.json()


async def state_of(client: httpx2.AsyncClient, gadget_id: str) -> str:
    return (await client.get(f"{GADGETS_PATH}/{gadget_id}")).json()["state"]


async def events(client: httpx2.AsyncClient, after: int = 0) -> list[dict[str, Any]]:
    response = await client.get(f"{CONTROLS}/outbox", params={"after": after})
    assert response.status_code == 200, response.text
    return response.json()["events"]


async def activities(client: httpx2.AsyncClient, gadget_id: str) -> list[dict[str, Any]]:
    return (await client.get(f"{GADGETS_PATH}/{gadget_id}/activities")).json()["notifications"]


# --------------------------------------------------------------------------- lifecycles


async def test_a_review_moves_on_the_clock_and_is_recorded_as_activities_and_events_in_order(client):
    gadget = await create(client)
    assert gadget["state"] == "DRAFT"
    await advance(client, 10)
    assert (await move(client, gadget["id"], "submit")).json()["state"] == "IN_REVIEW"

    await advance(client, DELAY - 0.001)
    assert await state_of(client, gadget["id"]) == "IN_REVIEW"
    assert (await advance(client, 0.001))["applied"] == 1
    assert await state_of(client, gadget["id"]) == "APPROVED"

    await move(client, gadget["id"], "launch")
    await advance(client, 3600)  # long past the launch: it happened DELAY after it started
    assert await state_of(client, gadget["id"]) == "LAUNCHED"

    launched_at = 10 + DELAY
    assert await activities(client, gadget["id"]) == [
        {"type": "LAUNCHED", "created": at(launched_at + DELAY), "author": "Sinch"},
        {"type": "APPROVED", "created": at(10 + DELAY), "author": "Sinch"},
        {"type": "IN_REVIEW", "created": at(10), "author": "Provisioning API user"},
        {"type": "CREATED", "created": at(0), "author": "Provisioning API user"},
    ]
    outbox = await events(client)
    assert [(e["sequence"], e["trigger"], e["created"]) for e in outbox] == [
        (1, "GADGET_CREATED", at(0)),
        (2, "GADGET_APPROVED", at(10 + DELAY)),
        (3, "GADGET_STATUS_UPDATED", at(launched_at)),
        (4, "GADGET_STATUS_UPDATED", at(launched_at + DELAY)),
    ]
    # Each payload is the resource as it was at that moment, without its secret.
    assert [e["payload"]["state"] for e in outbox] == ["DRAFT", "APPROVED", "LAUNCHING", "LAUNCHED"]
    assert all("apiKey" not in e["payload"] for e in outbox)
    assert outbox[1]["payload"] == {"id": gadget["id"], "name": "widget", "state": "APPROVED", "created": at(0)}
    assert {(e["resourceType"], e["resourceId"]) for e in outbox} == {("gadget", gadget["id"])}
    assert all("comment" not in e for e in outbox)
    assert [e["trigger"] for e in await events(client, after=2)] == ["GADGET_STATUS_UPDATED"] * 2


async def test_transitions_due_in_one_advance_apply_in_due_order_across_resources(client):
    first = await create(client, "first")
    second = await create(client, "second")
    await move(client, second["id"], "submit")
    await advance(client, 5)
    await move(client, first["id"], "submit")
    await move(client, first["id"], "withdraw")  # its pending review is void...
    await move(client, first["id"], "submit")  # ...and a new one starts now
    await advance(client, 10 * DELAY)
    outbox = await events(client, after=2)
    assert [(e["resourceId"], e["created"]) for e in outbox] == [
        (second["id"], at(DELAY)),
        (first["id"], at(5 + DELAY)),
    ]


async def test_a_call_from_a_wrong_state_is_refused_with_the_declared_error(client):
    gadget = await create(client)
    response = await move(client, gadget["id"], "launch")
    assert response.status_code == 409
    assert response.json()["errorCode"] == "gadget_not_launchable"
    await move(client, gadget["id"], "submit")
    assert (await move(client, gadget["id"], "submit")).json()["errorCode"] == "gadget_not_submittable"
    # Declared without a refusal of its own: the engine's generic 409.
    await advance(client, DELAY)
    response = await move(client, gadget["id"], "withdraw")
    assert (response.status_code, response.json()["errorCode"]) == (409, "invalid_state")
    assert [a["type"] for a in await activities(client, gadget["id"])] == ["APPROVED", "IN_REVIEW", "CREATED"]


async def test_a_scenario_outcome_rejects_one_review_with_its_reason(client):
    gadget = await create(client)
    response = await client.post(
        f"{CONTROLS}/outcomes",
        json={"resourceType": "gadget", "outcome": "rejected", "reason": "Logo is blurry.", "resourceId": gadget["id"]},
    )
    assert response.status_code == 201
    await move(client, gadget["id"], "submit")
    await advance(client, DELAY)

    fetched = (await client.get(f"{GADGETS_PATH}/{gadget['id']}")).json()
    assert (fetched["state"], fetched["rejectionReason"]) == ("REJECTED", "Logo is blurry.")
    assert (await activities(client, gadget["id"]))[0] == {
        "type": "REJECTED",
        "created": at(DELAY),
        "author": "Sinch",
        "comment": "Logo is blurry.",
    }
    rejected = (await events(client))[-1]
    assert (rejected["trigger"], rejected["comment"]) == ("GADGET_REJECTED", "Logo is blurry.")
    assert rejected["payload"]["rejectionReason"] == "Logo is blurry."

    # The outcome was used up: the next review takes the default path.
    await move(client, gadget["id"], "submit")
    await advance(client, DELAY)
    assert await state_of(client, gadget["id"]) == "APPROVED"


async def test_an_outcome_for_the_type_applies_to_the_next_reviews_only(client):
    await client.post(f"{CONTROLS}/outcomes", json={"resourceType": "gadget", "outcome": "rejected", "count": 2})
    gadgets = [await create(client, f"g{n}") for n in range(3)]
    other = await client.post("/v1/projects/other/gadgets", json={"name": "elsewhere", "apiKey": "k"})
    for gadget in gadgets:
        await move(client, gadget["id"], "submit")
    await client.post(f"/v1/projects/other/gadgets/{other.json()['id']}/submit")
    await advance(client, DELAY)
    assert [await state_of(client, g["id"]) for g in gadgets] == ["REJECTED", "REJECTED", "APPROVED"]
    other_state = (await client.get(f"/v1/projects/other/gadgets/{other.json()['id']}")).json()["state"]
    assert other_state == "APPROVED"  # outcomes are per project


# The built-in families' types with scenario outcomes, then the gadget.
WITH_OUTCOMES = ", ".join(t.name for f in (*FAMILIES, GADGET_FAMILY) for t in f.resource_types if t.outcomes)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"resourceType": "gadget", "outcome": "exploded"}, "outcome must be one of the following values: rejected"),
        ({"resourceType": "gadget_part", "outcome": "rejected"}, f"resourceType must be one of the following values: {WITH_OUTCOMES}"),
        ({"resourceType": "gadget", "outcome": "rejected", "count": 0}, "count must not be less than 1"),
        ({"resourceType": "gadget", "outcome": "rejected", "resourceId": ""}, "resourceId should not be empty"),
    ],
)
async def test_outcomes_are_checked_against_the_declared_lifecycle(client, body, problem):
    response = await client.post(f"{CONTROLS}/outcomes", json=body)
    assert response.status_code == 400
    assert response.json()["additionalInformation"]["validationErrors"] == [problem]
    gadget = await create(client)
    await move(client, gadget["id"], "submit")
    await advance(client, DELAY)
    assert await state_of(client, gadget["id"]) == "APPROVED"


async def test_a_deleted_resource_never_transitions(client):
    gadget = await create(client)
    await move(client, gadget["id"], "submit")
    assert (await client.delete(f"{GADGETS_PATH}/{gadget['id']}")).status_code == 204
    assert (await advance(client, DELAY))["applied"] == 0
    assert [e["trigger"] for e in await events(client)] == ["GADGET_CREATED"]


async def test_a_second_track_moves_independently(client):
    gadget = await create(client, "old name")
    await move(client, gadget["id"], "submit")
    await advance(client, 10)
    edited = (await client.patch(f"{GADGETS_PATH}/{gadget['id']}", json={"name": "new name"})).json()
    assert (edited["state"], edited["changes"]) == ("IN_REVIEW", {"status": "IN_PROGRESS", "name": "new name"})
    await advance(client, DELAY - 10)
    halfway = (await client.get(f"{GADGETS_PATH}/{gadget['id']}")).json()
    assert (halfway["state"], halfway["name"], "changes" in halfway) == ("APPROVED", "old name", True)
    await advance(client, 10)
    merged = (await client.get(f"{GADGETS_PATH}/{gadget['id']}")).json()
    assert (merged["state"], merged["name"], "changes" in merged) == ("APPROVED", "new name", False)
    assert [e["trigger"] for e in await events(client, after=1)] == ["GADGET_APPROVED", "GADGET_EDIT_APPROVED"]
    assert [a["type"] for a in await activities(client, gadget["id"])] == ["APPROVED", "EDITED", "IN_REVIEW", "CREATED"]


async def test_comments_are_activities_and_events(client):
    gadget = await create(client)
    response = await client.post(f"{GADGETS_PATH}/{gadget['id']}/comments", json={"comment": "Looks good."})
    assert response.json() == {
        "type": "COMMENT_ADDED",
        "created": at(0),
        "author": "Provisioning API user",
        "comment": "Looks good.",
    }
    (event,) = await events(client, after=1)
    assert (event["trigger"], event["comment"], event["payload"]["name"]) == ("GADGET_COMMENT_ADDED", "Looks good.", "widget")


async def test_a_waiter_wakes_when_the_clock_brings_an_event(client, state):
    gadget = await create(client)
    await move(client, gadget["id"], "submit")
    woken: list[Any] = []

    async def wait() -> None:
        woken.extend(await state.wait_for_events(PROJECT, after=1))

    with anyio.fail_after(5):
        async with anyio.create_task_group() as group:
            group.start_soon(wait)
            await anyio.wait_all_tasks_blocked()
            assert woken == []
            state.advance(DELAY)
    assert [event.trigger for event in woken] == ["GADGET_APPROVED"]


async def test_events_already_there_are_returned_without_waiting(client, state):
    await create(client)
    with anyio.fail_after(5):
        (event,) = await state.wait_for_events(PROJECT, after=0)
    assert event.trigger == "GADGET_CREATED"


def test_the_default_clock_follows_real_time_and_transitions_take_seconds():
    state = SandboxState()
    assert abs(state.clock.now() - time.time()) < 5
    assert 1 <= state.transition_delay_seconds <= 10
    state.advance(60)
    assert state.clock.now() - time.time() > 55
    with pytest.raises(ValueError):
        state.advance(-1)


def test_declarations_are_checked_when_made():
    with pytest.raises(ValueError, match="undeclared state"):
        Lifecycle("state", ("A",), "A", (on_call("go", "A", "B"),))
    with pytest.raises(ValueError, match="share an outcome"):
        Lifecycle("state", ("A", "B"), "A", (after_delay("x", "A", "B"), after_delay("y", "A", "A")))
    with pytest.raises(ValueError, match="repeat"):
        Lifecycle("state", ("A", "B"), "A", (on_call("go", "A", "B"), on_call("go", "B", "A")))


def test_a_transition_with_its_own_delay_runs_on_its_own_timer(clock):
    """A fixed period the API states (a 30-day grace) beside the state's usual review delay."""
    removed: list[str] = []
    grace = Lifecycle(
        "removal",
        ("MARKED", "GONE"),
        None,
        (
            on_call("mark", None, "MARKED"),
            after_delay("expedite", "MARKED", "GONE", outcome="expedited", trigger="GADGET_GONE"),
            after_delay("remove", "MARKED", "GONE", delay=30 * 86400, effect=lambda r, _: removed.append(r.id)),
        ),
    )
    kind = ResourceType("timed", "Timed", "timed_not_found", GeneratedId("timedId"), lambda r: {"id": r.id}, lifecycles=(grace,))
    state = SandboxState(clock=clock, transition_delay_seconds=DELAY)
    item = state.project(PROJECT).collection(kind).create({})
    item.move("mark")
    state.advance(DELAY)  # the review-length timer finds no scenario asking to expedite: nothing moves
    assert item.states["removal"] == "MARKED" and state.project(PROJECT).outbox.after(0) == []
    state.advance(30 * 86400 - DELAY - 1)
    assert removed == []
    state.advance(1)
    assert item.states["removal"] == "GONE" and removed == [item.id]

    other = state.project(PROJECT).collection(kind).create({})
    other.move("mark")
    state.set_outcome(PROJECT, kind, "expedited")
    state.advance(DELAY)
    assert other.states["removal"] == "GONE" and removed == [item.id]
    with pytest.raises(ValueError, match="negative"):
        after_delay("x", "A", "B", delay=-1)


# --------------------------------------------------------------------------- collections


async def test_lists_page_with_the_declared_default_and_maximum(client):
    await client.post(f"{CONTROLS}/seed", json={"resourceType": "gadget", "count": 120})
    first = (await client.get(GADGETS_PATH)).json()
    assert (first["totalSize"], first["pageSize"], len(first["gadgets"])) == (120, 50, 50)
    names = [g["name"] for g in first["gadgets"]]
    while "nextPageToken" in first:
        first = (await client.get(GADGETS_PATH, params={"pageToken": first["nextPageToken"]})).json()
        names += [g["name"] for g in first["gadgets"]]
    assert names == [f"seeded-{n:05d}" for n in range(120)]  # creation order by default
    assert len((await client.get(GADGETS_PATH, params={"pageSize": 100})).json()["gadgets"]) == 100
    refused = await client.get(GADGETS_PATH, params={"pageSize": 101})
    assert (refused.status_code, refused.json()["errorCode"]) == (400, "invalid_page_size")


async def test_seeded_resources_are_settled_and_silent(client):
    response = await client.post(f"{CONTROLS}/seed", json={"resourceType": "gadget", "count": 3})
    assert response.status_code == 201
    ids = response.json()["resourceIds"]
    assert len(ids) == 3
    assert [await state_of(client, gadget_id) for gadget_id in ids] == ["APPROVED"] * 3
    assert await activities(client, ids[0]) == [{"type": "CREATED", "created": at(0), "author": "Sinch"}]
    assert await events(client) == []
    again = await client.post(f"{CONTROLS}/seed", json={"resourceType": "gadget", "count": 2})
    assert (await client.get(GADGETS_PATH)).json()["totalSize"] == 5
    assert again.json()["resourceIds"] != ids[:2]


async def test_filters_take_repeated_or_comma_separated_values(client):
    _, b, c = [await create(client, name) for name in ("Alpha one", "beta two", "Gamma alpha")]
    await move(client, b["id"], "submit")
    await move(client, c["id"], "submit")
    await advance(client, DELAY)
    await move(client, c["id"], "launch")

    async def names(**params: Any) -> list[str]:
        response = await client.get(GADGETS_PATH, params=params)
        assert response.status_code == 200, response.text
        return [g["name"] for g in response.json()["gadgets"]]

    assert await names(filterStates="DRAFT") == ["Alpha one"]
    assert await names(filterStates=["DRAFT", "LAUNCHING"]) == ["Alpha one", "Gamma alpha"]
    assert await names(filterStates="APPROVED,LAUNCHING") == ["beta two", "Gamma alpha"]
    assert await names(search="ALPHA") == ["Alpha one", "Gamma alpha"]
    assert await names(namePrefix="Gam") == ["Gamma alpha"]
    assert await names(namePrefix="gam") == []
    assert await names(filterStates="DRAFT", search="gamma") == []
    listed = (await client.get(GADGETS_PATH, params={"filterStates": "DRAFT"})).json()
    assert listed["totalSize"] == 1  # the total counts what the filters keep


async def test_a_filter_value_outside_its_enum_is_refused(client):
    response = await client.get(GADGETS_PATH, params={"filterStates": ["DRAFT", "SLEEPING"]})
    assert response.status_code == 400
    body = response.json()
    assert body["errorCode"] == "invalid_filter_states"
    assert "SLEEPING" in body["message"] and "IN_REVIEW" in body["resolution"]


async def test_sorting_by_a_declared_column_either_way(client):
    for name in ("b", "c", "a"):
        await create(client, name)
    ascending = (await client.get(GADGETS_PATH, params={"sortColumn": "name"})).json()["gadgets"]
    descending = (await client.get(GADGETS_PATH, params={"sortColumn": "name", "sortDirection": "desc"})).json()
    assert [g["name"] for g in ascending] == ["a", "b", "c"]
    assert [g["name"] for g in descending["gadgets"]] == ["c", "b", "a"]
    refused = await client.get(GADGETS_PATH, params={"sortColumn": "colour", "sortDirection": "sideways"})
    assert refused.json()["additionalInformation"]["validationErrors"] == [
        "sortColumn must be one of the following values: name, created",
        "sortDirection must be one of the following values: ASC, DESC",
    ]


async def test_ids_are_checked_then_looked_up(client):
    gadget = await create(client)
    assert (await client.get(f"{GADGETS_PATH}/{gadget['id'].lower()}")).json()["id"] == gadget["id"]
    missing = await client.get(f"{GADGETS_PATH}/01ARZ3NDEKTSV4RRFFQ69G5FAV")
    assert (missing.status_code, missing.json()) == (
        404,
        {"errorCode": "gadget_not_found", "message": "Gadget not found.", "resolution": "Verify that the parameters are correct."},
    )
    malformed = await client.get(f"{GADGETS_PATH}/not-an-id")
    assert (malformed.status_code, malformed.json()["errorCode"]) == (400, "invalid_id_format")
    assert "gadgetId" in malformed.json()["resolution"]


async def test_natural_keys_nest_under_their_parent(client):
    gadget = await create(client)
    parts = f"{GADGETS_PATH}/{gadget['id']}/parts"
    assert (await client.post(parts, json={"name": "wheel", "language": "en_US"})).status_code == 201
    assert (await client.post(parts, json={"name": "wheel", "language": "pt_BR"})).status_code == 201
    duplicate = await client.post(parts, json={"name": "wheel", "language": "en_US"})
    assert (duplicate.status_code, duplicate.json()["errorCode"]) == (409, "part_exists")
    found = await client.get(f"{parts}/wheel/languages/pt_BR")
    assert found.json() == {"name": "wheel", "language": "pt_BR"}
    missing = await client.get(f"{parts}/wheel/languages/de_DE")
    assert (missing.status_code, missing.json()["errorCode"]) == (404, "part_not_found")
    assert (await client.get(parts)).json()["totalSize"] == 2

    other = await create(client, "other")
    assert (await client.get(f"{GADGETS_PATH}/{other['id']}/parts")).json()["totalSize"] == 0
    await client.delete(f"{GADGETS_PATH}/{gadget['id']}")
    gone = await client.get(f"{parts}/wheel/languages/pt_BR")
    assert gone.json()["errorCode"] == "gadget_not_found"
