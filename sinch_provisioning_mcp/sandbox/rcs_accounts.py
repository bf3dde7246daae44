"""RCS Accounts family: the account's activity trail and comments on it.

The account is a per-project singleton that onboarding (not this API) creates: only the
seeded project has one, with its CREATED activity; elsewhere both operations answer 404
`account_not_found`. `GET /rcs/activities` lists `{type, created, author, comment?}`
newest first; `POST /rcs/comments` (1..65535 characters) answers 201 with the comment as
the OAS 1.2.117 shows it (`{type: "CREATED", comment, created}`: `CREATED` is the
comment's status, not an activity type), adds a `COMMENT_ADDED` activity authored
"Provisioning API user" and emits `RCS_ACCOUNT_COMMENT_ADDED` (catalog). No API call
returns the account itself, so its event payload is only `{"projectId"}`, and seeding
one where it exists is 409 `account_exists`: both the sandbox's choices.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .context import project_of
from .errors import PapiError
from .family import Family
from .lifecycle import Activity
from .pagination import Page
from .resources import ACTIVITIES_PAGE, NaturalKey, Resource, ResourceType, activities_page
from .state import SANDBOX_PROJECT_ID, SandboxState
from .validation import Rule, read_json_object, validate
from .values import iso8601


def _account_exists() -> PapiError:
    # Only seeding can meet it (the API has no create); the code is the sandbox's.
    return PapiError(409, "account_exists", "Account already exists.", "The project has its RCS account already.")


RCS_ACCOUNT = ResourceType(
    name="rcs_account",
    label="Account",
    not_found_code="account_not_found",
    key=NaturalKey((), exists=_account_exists),
    render=lambda account: {"projectId": account.project.project_id},
    created_activity="CREATED",
    comment_trigger="RCS_ACCOUNT_COMMENT_ADDED",
    sample=lambda n: {},
)
# Every RCS comments endpoint (account and sender): 1..65535 characters.
COMMENT_RULES = (Rule("comment", min_length=1, max_length=65535),)


def comment_created(activity: Activity) -> Response:
    """201 with the comment as the OAS 1.2.117 shows it (`CREATED` is its status, not an activity type)."""
    body: dict[str, Any] = {"type": "CREATED", "comment": activity.comment, "created": iso8601(activity.created)}
    return JSONResponse(body, status_code=201)


def _account(request: Request) -> Resource:
    return project_of(request).collection(RCS_ACCOUNT).get()


async def list_activities(request: Request) -> Response:
    page = Page.parse(request, ACTIVITIES_PAGE)
    return JSONResponse(activities_page(page, _account(request)))


async def create_comment(request: Request) -> Response:
    fields = validate(await read_json_object(request), COMMENT_RULES)
    return comment_created(_account(request).comment(fields["comment"]))


def _seed_default_account(state: SandboxState) -> None:
    accounts = state.project(SANDBOX_PROJECT_ID).collection(RCS_ACCOUNT)
    if not len(accounts):
        accounts.seed(1)


FAMILY = Family(
    routes=(
        Route("/rcs/activities", list_activities, methods=["GET"]),
        Route("/rcs/comments", create_comment, methods=["POST"]),
    ),
    resource_types=(RCS_ACCOUNT,),
    prepare=_seed_default_account,
)
