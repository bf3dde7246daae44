"""Issue #15, item 1: every tool under the failures of a real network and a real API.

For every tool (from the registry) and every fault the sandbox injects, on the operation
the tool performs: retries are bounded (3, with backoff and full jitter capped at 10 s, a
`Retry-After` honoured, a longer one not waited for), a change that may have been applied
is never repeated (the result says the outcome is unknown and how to check), nothing is
created twice or lost, a failure is a clean `isError` result that says what to do next,
and no call hangs.

What each operation may do is read from the catalog: `idempotent` operations may be
repeated after a lost answer or a 5xx; the others only after a 429, which says the
request was refused, and after a token refresh. No retry waits real time (`Sleeps`).
One session serves every case (each on a fresh sandbox), in one event loop behind a
blocking portal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from mcp import Client
from mcp_types import CallToolResult

from reliability import (
    OPERATIONS,
    SPECS,
    TOOLS,
    SandboxSwitch,
    Sleeps,
    call,
    example,
    inventory,
    operation_of,
    reliability_server,
    session_in,
)
from sinch_provisioning_mcp.sandbox.faults import Fault
from sinch_provisioning_mcp.server.app import embedded_sandbox
from sinch_provisioning_mcp.server.config import ConfigError, load_settings

MAX_RETRIES = 3  # the seed's retry policy: at most 3, exponential backoff with full jitter, at most 10 s
BASE_DELAY = 0.5
MAX_DELAY = 10.0
HOUR = 3600.0


@pytest.fixture(scope="module")
def switch() -> SandboxSwitch:
    return SandboxSwitch()


@pytest.fixture(scope="module")
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture(scope="module")
def portal() -> BlockingPortal:
    with start_blocking_portal() as portal:
        yield portal


@pytest.fixture(scope="module")
def client(portal, switch, sleeps):
    with session_in(portal, reliability_server(switch, sleeps)) as client:
        yield client


@dataclass
class Run:
    """One call of a tool's example against a fresh sandbox, and what it did there."""

    result: CallToolResult
    sent: dict[str, int]  # operation -> requests performing it
    tokens: int  # token requests
    sleeps: list[float]
    inventory: dict[str, int]

    @property
    def error(self) -> dict[str, Any]:
        return (self.result.structured_content or {}).get("error", {})

    @property
    def body(self) -> dict[str, Any]:
        return self.result.structured_content or {}


async def run(
    client: Client,
    switch: SandboxSwitch,
    sleeps: Sleeps,
    name: str,
    fault: Fault | None = None,
    *,
    time_out: str | None = None,
) -> Run:
    switch.reset()
    sleeps.delays.clear()
    if fault is not None:
        switch.state.faults.add(fault)
    switch.time_out = time_out
    result = await call(client, name, example(name))
    sent: dict[str, int] = {}
    for request in switch.requests:
        key = operation_of(request)
        if key is not None:
            sent[key] = sent.get(key, 0) + 1
    return Run(result, sent, switch.token_requests(), list(sleeps.delays), dict(inventory(switch)))


_clean_runs: dict[str, Run] = {}


async def clean(client: Client, switch, sleeps, name: str) -> Run:
    """The tool's example without faults (once per tool): the operations it performs, what it leaves."""
    if name not in _clean_runs:
        _clean_runs[name] = await run(client, switch, sleeps, name)
        assert not _clean_runs[name].result.is_error, _clean_runs[name].result.content[0].text
    return _clean_runs[name]


def target(spec_name: str, clean_run: Run) -> str | None:
    """The operation to fail: the tool's own, or for a helper without one the first it performs."""
    spec = SPECS[spec_name]
    if spec.operation is not None:
        return spec.operation.key
    return next(iter(clean_run.sent), None)


def repeatable(operation: str) -> bool:
    return bool(OPERATIONS[operation]["idempotent"])


# --- what a failure must look like -------------------------------------------------------


def _part_errors(value: Any) -> list[dict[str, Any]]:
    """The errors a result reports for its parts (an overview reading several families)."""
    if isinstance(value, dict):
        own = [value["error"]] if isinstance(value.get("error"), dict) else []
        return own + [e for key, item in value.items() if key != "error" for e in _part_errors(item)]
    return []


def assert_clean_failure(run: Run) -> None:
    """An isError result with the error's code and words, and what to do next."""
    assert run.result.is_error, f"expected a failure, got {run.body}"
    error = run.error
    assert error.get("errorCode") and error.get("message"), f"not a structured error: {run.result.content[0].text}"
    advice = error.get("resolution") or run.body.get("next_steps")
    assert advice, f"the error does not say what to do next: {run.body}"


def assert_outcome_unknown(run: Run, operation: str) -> None:
    """A change that may have been applied: said so, with how to check, and never sent twice."""
    assert_clean_failure(run)
    assert run.body.get("outcome_unknown") is True, (
        f"{operation} may have been applied; the result must say so: {run.body}"
    )
    steps = run.body.get("next_steps") or []
    assert steps, "an unknown outcome says how to check it"
    served = set(SPECS)
    named = {word.strip("`.,:;()") for step in steps for word in step.split()}
    checks = [name for name in named & served if SPECS[name].policy.read_only]
    assert checks, f"next_steps should name a read tool to check with: {steps}"


def assert_bounded_backoff(delays: list[float]) -> None:
    for number, delay in enumerate(delays):
        assert 0 <= delay <= min(MAX_DELAY, BASE_DELAY * 2**number), f"retry {number} waited {delay}s: {delays}"


# --- the scenarios ---------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    fault: Callable[[str, str], Fault]  # (method, path template) -> the fault on that operation
    check: Callable[[Run, Run, str], None]  # (faulty run, clean run, operation)
    time_out: bool = False


def on(kind: str, **options: Any) -> Callable[[str, str], Fault]:
    return lambda method, path: Fault(kind, method=method, path=path, **options)


def retried_once_then_served(run: Run, clean_run: Run, operation: str) -> None:
    assert not run.result.is_error, run.result.content[0].text
    assert run.sent[operation] == clean_run.sent[operation] + 1


def rate_limited_once(retry_after: int | None) -> Callable[[Run, Run, str], None]:
    def check(run: Run, clean_run: Run, operation: str) -> None:
        # A 429 refused the request: repeating it is safe for every operation, POSTs included.
        retried_once_then_served(run, clean_run, operation)
        if retry_after is not None:
            assert run.sleeps == [float(retry_after)], "Retry-After is honoured"
        else:
            assert len(run.sleeps) == 1
            assert_bounded_backoff(run.sleeps)

    return check


def rate_limited_always(run: Run, clean_run: Run, operation: str) -> None:
    assert_clean_failure(run)
    assert run.error["errorCode"] == "too_many_requests"
    assert run.sent[operation] == 1 + MAX_RETRIES
    assert len(run.sleeps) == MAX_RETRIES
    assert_bounded_backoff(run.sleeps)
    assert run.body["outcome_unknown"] is False


def asked_to_wait_too_long(run: Run, clean_run: Run, operation: str) -> None:
    # Retry-After beyond the 10 s cap ends the retries rather than being shortened.
    assert_clean_failure(run)
    assert run.sent[operation] == 1 and run.sleeps == []


def server_error_once(run: Run, clean_run: Run, operation: str) -> None:
    if repeatable(operation):
        retried_once_then_served(run, clean_run, operation)
        assert_bounded_backoff(run.sleeps)
    else:
        assert run.sent[operation] == 1, "a change that may have been applied is not repeated"
        assert_outcome_unknown(run, operation)


def failing_always(run: Run, clean_run: Run, operation: str) -> None:
    """5xx, an HTML error page, no answer in time, a dropped connection: every time."""
    if repeatable(operation):
        assert_clean_failure(run)
        assert run.sent[operation] == 1 + MAX_RETRIES
        assert_bounded_backoff(run.sleeps)
        if OPERATIONS[operation]["effect"] == "read":
            assert run.body["outcome_unknown"] is False
    else:
        assert run.sent[operation] == 1, "a change that may have been applied is not repeated"
        assert_outcome_unknown(run, operation)


def answer_lost_after_the_change(run: Run, clean_run: Run, operation: str) -> None:
    """The API applied the request and the answer was lost: applied once, whatever happens next."""
    assert run.inventory == clean_run.inventory, "nothing created twice, nothing lost"
    if repeatable(operation):
        assert run.sent[operation] == clean_run.sent[operation] + 1
        if run.result.is_error:
            assert_clean_failure(run)
    else:
        assert run.sent[operation] == 1
        assert_outcome_unknown(run, operation)


def unreadable_success(run: Run, clean_run: Run, operation: str) -> None:
    """A 200 whose JSON is cut off: the request was handled, its answer cannot be read."""
    assert run.sent[operation] == clean_run.sent[operation]
    if OPERATIONS[operation]["effect"] == "read":
        assert_clean_failure(run)
        assert run.body["outcome_unknown"] is False
    elif repeatable(operation):
        assert_clean_failure(run)
    else:
        assert_outcome_unknown(run, operation)


def token_expired_mid_session(run: Run, clean_run: Run, operation: str) -> None:
    retried_once_then_served(run, clean_run, operation)
    assert run.tokens == 1, "one new token, fetched once"
    assert run.sleeps == []


SCENARIOS = [
    Scenario("429_retry_after", on("status", status=429, retry_after=2, count=1), rate_limited_once(2)),
    Scenario("429_backoff", on("status", status=429, count=1), rate_limited_once(None)),
    Scenario("429_always", on("status", status=429), rate_limited_always),
    Scenario("429_retry_after_beyond_cap", on("status", status=429, retry_after=60), asked_to_wait_too_long),
    Scenario("500_once", on("status", status=500, count=1), server_error_once),
    Scenario("502_once", on("status", status=502, count=1), server_error_once),
    Scenario("503_always", on("status", status=503), failing_always),
    Scenario("html_502_always", on("html"), failing_always),
    Scenario("slower_than_timeout", on("delay", seconds=HOUR), failing_always, time_out=True),
    Scenario("dropped_always", on("drop"), failing_always),
    Scenario("answer_lost_after_change", on("drop_after", count=1), answer_lost_after_the_change),
    Scenario("malformed_json", on("malformed_json"), unreadable_success),
    Scenario("token_expires_mid_session", on("expire_token", count=1), token_expired_mid_session),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
@pytest.mark.parametrize("name", TOOLS)
def test_every_tool_under_every_fault(portal, client, switch, sleeps, name, scenario):
    clean_run = portal.call(clean, client, switch, sleeps, name)
    operation = target(name, clean_run)
    if operation is None:
        # Nothing of it goes to the API (the events this server received): no API fault can reach it.
        assert clean_run.sent == {}
        return
    method, path = operation.split(" ", 1)
    fault = scenario.fault(method, path)
    faulty = portal.call(
        lambda: run(client, switch, sleeps, name, fault, time_out=operation if scenario.time_out else None)
    )
    if not faulty.result.is_error and _part_errors(faulty.body) and not _part_errors(clean_run.body):
        # A tool reading several parts (the overview) reports the failing part in its place, the rest served.
        (error,) = _part_errors(faulty.body)
        assert error.get("errorCode") and error.get("message") and faulty.body.get("next_steps"), faulty.body
        return
    scenario.check(faulty, clean_run, operation)


# --- the rules above, named once ----------------------------------------------------------------


def test_retries_follow_the_catalog_not_the_http_method(portal, client, switch, sleeps):
    """The test-number retry is a GET that sends an invite (not idempotent): never repeated after a 503;
    wabaDetails is a POST that only reads (idempotent): repeated like any read."""
    invite = SPECS["resend_rcs_test_number_invite"].operation
    lookup = SPECS["list_whatsapp_waba_details"].operation
    resent = portal.call(
        run,
        client,
        switch,
        sleeps,
        "resend_rcs_test_number_invite",
        Fault("status", method="GET", path=invite.path, status=503),
    )
    looked_up = portal.call(
        run,
        client,
        switch,
        sleeps,
        "list_whatsapp_waba_details",
        Fault("status", method="POST", path=lookup.path, status=503, count=1),
    )
    assert resent.sent[invite.key] == 1 and resent.body["outcome_unknown"] is True
    assert resent.body["next_steps"] == [
        "Before trying again, call get_rcs_test_number to see whether the change was applied: "
        "repeating it could apply it twice."
    ]
    assert looked_up.sent[lookup.key] == 2 and not looked_up.result.is_error


def test_an_unknown_outcome_names_the_tool_that_shows_it(portal, client, switch, sleeps):
    """A 5xx to a creation, and a lost answer to a comment: not repeated; the result says which read tool to check."""
    create = SPECS["create_webhook"].operation
    comment = SPECS["add_rcs_account_comment"].operation
    failed = portal.call(
        run, client, switch, sleeps, "create_webhook", Fault("status", method="POST", path=create.path, status=500)
    )
    lost = portal.call(
        run, client, switch, sleeps, "add_rcs_account_comment", Fault("drop_after", method="POST", path=comment.path)
    )
    assert failed.error["status"] == 500 and failed.body["outcome_unknown"] is True
    assert "call list_webhooks to see whether the change was applied" in failed.body["next_steps"][0]
    assert lost.body["outcome_unknown"] is True and "list_rcs_account_activities" in lost.body["next_steps"][0]
    assert lost.inventory == portal.call(clean, client, switch, sleeps, "add_rcs_account_comment").inventory


def test_a_read_without_an_answer_says_nothing_changed_and_to_try_again(portal, client, switch, sleeps):
    listing = SPECS["list_webhooks"].operation
    dropped = portal.call(run, client, switch, sleeps, "list_webhooks", Fault("drop", method="GET", path=listing.path))
    assert dropped.error["errorCode"] == "api_unreachable" and dropped.body["outcome_unknown"] is False
    assert dropped.body["next_steps"][0].startswith(
        "Nothing was changed: the API did not answer. Try again in a minute"
    )


def test_the_embedded_sandbox_takes_its_faults_from_the_environment(monkeypatch):
    """SINCH_SANDBOX_FAULTS, for runs against a server process (the load run): checked before the server starts."""
    monkeypatch.setenv(
        "SINCH_SANDBOX_FAULTS", '[{"kind": "status", "status": 503, "probability": 0.05}, {"kind": "drop", "count": 2}]'
    )
    state = embedded_sandbox(load_settings(sandbox=True))
    assert [(f.kind, f.status, f.probability, f.count) for f in state.faults.active] == [
        ("status", 503, 0.05, None),
        ("drop", None, 1.0, 2),
    ]
    for bad, says in [
        ("{}", "must be a JSON list of faults"),
        ('[{"kind": "status", "status": 200}]', "fault 1: status faults answer one of [429, 500, 502, 503, 504]"),
        ('[{"kind": "drop"}, {"kind": "drop", "probability": "often"}]', "fault 2: probability must be a number"),
    ]:
        monkeypatch.setenv("SINCH_SANDBOX_FAULTS", bad)
        with pytest.raises(ConfigError) as refused:
            load_settings(sandbox=True)
        assert says in str(refused.value)
