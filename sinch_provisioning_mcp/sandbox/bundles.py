"""Bundles family: `/v1/projects/{projectId}/bundles[/{bundleId}]`, list, create and get.

A bundle is a work order: in one call it orders a subproject, an SMS app, a Conversation
API app (with up to 5 Conversation API webhooks) and up to 15 provisioning webhooks, and
finishes later. From the catalog and the official OAS 1.2.117 (api-evangelist/sinch@cc26b0a7,
`openapi/sinch-bundles-api-openapi.yml`: BundlesInputBundlesDto and the DTOs it nests,
BundlesBundlesDto, the create examples and the BUNDLE_DONE callback):

- body: `region` BR|EU|US required; `name` 1..255; `subproject`, `smsApp` and `convApp`
  each `true` (defaults) or an object (`false` or absent: not ordered); `webhooks` 1..15
  provisioning webhooks, each as the webhooks family takes them, targets unique across
  items. `convApp`: `name` 1..255, `webhooks` at most 5 `{target <=742 (never a
  conversation-api.*.sinch.com host), triggers (the Conversation API's, unique, at most
  20), secret?, targetType HTTP|GRPC|DISMISS}`, `processingMode` CONVERSATION|DISPATCH
  (default DISPATCH), `retentionPolicy` (CONVERSATION mode: CONVERSATION_EXPIRE_POLICY,
  MESSAGE_EXPIRE_POLICY or PERSIST_RETENTION_POLICY, ttl 1..3650 days, default
  MESSAGE_EXPIRE_POLICY for 180; DISPATCH mode: MESSAGE_EXPIRE_POLICY only, ttl 0..7, default
  7), `consentManagerSettings {mode DISABLED|PRIMARY|SECONDARY}`. Nested messages carry
  their path ("convApp.webhooks.0.target ..."), as NestJS reports them;
- nothing ordered among subproject, SMS app and Conversation app is 400
  `no_services_to_create`; an ordered resource without a name of its own while the bundle
  has none is 400 `missing_name`; a provisioning webhook target the project already has
  is 409 `webhook_exists`, more than 15 webhooks in the project 424 `webhook_limit_reached`
  (checked for all before anything is created);
- the answer is 201 with the bundle IN_PROGRESS and the ids of everything ordered (the
  "most likely response" example): the subproject PENDING, the SMS app PENDING_ADD, the
  Conversation app, the webhooks. With a subproject, every other resource is created in
  it (the bundle's `projectId` is the subproject's id, as are the webhooks'): they are
  read with that project id; the bundle itself stays in the project it was ordered in;
- after the transition delay the bundle is DONE (subproject READY, SMS app ACTIVE, the
  Conversation app's SMS channel ACTIVE) and emits BUNDLE_DONE with the bundle as payload;
- lists: 1..25 a page, 10 by default, in creation order, filtered by `filterConvAppIds`,
  `filterSmsAppIds`, `filterStates`; ids are 24 hexadecimal digits (`62a02dd4...`), a
  malformed one 400 `invalid_id_format`, a missing one 404 `bundle_not_found`.

Choices where the docs are silent:
- The webhooks and the Conversation app are created when the order is accepted (the
  IN_PROGRESS example already shows their ids, and the webhooks must exist to receive
  BUNDLE_DONE); the SMS app too, PENDING_ADD until done. Provisioning webhooks go into the
  project's webhook collection (the webhooks family's type, with its 15-limit and unique
  targets); the SMS app into the SMS apps collection, linked to the Conversation app when
  both are ordered ("all other resources created will be associated with the Conversation
  Application"); the Conversation app has no channel yet (its channel info answers
  `conversation_app_no_<channel>_channel`).
- The scenario outcome `failed` (reason optional) ends a bundle FAILED instead: what was
  created stays (this API cannot remove it), the subproject is READY, the SMS app
  FAILED_ADD and the Conversation app's SMS channel FAILING. BUNDLE_DONE is emitted then
  too (it reports the end of the flow; a client waiting for it must not wait forever), the
  reason as its comment: the bundle DTO has no field for it.
- BUNDLE_DONE goes to the outbox of the project the bundle was ordered in and, with a
  subproject, to the subproject's as well, where the bundle's own webhooks live.
- The bundle keeps its own record of what it created, as of its last state change:
  later changes to those resources (a rename, a deletion) do not show in it.
  `webhookDeliveryStatuses` is left out (the sandbox delivers nothing); the deprecated
  `smsApp.test` is accepted and ignored; `testNumber` (in one OAS example only, not in the
  schema) is refused like any unknown field.

Fixture of the seeded project: the DONE bundle `65f00000000000000000b001` ("Sandbox bundle",
EU), which created the SMS app and Conversation app fixtures of `sms_apps.py` and
`conversation.py`.
"""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import urlsplit

from starlette.endpoints import HTTPEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import conversation, sms_apps, webhooks
from .context import project_of
from .errors import PapiError, invalid_input
from .family import Family
from .lifecycle import Lifecycle, after_delay
from .pagination import PageSizeRule
from .resources import Collection, Filter, GeneratedId, Listing, Resource, ResourceType
from .state import SANDBOX_PROJECT_ID, ProjectState, SandboxState
from .validation import Rule, Type, find_problems, read_json_object
from .values import hex_id, new_ulid

FIXTURE_BUNDLE_ID = "65f00000000000000000b001"
STATES = ("DONE", "FAILED", "IN_PROGRESS")
# The Conversation API's webhook triggers a bundle accepts (BundlesWebhooksInputWebhookTriggerEnum).
CONVERSATION_TRIGGERS = (
    "BATCH_DELIVERY_REPORT_FULL",
    "BATCH_DELIVERY_REPORT_SUMMARY",
    "BATCH_STATUS_UPDATE",
    "BILLING_CREDIT_LIMIT_BREACHED",
    "CAPABILITY",
    "CHANNEL_EVENT",
    "CONSENT_BATCH_COMPLETE",
    "CONTACT_CREATE",
    "CONTACT_DELETE",
    "CONTACT_IDENTITIES_DUPLICATION",
    "CONTACT_MERGE",
    "CONTACT_UPDATE",
    "CONVERSATION_DELETE",
    "CONVERSATION_START",
    "CONVERSATION_STOP",
    "EVENT_DELIVERY",
    "EVENT_INBOUND",
    "MESSAGE_DELIVERY",
    "MESSAGE_INBOUND",
    "MESSAGE_INBOUND_SMART_CONVERSATION_REDACTION",
    "MESSAGE_SUBMIT",
    "OPT_IN",
    "OPT_OUT",
    "RECORD_NOTIFICATION",
    "SMART_CONVERSATION",
    "UNSUPPORTED",
)
CONVERSATION_POLICIES = ("CONVERSATION_EXPIRE_POLICY", "MESSAGE_EXPIRE_POLICY", "PERSIST_RETENTION_POLICY")
# Per processing mode: the policy types allowed, the ttl range in days, the defaults.
RETENTION = {
    "CONVERSATION": (CONVERSATION_POLICIES, 1, 3650, {"retentionPolicyType": "MESSAGE_EXPIRE_POLICY", "ttl": 180}),
    "DISPATCH": (("MESSAGE_EXPIRE_POLICY",), 0, 7, {"retentionPolicyType": "MESSAGE_EXPIRE_POLICY", "ttl": 7}),
}
_FORBIDDEN_HOST = re.compile(r"conversation-api\..+\.sinch\.com", re.IGNORECASE)

_NAME = Rule("name", required=False, min_length=1, max_length=255)
_TRUE_OR_OBJECT: tuple[Type, ...] = ("boolean", "object")
_CONVERSATION_WEBHOOK = (
    Rule("target", not_empty=True, max_length=742),
    Rule("triggers", type="array", not_empty=True, max_items=20, enum=CONVERSATION_TRIGGERS, unique_items=True),
    Rule("secret", required=False),
    Rule("targetType", required=False, enum=("DISMISS", "GRPC", "HTTP")),
)
_CONVERSATION_APP = (
    _NAME,
    Rule("webhooks", type="array", required=False, max_items=5, fields=_CONVERSATION_WEBHOOK),
    Rule("processingMode", required=False, enum=tuple(RETENTION)),
    Rule(
        "retentionPolicy",
        type="object",
        required=False,
        fields=(
            Rule("retentionPolicyType", required=False, enum=CONVERSATION_POLICIES),
            Rule("ttl", type="number", required=False, minimum=0, maximum=3650),
        ),
    ),
    Rule(
        "consentManagerSettings",
        type="object",
        required=False,
        fields=(Rule("mode", enum=("DISABLED", "PRIMARY", "SECONDARY")),),
    ),
)
RULES = (
    _NAME,
    Rule("region", enum=("BR", "EU", "US")),
    Rule("subproject", type=_TRUE_OR_OBJECT, required=False, fields=(_NAME, Rule("labels", type="object", required=False))),
    Rule("smsApp", type=_TRUE_OR_OBJECT, required=False, fields=(_NAME, Rule("test", type="boolean", required=False))),
    Rule("convApp", type=_TRUE_OR_OBJECT, required=False, fields=_CONVERSATION_APP),
    Rule("webhooks", type="array", required=False, min_items=1, max_items=15, fields=webhooks.RULES),
)
_PARTS = ("subproject", "smsApp", "convApp")


def _ordered(value: Any) -> bool:
    return value is True or isinstance(value, dict)


def _forbidden(target: str) -> bool:
    """A target on the Conversation API's own hosts (conversation-api.*.sinch.com), with or without a scheme."""
    try:
        host = urlsplit(target if "://" in target else f"//{target}").hostname or ""
    except ValueError:
        return False
    return _FORBIDDEN_HOST.fullmatch(host) is not None


def _find(collection: Collection, key: str | None) -> Resource | None:
    try:
        return None if key is None else collection.get(key)
    except PapiError:
        return None


def _home(bundle: Resource) -> ProjectState:
    """Where the bundle's resources are: its subproject when it ordered one."""
    subproject = bundle.data.get("subproject")
    return bundle.project.state.project(subproject["id"]) if subproject else bundle.project


def _rules_across_fields(body: dict[str, Any]) -> list[str]:
    """What one field's rule cannot see: mode-dependent retention, forbidden hosts, unique targets."""
    found = []
    labels = body["subproject"].get("labels") if isinstance(body.get("subproject"), dict) else None
    if labels and not all(isinstance(value, str) for value in labels.values()):
        found.append("subproject.labels must be an object of strings")
    app = body.get("convApp") if isinstance(body.get("convApp"), dict) else {}
    for index, hook in enumerate(app.get("webhooks") or ()):
        if _forbidden(hook["target"]):
            found.append(f"convApp.webhooks.{index}.target must not be a conversation-api.*.sinch.com address")
    policy = app.get("retentionPolicy") or {}
    mode = app.get("processingMode") or "DISPATCH"
    types, low, high, _ = RETENTION[mode]
    if policy.get("retentionPolicyType") not in (None, *types):
        allowed = ", ".join(types)
        found.append(f"convApp.retentionPolicy.retentionPolicyType must be one of the following values: {allowed}")
    ttl = policy.get("ttl")
    if ttl is not None and ttl < low:
        found.append(f"convApp.retentionPolicy.ttl must not be less than {low}")
    if ttl is not None and ttl > high:
        found.append(f"convApp.retentionPolicy.ttl must not be greater than {high}")
    targets = [hook["target"] for hook in body.get("webhooks") or ()]
    if len(set(targets)) != len(targets):
        found.append("webhooks must have unique target values")
    return found


def _check(body: dict[str, Any]) -> None:
    problems = find_problems(body, RULES) or _rules_across_fields(body)
    if problems:
        raise invalid_input(problems)
    ordered = [part for part in _PARTS if _ordered(body.get(part))]
    if not ordered:
        raise PapiError(400, "no_services_to_create", "No services to create.", "Add at least one service to create.")
    if not body.get("name") and any(not (isinstance(body[part], dict) and body[part].get("name")) for part in ordered):
        raise PapiError(
            400,
            "missing_name",
            "Missing name for bundles.",
            "Make sure you have given a separate service name or principal.",
        )


def _name(body: dict[str, Any], part: str) -> str:
    own = body[part].get("name") if isinstance(body[part], dict) else None
    return own or body["name"]


def _check_webhook_room(project: ProjectState, hooks: list[dict[str, Any]]) -> None:
    """All of the order's webhooks fit the project's, or none is created."""
    existing = project.collection(webhooks.WEBHOOKS)
    taken = {hook.data["target"] for hook in existing}
    if any(hook["target"] in taken for hook in hooks):
        raise webhooks.WEBHOOKS.unique[0].error()
    limit = webhooks.WEBHOOKS.limit
    if limit is not None and len(existing) + len(hooks) > limit.maximum:
        raise limit.error()


def _conversation_app(project: ProjectState, body: dict[str, Any]) -> Resource:
    order = body["convApp"] if isinstance(body["convApp"], dict) else {}
    mode = order.get("processingMode") or "DISPATCH"
    now = project.state.clock.now()
    hooks = [{"id": new_ulid(now), "targetType": "HTTP", **hook} for hook in order.get("webhooks") or ()]
    settings: dict[str, Any] = {
        "processingMode": mode,
        "retentionPolicy": {**RETENTION[mode][3], **(order.get("retentionPolicy") or {})},
        "webhooks": hooks,
    }
    if order.get("consentManagerSettings"):
        settings["consentManagerSettings"] = order["consentManagerSettings"]
    data = conversation.new_app_data(_name(body, "convApp"), body["region"], **settings)
    return conversation.create_app(project, data)


def _record(bundle: Resource) -> None:
    """The bundle's record of what it created, read from the resources as they are now."""
    project = _home(bundle)
    sms = _find(project.collection(sms_apps.SMS_APPS), bundle.data.get("smsAppId"))
    if sms is not None:
        record = sms_apps.SMS_APPS.render(sms)
        record.pop("conversationApiAppDetails", None)  # not part of a bundle's record (BundlesBundlesSmsAppDto)
        bundle.data["smsApp"] = {**record, "numberVerified": False}
    conv = _find(project.collection(conversation.CONVERSATION_APPS), bundle.data.get("convAppId"))
    if conv is not None:
        bundle.data["convApp"] = conversation.CONVERSATION_APPS.render(conv)
    hooks = {hook.id: hook for hook in project.collection(webhooks.WEBHOOKS)}
    bundle.data["webhooks"] = [
        webhooks.WEBHOOKS.render(hooks[hook_id]) for hook_id in bundle.data.get("webhookIds", ()) if hook_id in hooks
    ]


def _settle(bundle: Resource, sms_status: str, channel_status: str, reason: str | None) -> None:
    """Bring what the bundle ordered to its end state, then announce it in the subproject too."""
    subproject = bundle.data.get("subproject")
    project = _home(bundle)
    if subproject:
        subproject["status"] = "READY"
    sms = _find(project.collection(sms_apps.SMS_APPS), bundle.data.get("smsAppId"))
    if sms is not None and sms.data["status"] == "PENDING_ADD":
        sms.update({"status": sms_status})
        conv = sms_apps.linked_app(sms)
        if conv is not None:
            conv.data["smsChannelStatus"] = channel_status
    _record(bundle)
    if subproject:
        project.outbox.emit(
            "BUNDLE_DONE",
            bundle.snapshot(),
            created=bundle.modified,
            resource_type=BUNDLES.name,
            resource_id=bundle.ref,
            comment=reason,
        )


def _public(bundle: Resource) -> dict[str, Any]:
    data = bundle.data
    body: dict[str, Any] = {"id": bundle.id, "projectId": data.get("projectId") or bundle.project.project_id}
    if data.get("name"):
        body["name"] = data["name"]
    body |= {"state": bundle.state, "region": data["region"]}
    for key in ("subproject", "smsApp", "convApp"):
        if data.get(key):
            body[key] = data[key]
    if data.get("webhooks"):
        body["webhooks"] = data["webhooks"]
    return body


BUNDLE = Lifecycle(
    track="state",
    states=STATES,
    initial="IN_PROGRESS",
    seeded="DONE",
    transitions=(
        after_delay(
            "done",
            "IN_PROGRESS",
            "DONE",
            trigger="BUNDLE_DONE",
            effect=lambda b, r: _settle(b, "ACTIVE", "ACTIVE", r),
        ),
        after_delay(
            "failed",
            "IN_PROGRESS",
            "FAILED",
            outcome="failed",
            trigger="BUNDLE_DONE",
            effect=lambda b, r: _settle(b, "FAILED_ADD", "FAILING", r),
        ),
    ),
)
BUNDLES = ResourceType(
    name="bundle",
    label="Bundle",
    not_found_code="bundle_not_found",
    key=GeneratedId("bundleId", hex_id(24)),
    render=_public,
    items_key="bundles",
    page=PageSizeRule(maximum=25, default=10),
    filters=(
        Filter("filterConvAppIds", lambda b: (b.data.get("convApp") or {}).get("id")),
        Filter("filterSmsAppIds", lambda b: (b.data.get("smsApp") or {}).get("id")),
        Filter("filterStates", lambda b: b.state, allowed=STATES, error="invalid_filter_states"),
    ),
    lifecycles=(BUNDLE,),
    sample=lambda n: {"name": f"Seeded bundle {n}", "region": "EU"},
)


def _order(request_project: ProjectState, body: dict[str, Any]) -> Resource:
    """Create what the order says, synchronously where the API does, and the bundle IN_PROGRESS."""
    data: dict[str, Any] = {"name": body.get("name"), "region": body["region"]}
    project = request_project
    if _ordered(body.get("subproject")):
        order = body["subproject"] if isinstance(body["subproject"], dict) else {}
        subproject = {"id": str(uuid.uuid4()), "name": _name(body, "subproject")}
        if order.get("labels"):
            subproject["labels"] = dict(order["labels"])
        subproject |= {"parentProjectId": request_project.project_id, "status": "PENDING"}
        data |= {"subproject": subproject, "projectId": subproject["id"]}
        project = request_project.state.project(subproject["id"])
    hooks = body.get("webhooks") or []
    _check_webhook_room(project, hooks)
    conv = _conversation_app(project, body) if _ordered(body.get("convApp")) else None
    if conv is not None:
        data["convAppId"] = conv.id
    if _ordered(body.get("smsApp")):
        sms = sms_apps.create_sms_app(project, _name(body, "smsApp"), body["region"], "PENDING_ADD", conv)
        data["smsAppId"] = sms.id
    collection = project.collection(webhooks.WEBHOOKS)
    data["webhookIds"] = [collection.create({key: hook[key] for key in ("target", "secret", "triggers")}).id for hook in hooks]
    bundle = request_project.collection(BUNDLES).create(data)
    _record(bundle)
    return bundle


class BundleCollection(HTTPEndpoint):
    async def get(self, request: Request) -> Response:
        listing = Listing.parse(request, BUNDLES)
        return JSONResponse(listing.render(project_of(request).collection(BUNDLES)))

    async def post(self, request: Request) -> Response:
        body = await read_json_object(request)
        _check(body)
        return JSONResponse(_public(_order(project_of(request), body)), status_code=201)


async def get_bundle(request: Request) -> Response:
    bundle = project_of(request).collection(BUNDLES).get(request.path_params["bundleId"])
    return JSONResponse(_public(bundle))


def seed_fixture(state: SandboxState) -> None:
    sms_apps.seed_fixture(state)
    bundles = state.project(SANDBOX_PROJECT_ID).collection(BUNDLES)
    if not len(bundles):
        data = {
            "name": "Sandbox bundle",
            "region": "EU",
            "smsAppId": sms_apps.FIXTURE_SMS_APP_ID,
            "convAppId": conversation.FIXTURE_CONVERSATION_APP_ID,
        }
        _record(bundles.place(data, id=FIXTURE_BUNDLE_ID))


FAMILY = Family(
    routes=(
        Route("/bundles", BundleCollection),
        Route("/bundles/{bundleId}", get_bundle, methods=["GET"]),
    ),
    resource_types=(BUNDLES,),
    prepare=seed_fixture,
)
