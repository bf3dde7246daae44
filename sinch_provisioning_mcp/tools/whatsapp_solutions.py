"""WhatsApp solutions (Meta multi-partner solutions for Embedded Signup), the WABA's Flows,
and template analytics: the project-level switches of WhatsApp."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, SecretStr

from sinch_provisioning_mcp.api import operations as ops
from sinch_provisioning_mcp.api.models.whatsapp import (
    WHATSAPP_PAGE_MAX,
    Account,
    CreatedSolutions,
    Flow,
    FlowScreens,
    Solution,
)
from sinch_provisioning_mcp.tools.declare import Toolset, paged
from sinch_provisioning_mcp.tools.spec import Arguments, Call, Confirmation, NoArguments, Preview, Verification
from sinch_provisioning_mcp.tools.whatsapp_common import SenderManager

toolset = Toolset("whatsapp", "WhatsApp: account, senders (OTP), templates, flows, solutions.")

# Seeded in the sandbox project, for examples.
EXAMPLE_SOLUTION = {"solution_id": "400000000000001"}
EXAMPLE_FLOW = {"flow_id": "500000000000001"}


class FlowRef(Arguments):
    flow_id: Annotated[str, Field(min_length=1, max_length=64)]


class SolutionRef(Arguments):
    solution_id: Annotated[str, Field(min_length=1, max_length=64)]


class SolutionName(Arguments):
    name: Annotated[str, Field(min_length=1, max_length=255)]


class NewSolution(Arguments):
    details: SolutionName
    access_token: Annotated[SecretStr, Field(min_length=1, description="From Meta's embedded solution flow.")]
    business_manager: SenderManager


toolset.list(
    "list_whatsapp_flows",
    ops.LIST_WHATSAPP_FLOWS,
    paged(WHATSAPP_PAGE_MAX, detail=False),
    Flow,
    items="flows",
    description="Use to find the WABA's Meta Flows for a template FLOW button (flow_id).",
)
toolset.get(
    "list_whatsapp_flow_screens",
    ops.LIST_WHATSAPP_FLOW_SCREENS,
    FlowRef,
    FlowScreens,
    key="flow",
    description="Use to find a Flow's screen ids for a FLOW button's navigate_screen.",
    example=EXAMPLE_FLOW,
)
toolset.list(
    "list_whatsapp_solutions",
    ops.LIST_WHATSAPP_SOLUTIONS,
    NoArguments,
    Solution,
    items="solutions",
    description="Use to see the Tech Provider solutions available for Embedded Signup and which one is assigned.",
)
toolset.get(
    "get_whatsapp_solution",
    ops.GET_WHATSAPP_SOLUTION,
    SolutionRef,
    Solution,
    key="solution",
    description="Use to check one solution and whether it is assigned.",
    example=EXAMPLE_SOLUTION,
)


def _creation(args: NewSolution, current: None) -> Preview:
    return Preview(
        action=f"Create and activate a Meta multi-partner solution '{args.details.name}' ({args.business_manager})",
        consequences=["Meta activates it with the Tech Provider's app at once."],
    )


@toolset.tool(
    "create_whatsapp_solution",
    ops.CREATE_WHATSAPP_SOLUTION,
    NewSolution,
    output={"solutions": "object", "verified": "object"},
    confirmation=Confirmation(describe=_creation),
    example={
        "details": {"name": "Acme onboarding"},
        "access_token": "example-meta-access-token",
        "business_manager": "SINCH_UK",
    },
)
async def create_solution(call: Call, args: NewSolution) -> dict[str, Any]:
    """Use after Meta's embedded solution flow, with its access token: creates and activates the solution(s). There is no way to delete one; asks the user to confirm."""
    created = CreatedSolutions.model_validate(await call.send(ops.CREATE_WHATSAPP_SOLUTION, args))
    found = [await call.exists(ops.GET_WHATSAPP_SOLUTION, args, solutionId=s.id) for s in created.solutions]
    ok = bool(created.solutions) and all(found)
    observed = f"read back: {sum(1 for f in found if f)} of {len(created.solutions)} solutions found"
    steps = ["assign_whatsapp_solution to use one for Embedded Signup."] if created.solutions else []
    if created.failedSolutions:
        steps.append("Some failed (failedSolutions): run Meta's embedded solution flow again for those.")
    return {"solutions": created, "verified": Verification(ok=ok, observed=observed), "next_steps": steps}


async def _current(call: Call, args: SolutionRef) -> Solution:
    return Solution.model_validate(await call.read(ops.GET_WHATSAPP_SOLUTION, args))


def _assignment(args: SolutionRef, current: Solution) -> Preview:
    # By id: the solution's name is the Tech Provider's text, shown fenced in the target.
    return Preview(
        action=f"Assign solution {current.id} to the project for Embedded Signup",
        changes=[f"assigned: {current.assigned} → True"],
        consequences=["Once the project is onboarded, the assignment cannot change."],
    )


@toolset.tool(
    "assign_whatsapp_solution",
    ops.ASSIGN_WHATSAPP_SOLUTION,
    SolutionRef,
    output={"solution": "object", "verified": "object"},
    confirmation=Confirmation(describe=_assignment, read=_current),
    example=EXAMPLE_SOLUTION,
)
async def assign_solution(call: Call, args: SolutionRef) -> dict[str, Any]:
    """Use before Embedded Signup onboarding to choose the Tech Provider solution it uses; fixed once the project is onboarded. Asks the user to confirm."""
    await call.send(ops.ASSIGN_WHATSAPP_SOLUTION, args)
    solution = await _current(call, args)
    return {
        "solution": solution,
        "verified": Verification(ok=solution.assigned is True, observed=f"read back: assigned {solution.assigned}"),
        "next_steps": ["Run Meta's Embedded Signup, then create_whatsapp_sender with its waba_id and phone_number_id."],
    }


@toolset.tool(
    "enable_whatsapp_template_analytics",
    ops.ENABLE_WHATSAPP_TEMPLATE_ANALYTICS,
    NoArguments,
    output={"verified": "object"},
)
async def enable_analytics(call: Call, args: NoArguments) -> dict[str, Any]:
    """Use to turn on Meta's template analytics for the WABA. This API cannot turn it off again."""
    await call.send(ops.ENABLE_WHATSAPP_TEMPLATE_ANALYTICS, args)
    account = Account.model_validate(await call.read(ops.GET_WHATSAPP_ACCOUNT, args))
    on = account.wabaEnabledForInsights is True
    return {
        "verified": Verification(ok=on, observed=f"read back: wabaEnabledForInsights {account.wabaEnabledForInsights}"),
        "next_steps": [
            "Analytics stay on: no API call turns them off.",
            "get_whatsapp_template shows a template's analytics.",
        ],
    }
