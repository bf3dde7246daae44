"""SMS apps: a project's SMS apps, each optionally the SMS channel of a Conversation API app."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator

from sinch_provisioning_mcp.api import operations as ops
from sinch_provisioning_mcp.api.models.sms import SMS_APP_PAGE_MAX, SmsApp
from sinch_provisioning_mcp.tools.declare import ReadBack, Toolset, paged
from sinch_provisioning_mcp.tools.spec import Arguments, Preview

toolset = Toolset("sms", "SMS apps: create, list, rename and delete, and their Conversation API app.")

# The SMS app the sandbox's seeded project holds, for examples.
EXAMPLE_ID = "5a000000000000000000000000000001"

Region = Literal["BR", "EU", "US"]
Name = Annotated[str, Field(min_length=1, max_length=255)]


class SmsAppRef(Arguments):
    sms_app_id: Annotated[str, Field(min_length=1, max_length=64)]


class SmsAppFields(Arguments):
    name: Name
    region: Region
    conv_api_app: Annotated[bool | None, Field(description="true: also create a Conversation API app.")] = None
    conv_api_app_id: Annotated[
        str | None, Field(min_length=1, description="Link an existing Conversation API app.")
    ] = None
    test: Annotated[bool | None, Field(deprecated=True)] = None

    @field_validator("conv_api_app_id")
    @classmethod
    def _one_app(cls, app_id: str | None, info: ValidationInfo) -> str | None:
        if app_id is not None and info.data.get("conv_api_app"):
            raise ValueError(
                "give conv_api_app (a new Conversation API app) or conv_api_app_id (an existing one), not both"
            )
        return app_id

    @field_validator("test")
    @classmethod
    def _deprecated(cls, test: bool | None) -> bool | None:
        if test is not None:
            raise ValueError("deprecated and ignored by the API: leave it out")
        return test


class SmsAppRename(SmsAppRef):
    name: Name


def _linked(args: Any, app: SmsApp) -> list[str]:
    details = app.conversationApiAppDetails
    if details is None or details.id is None:
        return []
    return [
        f"Conversation API app {details.id} sends SMS through this app. Add its other channels in the Sinch dashboard "
        "(Conversation API > Apps), then check them with get_<channel>_channel_info."
    ]


def _after_list(args: Any, apps: list[SmsApp]) -> list[str]:
    if apps:
        return []
    return ["No SMS apps: create_sms_app makes one; create_bundle orders one with a Conversation API app."]


def _deletion(args: Any, current: SmsApp) -> Preview:
    consequences = ["SMS sent through this app stops at once."]
    details = current.conversationApiAppDetails
    if details is not None and details.id:
        consequences.append(f"Conversation API app {details.id} loses its SMS channel.")
    regions = ", ".join(current.regions or []) or "no region"
    return Preview(action=f"Delete SMS app {current.id} ({current.status}, {regions})", consequences=consequences)


_ref = {"sms_app_id": EXAMPLE_ID}
_read_back = ReadBack(ops.GET_SMS_APP, ids={"smsAppId": "id"})

toolset.list(
    "list_sms_apps", ops.LIST_SMS_APPS, paged(SMS_APP_PAGE_MAX), SmsApp, items="smsApps", key="sms_apps",
    description="Use to find a project's SMS apps: their ids, status and regions.",
    summary=("id", "name", "status", "regions"), next_steps=_after_list,
)
toolset.get(
    "get_sms_app", ops.GET_SMS_APP, SmsAppRef, SmsApp, key="sms_app",
    description="Use to check one SMS app: its status, regions and linked Conversation API app.",
    next_steps=_linked, example=_ref,
)
toolset.create(
    "create_sms_app", ops.CREATE_SMS_APP, SmsAppFields, SmsApp, key="sms_app", read_back=_read_back,
    description="Use to create an SMS app in a region, optionally with a new or an existing Conversation API app.",
    next_steps=_linked, example={"name": "Support SMS", "region": "EU"},
)
toolset.update(
    "rename_sms_app", ops.UPDATE_SMS_APP, SmsAppRename, SmsApp, key="sms_app", read_back=_read_back,
    description="Use to rename an SMS app.", example=_ref | {"name": "Support SMS (EU)"},
)
toolset.delete(
    "delete_sms_app", ops.DELETE_SMS_APP, SmsAppRef, read=ops.GET_SMS_APP, model=SmsApp, describe=_deletion,
    description="Use to remove an SMS app for good; asks the user to confirm.", example=_ref,
)
