"""RCS Accounts family: the account's activity trail and comments on it.

`GET /rcs/activities` lists `{type, created, author, comment?}` newest first;
`POST /rcs/comments` answers 201 with the comment as the OAS 1.2.117 shows it
(`{type: "CREATED", comment, created}`: `CREATED` is the comment's status, not an
activity type) and adds a `COMMENT_ADDED` activity. Comments made through the API are
authored "Provisioning API user", the author the OAS example and the official Node SDK's
mock server give them. A project without an RCS account answers 404
`account_not_found` on both.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .errors import not_found
from .pagination import Page, PageSizeRule
from .state import ProjectState, RcsAccount, RcsActivity, project_of, state_of
from .validation import raise_if_invalid, read_json_object, unknown_fields, utf16_length
from .values import iso8601

# 1..100 per the operation; 50 is the default page the OAS example shows.
ACTIVITIES_PAGE = PageSizeRule(maximum=100, default=50)
API_AUTHOR = "Provisioning API user"
COMMENT_MAX_LENGTH = 65535


def _account(project: ProjectState) -> RcsAccount:
    if project.rcs_account is None:
        raise not_found("account_not_found", "Account")
    return project.rcs_account


def _public(activity: RcsActivity) -> dict[str, Any]:
    body = {"type": activity.type, "created": iso8601(activity.created), "author": activity.author}
    if activity.comment is not None:
        body["comment"] = activity.comment
    return body


async def list_activities(request: Request) -> Response:
    page = Page.parse(request, state_of(request), ACTIVITIES_PAGE)
    activities = _account(project_of(request)).activities
    # Ties (same clock reading) go to the later insertion, still newest first.
    newest_first = sorted(range(len(activities)), key=lambda i: (activities[i].created, i), reverse=True)
    return JSONResponse(page.render([_public(activities[i]) for i in newest_first], "notifications"))


def _comment_problems(value: Any) -> list[str]:
    if not isinstance(value, str):
        return ["comment must be a string"]
    if utf16_length(value) < 1:
        return ["comment must be longer than or equal to 1 characters"]
    if utf16_length(value) > COMMENT_MAX_LENGTH:
        return [f"comment must be shorter than or equal to {COMMENT_MAX_LENGTH} characters"]
    return []


async def create_comment(request: Request) -> Response:
    body = await read_json_object(request)
    raise_if_invalid(unknown_fields(body, ("comment",)) + _comment_problems(body.get("comment")))
    account = _account(project_of(request))
    activity = RcsActivity("COMMENT_ADDED", state_of(request).clock(), API_AUTHOR, body["comment"])
    account.activities.append(activity)
    return JSONResponse(
        {"type": "CREATED", "comment": activity.comment, "created": iso8601(activity.created)},
        status_code=201,
    )


routes = [
    Route("/rcs/activities", list_activities, methods=["GET"]),
    Route("/rcs/comments", create_comment, methods=["POST"]),
]
