"""Channel info of a Conversation API app (Instagram, Messenger, Telegram, Viber).

Profile texts come from the channel (Meta, Telegram, Viber) and from whoever edits the
account there, so they are third-party text; profile URLs are as the channel reports them,
never fetched.
"""

from __future__ import annotations

from sinch_provisioning_mcp.api.models.common import ApiModel
from sinch_provisioning_mcp.guardrails.untrusted import UntrustedText


class ChannelInfo(ApiModel):
    # ACTIVE, ERROR, FAILING, PENDING or UNRECOGNIZED; a plain string so a newer value still parses.
    status: str | None = None
    statusDescription: UntrustedText | None = None


class InstagramInfo(ChannelInfo):
    id: str | None = None
    name: UntrustedText | None = None
    username: UntrustedText | None = None
    biography: UntrustedText | None = None
    followersCount: int | None = None
    followsCount: int | None = None
    mediaCount: int | None = None
    profilePictureUrl: UntrustedText | None = None
    website: UntrustedText | None = None


class MessengerInfo(ChannelInfo):
    id: str | None = None
    name: UntrustedText | None = None
    globalBrandPageName: UntrustedText | None = None


class TelegramInfo(ChannelInfo):
    name: UntrustedText | None = None
    username: UntrustedText | None = None
    canJoinGroups: bool | None = None
    canReadAllGroupMessages: bool | None = None
    supportsInlineQueries: bool | None = None


class ViberLocation(ApiModel):
    lon: float | None = None
    lat: float | None = None


class ViberInfo(ChannelInfo):
    id: str | None = None
    name: UntrustedText | None = None
    uri: UntrustedText | None = None
    icon: UntrustedText | None = None
    category: UntrustedText | None = None
    subcategory: UntrustedText | None = None
    location: ViberLocation | None = None
    country: str | None = None
    subscribersCount: int | None = None
