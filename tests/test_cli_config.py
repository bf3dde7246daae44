"""The command line and the configuration: version and help, refusals, and what each configuration talks to."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from urllib.parse import parse_qs

import httpx2
import pytest
from mcp import Client
from pydantic import SecretStr

from conftest import RecordingTransport
from sinch_provisioning_mcp import __version__
from sinch_provisioning_mcp.cli import main
from sinch_provisioning_mcp.sandbox import FIXTURE_WEBHOOK_ID, SANDBOX_KEY_ID, SANDBOX_KEY_SECRET, create_app
from sinch_provisioning_mcp.server.app import build_server, embedded_sandbox
from sinch_provisioning_mcp.server.config import ConfigError, Settings, load_settings

CANARY_KEY_ID = "canary-key-id-5d1e9a7c"
CANARY_KEY_SECRET = "canary-key-secret-8b4f2e60"
CANARIES = {"SINCH_KEY_ID": CANARY_KEY_ID, "SINCH_KEY_SECRET": CANARY_KEY_SECRET}

ISSUED_TOKEN = "issued-token-3c9e1f7a"
PROJECT = "proj-123"
WEBHOOK = {"id": "01HZX3V5T9K8M2N4P6Q8R0S2T4", "target": "https://example.com/in", "projectId": PROJECT, "triggers": ["ALL"]}
SUBPROCESS_TIMEOUT = 20


def child_env(**extra: str) -> dict[str, str]:
    """The test process's environment without any SINCH_* variable, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SINCH_")}
    return {**env, **extra}


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = SUBPROCESS_TIMEOUT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sinch_provisioning_mcp", *args],
        env=env or child_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


# --- 1. version and help ------------------------------------------------------------------------


def test_version_prints_the_package_version():
    done = run_cli("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"sinch-provisioning-mcp {__version__}"
    assert __version__ != "0.0.0", "the package is installed, so the version comes from its metadata"


def test_help_lists_the_flags_and_subcommands(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for flag in ("--transport", "--sandbox", "--toolsets", "--read-only", "--host", "--port", "--version"):
        assert flag in text
    assert "{sandbox,demo,doctor}" in text
    assert "sandbox " in text and "demo " in text
    assert "stdio" in text and "http" in text


# --- 2. configuration errors on the command line -----------------------------------------------

REFUSED = {
    "provisioning-url-http": ({"SINCH_PROVISIONING_URL": "http://provisioning.api.sinch.com"}, [], "not https"),
    "provisioning-url-foreign": ({"SINCH_PROVISIONING_URL": "https://evil.example.com"}, [], "evil.example.com"),
    "provisioning-url-suffix-trick": (
        {"SINCH_PROVISIONING_URL": "https://provisioning.api.sinch.com.evil.com"},
        [],
        "provisioning.api.sinch.com.evil.com is not a first-party",
    ),
    "auth-url-foreign": ({"SINCH_AUTH_URL": "https://auth.example.org"}, [], "SINCH_AUTH_URL"),
    "auth-mode-unknown": ({"SINCH_AUTH_MODE": "token"}, [], "SINCH_AUTH_MODE"),
    "toolset-unknown": ({}, ["--toolsets", "webhooks,nope"], "nope"),
    "loopback-without-allow": (
        {"SINCH_PROVISIONING_URL": "http://127.0.0.1:9", "SINCH_AUTH_URL": "http://127.0.0.1:9/oauth2/token"},
        [],
        "SINCH_ALLOW_LOOPBACK=1",
    ),
    "url-with-credentials": (
        {"SINCH_PROVISIONING_URL": f"https://{CANARY_KEY_ID}:{CANARY_KEY_SECRET}@provisioning.api.sinch.com"},
        [],
        "carries credentials",
    ),
}
LOOPBACK_ALLOWED = {
    "SINCH_PROVISIONING_URL": "http://127.0.0.1:9",
    "SINCH_AUTH_URL": "http://localhost:9/oauth2/token",
    "SINCH_ALLOW_LOOPBACK": "1",
}


@pytest.fixture(scope="module")
def cli_runs() -> dict[str, subprocess.CompletedProcess[str]]:
    """Every refused configuration (and the allowed loopback one), run as real processes, concurrently."""
    cases = {name: (env, args) for name, (env, args, _) in REFUSED.items()}
    cases["loopback-allowed"] = (LOOPBACK_ALLOWED, [])
    processes: dict[str, subprocess.Popen[str]] = {}
    try:
        for name, (env, args) in cases.items():
            processes[name] = subprocess.Popen(
                [sys.executable, "-m", "sinch_provisioning_mcp", *args],
                env=child_env(**CANARIES, **env),
                stdin=subprocess.DEVNULL,  # a stdio server that starts sees EOF and exits
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        results = {}
        for name, process in processes.items():
            stdout, stderr = process.communicate(timeout=SUBPROCESS_TIMEOUT)
            results[name] = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
        return results
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.wait(timeout=5)


@pytest.mark.parametrize("case", list(REFUSED))
def test_configuration_error_is_one_line_and_exit_2(cli_runs, case):
    done = cli_runs[case]
    expected = REFUSED[case][2]
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("configuration error:")
    assert expected in lines[0]
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    for canary in (CANARY_KEY_ID, CANARY_KEY_SECRET):
        assert canary not in done.stdout and canary not in done.stderr


def test_loopback_http_is_accepted_with_allow_loopback(cli_runs):
    done = cli_runs["loopback-allowed"]
    assert done.returncode == 0, done.stderr
    assert "configuration error" not in done.stderr
    assert "Traceback" not in done.stderr
    for canary in (CANARY_KEY_ID, CANARY_KEY_SECRET):
        assert canary not in done.stdout and canary not in done.stderr


@pytest.mark.parametrize("case", [c for c in REFUSED if c != "toolset-unknown"])
def test_main_in_process_prints_one_line_and_returns_2(monkeypatch, capsys, case):
    env, args, expected = REFUSED[case]
    for name, value in {**CANARIES, **env}.items():
        monkeypatch.setenv(name, value)
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("configuration error:")
    assert expected in captured.err
    assert CANARY_KEY_ID not in captured.err and CANARY_KEY_SECRET not in captured.err


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "example.com"])
def test_http_transport_refuses_to_bind_beyond_loopback(capsys, host):
    assert main(["--sandbox", "--transport", "http", "--host", host]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"configuration error: --host {host} is not a loopback address")


def test_unknown_toolset_in_process(capsys):
    assert main(["--sandbox", "--toolsets", "webhooks,nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("configuration error: unknown toolset(s) nope;")
    assert "webhooks" in err and "rcs" in err


def served_sandbox(monkeypatch: pytest.MonkeyPatch, *args: str) -> dict:
    """What `sinch-provisioning-mcp sandbox ARGS` hands to uvicorn, captured instead of served."""
    import uvicorn

    served: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.update(app=app, **options))
    assert main(["sandbox", *args]) == 0
    return served


async def sandbox_settings(app) -> tuple[dict, dict]:
    """The token response and the clock control of a served sandbox app."""
    key = (SANDBOX_KEY_ID, SANDBOX_KEY_SECRET)
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://sandbox") as client:
        token = await client.post("/oauth2/token", auth=key, data={"grant_type": "client_credentials"})
        clock = await client.get("/_sandbox/clock", auth=key)
    return token.json(), clock.json()


async def test_sandbox_subcommand_takes_token_lifetime_and_transition_delay(monkeypatch):
    served = served_sandbox(monkeypatch, "--port", "8123", "--token-lifetime", "7", "--transition-delay", "0.5")
    assert (served["host"], served["port"]) == ("127.0.0.1", 8123)
    token, clock = await sandbox_settings(served["app"])
    assert token["expires_in"] == 7
    assert clock["transitionDelaySeconds"] == 0.5


async def test_sandbox_subcommand_defaults_are_sinch_like(monkeypatch):
    token, clock = await sandbox_settings(served_sandbox(monkeypatch)["app"])
    assert token["expires_in"] == 3599
    assert clock["transitionDelaySeconds"] == 5


@pytest.mark.parametrize(
    "args",
    [
        ["--token-lifetime", "0"],
        ["--token-lifetime", "1.5"],
        ["--token-lifetime", "soon"],
        ["--transition-delay", "-1"],
        ["--transition-delay", "inf"],
        ["--transition-delay", "nan"],
    ],
)
def test_sandbox_subcommand_refuses_bad_durations(capsys, args):
    with pytest.raises(SystemExit) as exit_info:
        main(["sandbox", *args])
    assert exit_info.value.code == 2
    assert "seconds" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("url", "auth_url"),
    [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/oauth2/token"),
        ("http://localhost:8080", "http://localhost:8080/oauth2/token"),
        ("http://[::1]:8080", "http://[::1]:8080/oauth2/token"),
    ],
)
def test_loopback_needs_allow_loopback(monkeypatch, url, auth_url):
    monkeypatch.setenv("SINCH_PROVISIONING_URL", url)
    monkeypatch.setenv("SINCH_AUTH_URL", auth_url)
    with pytest.raises(ConfigError, match="SINCH_ALLOW_LOOPBACK=1"):
        load_settings()
    monkeypatch.setenv("SINCH_ALLOW_LOOPBACK", "1")
    settings = load_settings()
    assert settings.provisioning_url == url and settings.auth_url == auth_url


def test_allow_loopback_admits_loopback_only(monkeypatch):
    monkeypatch.setenv("SINCH_ALLOW_LOOPBACK", "1")
    for url in ("http://10.0.0.1", "http://provisioning.api.sinch.com", "https://evil.example.com"):
        monkeypatch.setenv("SINCH_PROVISIONING_URL", url)
        with pytest.raises(ConfigError):
            load_settings()


def test_defaults_are_the_sinch_hosts():
    settings = load_settings()
    assert settings.provisioning_url == "https://provisioning.api.sinch.com"
    assert settings.auth_url == "https://auth.sinch.com/oauth2/token"
    assert settings.auth_mode == "oauth" and settings.sandbox is False and settings.allow_loopback is False


def test_cli_flags_override_the_environment(monkeypatch):
    monkeypatch.setenv("SINCH_MCP_TOOLSETS", "rcs")
    monkeypatch.setenv("SINCH_MCP_READ_ONLY", "false")
    settings = load_settings(sandbox=True, toolsets="webhooks", read_only=True)
    assert settings.toolsets == ["webhooks"] and settings.read_only is True and settings.sandbox is True
    # None means "not given on the command line": the environment stands.
    settings = load_settings(sandbox=None, toolsets=None, read_only=None)
    assert settings.toolsets == ["rcs"] and settings.read_only is False and settings.sandbox is False


# --- 3. refused before any credential leaves -----------------------------------------------------


def recording_mock() -> RecordingTransport:
    return RecordingTransport(httpx2.MockTransport(lambda request: httpx2.Response(200, json={})))


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SINCH_PROVISIONING_URL", "https://evil.example.com"),
        ("SINCH_PROVISIONING_URL", "https://provisioning.api.sinch.com.evil.com"),
        ("SINCH_PROVISIONING_URL", "http://provisioning.api.sinch.com"),
        ("SINCH_AUTH_URL", "https://auth.example.org"),
        ("SINCH_AUTH_URL", "http://auth.sinch.com/oauth2/token"),
    ],
)
def test_foreign_urls_refuse_before_any_request(monkeypatch, variable, value):
    monkeypatch.setenv("SINCH_PROJECT_ID", PROJECT)
    for name, canary in CANARIES.items():
        monkeypatch.setenv(name, canary)
    monkeypatch.setenv(variable, value)
    transport = recording_mock()
    with pytest.raises(ConfigError) as refused:
        build_server(load_settings(), transport=transport)
    assert str(refused.value).startswith(f"configuration error: {variable}:")
    assert CANARY_KEY_ID not in str(refused.value) and CANARY_KEY_SECRET not in str(refused.value)
    assert transport.requests == []


@pytest.mark.parametrize("auth_mode", ["oauth", "basic"])
async def test_unvalidated_settings_still_cannot_send_credentials_elsewhere(auth_mode):
    """Even settings that skipped validation meet the guarded transport before any byte is sent."""
    settings = Settings.model_construct(
        project_id=PROJECT,
        key_id=SecretStr(CANARY_KEY_ID),
        key_secret=SecretStr(CANARY_KEY_SECRET),
        provisioning_url="https://evil.example.com",
        auth_url="https://evil.example.com/oauth2/token",
        auth_mode=auth_mode,
    )
    transport = recording_mock()
    async with Client(build_server(settings, transport=transport)) as client:
        result = await client.call_tool("list_webhooks", {})
    assert result.is_error
    assert "evil.example.com is not a first-party Sinch host" in result.content[0].text
    assert transport.requests == []
    assert CANARY_KEY_ID not in result.model_dump_json() and CANARY_KEY_SECRET not in result.model_dump_json()


# --- 4. no credentials -------------------------------------------------------------------------


async def test_without_credentials_the_server_starts_and_says_what_is_missing():
    transport = recording_mock()
    async with Client(build_server(load_settings(), transport=transport)) as client:
        tools = {tool.name for tool in (await client.list_tools()).tools}
        result = await client.call_tool("list_webhooks", {})
    assert {"list_webhooks", "get_webhook", "create_webhook", "delete_webhook"} <= tools
    assert result.is_error
    text = result.content[0].text
    for name in ("SINCH_PROJECT_ID", "SINCH_KEY_ID", "SINCH_KEY_SECRET", "--sandbox"):
        assert name in text
    assert result.structured_content["environment"] == "sinch"
    assert result.structured_content["error"]["errorCode"] == "not_configured"
    assert result.structured_content["outcome_unknown"] is False
    assert transport.requests == []


async def test_only_the_missing_variables_are_named(monkeypatch):
    monkeypatch.setenv("SINCH_PROJECT_ID", PROJECT)
    monkeypatch.setenv("SINCH_KEY_ID", CANARY_KEY_ID)
    transport = recording_mock()
    async with Client(build_server(load_settings(), transport=transport)) as client:
        result = await client.call_tool("list_webhooks", {})
    assert result.is_error
    text = result.content[0].text
    assert "SINCH_KEY_SECRET" in text
    assert "SINCH_PROJECT_ID" not in text and "SINCH_KEY_ID," not in text
    assert CANARY_KEY_ID not in text
    assert transport.requests == []


def test_access_token_and_project_are_enough_for_oauth(monkeypatch):
    monkeypatch.setenv("SINCH_ACCESS_TOKEN", "preissued-token")
    monkeypatch.setenv("SINCH_PROJECT_ID", PROJECT)
    assert load_settings().missing_credentials() == []
    # Basic auth has no use for a token: it needs the key.
    monkeypatch.setenv("SINCH_AUTH_MODE", "basic")
    assert load_settings().missing_credentials() == ["SINCH_KEY_ID", "SINCH_KEY_SECRET"]


async def test_access_token_is_sent_as_bearer_without_a_token_request(monkeypatch):
    monkeypatch.setenv("SINCH_ACCESS_TOKEN", "preissued-token-77")
    monkeypatch.setenv("SINCH_PROJECT_ID", PROJECT)
    sinch = MockSinch()
    async with Client(build_server(load_settings(), transport=sinch.transport)) as client:
        result = await client.call_tool("list_webhooks", {})
    assert not result.is_error, result.content
    assert result.structured_content["environment"] == "sinch"
    assert sinch.token_requests == []
    assert [r.headers["authorization"] for r in sinch.api_requests] == ["Bearer preissued-token-77"]


# --- 5. sandbox mode ---------------------------------------------------------------------------


async def create_webhook(client: Client, **extra: object):
    return await client.call_tool(
        "create_webhook",
        {"target": "https://example.com/sinch/events", "secret": "s3cret-value-1234", "triggers": ["ALL"], **extra},
    )


async def test_sandbox_needs_no_project_and_says_so(make_server, sandbox_transport):
    async with Client(make_server()) as client:
        created = await create_webhook(client)
        listed = await client.call_tool("list_webhooks", {})
    for result in (created, listed):
        assert not result.is_error, result.content
        assert result.structured_content["environment"] == "sandbox"
        assert result.structured_content["project_id"] == "sandbox-project"
    listed_ids = {w["id"] for w in listed.structured_content["webhooks"]}
    assert listed_ids == {created.structured_content["webhook"]["id"], FIXTURE_WEBHOOK_ID}
    assert "GET /v1/projects/sandbox-project/webhooks" in sandbox_transport.api_calls()


async def test_sandbox_project_id_argument_reaches_another_project(make_server, sandbox_transport):
    async with Client(make_server()) as client:
        await create_webhook(client)
        other = await client.call_tool("list_webhooks", {"project_id": "other-project"})
        default = await client.call_tool("list_webhooks", {})
    assert not other.is_error
    assert other.structured_content["project_id"] == "other-project"
    assert other.structured_content["environment"] == "sandbox"
    assert other.structured_content["webhooks"] == [] and other.structured_content["total_size"] == 0
    assert default.structured_content["total_size"] == 2  # the seeded fixture and the new one
    assert "GET /v1/projects/other-project/webhooks" in sandbox_transport.api_calls()


async def test_sandbox_uses_the_configured_project_when_given(monkeypatch, make_server, sandbox_transport):
    monkeypatch.setenv("SINCH_PROJECT_ID", "my-sandbox-project")
    async with Client(make_server()) as client:
        listed = await client.call_tool("list_webhooks", {})
    assert listed.structured_content["project_id"] == "my-sandbox-project"
    assert sandbox_transport.api_calls() == ["GET /v1/projects/my-sandbox-project/webhooks"]


async def test_sandbox_ignores_real_credentials(monkeypatch, make_server, sandbox_transport):
    for name, canary in CANARIES.items():
        monkeypatch.setenv(name, canary)
    async with Client(make_server()) as client:
        result = await client.call_tool("list_webhooks", {})
    assert not result.is_error
    assert all(r.url.host == "sandbox.invalid" for r in sandbox_transport.requests)
    for request in sandbox_transport.requests:
        header = request.headers.get("authorization", "")
        assert CANARY_KEY_ID not in header and CANARY_KEY_SECRET not in header
        if header.startswith("Basic "):
            assert CANARY_KEY_ID not in base64.b64decode(header[6:]).decode()


# --- 6. real configuration against a mock Sinch --------------------------------------------------


class MockSinch:
    """Plays auth.sinch.com's token endpoint and the Provisioning API, and keeps what it was sent."""

    def __init__(self) -> None:
        self.requests: list[httpx2.Request] = []
        self.transport = httpx2.MockTransport(self.handle)

    @property
    def token_requests(self) -> list[httpx2.Request]:
        return [r for r in self.requests if r.url.host == "auth.sinch.com"]

    @property
    def api_requests(self) -> list[httpx2.Request]:
        return [r for r in self.requests if r.url.host == "provisioning.api.sinch.com"]

    def handle(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        if str(request.url) == "https://auth.sinch.com/oauth2/token" and request.method == "POST":
            expected = "Basic " + base64.b64encode(f"{CANARY_KEY_ID}:{CANARY_KEY_SECRET}".encode()).decode()
            if request.headers.get("authorization") != expected:
                return httpx2.Response(401, json={"error": "invalid_client"})
            if parse_qs(request.content.decode()) != {"grant_type": ["client_credentials"]}:
                return httpx2.Response(400, json={"error": "invalid_request"})
            return httpx2.Response(200, json={"access_token": ISSUED_TOKEN, "expires_in": 3599, "token_type": "bearer"})
        if request.url.host == "provisioning.api.sinch.com" and request.url.path == f"/v1/projects/{PROJECT}/webhooks":
            return httpx2.Response(200, json={"webhooks": [WEBHOOK], "totalSize": 1})
        return httpx2.Response(404, json={"errorCode": "not_found", "message": "no such route"})


@pytest.fixture
def real_settings(monkeypatch):
    monkeypatch.setenv("SINCH_PROJECT_ID", PROJECT)
    for name, value in CANARIES.items():
        monkeypatch.setenv(name, value)


async def test_oauth_against_mock_sinch(real_settings):
    sinch = MockSinch()
    async with Client(build_server(load_settings(), transport=sinch.transport)) as client:
        first = await client.call_tool("list_webhooks", {})
        second = await client.call_tool("list_webhooks", {"page_size": 15})
    for result in (first, second):
        assert not result.is_error, result.content
        assert result.structured_content["environment"] == "sinch"
        assert result.structured_content["project_id"] == PROJECT
        assert result.structured_content["webhooks"][0]["id"] == WEBHOOK["id"]
    assert len(sinch.token_requests) == 1, "the token is fetched once and reused"
    assert len(sinch.api_requests) == 2
    for request in sinch.api_requests:
        assert request.headers["authorization"] == f"Bearer {ISSUED_TOKEN}"
    assert [dict(r.url.params) for r in sinch.api_requests] == [{}, {"pageSize": "15"}]
    assert {r.url.host for r in sinch.requests} == {"auth.sinch.com", "provisioning.api.sinch.com"}
    # The issued token is a secret too: it never reaches the agent.
    assert ISSUED_TOKEN not in first.model_dump_json()


async def test_basic_auth_against_mock_sinch(real_settings, monkeypatch):
    monkeypatch.setenv("SINCH_AUTH_MODE", "basic")
    sinch = MockSinch()
    async with Client(build_server(load_settings(), transport=sinch.transport)) as client:
        result = await client.call_tool("list_webhooks", {})
    assert not result.is_error, result.content
    assert result.structured_content["environment"] == "sinch"
    assert sinch.token_requests == []
    assert len(sinch.api_requests) == 1
    header = sinch.api_requests[0].headers["authorization"]
    assert header.startswith("Basic ")
    assert base64.b64decode(header.removeprefix("Basic ")).decode() == f"{CANARY_KEY_ID}:{CANARY_KEY_SECRET}"


async def test_api_error_from_mock_sinch_is_reported_with_its_fields(real_settings):
    sinch = MockSinch()
    async with Client(build_server(load_settings(), transport=sinch.transport)) as client:
        result = await client.call_tool("get_webhook", {"webhook_id": "absent"})
    assert result.is_error
    error = result.structured_content["error"]
    assert error["status"] == 404 and error["errorCode"] == "not_found"
    assert result.structured_content["environment"] == "sinch"
    assert json.dumps(result.structured_content).count(CANARY_KEY_SECRET) == 0


async def test_sandbox_token_lifetime_reaches_the_embedded_sandbox(monkeypatch):
    monkeypatch.setenv("SINCH_SANDBOX_TOKEN_LIFETIME", "7")
    app = create_app(embedded_sandbox(load_settings(sandbox=True)))
    async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://sandbox.invalid") as http:
        response = await http.post(
            "/oauth2/token", data={"grant_type": "client_credentials"}, auth=(SANDBOX_KEY_ID, SANDBOX_KEY_SECRET)
        )
    claims = json.loads(base64.urlsafe_b64decode(response.json()["access_token"].split(".")[1] + "=="))
    assert response.json()["expires_in"] == 7 and claims["exp"] - claims["iat"] == 7
