"""The Provisioning API operations, written as the catalog writes them.

Tools name an operation instead of building URLs; the client renders the path. The same
`Operation` is what a tool declares in its `_meta`, and its `policy` (effect, idempotency,
confirmation) comes from the catalog entry, so neither the declaration nor the guardrails
can drift from the request actually sent. An operation the catalog does not know fails
at import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from sinch_provisioning_mcp.api.catalog import Policy, entry, policy
from sinch_provisioning_mcp.api.errors import InvalidPathParameter

_PARAM = re.compile(r"\{([A-Za-z]+)\}")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str

    def __post_init__(self) -> None:
        entry(self.key)

    @property
    def policy(self) -> Policy:
        return policy(self.key)

    @property
    def key(self) -> str:
        """`METHOD /v1/projects/{projectId}/...`, the form tools declare in `_meta`."""
        return f"{self.method} {self.path}"

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(_PARAM.findall(self.path))

    def render(self, params: dict[str, str]) -> str:
        """The request path, each parameter percent-encoded as one path segment."""
        for name in self.param_names:
            value = str(params.get(name) or "")
            # quote() leaves dots alone, and a bare "." or ".." segment would be resolved
            # away by URL normalisation, sending the request to a parent resource.
            if value in ("", ".", ".."):
                raise InvalidPathParameter(f"{name} {value!r} is not a valid identifier")
        return _PARAM.sub(lambda m: quote(str(params[m.group(1)]), safe=""), self.path)


# Every operation of the catalog, grouped by family as the catalog groups them.

# Webhooks
LIST_WEBHOOKS = Operation("GET", "/v1/projects/{projectId}/webhooks")
CREATE_WEBHOOK = Operation("POST", "/v1/projects/{projectId}/webhooks")
GET_WEBHOOK = Operation("GET", "/v1/projects/{projectId}/webhooks/{webhookId}")
DELETE_WEBHOOK = Operation("DELETE", "/v1/projects/{projectId}/webhooks/{webhookId}")
REPLACE_WEBHOOK = Operation("PUT", "/v1/projects/{projectId}/webhooks/{webhookId}")
UPDATE_WEBHOOK = Operation("PATCH", "/v1/projects/{projectId}/webhooks/{webhookId}")

# WhatsApp
ENABLE_WHATSAPP_TEMPLATE_ANALYTICS = Operation("PUT", "/v1/projects/{projectId}/whatsapp/enableTemplateAnalytics")
CREATE_WHATSAPP_LONG_LIVED_ACCESS_TOKEN = Operation("POST", "/v1/projects/{projectId}/whatsapp/longLivedAccessToken")
LIST_WHATSAPP_WABA_DETAILS = Operation("POST", "/v1/projects/{projectId}/whatsapp/wabaDetails")

# WhatsApp Accounts
GET_WHATSAPP_ACCOUNT = Operation("GET", "/v1/projects/{projectId}/whatsapp")
CREATE_WHATSAPP_ACCOUNT = Operation("POST", "/v1/projects/{projectId}/whatsapp")
DELETE_WHATSAPP_ACCOUNT = Operation("DELETE", "/v1/projects/{projectId}/whatsapp")
UPDATE_WHATSAPP_ACCOUNT = Operation("PATCH", "/v1/projects/{projectId}/whatsapp")
LIST_WHATSAPP_ACCOUNT_ACTIVITIES = Operation("GET", "/v1/projects/{projectId}/whatsapp/activities")
CREATE_WHATSAPP_ACCOUNT_COMMENT = Operation("POST", "/v1/projects/{projectId}/whatsapp/comments")

# WhatsApp Senders
LIST_WHATSAPP_SENDERS = Operation("GET", "/v1/projects/{projectId}/whatsapp/senders")
CREATE_WHATSAPP_SENDER = Operation("POST", "/v1/projects/{projectId}/whatsapp/senders")
GET_WHATSAPP_SENDER = Operation("GET", "/v1/projects/{projectId}/whatsapp/senders/{senderId}")
UPDATE_WHATSAPP_SENDER = Operation("PATCH", "/v1/projects/{projectId}/whatsapp/senders/{senderId}")
DELETE_WHATSAPP_SENDER = Operation("DELETE", "/v1/projects/{projectId}/whatsapp/senders/{senderId}")
DELETE_WHATSAPP_SENDER_CHANGES = Operation("DELETE", "/v1/projects/{projectId}/whatsapp/senders/{senderId}/changes")
LIST_WHATSAPP_SENDER_ACTIVITIES = Operation("GET", "/v1/projects/{projectId}/whatsapp/senders/{senderId}/activities")
CREATE_WHATSAPP_SENDER_COMMENT = Operation("POST", "/v1/projects/{projectId}/whatsapp/senders/{senderId}/comments")
REGISTER_WHATSAPP_SENDER = Operation("POST", "/v1/projects/{projectId}/whatsapp/senders/{senderId}/register")
VERIFY_WHATSAPP_SENDER = Operation("POST", "/v1/projects/{projectId}/whatsapp/senders/{senderId}/verify")
GET_WHATSAPP_SENDER_SUGGESTED_USERNAMES = Operation("GET", "/v1/projects/{projectId}/whatsapp/senders/{senderId}/suggestedUsernames")

# WhatsApp Templates
LIST_WHATSAPP_TEMPLATES = Operation("GET", "/v1/projects/{projectId}/whatsapp/templates")
CREATE_WHATSAPP_TEMPLATE = Operation("POST", "/v1/projects/{projectId}/whatsapp/templates")
SYNC_WHATSAPP_TEMPLATES = Operation("POST", "/v1/projects/{projectId}/whatsapp/templates/sync")
LIST_WHATSAPP_TEMPLATES_BY_NAME = Operation("GET", "/v1/projects/{projectId}/whatsapp/templates/{templateName}")
DELETE_WHATSAPP_TEMPLATES_BY_NAME = Operation("DELETE", "/v1/projects/{projectId}/whatsapp/templates/{templateName}")
GET_WHATSAPP_TEMPLATE = Operation("GET", "/v1/projects/{projectId}/whatsapp/templates/{templateName}/languages/{languageCode}")
UPDATE_WHATSAPP_TEMPLATE = Operation("PATCH", "/v1/projects/{projectId}/whatsapp/templates/{templateName}/languages/{languageCode}")
DELETE_WHATSAPP_TEMPLATE = Operation("DELETE", "/v1/projects/{projectId}/whatsapp/templates/{templateName}/languages/{languageCode}")
LIST_WHATSAPP_TEMPLATE_ACTIVITIES = Operation("GET", "/v1/projects/{projectId}/whatsapp/templates/{templateName}/languages/{languageCode}/activities")
CREATE_WHATSAPP_TEMPLATE_COMMENT = Operation("POST", "/v1/projects/{projectId}/whatsapp/templates/{templateName}/languages/{languageCode}/comments")

# WhatsApp Flows
LIST_WHATSAPP_FLOWS = Operation("GET", "/v1/projects/{projectId}/whatsapp/flows")
LIST_WHATSAPP_FLOW_SCREENS = Operation("GET", "/v1/projects/{projectId}/whatsapp/flows/{flowId}/screens")

# WhatsApp Solutions
LIST_WHATSAPP_SOLUTIONS = Operation("GET", "/v1/projects/{projectId}/whatsapp/solutions")
CREATE_WHATSAPP_SOLUTION = Operation("POST", "/v1/projects/{projectId}/whatsapp/solutions")
GET_WHATSAPP_SOLUTION = Operation("GET", "/v1/projects/{projectId}/whatsapp/solutions/{solutionId}")
ASSIGN_WHATSAPP_SOLUTION = Operation("POST", "/v1/projects/{projectId}/whatsapp/solutions/{solutionId}/assign")

# Bundles
LIST_BUNDLES = Operation("GET", "/v1/projects/{projectId}/bundles")
CREATE_BUNDLE = Operation("POST", "/v1/projects/{projectId}/bundles")
GET_BUNDLE = Operation("GET", "/v1/projects/{projectId}/bundles/{bundleId}")

# KakaoTalk Categories
LIST_KAKAOTALK_SENDER_CATEGORIES = Operation("GET", "/v1/projects/{projectId}/kakaotalk/categories/senders")
LIST_KAKAOTALK_TEMPLATE_CATEGORIES = Operation("GET", "/v1/projects/{projectId}/kakaotalk/categories/senders/{plusFriendId}/templates")

# KakaoTalk Senders
LIST_KAKAOTALK_SENDERS = Operation("GET", "/v1/projects/{projectId}/kakaotalk/senders")
CREATE_KAKAOTALK_SENDER = Operation("POST", "/v1/projects/{projectId}/kakaotalk/senders")
GET_KAKAOTALK_SENDER = Operation("GET", "/v1/projects/{projectId}/kakaotalk/senders/{plusFriendId}")
UPDATE_KAKAOTALK_SENDER = Operation("PATCH", "/v1/projects/{projectId}/kakaotalk/senders/{plusFriendId}")
DELETE_KAKAOTALK_SENDER = Operation("DELETE", "/v1/projects/{projectId}/kakaotalk/senders/{plusFriendId}")
DELETE_KAKAOTALK_SENDER_CHANGES = Operation("DELETE", "/v1/projects/{projectId}/kakaotalk/senders/{plusFriendId}/changes")
REGISTER_KAKAOTALK_SENDER = Operation("POST", "/v1/projects/{projectId}/kakaotalk/senders/{plusFriendId}/register")
VERIFY_KAKAOTALK_SENDER = Operation("POST", "/v1/projects/{projectId}/kakaotalk/senders/{plusFriendId}/verify")
LIST_KAKAOTALK_SENDER_ACTIVITIES = Operation("GET", "/v1/projects/{projectId}/kakaotalk/senders/{plusFriendId}/activities")
CREATE_KAKAOTALK_SENDER_COMMENT = Operation("POST", "/v1/projects/{projectId}/kakaotalk/senders/{plusFriendId}/comments")

# KakaoTalk Templates
LIST_KAKAOTALK_TEMPLATES = Operation("GET", "/v1/projects/{projectId}/kakaotalk/senders/{plusFriendId}/templates")
CREATE_KAKAOTALK_TEMPLATE = Operation("POST", "/v1/projects/{projectId}/kakaotalk/senders/{plusFriendId}/templates")
GET_KAKAOTALK_TEMPLATE = Operation("GET", "/v1/projects/{projectId}/kakaotalk/senders/{plusFriendId}/templates/{templateCode}")
UPDATE_KAKAOTALK_TEMPLATE = Operation("PATCH", "/v1/projects/{projectId}/kakaotalk/senders/{plusFriendId}/templates/{templateCode}")
DELETE_KAKAOTALK_TEMPLATE = Operation("DELETE", "/v1/projects/{projectId}/kakaotalk/senders/{plusFriendId}/templates/{templateCode}")
CREATE_KAKAOTALK_TEMPLATE_COMMENT = Operation("POST", "/v1/projects/{projectId}/kakaotalk/senders/{plusFriendId}/templates/{templateCode}/comments")

# Conversation
GET_CONVERSATION_INSTAGRAM = Operation("GET", "/v1/projects/{projectId}/conversation/apps/{conversationAppId}/instagram")
GET_CONVERSATION_MESSENGER = Operation("GET", "/v1/projects/{projectId}/conversation/apps/{conversationAppId}/messenger")
GET_CONVERSATION_TELEGRAM = Operation("GET", "/v1/projects/{projectId}/conversation/apps/{conversationAppId}/telegram")
GET_CONVERSATION_VIBER = Operation("GET", "/v1/projects/{projectId}/conversation/apps/{conversationAppId}/viber")

# RCS Accounts
LIST_RCS_ACCOUNT_ACTIVITIES = Operation("GET", "/v1/projects/{projectId}/rcs/activities")
CREATE_RCS_ACCOUNT_COMMENT = Operation("POST", "/v1/projects/{projectId}/rcs/comments")

# RCS Questionnaire
GET_RCS_QUESTIONNAIRE = Operation("GET", "/v1/projects/{projectId}/rcs/questionnaire/{useCase}")

# RCS Senders
LIST_RCS_SENDERS = Operation("GET", "/v1/projects/{projectId}/rcs/senders")
CREATE_RCS_SENDER = Operation("POST", "/v1/projects/{projectId}/rcs/senders")
GET_RCS_SENDER = Operation("GET", "/v1/projects/{projectId}/rcs/senders/{senderId}")
UPDATE_RCS_SENDER = Operation("PATCH", "/v1/projects/{projectId}/rcs/senders/{senderId}")
LIST_RCS_SENDER_ACTIVITIES = Operation("GET", "/v1/projects/{projectId}/rcs/senders/{senderId}/activities")
CREATE_RCS_SENDER_COMMENT = Operation("POST", "/v1/projects/{projectId}/rcs/senders/{senderId}/comments")
LAUNCH_RCS_SENDER = Operation("POST", "/v1/projects/{projectId}/rcs/senders/{senderId}/launch")
ADD_RCS_TEST_NUMBER = Operation("POST", "/v1/projects/{projectId}/rcs/senders/{senderId}/testNumbers")
GET_RCS_TEST_NUMBER = Operation("GET", "/v1/projects/{projectId}/rcs/senders/{senderId}/testNumbers/{testNumber}")
DELETE_RCS_TEST_NUMBER = Operation("DELETE", "/v1/projects/{projectId}/rcs/senders/{senderId}/testNumbers/{testNumber}")
RETRY_RCS_TEST_NUMBER = Operation("GET", "/v1/projects/{projectId}/rcs/senders/{senderId}/testNumbers/{testNumber}/retry")
GET_RCS_TEST_NUMBER_CAPABILITIES = Operation("GET", "/v1/projects/{projectId}/rcs/senders/{senderId}/testNumbers/{testNumber}/capabilities")

# SMS Apps
LIST_SMS_APPS = Operation("GET", "/v1/projects/{projectId}/sms/smsApps")
CREATE_SMS_APP = Operation("POST", "/v1/projects/{projectId}/sms/smsApps")
GET_SMS_APP = Operation("GET", "/v1/projects/{projectId}/sms/smsApps/{smsAppId}")
UPDATE_SMS_APP = Operation("PATCH", "/v1/projects/{projectId}/sms/smsApps/{smsAppId}")
DELETE_SMS_APP = Operation("DELETE", "/v1/projects/{projectId}/sms/smsApps/{smsAppId}")
