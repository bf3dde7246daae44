"""SMS Apps family: `/v1/projects/{projectId}/sms/smsApps[/{smsAppId}]`, list, create, get, rename, delete.

From the catalog and the official OAS 1.2.117 (api-evangelist/sinch@cc26b0a7,
`openapi/sinch-sms-apps-api-openapi.yml`):
- ids are 32 lower-case hexadecimal digits, as the examples show; every app of a project
  belongs to the project's one SMS service (`smsServiceId`, 32 hex digits too);
- create: `name` 1..255 and `region` BR|EU|US required; `convApiApp: true` also creates a
  Conversation API app, `convApiAppId` links an existing one, not both; the deprecated
  `test` is accepted and ignored (`test` is always false). The app answers 201 ACTIVE, as
  the create example shows; `regions` is `[region]`;
- PATCH renames (`name` 1..255); an empty body is 400 `no_fields_to_update` ("No fields to
  be updated." / "Supply at least one field to be updated.");
- lists: 1..100 a page, 50 by default, in creation order;
- a missing app is 404 `sms_app_not_found` ("SmsApp not found."). Only DELETE lists 400
  `invalid_id_format` for a malformed id; GET and PATCH list only the 404, so there a
  malformed id is not found.

Choices where the OAS is silent:
- `convApiAppId` naming no Conversation app of the project is 404
  `conversation_app_not_found`, and an app already linked to another SMS app is 400
  `conversation_app_already_connected_to_sms_app`: the bundle operation's codes and
  wording for the same situations (the SMS apps operation lists only 400 invalid_input);
- a Conversation app created with `convApiApp` takes the SMS app's name and region; the
  link's `channelStatus` is ACTIVE;
- deleting an app unlinks its Conversation app (which loses its SMS channel) and removes
  nothing else; `sms_service_not_found` (a project without an SMS service) is not
  simulated: every project has one.

Apps a bundle orders (`bundles.py`) start PENDING_ADD and become ACTIVE when it is done.

Fixture of the seeded project: the app `5a000000000000000000000000000001` ("Sandbox SMS
App", EU, ACTIVE), linked to the Conversation app `01J00000000000000000CNVAPP`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import conversation
from .context import project_of
from .errors import PapiError, invalid_input, not_found
from .family import Family
from .pagination import PageSizeRule
from .resources import GeneratedId, Listing, Resource, ResourceType
from .state import SANDBOX_PROJECT_ID, ProjectState, SandboxState
from .validation import Rule, read_json_object, validate
from .values import hex_id

FIXTURE_SMS_APP_ID = "5a000000000000000000000000000001"
REGIONS = ("BR", "EU", "US")
NAME = Rule("name", min_length=1, max_length=255)
CREATE_RULES = (
    NAME,
    Rule("region", enum=REGIONS),
    Rule("test", type="boolean", required=False),
    Rule("convApiApp", type="boolean", required=False),
    Rule("convApiAppId", required=False, min_length=1),
)


def service_id(project: ProjectState) -> str:
    """The project's SMS service: one per project, a stable id derived from the project's."""
    return hashlib.sha256(f"sms-service/{project.project_id}".encode()).hexdigest()[:32]


def linked_app(sms_app: Resource) -> Resource | None:
    app_id = sms_app.data.get("convAppId")
    return None if app_id is None else conversation.find_app(sms_app.project, app_id)


def _public(app: Resource) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": app.id,
        "smsServiceId": service_id(app.project),
        "name": app.data["name"],
        "status": app.data["status"],
        "regions": [app.data["region"]],
    }
    conv = linked_app(app)
    if conv is not None:
        body["conversationApiAppDetails"] = {
            "id": conv.id,
            "projectId": app.project.project_id,
            "region": conv.data["region"],
            "channelStatus": conv.data.get("smsChannelStatus") or "PENDING",
        }
    body["test"] = False
    return body


SMS_APPS = ResourceType(
    name="sms_app",
    label="SmsApp",
    not_found_code="sms_app_not_found",
    key=GeneratedId("smsAppId", hex_id(32)),
    render=_public,
    items_key="smsApps",
    page=PageSizeRule(maximum=100, default=50),
    sample=lambda n: {"name": f"Seeded SMS App {n}", "region": "EU", "status": "ACTIVE", "convAppId": None},
)


def conversation_app_not_found() -> PapiError:
    return PapiError(
        404, "conversation_app_not_found", "Conversation App not found.", "Verify that the appId is correct."
    )


def _already_connected() -> PapiError:
    return PapiError(
        400,
        "conversation_app_already_connected_to_sms_app",
        "Conversation App is already connected to an SMS App.",
        "Use the SMS App that is already connected to the Conversation App or disconnect the currently connected "
        "SMS App before connecting another SMS App.",
    )


def connectable_app(project: ProjectState, app_id: str) -> Resource:
    """An existing Conversation app of `project` no SMS app is linked to yet."""
    app = conversation.find_app(project, app_id)
    if app is None:
        raise conversation_app_not_found()
    if any(sms.data.get("convAppId") == app.id for sms in project.collection(SMS_APPS)):
        raise _already_connected()
    return app


def create_sms_app(project: ProjectState, name: str, region: str, status: str, conv: Resource | None) -> Resource:
    """A new SMS app of `project`, linked to `conv` when given (its SMS channel in `status`'s wake)."""
    app = project.collection(SMS_APPS).create(
        {"name": name, "region": region, "status": status, "convAppId": None if conv is None else conv.id}
    )
    if conv is not None:
        conv.data["smsChannelStatus"] = "ACTIVE" if status == "ACTIVE" else "PENDING"
    return app


def _find(request: Request) -> Resource:
    """GET and PATCH: a malformed id is a missing app (their operations list no 400)."""
    app_id = request.path_params["smsAppId"]
    if SMS_APPS.key.format.parse(app_id) is None:
        raise not_found(SMS_APPS.not_found_code, SMS_APPS.label)
    return project_of(request).collection(SMS_APPS).get(app_id)


class SmsAppCollection(HTTPEndpoint):
    async def get(self, request: Request) -> Response:
        listing = Listing.parse(request, SMS_APPS)
        return JSONResponse(listing.render(project_of(request).collection(SMS_APPS)))

    async def post(self, request: Request) -> Response:
        fields = validate(await read_json_object(request), CREATE_RULES)
        if fields.get("convApiApp") and fields.get("convApiAppId") is not None:
            raise invalid_input(["convApiAppId must not be set when convApiApp is true"])
        project = project_of(request)
        conv = None
        if fields.get("convApiAppId") is not None:
            conv = connectable_app(project, fields["convApiAppId"])
        elif fields.get("convApiApp"):
            conv = conversation.create_app(project, conversation.new_app_data(fields["name"], fields["region"]))
        app = create_sms_app(project, fields["name"], fields["region"], "ACTIVE", conv)
        return JSONResponse(_public(app), status_code=201)


class SmsAppItem(HTTPEndpoint):
    async def get(self, request: Request) -> Response:
        return JSONResponse(_public(_find(request)))

    async def patch(self, request: Request) -> Response:
        body = await read_json_object(request)
        if not body:
            raise PapiError(
                400, "no_fields_to_update", "No fields to be updated.", "Supply at least one field to be updated."
            )
        fields = validate(body, (NAME,), partial=True)
        app = _find(request)
        app.update(fields)
        return JSONResponse(_public(app))

    async def delete(self, request: Request) -> Response:
        app = project_of(request).collection(SMS_APPS).get(request.path_params["smsAppId"])
        conv = linked_app(app)
        if conv is not None:
            conv.data["smsChannelStatus"] = None
        app.delete()
        return Response(status_code=204)


def seed_fixture(state: SandboxState) -> None:
    conversation.seed_fixture(state)
    project = state.project(SANDBOX_PROJECT_ID)
    apps = project.collection(SMS_APPS)
    if not len(apps):
        conv = project.collection(conversation.CONVERSATION_APPS).get(conversation.FIXTURE_CONVERSATION_APP_ID)
        conv.data["smsChannelStatus"] = "ACTIVE"
        apps.place(
            {"name": "Sandbox SMS App", "region": "EU", "status": "ACTIVE", "convAppId": conv.id}, id=FIXTURE_SMS_APP_ID
        )


FAMILY = Family(
    routes=(
        Route("/sms/smsApps", SmsAppCollection),
        Route("/sms/smsApps/{smsAppId}", SmsAppItem),
    ),
    resource_types=(SMS_APPS,),
    prepare=seed_fixture,
)
