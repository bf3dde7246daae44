"""WhatsApp solutions and flows: `/whatsapp/solutions[/{solutionId}[/assign]]` and
`/whatsapp/flows[/{flowId}/screens]`.

Solutions (Meta multi-partner solutions of a Tech Provider): creating one from the
`accessToken` of Meta's embedded solution flow answers 201 `{solutions, failedSolutions}`;
the sandbox creates one solution named `details.name`, owned by Sinch's app and shared with
the Tech Provider's app, unless the token starts with `fail` (then `failedSolutions` holds
one ACTIVATION_FAILED entry; the sandbox's trigger). There is no delete. Assigning one (204)
makes it the project's only assigned solution; once the project is onboarded through
Embedded Signup (its account has `isEmbeddedSignup: true`) assignment is 409
`solution_cannot_be_reassigned` (OAS: "Project is already onboarded, can't reassign
solution"). Solutions need no WhatsApp account: they come first. Ids are Meta's numeric
strings; an unknown one is 404 `solution_not_found`.

Flows are Meta's: the API only reads them (400 `project_not_initialized` without an
account). Their screens are listed for a published flow; a flow without screens is 404
`flow_screens_not_found`, an unknown flow 404 `flow_not_found`.

Fixtures in `sandbox-project`: solution `FIXTURE_SOLUTION_ID` (not assigned); flows
`FIXTURE_FLOW_ID` ("Appointment booking", published, screens WELCOME, BOOKING,
CONFIRMATION) and `FIXTURE_DRAFT_FLOW_ID` (a draft without screens).
"""

from __future__ import annotations

import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .context import project_of
from .errors import PapiError, not_found
from .family import Family
from .pagination import PageSizeRule
from .resources import Listing, NaturalKey, Resource, ResourceType
from .state import SANDBOX_PROJECT_ID, SandboxState
from .validation import Rule, read_json_object, validate
from .whatsapp_accounts import SENDER_MANAGERS, account_of, require_account

FIXTURE_SOLUTION_ID = "400000000000001"
FIXTURE_FLOW_ID = "500000000000001"
FIXTURE_DRAFT_FLOW_ID = "500000000000002"
SINCH_APP = {"id": 600000000000001, "name": "Sinch WhatsApp Business Solution"}


def _render_solution(solution: Resource) -> dict[str, Any]:
    data = solution.data
    return {
        "id": solution.id,
        "details": {"name": data["name"]},
        "ownerApp": SINCH_APP,
        "partnerApp": data["partnerApp"],
        "assigned": data.get("assigned", False),
    }


def _new_id(prefix: str) -> str:
    return f"{prefix}{secrets.randbelow(10**14):014d}"


SOLUTIONS = ResourceType(
    name="whatsapp_solution",
    label="Solution",
    not_found_code="solution_not_found",
    key=NaturalKey(("id",)),
    render=_render_solution,
    items_key="solutions",
    sample=lambda n: {
        "id": f"41{n:013d}",
        "name": f"Seeded solution {n}",
        "partnerApp": {"id": 700000000000000 + n, "name": "Tech Provider app"},
    },
)


def _render_flow(flow: Resource) -> dict[str, Any]:
    return {"id": flow.id, "name": flow.data["name"], "status": flow.data["status"]}


FLOWS = ResourceType(
    name="whatsapp_flow",
    label="Flow",
    not_found_code="flow_not_found",
    key=NaturalKey(("id",)),
    render=_render_flow,
    items_key="flows",
    page=PageSizeRule(maximum=100, default=50),
    sample=lambda n: {
        "id": f"51{n:013d}",
        "name": f"Seeded flow {n}",
        "status": "FLOW_STATUS_PUBLISHED",
        "screens": ["WELCOME"],
    },
)

CREATE = (
    Rule("details", type="object", fields=(Rule("name", not_empty=True),)),
    Rule("accessToken", not_empty=True),
    Rule("businessManager", enum=SENDER_MANAGERS),
)


async def list_solutions(request: Request) -> Response:
    solutions = project_of(request).collection(SOLUTIONS)
    return JSONResponse({"solutions": [_render_solution(s) for s in solutions]})


async def create_solution(request: Request) -> Response:
    fields = validate(await read_json_object(request), CREATE)
    partner = {"id": int(_new_id("7")), "name": "Tech Provider app"}
    if fields["accessToken"].startswith("fail"):
        failed = {
            "partnerAppId": str(partner["id"]),
            "errorCode": "ACTIVATION_FAILED",
            "errorMessage": "Meta could not activate the solution.",
        }
        return JSONResponse({"solutions": [], "failedSolutions": [failed]}, status_code=201)
    solution = (
        project_of(request)
        .collection(SOLUTIONS)
        .create({"id": _new_id("4"), "name": fields["details"]["name"], "partnerApp": partner})
    )
    return JSONResponse({"solutions": [_render_solution(solution)], "failedSolutions": []}, status_code=201)


def _solution(request: Request) -> Resource:
    return project_of(request).collection(SOLUTIONS).get(request.path_params["solutionId"])


async def get_solution(request: Request) -> Response:
    return JSONResponse(_render_solution(_solution(request)))


async def assign_solution(request: Request) -> Response:
    solution = _solution(request)
    account = account_of(project_of(request))
    if account is not None and account.data["isEmbeddedSignup"]:
        raise PapiError(
            409,
            "solution_cannot_be_reassigned",
            "Project is already onboarded, can't reassign solution",
            "Verify that the parameters are correct.",
        )
    for other in project_of(request).collection(SOLUTIONS):
        other.data["assigned"] = other is solution
    return Response(status_code=204)


async def list_flows(request: Request) -> Response:
    listing = Listing.parse(request, FLOWS)
    require_account(request)
    return JSONResponse(listing.render(project_of(request).collection(FLOWS)))


async def list_screens(request: Request) -> Response:
    require_account(request)
    flow = project_of(request).collection(FLOWS).get(request.path_params["flowId"])
    if not flow.data["screens"]:
        raise not_found("flow_screens_not_found", "Flow screens")
    return JSONResponse({"screens": [{"id": screen} for screen in flow.data["screens"]]})


def _prepare(state: SandboxState) -> None:
    project = state.project(SANDBOX_PROJECT_ID)
    if not len(project.collection(SOLUTIONS)):
        project.collection(SOLUTIONS).place(
            {
                "id": FIXTURE_SOLUTION_ID,
                "name": "Sandbox Tech Provider solution",
                "partnerApp": {"id": 700000000000001, "name": "Tech Provider app"},
            }
        )
    if not len(project.collection(FLOWS)):
        flows = project.collection(FLOWS)
        flows.place(
            {
                "id": FIXTURE_FLOW_ID,
                "name": "Appointment booking",
                "status": "FLOW_STATUS_PUBLISHED",
                "screens": ["WELCOME", "BOOKING", "CONFIRMATION"],
            }
        )
        flows.place(
            {"id": FIXTURE_DRAFT_FLOW_ID, "name": "Feedback survey", "status": "FLOW_STATUS_DRAFT", "screens": []}
        )


FAMILY = Family(
    routes=(
        Route("/whatsapp/solutions", list_solutions, methods=["GET"]),
        Route("/whatsapp/solutions", create_solution, methods=["POST"]),
        Route("/whatsapp/solutions/{solutionId}", get_solution, methods=["GET"]),
        Route("/whatsapp/solutions/{solutionId}/assign", assign_solution, methods=["POST"]),
        Route("/whatsapp/flows", list_flows, methods=["GET"]),
        Route("/whatsapp/flows/{flowId}/screens", list_screens, methods=["GET"]),
    ),
    resource_types=(SOLUTIONS, FLOWS),
    prepare=_prepare,
)
