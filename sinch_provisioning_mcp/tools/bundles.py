"""Bundles: one asynchronous work order for a subproject, an SMS app, a Conversation API app and webhooks.

The order's rules, refused before any request, come from the official OAS 1.2.117
(api-evangelist/sinch@cc26b0a7, `openapi/_original/sinch-provisioning-api-openapi.yaml`,
split per tag in `openapi/sinch-bundles-api-openapi.yml`):
- BundlesInputBundlesDto: `region` BR|EU|US; `name` 1..255, the default name of every
  resource ordered; `subproject`, `smsApp`, `convApp` each `true` (defaults) or an object;
  `webhooks` 1..15 provisioning webhooks (BundlesWebhookInputDto: the webhooks family's
  target, secret and triggers), "Field 'target' must have unique values across items";
- its error examples: `no_services_to_create` (no subproject, SMS app or Conversation
  app ordered) and `missing_name` (a resource without a name of its own in a bundle
  without one);
- BundlesConversationAppInputDto: `name` 1..255; `webhooks` at most 5
  (BundlesConversationAppWebhooksInputDto: target up to 742 characters, "the
  conversation-api.*.sinch.com subdomains are forbidden"; Conversation API triggers,
  unique, at most 20; optional secret; targetType HTTP (default), GRPC or DISMISS);
  `processingMode` CONVERSATION or DISPATCH (default); `retentionPolicy`, one of
  BundlesConversationAppConversationRetentionPolicyInputDto (CONVERSATION mode:
  CONVERSATION_EXPIRE_POLICY, MESSAGE_EXPIRE_POLICY or PERSIST_RETENTION_POLICY, ttl 1..3650
  days, default MESSAGE_EXPIRE_POLICY for 180) and
  BundlesConversationAppDispatchRetentionPolicyInputDto (DISPATCH mode: MESSAGE_EXPIRE_POLICY
  only, ttl 0..7, default 7); `consentManagerSettings {mode DISABLED|PRIMARY|SECONDARY}`.
Stricter than the schema, as the Conversation API would be: a Conversation webhook needs
at least one trigger, and an HTTP one an absolute http(s) URL.

Creating is confirmed (catalog: several resources in one non-idempotent call, no bundle
delete, a retry creates a second set) and never retried; a lost answer tells the agent to
list bundles before ordering again.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Discriminator, Field, SecretStr, Tag, ValidationInfo, field_validator, model_validator

from sinch_provisioning_mcp.api import operations as ops
from sinch_provisioning_mcp.api.errors import OutcomeUnknownError
from sinch_provisioning_mcp.api.models.bundles import BUNDLE_PAGE_MAX, Bundle
from sinch_provisioning_mcp.tools.declare import Toolset, paged
from sinch_provisioning_mcp.tools.spec import Arguments, Call, Confirmation, Preview, Verification
from sinch_provisioning_mcp.tools.webhooks import WebhookFields

toolset = Toolset("bundles", "Bundles: order a subproject, SMS app, Conversation API app and webhooks in one go.")

# The DONE bundle the sandbox's seeded project holds, for examples.
EXAMPLE_ID = "65f00000000000000000b001"

Name = Annotated[str, Field(min_length=1, max_length=255)]
Mode = Literal["CONVERSATION", "DISPATCH"]
PolicyType = Literal["CONVERSATION_EXPIRE_POLICY", "MESSAGE_EXPIRE_POLICY", "PERSIST_RETENTION_POLICY"]
# Per processing mode: the retention policy types allowed, the ttl range in days, the default policy.
RETENTION: dict[str, tuple[tuple[str, ...], int, int, tuple[str, int]]] = {
    "CONVERSATION": (
        ("CONVERSATION_EXPIRE_POLICY", "MESSAGE_EXPIRE_POLICY", "PERSIST_RETENTION_POLICY"),
        1,
        3650,
        ("MESSAGE_EXPIRE_POLICY", 180),
    ),
    "DISPATCH": (("MESSAGE_EXPIRE_POLICY",), 0, 7, ("MESSAGE_EXPIRE_POLICY", 7)),
}
_FORBIDDEN_HOST = re.compile(r"conversation-api\..+\.sinch\.com", re.IGNORECASE)


class ConversationTrigger(str, Enum):
    BATCH_DELIVERY_REPORT_FULL = "BATCH_DELIVERY_REPORT_FULL"
    BATCH_DELIVERY_REPORT_SUMMARY = "BATCH_DELIVERY_REPORT_SUMMARY"
    BATCH_STATUS_UPDATE = "BATCH_STATUS_UPDATE"
    BILLING_CREDIT_LIMIT_BREACHED = "BILLING_CREDIT_LIMIT_BREACHED"
    CAPABILITY = "CAPABILITY"
    CHANNEL_EVENT = "CHANNEL_EVENT"
    CONSENT_BATCH_COMPLETE = "CONSENT_BATCH_COMPLETE"
    CONTACT_CREATE = "CONTACT_CREATE"
    CONTACT_DELETE = "CONTACT_DELETE"
    CONTACT_IDENTITIES_DUPLICATION = "CONTACT_IDENTITIES_DUPLICATION"
    CONTACT_MERGE = "CONTACT_MERGE"
    CONTACT_UPDATE = "CONTACT_UPDATE"
    CONVERSATION_DELETE = "CONVERSATION_DELETE"
    CONVERSATION_START = "CONVERSATION_START"
    CONVERSATION_STOP = "CONVERSATION_STOP"
    EVENT_DELIVERY = "EVENT_DELIVERY"
    EVENT_INBOUND = "EVENT_INBOUND"
    MESSAGE_DELIVERY = "MESSAGE_DELIVERY"
    MESSAGE_INBOUND = "MESSAGE_INBOUND"
    MESSAGE_INBOUND_SMART_CONVERSATION_REDACTION = "MESSAGE_INBOUND_SMART_CONVERSATION_REDACTION"
    MESSAGE_SUBMIT = "MESSAGE_SUBMIT"
    OPT_IN = "OPT_IN"
    OPT_OUT = "OPT_OUT"
    RECORD_NOTIFICATION = "RECORD_NOTIFICATION"
    SMART_CONVERSATION = "SMART_CONVERSATION"
    UNSUPPORTED = "UNSUPPORTED"


def true_or(model: type[BaseModel]) -> Any:
    """The catalog's `boolean|object`: `true` for defaults, `false` for nothing, or the object.

    A discriminated union, so a mistake inside the object is reported at its own path
    (`conv_app.webhooks[2].triggers`), not once per arm; the object arm's tag is empty so
    it adds nothing to that path.
    """

    def arm(value: Any) -> str | None:
        if isinstance(value, bool):
            return "bool"
        return "" if isinstance(value, dict | BaseModel) else None

    arms = Annotated[bool, Tag("bool")] | Annotated[model, Tag("")]
    chosen = Discriminator(arm, custom_error_type="true_or_object", custom_error_message="true, false or an object")
    return Annotated[arms, chosen] | None


class SubprojectOrder(Arguments):
    name: Name | None = None
    labels: dict[str, str] | None = None


class SmsAppOrder(Arguments):
    name: Name | None = None


class ConversationWebhook(Arguments):
    target_type: Literal["HTTP", "GRPC", "DISMISS"] | None = None
    target: Annotated[str, Field(min_length=1, max_length=742)]
    triggers: Annotated[list[ConversationTrigger], Field(min_length=1, max_length=20)]
    secret: SecretStr | None = None

    @field_validator("target")
    @classmethod
    def _target(cls, target: str, info: ValidationInfo) -> str:
        try:
            parts = urlsplit(target if "://" in target else f"//{target}")
            host = parts.hostname or ""
        except ValueError:
            raise ValueError("not a valid address") from None
        if _FORBIDDEN_HOST.fullmatch(host):
            raise ValueError("the Conversation API's own conversation-api.*.sinch.com hosts are not allowed")
        if info.data.get("target_type") in (None, "HTTP") and (parts.scheme not in ("http", "https") or not host):
            raise ValueError("an HTTP target must be an absolute http(s) URL, e.g. https://example.com/sinch/chat")
        return target

    @field_validator("triggers")
    @classmethod
    def _unique(cls, triggers: list[ConversationTrigger]) -> list[ConversationTrigger]:
        if len(set(triggers)) != len(triggers):
            raise ValueError("each trigger may be listed once")
        return triggers


class RetentionPolicy(Arguments):
    retention_policy_type: PolicyType | None = None
    ttl: Annotated[int | None, Field(ge=0, le=3650, description="Days.")] = None


class ConsentManagerSettings(Arguments):
    mode: Literal["DISABLED", "PRIMARY", "SECONDARY"]


class ConversationAppOrder(Arguments):
    name: Name | None = None
    processing_mode: Mode | None = None
    retention_policy: Annotated[
        RetentionPolicy | None,
        Field(description="DISPATCH mode (default): MESSAGE_EXPIRE_POLICY, ttl 0..7. CONVERSATION mode: ttl 1..3650."),
    ] = None
    consent_manager_settings: ConsentManagerSettings | None = None
    webhooks: Annotated[list[ConversationWebhook] | None, Field(max_length=5)] = None

    @field_validator("retention_policy")
    @classmethod
    def _fits_mode(cls, policy: RetentionPolicy | None, info: ValidationInfo) -> RetentionPolicy | None:
        if policy is None:
            return None
        mode = info.data.get("processing_mode") or "DISPATCH"
        types, low, high, _ = RETENTION[mode]
        ttl_fits = policy.ttl is None or low <= policy.ttl <= high
        if policy.retention_policy_type not in (None, *types) or not ttl_fits:
            raise ValueError(f"in {mode} mode: {' or '.join(types)}, ttl {low}..{high} days")
        return policy


class BundleOrder(Arguments):
    region: Literal["BR", "EU", "US"]
    name: Annotated[Name | None, Field(description="Default name of every resource ordered.")] = None
    subproject: true_or(SubprojectOrder) = None
    sms_app: true_or(SmsAppOrder) = None
    conv_app: true_or(ConversationAppOrder) = None
    webhooks: Annotated[list[WebhookFields] | None, Field(min_length=1, max_length=15)] = None

    @field_validator("subproject", "sms_app", "conv_app")
    @classmethod
    def _named(cls, order: Any, info: ValidationInfo) -> Any:
        own = getattr(order, "name", None)
        if order and own is None and info.data.get("name") is None:
            raise ValueError("needs a name: give the bundle a name, or this resource its own")
        return order

    @field_validator("webhooks")
    @classmethod
    def _distinct(cls, hooks: list[WebhookFields] | None) -> list[WebhookFields] | None:
        targets = [hook.target for hook in hooks or ()]
        if len(set(targets)) != len(targets):
            raise ValueError("each target may appear once")
        return hooks

    @model_validator(mode="after")
    def _something(self) -> BundleOrder:
        if not (self.subproject or self.sms_app or self.conv_app):
            raise ValueError("nothing to create: order at least one of subproject, sms_app, conv_app")
        return self


def _name_of(order: Any, default: str | None) -> str:
    return getattr(order, "name", None) or default or ""


def _describe(args: BundleOrder, target: Any) -> Preview:
    """Everything the order will create, for the user to confirm."""
    changes = []
    if args.subproject:
        labels = getattr(args.subproject, "labels", None) or {}
        tagged = f" (labels {', '.join(f'{k}={v}' for k, v in labels.items())})" if labels else ""
        changes.append(f"subproject '{_name_of(args.subproject, args.name)}'{tagged}; everything below is created in it")
    if args.sms_app:
        changes.append(f"SMS app '{_name_of(args.sms_app, args.name)}' in {args.region}")
    if args.conv_app:
        conv = args.conv_app if isinstance(args.conv_app, ConversationAppOrder) else ConversationAppOrder()
        mode = conv.processing_mode or "DISPATCH"
        kind, days = RETENTION[mode][3]
        policy = conv.retention_policy or RetentionPolicy()
        retention = f"{policy.retention_policy_type or kind}, {policy.ttl if policy.ttl is not None else days} days"
        hooks = "".join(f"; Conversation webhook {hook.target}" for hook in conv.webhooks or ())
        changes.append(f"Conversation API app '{_name_of(conv, args.name)}' ({mode} mode, retention {retention}){hooks}")
    for hook in args.webhooks or ():
        changes.append(f"provisioning webhook {hook.target} ({', '.join(t.value for t in hook.triggers)})")
    named = f" '{args.name}'" if args.name else ""
    return Preview(
        action=f"Order bundle{named} in region {args.region}",
        changes=changes,
        consequences=["It runs asynchronously: IN_PROGRESS until BUNDLE_DONE; a failure can leave part of it created."],
    )


def _verified(args: BundleOrder, bundle: Bundle | None) -> Verification:
    if bundle is None:
        return Verification(ok=False, observed="read back: the API does not find the bundle yet")
    ordered = {"subproject": args.subproject, "smsApp": args.sms_app, "convApp": args.conv_app}
    missing = [key for key, order in ordered.items() if order and getattr(bundle, key) is None]
    if len(bundle.webhooks or ()) != len(args.webhooks or ()):
        missing.append("webhooks")
    seen = f"read back bundle {bundle.id} ({bundle.state})"
    if missing:
        return Verification(ok=False, observed=f"{seen}: no {', '.join(missing)}")
    return Verification(ok=True, observed=f"{seen}: every resource ordered is listed")


def _elsewhere(bundle: Bundle) -> str:
    return f", project_id={bundle.projectId}" if bundle.subproject is not None else ""


def _completion(args: BundleOrder, bundle: Bundle) -> list[str]:
    listening = [
        hook.target for hook in args.webhooks or () if {"BUNDLE_DONE", "ALL"} & {t.value for t in hook.triggers}
    ]
    wait = f"a BUNDLE_DONE event to {', '.join(listening)} reports completion, or " if listening else ""
    steps = [f"It is {bundle.state}: {wait}call get_bundle(bundle_id={bundle.id}) until DONE or FAILED."]
    if bundle.subproject is not None:
        steps.append(f"Its resources are created in subproject {bundle.projectId}: read them with project_id={bundle.projectId}.")
    steps.append("Never repeat create_bundle to retry: it creates a second set, and bundles cannot be deleted.")
    return steps


def _progress(args: Any, bundle: Bundle) -> list[str]:
    if bundle.state == "IN_PROGRESS":
        return ["Still running: wait for BUNDLE_DONE, or call get_bundle again in a few seconds."]
    steps = []
    if bundle.state == "FAILED":
        steps.append("It failed; what it created stays. Check those resources before ordering again: a new bundle creates all anew.")
    if bundle.smsApp is not None:
        steps.append(f"get_sms_app(sms_app_id={bundle.smsApp.id}{_elsewhere(bundle)}) shows the SMS app.")
    if bundle.convApp is not None:
        steps.append(
            f"Connect channels to Conversation API app {bundle.convApp.id} in the Sinch dashboard, then check them "
            f"with get_<channel>_channel_info(conversation_app_id={bundle.convApp.id}{_elsewhere(bundle)})."
        )
    return steps


class BundleFilters(paged(BUNDLE_PAGE_MAX)):
    filter_conv_app_ids: list[str] | None = None
    filter_sms_app_ids: list[str] | None = None
    filter_states: list[Literal["DONE", "FAILED", "IN_PROGRESS"]] | None = None


class BundleRef(Arguments):
    bundle_id: Annotated[str, Field(min_length=1, max_length=64)]


toolset.list(
    "list_bundles", ops.LIST_BUNDLES, BundleFilters, Bundle, items="bundles",
    description="Use to find bundles and their state, e.g. before ordering again after a lost answer.",
    summary=("id", "name", "state", "region", "projectId"),
)
toolset.get(
    "get_bundle", ops.GET_BUNDLE, BundleRef, Bundle, key="bundle",
    description="Use to follow a bundle until DONE or FAILED and see what it created.",
    next_steps=_progress, example={"bundle_id": EXAMPLE_ID},
)


@toolset.tool(
    "create_bundle",
    ops.CREATE_BUNDLE,
    BundleOrder,
    output={"bundle": "object", "verified": "object"},
    confirmation=Confirmation(describe=_describe),
    example={
        "name": "Support stack",
        "region": "EU",
        "sms_app": True,
        "conv_app": {"processing_mode": "CONVERSATION"},
        "webhooks": [
            {"target": "https://example.com/sinch/bundles", "secret": "example-signing-secret", "triggers": ["BUNDLE_DONE"]}
        ],
    },
)
async def create_bundle(call: Call, args: BundleOrder) -> dict[str, Any]:
    """Use to set up a project in one call: a subproject, an SMS app, a Conversation API app (each true for
    defaults, or an object) and provisioning webhooks. Finishes asynchronously; asks the user to confirm."""
    try:
        answer = await call.send(ops.CREATE_BUNDLE, args)
    except OutcomeUnknownError as exc:
        raise OutcomeUnknownError(
            str(exc),
            next_steps=[
                "Call list_bundles and look for this order (it may be IN_PROGRESS or already DONE) before trying "
                "again: a repeated create_bundle would create a second set."
            ],
        ) from None
    bundle = Bundle.model_validate(answer)
    seen = await call.exists(ops.GET_BUNDLE, args, bundleId=bundle.id)
    current = None if seen is None else Bundle.model_validate(seen)
    shown = current or bundle
    return {"bundle": shown, "verified": _verified(args, current), "next_steps": _completion(args, shown)}
