"""The reference an agent needs while provisioning, served as MCP resources.

Each document is built from the data the tools themselves enforce (the catalog, the
template rules, the region matrix, the launch requirements), so what an agent reads is
what the server checks. Read-only, our own text and the catalog's: no third-party text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.resources import FunctionResource

from sinch_provisioning_mcp.api.catalog import catalog
from sinch_provisioning_mcp.api.models.webhooks import WebhookTrigger

# The family modules each document reads from are imported when it is read, not at start-up.

# Trigger prefixes by the family a person thinks in.
_TRIGGER_FAMILIES = {
    "WhatsApp account": ("WHATSAPP_ACCOUNT_", "WHATSAPP_WABA_"),
    "WhatsApp senders": ("WHATSAPP_SENDER_",),
    "WhatsApp templates": ("WHATSAPP_TEMPLATE_",),
    "RCS": ("RCS_",),
    "KakaoTalk senders": ("KAKAOTALK_SENDER_",),
    "KakaoTalk templates": ("KAKAOTALK_TEMPLATE_",),
    "Bundles": ("BUNDLE_",),
}

# What to do about the API's common error codes (catalog `common.error_shape.common_codes`).
_ADVICE = {
    "invalid_input": "A field breaks a rule: additionalInformation.validationErrors names each one.",
    "invalid_payload": "The body is not JSON the API can read.",
    "invalid_page_size": "pageSize outside the endpoint's range.",
    "invalid_page_token": "Use next_page_token exactly as the previous page returned it.",
    "invalid_id_format": "The identifier is not in the API's format: list the resources to find it.",
    "project_not_initialized": "The channel is not set up for this project yet: onboard it first.",
    "invalid_filter_states": "A state filter value the endpoint does not know.",
    "invalid_filter_statuses": "A status filter value the endpoint does not know.",
    "no_fields_to_update": "An update needs at least one field.",
    "unauthorized_error": "Credentials or project id wrong: run `sinch-provisioning-mcp doctor`.",
    "webhook_not_found": "No such webhook in this project: list_webhooks.",
    "project_not_found": "Check the project id (SINCH_PROJECT_ID or project_id).",
    "account_not_found": "The project has no account for this channel yet.",
    "sender_not_found": "No such sender: list the family's senders.",
    "sender_changes_not_found": "The sender has no pending changes to discard.",
    "bundle_not_found": "No such bundle: list_bundles.",
    "solution_not_found": "No such solution: list_whatsapp_solutions.",
    "flow_not_found": "No such flow: list_whatsapp_flows.",
    "sms_app_not_found": "No such SMS app: list_sms_apps.",
    "webhook_exists": "Targets are unique per project: update the webhook that has it.",
    "sender_already_deleted": "Deletion is already under way; it cannot be cancelled.",
    "sender_not_updatable": "The sender is under review: wait for it, then update.",
    "not_allowed_register": "Register only a sender in PENDING_VERIFICATION (wait_for_state).",
    "not_allowed_verify": "Verify only after register, while the sender is PENDING_VERIFICATION.",
    "wrong_otp": "The code does not match: check it, or register again for a new one.",
    "solution_cannot_be_reassigned": "A solution assignment is final.",
    "webhook_limit_reached": "15 webhooks already: delete or reuse one.",
    "template_insights_not_yet_available": "Template analytics need an onboarded account; try later.",
    "too_many_requests": "Throttled: the server retries with backoff; wait before trying again.",
    "sender-register-too-many-requests": "Meta limits code requests: wait before registering again.",
    "internal_error": "Sinch failed: retry later; read the resource first if it was a change.",
    "facebook_Request_limit_reached": "Meta throttles this account: retry later.",
    "log_in_facebook_required": "Meta needs the business to log in again (Embedded Signup).",
}
# This server's own codes, for failures that are not the API's.
_OWN_CODES = {
    "invalid_arguments": "Refused before any request: `problems` names each field and what is allowed.",
    "precondition_failed": "The resource is not in a state the step needs; nothing was sent; the message says what next.",
    "confirmation_refused": "The confirmation token does not fit this call or state: call again without it.",
    "outcome_unknown": "The answer to a change was lost: read the resource before trying again.",
    "api_unreachable": "No answer from Sinch: nothing or a read was lost; retry later.",
    "authentication_failed": "The token endpoint refused the credentials.",
    "not_configured": "Set the variables the message names, or use --sandbox.",
    "url_not_allowed": "Only https Sinch hosts are contacted.",
}


def webhook_triggers() -> dict[str, Any]:
    values = [trigger.value for trigger in WebhookTrigger if trigger is not WebhookTrigger.ALL]
    return {
        "ALL": "every event; send ['ALL'] alone, never with other triggers",
        "families": {family: [v for v in values if v.startswith(prefixes)] for family, prefixes in _TRIGGER_FAMILIES.items()},
        "guidance": "Use ALL unless the user asks for specific events; in production prefer the families you act on.",
    }


def template_rules_reference() -> dict[str, Any]:
    from sinch_provisioning_mcp.tools import whatsapp_template_rules as template_rules

    return {
        "name": {"pattern": template_rules.NAME.pattern, "max_length": 512},
        "categories": ["AUTHENTICATION", "MARKETING", "UTILITY"],
        "variables": "{{1}}, {{2}}... in order from 1, one example each",
        "max_lengths": template_rules.LIMITS,
        "buttons": {
            "max": template_rules.MAX_BUTTONS,
            "url": template_rules.MAX_URL_BUTTONS,
            "phone_number": template_rules.MAX_PHONE_BUTTONS,
            "quick_replies": "grouped together",
            "authentication": "exactly one OTP button",
        },
        "carousel_cards": {"min": template_rules.CARDS[0], "max": template_rules.CARDS[1], "category": "MARKETING"},
        "message_send_ttl_seconds": {category: {"min": low, "max": high} for category, (low, high) in template_rules.TTL_SECONDS.items()},
        "forbidden_url_domains": list(template_rules.RESTRICTED_DOMAINS),
        "deletion": "by name and language removes the draft unless delete_submitted; an approved name and "
        "language is then locked for 30 days (update it instead)",
    }


def region_matrix() -> dict[str, Any]:
    from sinch_provisioning_mcp.tools.whatsapp_common import MANAGERS_BY_REGION

    return {"business_managers_by_region": {**{r: list(m) for r, m in MANAGERS_BY_REGION.items()}, "US": "any"}}


def launch_requirements() -> dict[str, Any]:
    from sinch_provisioning_mcp.api.models.rcs import LAUNCH_REQUIREMENTS, QUESTIONNAIRE_REQUIREMENT

    return {
        "requirements": [{"what": req.name, "field": req.field} for req in LAUNCH_REQUIREMENTS]
        + [{"what": QUESTIONNAIRE_REQUIREMENT, "field": "details.questionnaire"}],
        "check": "check_rcs_launch_readiness lists what a sender still lacks; launch_rcs_sender refuses until none.",
    }


def error_codes() -> dict[str, Any]:
    common = catalog()["common"]["error_shape"]["common_codes"]
    # A list, not a map keyed by code: a code such as invalid_page_token must not read as a secret-bearing key.
    return {
        "api": [{"code": code, "status": int(status), "what_to_do": _ADVICE[code]} for status, codes in common.items() for code in codes],
        "server": [{"code": code, "what_to_do": advice} for code, advice in _OWN_CODES.items()],
        "shape": "errorCode, message, resolution, additionalInformation: every API error carries them",
    }


def async_operations() -> dict[str, Any]:
    from sinch_provisioning_mcp.tools.guide import WAITABLE

    operations = [f"{o['method']} {o['path']}" for o in catalog()["operations"] if o.get("async")]
    return {
        "operations": operations,
        "how_they_complete": "Each finishes later at Sinch, Meta, Google or KakaoTalk: wait_for_state polls (and wakes on "
        "received events); provisioning webhooks report it (the families' triggers in sinch://reference/webhook-triggers).",
        "wait_for_state_resources": {name: kind.get.key for name, kind in WAITABLE.items()},
    }


DOCUMENTS: dict[str, tuple[str, Callable[[], dict[str, Any]]]] = {
    "webhook-triggers": ("Provisioning webhook triggers by family, and when to use ALL.", webhook_triggers),
    "whatsapp-template-rules": ("WhatsApp's template rules this server checks before submitting.", template_rules_reference),
    "whatsapp-regions": ("Which business manager serves which WhatsApp region.", region_matrix),
    "rcs-launch-requirements": ("What an RCS sender needs before it can launch.", launch_requirements),
    "error-codes": ("The API's and this server's error codes, and what to do about each.", error_codes),
    "async-operations": ("Operations that finish later, and how to follow them.", async_operations),
}


def register_resources(server: MCPServer) -> None:
    for name, (description, build) in DOCUMENTS.items():
        server.add_resource(
            FunctionResource.from_function(
                lambda build=build: json.dumps(build(), indent=1),
                uri=f"sinch://reference/{name}",
                name=name,
                description=description,
                mime_type="application/json",
            )
        )
