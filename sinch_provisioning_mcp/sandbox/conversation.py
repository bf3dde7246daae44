"""Conversation family: channel info of a Conversation API app, `GET /conversation/apps/{conversationAppId}/<channel>`.

Four read-only operations, one per channel (Instagram, Messenger, Telegram, Viber). The
app itself is managed by the Conversation API, not this one: the sandbox keeps apps in a
collection that only fixtures, bundles (`bundles.py`) and SMS apps created with
`convApiApp: true` (`sms_apps.py`) fill. Answers and errors as the official OAS 1.2.117
shows them (api-evangelist/sinch@cc26b0a7, `openapi/sinch-conversation-api-openapi.yml`,
the Provisioning `Conversation*Controller_get_v1` operations):

- an id that is not a Conversation app id (a ULID, as the Conversation API mints them) is
  400 `conversation_app_id_invalid`, except on Viber, whose operation lists no 400: there
  it is the 404 below;
- an unknown app is 404 `conversation_app_not_found` ("Conversation app not found.");
- an app without that channel is 404 `conversation_app_no_<channel>_channel` ("Conversation
  app has no initialized Instagram channel."). A freshly created app (bundle, SMS app) has
  no channel at all: channels are added with the app's channel credentials in the Sinch
  dashboard or the Conversation API, never through the Provisioning API;
- 200 is the channel's info: its integration `status` (ACTIVE, ERROR, FAILING, PENDING)
  and what the channel reports about the account or bot.

Fixture of the seeded project (`sandbox-project`): the app `01J00000000000000000CNVAPP`
("Sandbox Conversation App", DISPATCH mode) with all four channels ACTIVE.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .context import project_of
from .errors import PapiError, not_found
from .family import Family
from .resources import GeneratedId, Resource, ResourceType
from .state import SANDBOX_PROJECT_ID, ProjectState, SandboxState
from .values import ULID

FIXTURE_CONVERSATION_APP_ID = "01J00000000000000000CNVAPP"
# The path segment, and the channel's name in the API's error codes and messages.
CHANNELS = {"instagram": "Instagram", "messenger": "Messenger", "telegram": "Telegram", "viber": "Viber"}


def _public(app: Resource) -> dict[str, Any]:
    """The app as a bundle reports it (BundlesConversationAppDto): webhook secrets never shown."""
    body: dict[str, Any] = {"id": app.id, "name": app.data["name"], "processingMode": app.data["processingMode"]}
    webhooks = [{key: hook[key] for key in ("id", "target", "triggers")} for hook in app.data.get("webhooks", ())]
    if webhooks:
        body["webhooks"] = webhooks
    for key in ("retentionPolicy", "consentManagerSettings", "smsChannelStatus"):
        if app.data.get(key) is not None:
            body[key] = app.data[key]
    return body


CONVERSATION_APPS = ResourceType(
    name="conversation_app",
    label="Conversation app",
    not_found_code="conversation_app_not_found",
    key=GeneratedId("conversationAppId"),
    render=_public,
    sample=lambda n: new_app_data(f"Seeded Conversation App {n}", "EU"),
)


def new_app_data(name: str, region: str, **settings: Any) -> dict[str, Any]:
    """A new app's data: no channel yet; DISPATCH mode unless `settings` say otherwise."""
    return {"name": name, "region": region, "processingMode": "DISPATCH", "channels": {}, **settings}


def create_app(project: ProjectState, data: dict[str, Any]) -> Resource:
    return project.collection(CONVERSATION_APPS).create(data)


def find_app(project: ProjectState, app_id: str) -> Resource | None:
    """The project's app with this id, or None (a malformed id included)."""
    if ULID.parse(app_id) is None:
        return None
    try:
        return project.collection(CONVERSATION_APPS).get(app_id)
    except PapiError:
        return None


def _id_invalid() -> PapiError:
    return PapiError(400, "conversation_app_id_invalid", "Conversation app id not valid.", "Verify the id is correct.")


def _no_channel(channel: str) -> PapiError:
    label = CHANNELS[channel]
    return PapiError(
        404,
        f"conversation_app_no_{channel}_channel",
        f"Conversation app has no initialized {label} channel.",
        "Verify that the parameters are correct.",
    )


def _channel_info(channel: str) -> Callable[[Request], Any]:
    async def get(request: Request) -> Response:
        app_id = request.path_params["conversationAppId"]
        if ULID.parse(app_id) is None:
            # Viber's operation lists no 400: a malformed id is an app it cannot find.
            if channel == "viber":
                raise not_found(CONVERSATION_APPS.not_found_code, CONVERSATION_APPS.label)
            raise _id_invalid()
        info = project_of(request).collection(CONVERSATION_APPS).get(app_id).data["channels"].get(channel)
        if info is None:
            raise _no_channel(channel)
        return JSONResponse(info)

    return get


FIXTURE_CHANNELS: dict[str, dict[str, Any]] = {
    "instagram": {
        "status": "ACTIVE",
        "id": "17841400000000001",
        "name": "Sandbox Shop",
        "username": "sandbox.shop",
        "biography": "Everything you need, delivered.",
        "followersCount": 1280,
        "followsCount": 12,
        "mediaCount": 48,
        "profilePictureUrl": "https://images.example.com/sandbox-shop.png",
        "website": "https://shop.example.com",
    },
    "messenger": {
        "status": "ACTIVE",
        "id": "104000000000001",
        "name": "Sandbox Shop",
        "globalBrandPageName": "Sandbox Shop",
    },
    "telegram": {
        "status": "ACTIVE",
        "name": "Sandbox Shop",
        "username": "sandbox_shop_bot",
        "canJoinGroups": True,
        "canReadAllGroupMessages": False,
        "supportsInlineQueries": False,
    },
    "viber": {
        "status": "ACTIVE",
        "id": "pa:5000000000000000001",
        "name": "Sandbox Shop",
        "uri": "sandboxshop",
        "icon": "https://images.example.com/sandbox-shop-viber.png",
        "category": "Shopping",
        "subcategory": "Online store",
        "location": {"lon": 18.0686, "lat": 59.3293},
        "country": "SE",
        "subscribersCount": 512,
    },
}


def seed_fixture(state: SandboxState) -> None:
    apps = state.project(SANDBOX_PROJECT_ID).collection(CONVERSATION_APPS)
    if not len(apps):
        data = new_app_data("Sandbox Conversation App", "EU", channels=FIXTURE_CHANNELS)
        apps.place(data, id=FIXTURE_CONVERSATION_APP_ID)


FAMILY = Family(
    routes=tuple(
        Route(f"/conversation/apps/{{conversationAppId}}/{channel}", _channel_info(channel), methods=["GET"])
        for channel in CHANNELS
    ),
    resource_types=(CONVERSATION_APPS,),
    prepare=seed_fixture,
)
