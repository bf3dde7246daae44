"""Issue #15, items 3 and 4: secret canaries and the prompt-injection sweep, for every tool.

The sandbox plants canaries (`sandbox/canaries.py`): a random value in every secret-bearing
field of every answer, an instruction to the model wrapped in invisible characters in every
third-party text field, and, in error answers, an echo of the request. Every tool (from the
registry) is called on its success path (by token, and by elicitation where it confirms) and
on error paths (the API failing with 500, and an identifier that does not exist), and
everything that leaves the server is read: results (structured and text), errors, log lines
(the server's own logging, at DEBUG), logging and progress notifications, elicitation
questions.

- Secrets: no planted secret, no configured credential, no access token the sandbox issued,
  and no secret a call was given appears anywhere, whole.
- Injection: the canary's marker appears only inside untrusted-data fences, which hold none
  of its invisible characters; and never in tools/list, prompts, resources or the server's
  instructions. Webhook deliveries (received over the real receiver route, signed) and
  review outcomes with a reason (every timed outcome of every resource type) are swept too.
"""

from __future__ import annotations

import base64
import io
import logging
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp_types import ElicitResult
from pydantic import BaseModel, SecretStr, ValidationError
from pydantic.alias_generators import to_camel
from starlette.applications import Starlette

from conftest import receiver, unfence
from reliability import (
    SPECS,
    TOOLS,
    SandboxSwitch,
    Sleeps,
    call,
    example,
    reliability_server,
    shown,
    strings,
)
from sinch_provisioning_mcp.sandbox import SANDBOX_KEY_ID, SANDBOX_KEY_SECRET, SANDBOX_PROJECT_ID
from sinch_provisioning_mcp.sandbox.canaries import INVISIBLE, MARKER, Canaries
from sinch_provisioning_mcp.sandbox.delivery import signed
from sinch_provisioning_mcp.sandbox.events import Event
from sinch_provisioning_mcp.sandbox.faults import Fault
from sinch_provisioning_mcp.server.logs import configure_logging
from sinch_provisioning_mcp.server.receiver import EVENTS_PATH, receiver_route

# A fence, as text or inside a JSON document shown as text (escaped newlines).
FENCE = re.compile(
    r"<untrusted-data boundary=([0-9a-f]{16})>(?:\n|\\n)(.*?)(?:\n|\\n)</untrusted-data boundary=\1>", re.S
)
CREDENTIALS = {
    "key id": SANDBOX_KEY_ID,
    "key secret": SANDBOX_KEY_SECRET,
    "key pair": base64.b64encode(f"{SANDBOX_KEY_ID}:{SANDBOX_KEY_SECRET}".encode()).decode(),
}


@pytest.fixture(scope="module")
def switch() -> SandboxSwitch:
    return SandboxSwitch()


@pytest.fixture(scope="module")
def events():
    return receiver()


@pytest.fixture(scope="module")
def server(switch, events):
    return reliability_server(switch, Sleeps(), events)


@pytest.fixture(scope="module")
def server_log() -> Iterator[io.StringIO]:
    """The server's own logging set-up (redacting, one line per record), at DEBUG, written here."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level, sys.stderr
    sys.stderr = buffer = io.StringIO()
    try:
        configure_logging("DEBUG")
    finally:
        sys.stderr = saved[2]
    yield buffer
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


@dataclass
class Seen:
    """Everything that left the server during one case."""

    texts: list[str] = field(default_factory=list)

    def add(self, value: Any) -> None:
        self.texts.extend(strings(value.model_dump(mode="json") if isinstance(value, BaseModel) else value))


def secret_arguments(name: str, arguments: dict[str, Any]) -> list[str]:
    """The secrets a call is given: its SecretStr arguments (a webhook secret, Meta's codes and tokens)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, SecretStr):
            found.append(value.get_secret_value())
        elif isinstance(value, BaseModel):
            for item in vars(value).values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(
        SPECS[name].arguments.model_validate(
            {k: v for k, v in arguments.items() if k not in ("project_id", "confirmation_token")}
        )
    )
    return found


def valid(name: str, arguments: dict[str, Any]) -> bool:
    try:
        SPECS[name].arguments.model_validate(arguments)
    except ValidationError:
        return False
    return True


async def run_case(
    server, switch: SandboxSwitch, name: str, arguments: dict[str, Any], *, elicit: bool = False
) -> Seen:
    seen = Seen()

    async def on_log(params) -> None:
        seen.add(params)

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.texts.append(message or "")

    async def accept(context, params):
        seen.add(params)
        return ElicitResult(action="accept", content={"confirm": True})

    options: dict[str, Any] = {"logging_callback": on_log}
    if elicit:
        options["elicitation_callback"] = accept
    async with Client(server, **options) as client:
        result = await call(client, name, arguments, progress_callback=on_progress)
    seen.texts += shown(result)
    return seen


def fresh(switch: SandboxSwitch) -> Canaries:
    state = switch.reset()
    state.canaries = Canaries()
    return state.canaries


def assert_no_secret(seen: Seen, log: str, switch: SandboxSwitch, canaries: Canaries, given: list[str]) -> None:
    needles = {
        **{f"planted {key}": value for key, value in canaries.secrets.items()},
        **CREDENTIALS,
        **{f"issued token {n}": token for n, token in enumerate(switch.issued) if token},
        **{f"argument secret {n}": secret for n, secret in enumerate(given)},
    }
    for label, needle in needles.items():
        for text in seen.texts:
            assert needle not in text, f"{label} leaked: {text[:300]}"
        assert needle not in log, f"{label} leaked into the log"


def outside_fences(text: str) -> str:
    return FENCE.sub("", text)


def assert_only_fenced(seen: Seen) -> None:
    for text in seen.texts:
        assert MARKER not in outside_fences(text), f"third-party text outside a fence: {text[:400]}"
        for match in FENCE.finditer(text):
            assert not any(ch in match.group(2) for ch in INVISIBLE), (
                f"invisible characters inside a fence: {match.group(2)!r}"
            )


def wrong_identifiers(name: str) -> dict[str, Any] | None:
    """The example with every identifier in its path changed to one that does not exist (same shape)."""
    arguments = example(name)
    operation = SPECS[name].operation
    params = operation.param_names if operation else ()
    changed = False
    for key, value in list(arguments.items()):
        if to_camel(key) in params and isinstance(value, str) and value:
            last = value[-1]
            other = {
                **arguments,
                key: value[:-1] + ("1" if last == "0" else "0" if last.isdigit() else "y" if last == "z" else "z"),
            }
            if valid(name, other):  # same shape: an enum (a language code) stays as it was
                arguments, changed = other, True
    return arguments if changed else None


def failing(name: str) -> Fault:
    operation = SPECS[name].operation
    if operation is None:
        return Fault("status", status=500)
    return Fault("status", method=operation.method, path=operation.path, status=500)


@pytest.mark.parametrize("name", TOOLS)
async def test_no_secret_leaks_and_third_party_text_stays_fenced(server, switch, events, server_log, name):
    cases: list[tuple[str, dict[str, Any], Fault | None, bool]] = [("success", example(name), None, False)]
    if SPECS[name].confirmation is not None:
        cases.append(("success by elicitation", example(name), None, True))
    cases.append(("the API failing", example(name), failing(name), False))
    if (wrong := wrong_identifiers(name)) is not None:
        cases.append(("a wrong identifier", wrong, None, False))
    for label, arguments, fault, elicit in cases:
        canaries = fresh(switch)
        if fault is not None:
            switch.state.faults.add(fault)
        delivered = await deliver_canary_event(events)
        log_start = server_log.tell()
        seen = await run_case(server, switch, name, arguments, elicit=elicit)
        given = secret_arguments(name, arguments) + list(delivered.secrets.values())
        log = server_log.getvalue()[log_start:]
        assert "api_call" in log or not switch.requests, "the server's log is read"
        try:
            assert_no_secret(seen, log, switch, canaries, given)
            assert_only_fenced(seen)
        except AssertionError as exc:
            raise AssertionError(f"{name}, {label}: {exc}") from None
        if label == "success":
            SWEPT[name] = (bool(canaries.secrets), any(MARKER in text for text in seen.texts))


# What the success paths met, per tool: (a secret was planted in an answer, the injection came back fenced).
SWEPT: dict[str, tuple[bool, bool]] = {}


async def deliver_canary_event(events) -> Canaries:
    """A provisioning event Sinch signs and posts to this server, over the receiver's own route: a resource
    with the sandbox's canaries planted in it, and the injection as its comment."""
    canaries = Canaries()
    payload = canaries.plant(
        {"id": "01J00000000000000000WEBHK1", "name": "x y", "comment": "z", "authToken": "t0ken-value"}
    )
    event = Event(
        1, "WHATSAPP_SENDER_REJECTED", payload, time.time(), "whatsapp_sender", "sender-1", canaries.injection
    )
    body, headers = signed(event, events.secret, time.time())
    app = Starlette(routes=[receiver_route(events, (events.secret,))])
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://server") as http:
        answer = await http.post(EVENTS_PATH, content=body, headers=headers)
    assert answer.status_code < 300, answer.text
    return canaries


def test_the_sweep_met_its_canaries():
    """Not vacuous: over the success paths, the sandbox planted secrets and the injection reached results."""
    if set(SWEPT) != set(TOOLS):
        pytest.skip("runs after the whole sweep")
    assert sum(secret for secret, _ in SWEPT.values()) >= 10
    fenced = [name for name, (_, seen) in SWEPT.items() if seen]
    print(
        f"canaries: secrets planted for {sum(s for s, _ in SWEPT.values())} tools, "
        f"injection fenced in {len(fenced)} of {len(TOOLS)}"
    )
    assert len(fenced) >= len(TOOLS) // 2, sorted(set(TOOLS) - set(fenced))


def example_projects() -> set[str]:
    return {SANDBOX_PROJECT_ID} | {
        str(SPECS[name].example["project_id"]) for name in TOOLS if "project_id" in (SPECS[name].example or {})
    }


async def test_review_outcomes_with_a_reason_come_back_fenced(server, switch):
    """Rejection reasons and every other timed outcome's reason, written by Meta, Google, KakaoTalk or operators:
    every outcome of every resource type that can have one ends with the injection as its reason."""
    state = switch.reset()
    for type_ in switch.inner.app.state.resource_types.values():
        for outcome in sorted(type_.outcomes)[:1]:
            for project in example_projects():
                state.set_outcome(project, type_, outcome, reason=INJECTION_REASON, count=1000)
    async with Client(server) as client:
        for name in TOOLS:
            await call(client, name, example(name))
        state.advance(61 * 86_400)  # past every review, launch and grace period
        seen = Seen()
        for name in TOOLS:
            if SPECS[name].policy.read_only:
                seen.texts += shown(await call(client, name, example(name)))
    assert_only_fenced(seen)
    assert any(MARKER in text for text in seen.texts), "no outcome's reason came back: the sweep would be vacuous"


INJECTION_REASON = Canaries().injection


async def test_third_party_text_never_reaches_descriptions_prompts_resources_or_instructions(server, switch):
    """The server's own texts: even with every answer full of canaries, none of them carries one, fenced or not."""
    fresh(switch)
    texts: list[str] = []
    async with Client(server) as client:
        for name in TOOLS:
            await call(client, name, example(name))
        assert client.instructions
        texts.append(client.instructions)
        texts += strings((await client.list_tools()).model_dump(mode="json"))
        for prompt in (await client.list_prompts()).prompts:
            texts += strings(prompt.model_dump(mode="json"))
            required = {argument.name: "x" for argument in prompt.arguments or [] if argument.required}
            texts += strings((await client.get_prompt(prompt.name, required)).model_dump(mode="json"))
        for resource in (await client.list_resources()).resources:
            texts += strings(resource.model_dump(mode="json"))
            texts += strings((await client.read_resource(str(resource.uri))).model_dump(mode="json"))
        texts += strings((await client.list_resource_templates()).model_dump(mode="json"))
    assert texts
    assert not [text for text in texts if MARKER in text]


async def test_rcs_brand_addresses_and_urls_are_fenced(server, switch):
    """Found by the sweep: a brand's e-mail addresses and URLs are whatever its editor typed."""
    switch.reset()
    async with Client(server) as client:
        sender = (await call(client, "get_rcs_sender", example("get_rcs_sender"))).structured_content["sender"]
    brand = sender["details"]["brand"]
    for key in ("logoUrl", "bannerUrl", "privacyPolicyUrl", "termsOfServiceUrl"):
        assert unfence(brand[key]).startswith("https://"), key
    assert "@" in unfence(brand["emails"][0]["address"])
    assert unfence(brand["websites"][0]["url"]).startswith("https://")


async def test_the_sandbox_plants_canaries_only_when_asked(client, sandbox_app):
    """The layer itself, over HTTP: secrets and third-party text replaced, identifiers kept, errors quote the
    request; off by default."""
    sender = f"/v1/projects/{SANDBOX_PROJECT_ID}/rcs/senders/00000000-0000-4000-8000-000000000051"
    plain = (await client.get(sender)).json()
    canaries = sandbox_app.state.sandbox.canaries = Canaries()
    planted = (await client.get(sender)).json()
    refused = await client.post(
        f"/v1/projects/{SANDBOX_PROJECT_ID}/webhooks", json={"target": "nope", "secret": "s3cret-value"}
    )
    templates = (await client.get(f"/v1/projects/{SANDBOX_PROJECT_ID}/whatsapp/templates")).json()["templates"]
    assert plain["authToken"] != planted["authToken"] == canaries.secrets["authToken"]
    assert planted["details"]["brand"]["name"] == canaries.injection != plain["details"]["brand"]["name"]
    asked, answered = planted["details"]["questionnaire"]["general"], plain["details"]["questionnaire"]["general"]
    assert planted["id"] == plain["id"] and asked["questions"] == answered["questions"], "Sinch's questions are kept"
    assert set(asked["answers"].values()) == {canaries.injection} != set(answered["answers"].values())
    assert all(MARKER not in template["name"] for template in templates), "an identifier-shaped name is a key"
    assert refused.status_code == 400 and refused.json()["additionalInformation"]["request"]["secret"] == "s3cret-value"
    assert "s3cret-value" in refused.json()["message"]
